/* load: the 1, 5 and 15 minute load averages as load/load
 * (shortterm, midterm, longterm), or, with ReportRelative, divided by the
 * number of online CPUs as load/load-relative.
 *
 * getloadavg(3) is what collectd 5.12 calls; going through the same libc
 * function keeps the figures identical to the peer's. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

typedef struct {
  bool report_relative;
} load_options_t;

#define LOAD_OPTIONS_DEFAULT                                                   \
  { .report_relative = false }

static load_options_t load_opts = LOAD_OPTIONS_DEFAULT;

static const char *load_config_keys[] = {"ReportRelative"};

static int load_config(const char *key, const char *value) {
  if (strcasecmp(key, "ReportRelative") == 0) {
    load_opts.report_relative = IS_TRUE(value);
    return 0;
  }
  ERROR("load plugin: unknown option \"%s\"", key);
  return -EINVAL;
}

static void load_submit(const gauge_t avg[3], const char *type_instance) {
  value_t values[3] = {{.gauge = avg[0]}, {.gauge = avg[1]}, {.gauge = avg[2]}};
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = values;
  vl.values_len = STATIC_ARRAY_SIZE(values);
  sstrncpy(vl.plugin, "load", sizeof(vl.plugin));
  sstrncpy(vl.type, "load", sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

/* Divides by the online CPUs; returns false (values untouched) if their
 * number is unknown, so the caller can fall back to the absolute figures. */
static bool load_make_relative(gauge_t avg[3]) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1) {
    WARNING("load plugin: cannot count the online CPUs (%s); reporting the "
            "absolute load instead",
            STRERRNO);
    return false;
  }
  for (int i = 0; i < 3; i++)
    avg[i] /= (gauge_t)cores;
  return true;
}

static int load_read(void) {
  double raw[3];
  if (getloadavg(raw, 3) != 3) {
    ERROR("load plugin: getloadavg failed");
    return -EIO;
  }

  gauge_t avg[3] = {raw[0], raw[1], raw[2]};
  if (load_opts.report_relative && load_make_relative(avg))
    load_submit(avg, "relative");
  else
    load_submit(avg, "");
  return 0;
}

/* Back to the defaults, so that a later load in this process starts clean. */
static int load_shutdown(void) {
  load_opts = (load_options_t)LOAD_OPTIONS_DEFAULT;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("load");
  plugin_register_config("load", load_config, load_config_keys,
                         STATIC_ARRAY_SIZE(load_config_keys));
  plugin_register_read("load", load_read);
  plugin_register_shutdown("load", load_shutdown);
}
