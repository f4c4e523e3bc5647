/* A bound on every step of the daemon's exit. A plugin whose shutdown
 * callback, or whose read, write or flush callback, never returns must not
 * keep the daemon from exiting: once a step has run longer than its
 * bound, the watchdog logs the step and every callback still running, and
 * ends the process with EXIT_FAILURE without waiting for them. */
#ifndef EXIT_WATCH_H
#define EXIT_WATCH_H

#include "utils_time.h"

/* Starts the watchdog. Until exit_watch_step() is called, nothing is
 * bounded. */
int exit_watch_start(void);

/* The exit enters a new step, which may take up to `timeout`; `what` names
 * it in the log ("shutdown callback \"x\" of plugin x"). A no-op unless
 * the watchdog runs. */
void exit_watch_step(cdtime_t timeout, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Stops the watchdog: the exit is done. */
void exit_watch_stop(void);

#endif /* EXIT_WATCH_H */
