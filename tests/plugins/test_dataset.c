/* test_dataset: a plugin that registers a data set from its init callback
 * and leaves it to the core to take away at unload, for the tests of data
 * sets that must not outlive their plugins. The same source is built twice,
 * as test_dataset_a and test_dataset_b (TD_NAME is the plugin's name), so
 * that two plugins can register the same type.
 *
 *   <Plugin test_dataset_a>
 *     Type "td_type"    # the type it registers (default "test_dataset")
 *     Source "value"    # the name of its one GAUGE source (default "value")
 *   </Plugin>
 *
 * Any other option fails the configuration. Shutdown puts the options back
 * to their defaults. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#ifndef TD_NAME
#error "TD_NAME (the plugin's name) must be defined"
#endif

#define TD_DEFAULT_TYPE "test_dataset"
#define TD_DEFAULT_SOURCE "value"

static char td_type[DATA_MAX_NAME_LEN] = TD_DEFAULT_TYPE;
static char td_source[DATA_MAX_NAME_LEN] = TD_DEFAULT_SOURCE;

static int td_string(oconfig_item_t *opt, char *buf, size_t size) {
  if (opt->values_num != 1 || opt->values[0].type != OCONFIG_TYPE_STRING ||
      opt->values[0].value.string[0] == '\0' ||
      strlen(opt->values[0].value.string) >= size) {
    ERROR(TD_NAME ": %s needs one non-empty string shorter than %zu bytes",
          opt->key, size);
    return -EINVAL;
  }
  sstrncpy(buf, opt->values[0].value.string, size);
  return 0;
}

static int td_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;
    int status;
    if (strcasecmp(opt->key, "Type") == 0)
      status = td_string(opt, td_type, sizeof(td_type));
    else if (strcasecmp(opt->key, "Source") == 0)
      status = td_string(opt, td_source, sizeof(td_source));
    else {
      ERROR(TD_NAME ": unknown option \"%s\"", opt->key);
      status = -EINVAL;
    }
    if (status != 0)
      return status;
  }
  return 0;
}

static int td_init(void) {
  data_source_t src = {.type = DS_TYPE_GAUGE, .min = NAN, .max = NAN};
  sstrncpy(src.name, td_source, sizeof(src.name));
  data_set_t ds = {.ds_num = 1, .ds = &src};
  sstrncpy(ds.type, td_type, sizeof(ds.type));
  int status = plugin_register_data_set(&ds);
  if (status != 0) {
    ERROR(TD_NAME ": registering type \"%s\" failed: %d", td_type, status);
    return status;
  }
  INFO(TD_NAME ": registered type \"%s\" (source \"%s\")", td_type,
       td_source);
  return 0;
}

static int td_shutdown(void) {
  sstrncpy(td_type, TD_DEFAULT_TYPE, sizeof(td_type));
  sstrncpy(td_source, TD_DEFAULT_SOURCE, sizeof(td_source));
  return 0;
}

void module_register(void) {
  plugin_register_unloadable(TD_NAME);
  plugin_register_complex_config(TD_NAME, td_config);
  plugin_register_init(TD_NAME, td_init);
  plugin_register_shutdown(TD_NAME, td_shutdown);
}
