/* test_config_fail: a plugin whose configuration callback fails on demand,
 * for the "config failed" path of a load or a reconfigure.
 *
 *   <Plugin test_config_fail>
 *     Fail true     # the config callback returns an error (default false)
 *     Value 42      # dispatched by every read as test_config_fail/gauge-value
 *   </Plugin>
 *
 * Any other option also fails the configuration. Shutdown puts the options
 * back to their defaults, so that nothing of a failed configuration
 * survives into the next load even if the object stays mapped. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

static gauge_t tcf_value;

static int tcf_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "Fail") == 0) {
      bool fail = false;
      if (cf_util_get_boolean(opt, &fail) != 0)
        return -EINVAL;
      if (fail) {
        ERROR("test_config_fail: failing the configuration (Fail true)");
        return -EINVAL;
      }
    } else if (strcasecmp(opt->key, "Value") == 0) {
      double value;
      if (cf_util_get_double(opt, &value) != 0)
        return -EINVAL;
      tcf_value = value;
    } else {
      ERROR("test_config_fail: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tcf_read(void) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = tcf_value};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_config_fail", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  sstrncpy(vl.type_instance, "value", sizeof(vl.type_instance));
  return plugin_dispatch_values(&vl);
}

static int tcf_shutdown(void) {
  tcf_value = 0;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_config_fail");
  plugin_register_complex_config("test_config_fail", tcf_config);
  plugin_register_read("test_config_fail", tcf_read);
  plugin_register_shutdown("test_config_fail", tcf_shutdown);
}
