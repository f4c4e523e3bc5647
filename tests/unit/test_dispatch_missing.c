/* plugin_dispatch_missing(): the missing callbacks are called in the order
 * they were registered, and any status but 0 ends the walk (a positive one
 * by request, a negative one as an error), as in collectd 5.12. */
#include "plugin_internal.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

static char order[64];

/* The callback's user data is "<name><status>", e.g. "b-1". */
static int missing_cb(const value_list_t *vl, user_data_t *ud) {
  const char *spec = ud->data;
  size_t used = strlen(order);
  snprintf(order + used, sizeof(order) - used, "%c", spec[0]);
  return atoi(spec + 1);
}

static void add(const char *name, const char *spec) {
  ck_assert_int_eq(plugin_register_missing(
                       name, missing_cb,
                       &(user_data_t){.data = (void *)spec}),
                   0);
}

static void walk(const char *a, const char *b, const char *c,
                 const char *want) {
  order[0] = '\0';
  add("a", a);
  add("b", b);
  add("c", c);
  value_list_t vl = VALUE_LIST_INIT;
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  plugin_dispatch_missing(&vl);
  ck_assert_str_eq(order, want);
  plugin_unregister_missing("a");
  plugin_unregister_missing("b");
  plugin_unregister_missing("c");
}

START_TEST(test_all_called_on_success) { walk("a0", "b0", "c0", "abc"); }
END_TEST

START_TEST(test_positive_stops) { walk("a0", "b1", "c0", "ab"); }
END_TEST

START_TEST(test_negative_stops) { walk("a-1", "b0", "c0", "a"); }
END_TEST

int main(void) {
  Suite *s = suite_create("dispatch_missing");
  TCase *tc = tcase_create("walk");
  tcase_add_test(tc, test_all_called_on_success);
  tcase_add_test(tc, test_positive_stops);
  tcase_add_test(tc, test_negative_stops);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
