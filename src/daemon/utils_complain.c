/* Rate-limited complaints (see utils_complain.h). */
#include "collectd.h"

#include "plugin.h"
#include "utils_complain.h"

/* The back-off never grows beyond a day. */
#define COMPLAIN_MAX_INTERVAL TIME_T_TO_CDTIME_T_STATIC(86400)

/* Logs the message unless `c` is still within its back-off interval.
 * Returns whether it logged. */
static bool complain_now(int level, c_complain_t *c, const char *format,
                         va_list ap) {
  cdtime_t now = cdtime();
  if (c->last + c->interval > now)
    return false;

  /* Start at the plugin's interval, then double. */
  cdtime_t base = plugin_get_interval();
  c->last = now;
  c->interval = (c->interval < base) ? base : 2 * c->interval;
  if (c->interval > COMPLAIN_MAX_INTERVAL)
    c->interval = COMPLAIN_MAX_INTERVAL;

  char message[512];
  vsnprintf(message, sizeof(message), format, ap);
  plugin_log(level, "%s", message);
  return true;
}

/* Both kinds set complained_once, so a c_complain_once() after a
 * c_complain() stays silent until the release (5.12 behaviour). */
void c_complain(int level, c_complain_t *c, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  if (complain_now(level, c, format, ap))
    c->complained_once = true;
  va_end(ap);
}

void c_complain_once(int level, c_complain_t *c, const char *format, ...) {
  if (c->complained_once)
    return;

  va_list ap;
  va_start(ap, format);
  if (complain_now(level, c, format, ap))
    c->complained_once = true;
  va_end(ap);
}

void c_do_release(int level, c_complain_t *c, const char *format, ...) {
  if (c->interval == 0)
    return;
  c->interval = 0;
  c->complained_once = false;

  char message[512];
  va_list ap;
  va_start(ap, format);
  vsnprintf(message, sizeof(message), format, ap);
  va_end(ap);
  plugin_log(level, "%s", message);
}
