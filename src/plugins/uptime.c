/* uptime: seconds since boot, as the gauge uptime/uptime.
 *
 * sysinfo(2) rather than /proc/uptime: it is what collectd 5.12 reports on
 * Linux, so the two daemons agree to the second. No options, no state. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <sys/sysinfo.h>

static void uptime_submit(gauge_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = value};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "uptime", sizeof(vl.plugin));
  sstrncpy(vl.type, "uptime", sizeof(vl.type));
  plugin_dispatch_values(&vl);
}

static int uptime_read(void) {
  struct sysinfo info;
  if (sysinfo(&info) != 0) {
    int err = errno;
    ERROR("uptime plugin: sysinfo failed: %s", STRERROR(err));
    return -err;
  }
  uptime_submit((gauge_t)info.uptime);
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("uptime");
  plugin_register_read("uptime", uptime_read);
}
