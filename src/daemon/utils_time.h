/* cdtime_t: time as a 64-bit fixed-point number with 30 fractional bits
 * (about one nanosecond of resolution). The conversions round to the
 * nearest unit; plugins built for collectd 5.12 inline the same arithmetic. */
#ifndef UTILS_TIME_H
#define UTILS_TIME_H 1

#include "collectd.h"

#include <time.h>

#define CDTIME_FRAC_BITS 30
#define CDTIME_ONE_SECOND ((cdtime_t)1 << CDTIME_FRAC_BITS)

/* Whole seconds go to the integer part; the remainder of `unit`-sized
 * fractions is scaled to 2^-30 s with rounding. */
#define CDTIME__FROM_FRAC(x, per_sec)                                          \
  (((((cdtime_t)(x)) / (per_sec)) << CDTIME_FRAC_BITS) |                       \
   ((((((cdtime_t)(x)) % (per_sec)) << CDTIME_FRAC_BITS) + (per_sec) / 2) /    \
    (per_sec)))
/* The inverse: integer part times `per_sec`, plus the rounded fraction. */
#define CDTIME__TO_FRAC(t, per_sec)                                            \
  (((cdtime_t)(t) >> CDTIME_FRAC_BITS) * (per_sec) +                           \
   ((((cdtime_t)(t) & (CDTIME_ONE_SECOND - 1)) * (per_sec) +                   \
     (CDTIME_ONE_SECOND / 2)) >>                                               \
    CDTIME_FRAC_BITS))

#define TIME_T_TO_CDTIME_T_STATIC(t) (((cdtime_t)(t)) << CDTIME_FRAC_BITS)
#define TIME_T_TO_CDTIME_T(t)                                                  \
  (cdtime_t) { TIME_T_TO_CDTIME_T_STATIC(t) }

#define MS_TO_CDTIME_T(ms) (cdtime_t){CDTIME__FROM_FRAC(ms, 1000)}
#define US_TO_CDTIME_T(us) (cdtime_t){CDTIME__FROM_FRAC(us, 1000000)}
#define NS_TO_CDTIME_T(ns) (cdtime_t){CDTIME__FROM_FRAC(ns, 1000000000)}

#define CDTIME_T_TO_TIME_T(t)                                                  \
  (time_t) { (time_t)(((t) + (CDTIME_ONE_SECOND / 2)) >> CDTIME_FRAC_BITS) }
#define CDTIME_T_TO_MS(t) (uint64_t){CDTIME__TO_FRAC(t, 1000)}
#define CDTIME_T_TO_US(t) (uint64_t){CDTIME__TO_FRAC(t, 1000000)}
#define CDTIME_T_TO_NS(t) (uint64_t){CDTIME__TO_FRAC(t, 1000000000)}

#define CDTIME_T_TO_DOUBLE(t) (double){((double)(t)) / 1073741824.0}
#define DOUBLE_TO_CDTIME_T_STATIC(d) ((cdtime_t)((d) * 1073741824.0))
#define DOUBLE_TO_CDTIME_T(d) (cdtime_t){DOUBLE_TO_CDTIME_T_STATIC(d)}
/* Not in 5.12: the most seconds a cdtime_t (2^-30 s in 64 bits) holds.
 * Converting a double of seconds beyond it, a negative one or NaN with
 * DOUBLE_TO_CDTIME_T is undefined behaviour: check it against this first. */
#define CDTIME_T_SECONDS_MAX ((double)(UINT64_MAX >> CDTIME_FRAC_BITS))

#define CDTIME_T_TO_TIMEVAL(t)                                                 \
  (struct timeval) {                                                           \
    .tv_sec = (time_t)((t) >> CDTIME_FRAC_BITS),                               \
    .tv_usec = (suseconds_t)(CDTIME_T_TO_US(t) % 1000000)                      \
  }
#define TIMEVAL_TO_CDTIME_T(tv)                                                \
  US_TO_CDTIME_T(1000000 * (tv)->tv_sec + (tv)->tv_usec)

#define CDTIME_T_TO_TIMESPEC(t)                                                \
  (struct timespec) {                                                          \
    .tv_sec = (time_t)((t) >> CDTIME_FRAC_BITS),                               \
    .tv_nsec = (long)(CDTIME_T_TO_NS(t) % 1000000000)                          \
  }
#define TIMESPEC_TO_CDTIME_T(ts)                                               \
  NS_TO_CDTIME_T(1000000000ULL * (ts)->tv_sec + (ts)->tv_nsec)

/* Buffer sizes for the RFC 3339 formatters, terminating NUL included. */
#define RFC3339_SIZE 26     /* 2006-01-02T15:04:05+00:00 */
#define RFC3339NANO_SIZE 36 /* 2006-01-02T15:04:05.999999999+00:00 */

/* The current time (CLOCK_REALTIME). */
cdtime_t cdtime(void);

/* Format `t` as RFC 3339 into `buffer`; UTC or local time, with or without
 * nanoseconds. Return 0 or an errno (ENOMEM if the buffer is too small). */
int rfc3339(char *buffer, size_t buffer_size, cdtime_t t);
int rfc3339nano(char *buffer, size_t buffer_size, cdtime_t t);
int rfc3339_local(char *buffer, size_t buffer_size, cdtime_t t);
int rfc3339nano_local(char *buffer, size_t buffer_size, cdtime_t t);

#endif /* UTILS_TIME_H */
