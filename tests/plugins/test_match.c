/* test_match: an unloadable plugin that provides a filter chain match, for
 * the lifecycle of match plugins: a rule using it must not match while the
 * plugin is not ready, and unloading it must be refused while a chain uses
 * it.
 *
 *   <Plugin test_match>
 *     FailInit true   # default false: init fails, the plugin stays failed
 *   </Plugin>
 *
 *   <Match "test_match">
 *     Plugin "load"   # matches values whose plugin is "load"
 *   </Match> */
#include "collectd.h"

#include "filter_chain.h"
#include "plugin.h"
#include "utils/common/common.h"

static bool tm_fail_init;

static int tm_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;
    if (strcasecmp(opt->key, "FailInit") == 0) {
      if (cf_util_get_boolean(opt, &tm_fail_init) != 0)
        return -EINVAL;
    } else {
      ERROR("test_match: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tm_init(void) {
  if (tm_fail_init) {
    ERROR("test_match: failing init (FailInit is true)");
    return -EINVAL;
  }
  return 0;
}

static int tm_shutdown(void) {
  tm_fail_init = false;
  return 0;
}

static int tm_create(const oconfig_item_t *ci, void **user_data) {
  char *plugin = NULL;
  for (int i = 0; i < ci->children_num; i++) {
    if (strcasecmp(ci->children[i].key, "Plugin") == 0) {
      free(plugin);
      plugin = NULL;
      if (cf_util_get_string(ci->children + i, &plugin) != 0)
        return -EINVAL;
    }
  }
  if (plugin == NULL) {
    ERROR("test_match: the match needs a Plugin option");
    return -EINVAL;
  }
  *user_data = plugin;
  return 0;
}

static int tm_destroy(void **user_data) {
  free(*user_data);
  *user_data = NULL;
  return 0;
}

static int tm_match(const data_set_t *ds, const value_list_t *vl,
                    notification_meta_t **meta, void **user_data) {
  return strcmp(vl->plugin, *user_data) == 0 ? FC_MATCH_MATCHES
                                             : FC_MATCH_NO_MATCH;
}

void module_register(void) {
  plugin_register_unloadable("test_match");
  plugin_register_complex_config("test_match", tm_config);
  plugin_register_init("test_match", tm_init);
  plugin_register_shutdown("test_match", tm_shutdown);
  fc_register_match("test_match", (match_proc_t){.create = tm_create,
                                                 .destroy = tm_destroy,
                                                 .match = tm_match});
}
