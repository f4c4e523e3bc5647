/* The one helper the lifecycle test plugins share: sleeping for a
 * cdtime_t. Header-only (static inline) so that every plugin stays a
 * single self-contained object. */
#ifndef TEST_SLEEP_H
#define TEST_SLEEP_H

#include "collectd.h"

#include "utils_time.h"

/* Sleeps for `duration`, resuming after signals: the daemon's threads may
 * catch one (SIGTERM, SIGHUP) while a test plugin is meant to be asleep. */
static inline void test_sleep(cdtime_t duration) {
  struct timespec left = CDTIME_T_TO_TIMESPEC(duration);
  while (nanosleep(&left, &left) != 0 && errno == EINTR)
    ;
}

#endif /* TEST_SLEEP_H */
