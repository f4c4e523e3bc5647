/* test_init_chain: an init callback that registers a second init callback,
 * "test_init_chain_second", which creates the marker file. collectd 5.12
 * runs an init callback registered while the init callbacks run, so the
 * marker must appear however the plugin is loaded (start-up or LOAD).
 *
 *   <Plugin test_init_chain>
 *     Marker "/path"   # created by the second init callback
 *   </Plugin>
 */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_marker.h"

static char *tic_marker;

static int tic_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "Marker") == 0) {
      if (cf_util_get_string(opt, &tic_marker) != 0)
        return -EINVAL;
    } else {
      ERROR("test_init_chain: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tic_second_init(void) {
  INFO("test_init_chain: second init callback runs");
  test_marker_create("test_init_chain", tic_marker);
  return 0;
}

static int tic_first_init(void) {
  INFO("test_init_chain: first init callback registers the second");
  return plugin_register_init("test_init_chain_second", tic_second_init);
}

static int tic_shutdown(void) {
  free(tic_marker);
  tic_marker = NULL;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_init_chain");
  plugin_register_complex_config("test_init_chain", tic_config);
  plugin_register_init("test_init_chain", tic_first_init);
  plugin_register_shutdown("test_init_chain", tic_shutdown);
}
