/* test_legacy: a plugin written as for collectd 5.12, which never calls
 * plugin_register_unloadable(). The core must load and run it like any
 * other, refuse to UNLOAD or reconfigure it at run time, and still call its
 * shutdown at exit. Every read dispatches test_legacy/gauge = 1. No
 * options. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

static int tl_read(void) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = 1};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_legacy", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  return plugin_dispatch_values(&vl);
}

static int tl_shutdown(void) {
  INFO("test_legacy: shutdown");
  return 0;
}

void module_register(void) {
  plugin_register_read("test_legacy", tl_read);
  plugin_register_shutdown("test_legacy", tl_shutdown);
}
