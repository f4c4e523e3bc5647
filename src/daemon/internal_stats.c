/* CollectInternalStats: the daemon reports on itself as the "collectd"
 * plugin -- write queue length, values dropped by the queue limits, and the
 * number of cache entries -- with the identifiers collectd 5.12 used. */
#include "configfile_internal.h"
#include "utils/common/common.h"
#include "utils_cache.h"

static void submit(const char *plugin_instance, const char *type,
                   const char *type_instance, value_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  sstrncpy(vl.plugin, "collectd", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, plugin_instance, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  if (type_instance != NULL)
    sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

static int internal_stats_read(void) {
  submit("write_queue", "queue_length", NULL,
         (value_t){.gauge = (gauge_t)plugin__write_queued()});
  submit("write_queue", "derive", "dropped",
         (value_t){.derive = (derive_t)plugin__write_dropped()});
  submit("cache", "cache_size", NULL, (value_t){.gauge = (gauge_t)uc_get_size()});
  return 0;
}

int internal_stats_register(void) {
  const char *enabled = global_option_get("CollectInternalStats");
  if (enabled == NULL || !IS_TRUE(enabled))
    return 0;
  return plugin_register_read("collectd", internal_stats_read);
}
