/* The signals the daemon acts on, and how they reach the main loop.
 *
 * SIGTERM and SIGINT stop the daemon when another process sends them. A
 * plugin may also send SIGTERM to one of its own threads with
 * pthread_kill(), to break it out of a blocking call, as collectd 5.12's
 * statsd and network plugins do in their shutdown: that only interrupts
 * the thread, and never stops the daemon. SIGUSR1 (flush) and SIGHUP are
 * blocked in every thread and taken by the main loop alone, so they never
 * interrupt a plugin's system call. */
#ifndef DAEMON_SIGNALS_H
#define DAEMON_SIGNALS_H

#include "utils_time.h"

#include <stdbool.h>

/* Installs the handlers and blocks SIGUSR1 and SIGHUP; call it in main()
 * before any thread starts, so that every thread inherits the mask. */
int signals_init(void);

/* Waits up to `timeout` for a signal meant for the daemon. Returns SIGTERM
 * (for SIGINT too), SIGUSR1, SIGHUP, or 0 when the time is up. */
int signals_wait(cdtime_t timeout);

/* The daemon was told to stop (the main loop may not have seen it yet). */
bool signals_stop_requested(void);

/* Waits until the daemon is told to stop (true) or `fd` becomes readable
 * (false). The request stays for signals_wait() to see. */
bool signals_wait_stop(int fd);

#endif /* DAEMON_SIGNALS_H */
