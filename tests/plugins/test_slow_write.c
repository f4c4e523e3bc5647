/* test_slow_write: a write plugin that is slow on purpose, so that values
 * pile up in its queue; a test then UNLOADs it and checks that every value
 * queued before the UNLOAD reached the file.
 *
 *   <Plugin test_slow_write>
 *     File "/tmp/x/written"   # required; opened for appending in init
 *     DelaySeconds 0.2        # sleep before each value list (default 0)
 *     GateFile "/tmp/x/gate"  # while this file exists, each write waits
 *   </Plugin>
 *
 * One line per value list, flushed at once:
 *   plugin/type[-type_instance] <time, seconds with 3 decimals> <value>
 * where value is the first value, printed as its data source type says.
 *
 * GateFile lets a test hold the write thread until it has queued what it
 * wants (the write queue limits): a write waits while the file exists,
 * checking every 10 ms, for at most GATE_MAX_WAIT, so that a test that
 * fails before removing it does not leave a write thread stuck. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

#define GATE_MAX_WAIT TIME_T_TO_CDTIME_T_STATIC(60)

static char *tsw_path;
static char *tsw_gate;
static cdtime_t tsw_delay;

/* tsw_lock protects tsw_file against concurrent write threads. It is opened
 * by init and closed by shutdown, which the core runs while no write
 * callback of ours can. */
static pthread_mutex_t tsw_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *tsw_file;

static int tsw_config_options(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "File") == 0) {
      sfree(tsw_path);
      if (cf_util_get_string(opt, &tsw_path) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "GateFile") == 0) {
      sfree(tsw_gate);
      if (cf_util_get_string(opt, &tsw_gate) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "DelaySeconds") == 0) {
      if (cf_util_get_cdtime(opt, &tsw_delay) != 0)
        return -EINVAL;
    } else {
      ERROR("test_slow_write: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  if (tsw_path == NULL) {
    ERROR("test_slow_write: the File option is required");
    return -EINVAL;
  }
  return 0;
}

/* A failing config or init frees what it holds itself rather than rely on
 * a shutdown call after the failure; shutdown frees whatever remains. */
static int tsw_config(oconfig_item_t *ci) {
  int status = tsw_config_options(ci);
  if (status != 0) {
    sfree(tsw_path);
    sfree(tsw_gate);
  }
  return status;
}

/* Also catches a load without any <Plugin test_slow_write> block. */
static int tsw_init(void) {
  if (tsw_path == NULL) {
    ERROR("test_slow_write: the File option is required");
    return -EINVAL;
  }
  if (tsw_file != NULL)
    return 0;

  tsw_file = fopen(tsw_path, "a");
  if (tsw_file == NULL) {
    int err = errno;
    ERROR("test_slow_write: cannot open \"%s\": %s", tsw_path, STRERROR(err));
    sfree(tsw_path);
    return -err;
  }
  return 0;
}

static void tsw_wait_gate(void) {
  if (tsw_gate == NULL)
    return;
  cdtime_t deadline = cdtime() + GATE_MAX_WAIT;
  while (access(tsw_gate, F_OK) == 0) {
    if (cdtime() >= deadline) {
      WARNING("test_slow_write: \"%s\" still exists; writing anyway",
              tsw_gate);
      return;
    }
    test_sleep(MS_TO_CDTIME_T(10));
  }
}

static int tsw_write(const data_set_t *ds, const value_list_t *vl,
                     user_data_t *ud) {
  tsw_wait_gate();
  test_sleep(tsw_delay);

  char value[64];
  switch (ds->ds[0].type) {
  case DS_TYPE_GAUGE:
    snprintf(value, sizeof(value), "%g", vl->values[0].gauge);
    break;
  case DS_TYPE_COUNTER:
    snprintf(value, sizeof(value), "%llu", vl->values[0].counter);
    break;
  case DS_TYPE_DERIVE:
    snprintf(value, sizeof(value), "%" PRId64, vl->values[0].derive);
    break;
  default: /* DS_TYPE_ABSOLUTE */
    snprintf(value, sizeof(value), "%" PRIu64, vl->values[0].absolute);
    break;
  }

  pthread_mutex_lock(&tsw_lock);
  if (tsw_file == NULL) {
    pthread_mutex_unlock(&tsw_lock);
    return -EBADF;
  }
  fprintf(tsw_file, "%s/%s%s%s %.3f %s\n", vl->plugin, vl->type,
          vl->type_instance[0] != '\0' ? "-" : "", vl->type_instance,
          CDTIME_T_TO_DOUBLE(vl->time), value);
  int status = fflush(tsw_file) == 0 ? 0 : -errno;
  pthread_mutex_unlock(&tsw_lock);
  return status;
}

/* Safe after a failed config or init: frees what exists, resets options. */
static int tsw_shutdown(void) {
  pthread_mutex_lock(&tsw_lock);
  if (tsw_file != NULL)
    fclose(tsw_file);
  tsw_file = NULL;
  pthread_mutex_unlock(&tsw_lock);

  sfree(tsw_path);
  sfree(tsw_gate);
  tsw_delay = 0;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_slow_write");
  plugin_register_complex_config("test_slow_write", tsw_config);
  plugin_register_init("test_slow_write", tsw_init);
  plugin_register_write("test_slow_write", tsw_write, /* user_data = */ NULL);
  plugin_register_shutdown("test_slow_write", tsw_shutdown);
}
