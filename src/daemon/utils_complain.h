/* Rate-limited error messages: a condition that persists is reported
 * again after an interval that doubles each time (from the plugin's
 * interval up to a day), and once more when it clears.
 *
 * The struct layout and the macros match collectd 5.12: plugin binaries
 * inline C_COMPLAIN_INIT and c_release(), which read the fields. */
#ifndef UTILS_COMPLAIN_H
#define UTILS_COMPLAIN_H 1

#include "utils_time.h"

#include <stdbool.h>

typedef struct {
  cdtime_t last;     /* when it was last reported */
  cdtime_t interval; /* wait before reporting again; 0: not complaining */
  bool complained_once;
} c_complain_t;

#define C_COMPLAIN_INIT_STATIC                                                 \
  { 0, 0, 0 }
#define C_COMPLAIN_INIT(c)                                                     \
  do {                                                                         \
    (c)->last = 0;                                                             \
    (c)->interval = 0;                                                         \
    (c)->complained_once = false;                                              \
  } while (0)

/* Logs the message through plugin_log() unless the complaint `c` was
 * reported less than its interval ago; then doubles the interval. */
__attribute__((format(printf, 3, 4))) void
c_complain(int level, c_complain_t *c, const char *format, ...);

/* Like c_complain(), but silent if the complaint was already reported
 * (by either function) since the last release. */
__attribute__((format(printf, 3, 4))) void
c_complain_once(int level, c_complain_t *c, const char *format, ...);

/* True while there is a complaint to release. */
#define c_would_release(c) ((c)->interval != 0)

/* Logs the message once and resets the complaint. Use c_release(), which
 * skips the call when nothing was complained about. */
__attribute__((format(printf, 3, 4))) void
c_do_release(int level, c_complain_t *c, const char *format, ...);
#define c_release(level, c, ...)                                               \
  do {                                                                         \
    if (c_would_release(c))                                                    \
      c_do_release(level, c, __VA_ARGS__);                                     \
  } while (0)

#endif /* UTILS_COMPLAIN_H */
