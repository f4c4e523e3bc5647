/* Marker files: how a lifecycle test plugin tells a test that it reached a
 * point (entered a callback, returned from it), so that the test waits for
 * the file instead of guessing with a sleep. Header-only (static inline),
 * like test_sleep.h. */
#ifndef TEST_MARKER_H
#define TEST_MARKER_H

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

/* Creates (or empties) the file `path`; does nothing if `path` is NULL.
 * A failure is logged in the name of `plugin`, and the test, which waits
 * for the file, fails. */
static inline void test_marker_create(const char *plugin, const char *path) {
  if (path == NULL)
    return;
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    ERROR("%s: cannot create \"%s\": %s", plugin, path, STRERRNO);
    return;
  }
  fclose(f);
}

#endif /* TEST_MARKER_H */
