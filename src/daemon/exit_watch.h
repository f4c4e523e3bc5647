/* A bound on every step of the daemon's exit, and on the exit as a whole.
 * A plugin whose shutdown callback, or whose read, write or flush
 * callback, never returns must not keep the daemon from exiting: once a
 * step has run longer than its bound, or the exit longer than its own, the
 * watchdog logs the step and every callback still running, and ends the
 * process with EXIT_FAILURE without waiting for them. */
#ifndef EXIT_WATCH_H
#define EXIT_WATCH_H

#include "utils_time.h"

/* Starts the watchdog: the exit may take `total` from now. Until the first
 * exit_watch_step() only that bounds it. If the watchdog runs already (a
 * stop during the start-up started it), it keeps the bound it has. */
int exit_watch_start(cdtime_t total);

/* A stop requested during the start-up (SIGTERM while the configuration is
 * read, or a plugin is opened or initialised) cannot wait for the main
 * loop: the start-up may be inside a plugin that never returns. Between
 * exit_watch_arm() and exit_watch_disarm(), a stop starts the watchdog at
 * once, with the bound `total` (the one of the last call); the start-up
 * then stops at the next plugin and goes on to the exit. Only the main
 * thread calls these; disarm before fork(). */
int exit_watch_arm(cdtime_t total);
void exit_watch_disarm(void);
/* What the start-up is doing now ("initialising x (file:line)"), for the
 * message if the watchdog gives up on it. */
void exit_watch_doing(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The exit enters a new step, which may take up to `timeout`; `what` names
 * it in the log ("shutdown callback \"x\" of plugin x"). A no-op unless
 * the watchdog runs. */
void exit_watch_step(cdtime_t timeout, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Stops the watchdog: the exit is done. */
void exit_watch_stop(void);

/* Ends the process now, with `status` and without the exit handlers (they
 * may wait for what the exit gave up on: the dynamic linker held by an
 * object that is still being opened, or a plugin's thread), once the
 * standard streams are flushed. */
_Noreturn void exit_now(int status);

#endif /* EXIT_WATCH_H */
