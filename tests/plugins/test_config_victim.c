/* test_config_victim: a plain unloadable plugin without a configuration
 * callback of its own. Its <Plugin test_config_victim> block is handled by
 * whatever plugin registered a configuration callback under its name
 * (test_config_squat). Its init logs "test_config_victim: init"; nothing
 * else. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

static int tcv_init(void) {
  INFO("test_config_victim: init");
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_config_victim");
  plugin_register_init("test_config_victim", tcv_init);
}
