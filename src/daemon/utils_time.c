/* cdtime() and the RFC 3339 formatters declared in utils_time.h. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils_time.h"

cdtime_t cdtime(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    ERROR("cdtime: clock_gettime failed: %s", STRERRNO);
    return 0;
  }
  return TIMESPEC_TO_CDTIME_T(&ts);
}

/* Broken-down time of `t` in UTC or in the local zone. */
static int split_time(cdtime_t t, bool local, struct tm *tm, long *nsec) {
  struct timespec ts = CDTIME_T_TO_TIMESPEC(t);
  struct tm *ok = local ? localtime_r(&ts.tv_sec, tm) : gmtime_r(&ts.tv_sec, tm);
  if (ok == NULL)
    return errno ? errno : EINVAL;
  *nsec = ts.tv_nsec;
  return 0;
}

/* The zone suffix: "Z" for UTC, "+hh:mm" (strftime's %z with a colon)
 * otherwise. */
static void zone_suffix(char *buf, size_t size, const struct tm *tm,
                        bool local) {
  if (!local) {
    snprintf(buf, size, "Z");
    return;
  }
  char hhmm[16];
  size_t n = strftime(hhmm, sizeof(hhmm), "%z", tm);
  if (n == 5) /* "+hhmm" */
    snprintf(buf, size, "%.3s:%.2s", hhmm, hhmm + 3);
  else /* unexpected: pass on whatever the C library said */
    snprintf(buf, size, "%s", hhmm);
}

static int format_rfc3339(char *buffer, size_t buffer_size, cdtime_t t,
                          bool nano, bool local) {
  if (buffer == NULL)
    return EINVAL;
  if (buffer_size < (nano ? RFC3339NANO_SIZE : RFC3339_SIZE))
    return ENOMEM;

  struct tm tm;
  long nsec = 0;
  int status = split_time(t, local, &tm, &nsec);
  if (status != 0)
    return status;

  char zone[16];
  zone_suffix(zone, sizeof(zone), &tm, local);

  size_t len = strftime(buffer, buffer_size, "%Y-%m-%dT%H:%M:%S", &tm);
  if (len == 0)
    return ENOMEM;
  int n = nano ? snprintf(buffer + len, buffer_size - len, ".%09ld%s", nsec,
                          zone)
               : snprintf(buffer + len, buffer_size - len, "%s", zone);
  if (n < 0 || (size_t)n >= buffer_size - len)
    return ENOMEM;
  return 0;
}

int rfc3339(char *buffer, size_t buffer_size, cdtime_t t) {
  return format_rfc3339(buffer, buffer_size, t, false, false);
}

int rfc3339nano(char *buffer, size_t buffer_size, cdtime_t t) {
  return format_rfc3339(buffer, buffer_size, t, true, false);
}

int rfc3339_local(char *buffer, size_t buffer_size, cdtime_t t) {
  return format_rfc3339(buffer, buffer_size, t, false, true);
}

int rfc3339nano_local(char *buffer, size_t buffer_size, cdtime_t t) {
  return format_rfc3339(buffer, buffer_size, t, true, true);
}
