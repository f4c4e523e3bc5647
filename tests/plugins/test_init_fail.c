/* test_init_fail: a plugin whose init callback fails unless told not to,
 * for the "init failed" path of a load or a reconfigure (the core must
 * unregister its read callback again and still call its shutdown).
 *
 *   <Plugin test_init_fail>
 *     Fail false    # default true: init returns an error
 *   </Plugin>
 *
 * Once initialized, every read dispatches test_init_fail/gauge = 1. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

static bool tif_fail = true;

static int tif_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "Fail") == 0) {
      if (cf_util_get_boolean(opt, &tif_fail) != 0)
        return -EINVAL;
    } else {
      ERROR("test_init_fail: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tif_init(void) {
  if (tif_fail) {
    ERROR("test_init_fail: failing init (Fail is true)");
    return -EINVAL;
  }
  return 0;
}

static int tif_read(void) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = 1};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_init_fail", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  return plugin_dispatch_values(&vl);
}

/* Also runs after a failed init: it only resets the option. */
static int tif_shutdown(void) {
  tif_fail = true;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_init_fail");
  plugin_register_complex_config("test_init_fail", tif_config);
  plugin_register_init("test_init_fail", tif_init);
  plugin_register_read("test_init_fail", tif_read);
  plugin_register_shutdown("test_init_fail", tif_shutdown);
}
