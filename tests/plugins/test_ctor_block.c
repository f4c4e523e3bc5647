/* test_ctor_block: an object whose constructor does not return, so that
 * dlopen() of it never does: as a plugin whose library waits for a device
 * or a lock at load time. The constructor runs before module_register(),
 * while the dynamic linker holds its lock, so it takes no configuration:
 * the environment says what it does.
 *
 *   TEST_CTOR_BLOCK_MARKER  created once the constructor has begun
 *   TEST_CTOR_BLOCK_RELEASE the constructor returns once this file exists
 *                           (unset: it returns at once)
 *
 * Registers a read callback that dispatches nothing. */
#include "collectd.h"

#include "plugin.h"

#include "test_sleep.h"

#include <fcntl.h>

__attribute__((constructor)) static void tcb_block(void) {
  const char *release = getenv("TEST_CTOR_BLOCK_RELEASE");
  const char *marker = getenv("TEST_CTOR_BLOCK_MARKER");
  if (release == NULL)
    return;
  if (marker != NULL) {
    int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
      close(fd);
  }
  while (access(release, F_OK) != 0)
    test_sleep(MS_TO_CDTIME_T(20));
}

static int tcb_read(void) { return 0; }

void module_register(void) {
  plugin_register_read("test_ctor_block", tcb_read);
}
