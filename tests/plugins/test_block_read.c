/* test_block_read: a read callback that takes its time, so that a test can
 * UNLOAD or reconfigure the plugin while one of its reads is in flight (the
 * core must wait for it before calling shutdown and closing the object).
 *
 *   <Plugin test_block_read>
 *     BlockSeconds 2.5   # sleep in every read (default 0)
 *     ReleaseFile "/path" # with it, a read ends as soon as the file exists
 *   </Plugin>
 *
 * ReleaseFile lets a test decide when a read ends instead of racing a
 * fixed sleep against a loaded machine.
 *
 * Each read logs "test_block_read: read started" and "... read finished" at
 * INFO around the sleep, then dispatches test_block_read/gauge = 1. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

static cdtime_t tbr_block;
static char *tbr_release;

static int tbr_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "BlockSeconds") == 0) {
      if (cf_util_get_cdtime(opt, &tbr_block) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "ReleaseFile") == 0) {
      free(tbr_release);
      tbr_release = NULL;
      if (cf_util_get_string(opt, &tbr_release) != 0)
        return -EINVAL;
    } else {
      ERROR("test_block_read: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tbr_read(void) {
  INFO("test_block_read: read started");
  if (tbr_release == NULL) {
    test_sleep(tbr_block);
  } else {
    cdtime_t end = cdtime() + tbr_block;
    while (access(tbr_release, F_OK) != 0 && cdtime() < end)
      test_sleep(MS_TO_CDTIME_T(10));
  }
  INFO("test_block_read: read finished");

  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = 1};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_block_read", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  return plugin_dispatch_values(&vl);
}

static int tbr_shutdown(void) {
  tbr_block = 0;
  free(tbr_release);
  tbr_release = NULL;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_block_read");
  plugin_register_complex_config("test_block_read", tbr_config);
  plugin_register_read("test_block_read", tbr_read);
  plugin_register_shutdown("test_block_read", tbr_shutdown);
}
