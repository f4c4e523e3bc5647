/* Comparing struct timeval values (kept for plugins; the core itself uses
 * cdtime_t). */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

static bool timeval_less(const struct timeval *a, const struct timeval *b) {
  return a->tv_sec < b->tv_sec ||
         (a->tv_sec == b->tv_sec && a->tv_usec < b->tv_usec);
}

int timeval_cmp(struct timeval tv0, struct timeval tv1, struct timeval *delta) {
  NORMALIZE_TIMEVAL(tv0);
  NORMALIZE_TIMEVAL(tv1);

  int order = timeval_less(&tv0, &tv1) ? -1 : timeval_less(&tv1, &tv0) ? 1 : 0;
  if (delta == NULL)
    return order;

  const struct timeval *big = (order < 0) ? &tv1 : &tv0;
  const struct timeval *small = (order < 0) ? &tv0 : &tv1;
  delta->tv_sec = big->tv_sec - small->tv_sec;
  delta->tv_usec = big->tv_usec - small->tv_usec;
  if (delta->tv_usec < 0) { /* borrow a second */
    delta->tv_sec--;
    delta->tv_usec += 1000000;
  }
  return order;
}
