/* Telling a service manager how the daemon is doing: systemd's notify
 * protocol (a datagram of "KEY=VALUE" lines to the socket named by
 * NOTIFY_SOCKET), spoken without libsystemd. */
#ifndef SERVICE_NOTIFY_H
#define SERVICE_NOTIFY_H

#include <stdbool.h>

/* True when the daemon was started by a service manager that waits for
 * its notification (NOTIFY_SOCKET is set): then it stays in the
 * foreground, as collectd 5.12 does, so that the manager sees its pid. */
bool service_notify_wanted(void);

/* Sends `state` ("READY=1", "STOPPING=1", ...); nothing without
 * NOTIFY_SOCKET. A failure is logged once and otherwise ignored: the
 * daemon runs the same without a manager. */
void service_notify(const char *state);

/* READY=1, once the plugins are initialised and the daemon reads. */
void service_notify_ready(void);

/* RELOADING=1 with the time systemd wants beside it, and READY=1 once the
 * reload is over; neither before service_notify_ready() (a reload asked
 * for during the start-up is part of it). */
void service_notify_reloading(void);
void service_notify_reloaded(void);

#endif /* SERVICE_NOTIFY_H */
