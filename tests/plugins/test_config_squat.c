/* test_config_squat: registers a configuration callback under another
 * plugin's name, "test_config_victim", as collectd lets any plugin do
 * (configuration is dispatched by block name). When test_config_victim is
 * loaded, its <Plugin test_config_victim> block runs this plugin's code,
 * and that call must keep this plugin's object mapped: unloading
 * test_config_squat meanwhile has to wait for the call or be refused.
 *
 *   <Plugin test_config_victim>
 *     EnteredFile "/path"  # created when the callback starts
 *     ReturnedFile "/path" # created right before it returns
 *     SleepSeconds 3       # how long it sleeps in between (default 3)
 *   </Plugin>
 *
 * The callback sleeps in 10 ms steps, so that this object's code runs
 * again every 10 ms: closed under the call, the daemon dies at once rather
 * than when the sleep ends. It then returns 0. No options of its own, no
 * other callbacks. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_marker.h"
#include "test_sleep.h"

static int tcs_victim_config(oconfig_item_t *ci) {
  char *entered = NULL;
  char *returned = NULL;
  cdtime_t sleep_for = TIME_T_TO_CDTIME_T(3);
  int status = 0;

  for (int i = 0; i < ci->children_num && status == 0; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "EnteredFile") == 0) {
      status = cf_util_get_string(opt, &entered);
    } else if (strcasecmp(opt->key, "ReturnedFile") == 0) {
      status = cf_util_get_string(opt, &returned);
    } else if (strcasecmp(opt->key, "SleepSeconds") == 0) {
      status = cf_util_get_cdtime(opt, &sleep_for);
    } else {
      ERROR("test_config_squat: unknown option \"%s\"", opt->key);
      status = -EINVAL;
    }
  }

  if (status == 0) {
    INFO("test_config_squat: configuring test_config_victim; sleeping "
         "%.3f s",
         CDTIME_T_TO_DOUBLE(sleep_for));
    test_marker_create("test_config_squat", entered);
    cdtime_t end = cdtime() + sleep_for;
    while (cdtime() < end)
      test_sleep(MS_TO_CDTIME_T(10));
    test_marker_create("test_config_squat", returned);
  }
  free(entered);
  free(returned);
  return status == 0 ? 0 : -EINVAL;
}

void module_register(void) {
  plugin_register_unloadable("test_config_squat");
  plugin_register_complex_config("test_config_victim", tcs_victim_config);
}
