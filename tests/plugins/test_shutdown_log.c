/* test_shutdown_log: a reader with something to say on its way out. Its
 * read callback dispatches nothing (it makes the plugin a reader) and logs
 * "test_shutdown_log: first read" the first time, so that a test knows
 * the daemon is running. Its shutdown callback logs five lines,
 * "test_shutdown_log: saying goodbye N" for N = 1..5, at INFO (odd N) and
 * WARNING (even N): at exit those lines must reach the log plugins, which
 * must still be ready then. No options. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <stdatomic.h>

static _Atomic bool tsl_read_once;

static int tsl_read(void) {
  if (!atomic_exchange(&tsl_read_once, true))
    INFO("test_shutdown_log: first read");
  return 0;
}

static int tsl_shutdown(void) {
  atomic_store(&tsl_read_once, false);
  for (int n = 1; n <= 5; n++) {
    if (n % 2 == 1)
      INFO("test_shutdown_log: saying goodbye %d", n);
    else
      WARNING("test_shutdown_log: saying goodbye %d", n);
  }
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_shutdown_log");
  plugin_register_read("test_shutdown_log", tsl_read);
  plugin_register_shutdown("test_shutdown_log", tsl_shutdown);
}
