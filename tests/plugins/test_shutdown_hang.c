/* test_shutdown_hang: a legacy plugin (built as for collectd 5.12: it does
 * not call plugin_register_unloadable()) whose shutdown callback never
 * returns. The daemon must still exit on SIGTERM, within its bound, name
 * the callback and exit non-zero. No options.
 *
 * Its read dispatches test_shutdown_hang/gauge = 1. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

static int tsh_read(void) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = 1};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_shutdown_hang", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  return plugin_dispatch_values(&vl);
}

static int tsh_shutdown(void) {
  INFO("test_shutdown_hang: shutdown entered; never returning");
  for (;;)
    test_sleep(TIME_T_TO_CDTIME_T(3600));
  return 0;
}

void module_register(void) {
  plugin_register_read("test_shutdown_hang", tsh_read);
  plugin_register_shutdown("test_shutdown_hang", tsh_shutdown);
}
