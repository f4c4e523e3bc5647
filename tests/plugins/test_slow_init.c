/* test_slow_init: an init callback that takes its time, so that a test can
 * send SIGTERM while a LOAD of it is still under way.
 *
 *   <Plugin test_slow_init>
 *     InitSeconds 30            # how long init sleeps (default 0)
 *     InitMarker "/path"        # created when init starts
 *     ShutdownMarker "/path"    # created by the shutdown callback
 *     ReleaseFile "/path"       # init ends early once this file exists
 *   </Plugin>
 *
 * Init sleeps the whole time, whatever happens meanwhile (it does not
 * watch for a stop request: a plugin stuck in its init is what the daemon
 * must cope with), then returns 0. With a ReleaseFile it looks for that
 * file every 10 ms and returns as soon as it appears. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_marker.h"
#include "test_sleep.h"

static cdtime_t tsi_init_time;
static char *tsi_init_marker;
static char *tsi_shutdown_marker;
static char *tsi_release_file;

static int tsi_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;
    int status;

    if (strcasecmp(opt->key, "InitSeconds") == 0) {
      status = cf_util_get_cdtime(opt, &tsi_init_time);
    } else if (strcasecmp(opt->key, "InitMarker") == 0) {
      status = cf_util_get_string(opt, &tsi_init_marker);
    } else if (strcasecmp(opt->key, "ShutdownMarker") == 0) {
      status = cf_util_get_string(opt, &tsi_shutdown_marker);
    } else if (strcasecmp(opt->key, "ReleaseFile") == 0) {
      status = cf_util_get_string(opt, &tsi_release_file);
    } else {
      ERROR("test_slow_init: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
    if (status != 0)
      return -EINVAL;
  }
  return 0;
}

static int tsi_init(void) {
  INFO("test_slow_init: init started; sleeping %.3f s",
       CDTIME_T_TO_DOUBLE(tsi_init_time));
  test_marker_create("test_slow_init", tsi_init_marker);
  if (tsi_release_file == NULL) {
    test_sleep(tsi_init_time);
  } else {
    cdtime_t end = cdtime() + tsi_init_time;
    while (access(tsi_release_file, F_OK) != 0 && cdtime() < end)
      test_sleep(MS_TO_CDTIME_T(10));
  }
  INFO("test_slow_init: init finished");
  return 0;
}

static int tsi_shutdown(void) {
  test_marker_create("test_slow_init", tsi_shutdown_marker);
  tsi_init_time = 0;
  free(tsi_init_marker);
  tsi_init_marker = NULL;
  free(tsi_shutdown_marker);
  tsi_shutdown_marker = NULL;
  free(tsi_release_file);
  tsi_release_file = NULL;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_slow_init");
  plugin_register_complex_config("test_slow_init", tsi_config);
  plugin_register_init("test_slow_init", tsi_init);
  plugin_register_shutdown("test_slow_init", tsi_shutdown);
}
