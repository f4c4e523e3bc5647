/* test_squat: registers its write callback under the name of another
 * plugin's, "csv". The owner of a callback is the plugin that registered
 * it, not the name: loading and unloading test_squat must leave csv's own
 * write callback alone (whether the core keeps both or refuses this one).
 *
 * Its write callback only counts what it gets; shutdown logs the count
 * ("test_squat: N value lists"). No options. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <stdatomic.h>

static _Atomic unsigned long ts_count;

static int ts_write(const data_set_t *ds, const value_list_t *vl,
                    user_data_t *ud) {
  (void)ds;
  (void)vl;
  (void)ud;
  atomic_fetch_add(&ts_count, 1);
  return 0;
}

static int ts_shutdown(void) {
  INFO("test_squat: %lu value lists", atomic_load(&ts_count));
  atomic_store(&ts_count, 0);
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_squat");
  plugin_register_write("csv", ts_write, /* user_data = */ NULL);
  plugin_register_shutdown("test_squat", ts_shutdown);
}
