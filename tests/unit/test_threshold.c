/* The threshold table's lookups, as the threshold plugin fills it in: keys
 * made by format_name(), empty fields for "any". */
#include "utils/common/common.h"
#include "utils_threshold.h"

#include "check_main.h"
#include <check.h>

/* Inserts a threshold the way collectd 5.12's threshold plugin does, with
 * its failure_max as a tag that tells which one a search found. */
static void add(const char *host, const char *plugin, const char *pinst,
                const char *type, const char *tinst, double tag) {
  if (threshold_tree == NULL)
    threshold_tree = c_avl_create((int (*)(const void *, const void *))strcmp);
  threshold_t *th = calloc(1, sizeof(*th));
  ck_assert_ptr_nonnull(th);
  sstrncpy(th->host, host, sizeof(th->host));
  sstrncpy(th->plugin, plugin, sizeof(th->plugin));
  sstrncpy(th->plugin_instance, pinst, sizeof(th->plugin_instance));
  sstrncpy(th->type, type, sizeof(th->type));
  sstrncpy(th->type_instance, tinst, sizeof(th->type_instance));
  th->failure_max = tag;
  char name[6 * DATA_MAX_NAME_LEN];
  format_name(name, sizeof(name), host, plugin, pinst, type, tinst);
  ck_assert_int_eq(c_avl_insert(threshold_tree, strdup(name), th), 0);
}

static void teardown(void) {
  void *key, *value;
  while (threshold_tree != NULL &&
         c_avl_pick(threshold_tree, &key, &value) == 0) {
    free(key);
    free(value);
  }
  c_avl_destroy(threshold_tree);
  threshold_tree = NULL;
}

static value_list_t vl_of(const char *host, const char *plugin,
                          const char *pinst, const char *type,
                          const char *tinst) {
  value_list_t vl = VALUE_LIST_INIT;
  sstrncpy(vl.host, host, sizeof(vl.host));
  sstrncpy(vl.plugin, plugin, sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, pinst, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, tinst, sizeof(vl.type_instance));
  return vl;
}

static double found(const value_list_t *vl) {
  threshold_t th;
  int status = ut_search_threshold(vl, &th);
  if (status == ENOENT)
    return -1;
  ck_assert_int_eq(status, 0);
  ck_assert_ptr_null(th.next);
  return th.failure_max;
}

START_TEST(test_no_table) {
  value_list_t vl = vl_of("h", "cpu", "0", "cpu", "idle");
  threshold_t th;
  ck_assert_int_eq(ut_search_threshold(&vl, &th), ENOENT);
  ck_assert_int_eq(ut_search_threshold(NULL, &th), EINVAL);
  ck_assert_ptr_null(threshold_get("h", "cpu", "0", "cpu", "idle"));
}
END_TEST

/* Removing the most specific threshold each time walks the whole order. */
START_TEST(test_most_specific_first) {
  add("", "", "", "cpu", "", 12);
  add("", "", "", "cpu", "idle", 11);
  add("", "cpu", "", "cpu", "", 10);
  add("", "cpu", "", "cpu", "idle", 9);
  add("", "cpu", "0", "cpu", "", 8);
  add("", "cpu", "0", "cpu", "idle", 7);
  add("h", "", "", "cpu", "", 6);
  add("h", "", "", "cpu", "idle", 5);
  add("h", "cpu", "", "cpu", "", 4);
  add("h", "cpu", "", "cpu", "idle", 3);
  add("h", "cpu", "0", "cpu", "", 2);
  add("h", "cpu", "0", "cpu", "idle", 1);

  value_list_t vl = vl_of("h", "cpu", "0", "cpu", "idle");
  for (int expect = 1; expect <= 12; expect++) {
    ck_assert_double_eq(found(&vl), expect);
    threshold_t *th = threshold_search(&vl);
    char name[6 * DATA_MAX_NAME_LEN];
    format_name(name, sizeof(name), th->host, th->plugin, th->plugin_instance,
                th->type, th->type_instance);
    void *key, *value;
    ck_assert_int_eq(c_avl_remove(threshold_tree, name, &key, &value), 0);
    free(key);
    free(value);
  }
  ck_assert_double_eq(found(&vl), -1);
}
END_TEST

START_TEST(test_other_values_do_not_match) {
  add("h", "cpu", "0", "cpu", "idle", 1);
  add("", "", "", "load", "", 2);
  value_list_t other_host = vl_of("g", "cpu", "0", "cpu", "idle");
  value_list_t other_inst = vl_of("h", "cpu", "1", "cpu", "idle");
  value_list_t other_type = vl_of("h", "cpu", "0", "percent", "idle");
  value_list_t load = vl_of("h", "load", "", "load", "");
  ck_assert_double_eq(found(&other_host), -1);
  ck_assert_double_eq(found(&other_inst), -1);
  ck_assert_double_eq(found(&other_type), -1);
  ck_assert_double_eq(found(&load), 2);
  ck_assert_ptr_nonnull(threshold_get(NULL, NULL, NULL, "load", NULL));
}
END_TEST

int main(void) {
  Suite *s = suite_create("threshold");
  TCase *tc = tcase_create("search");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_no_table);
  tcase_add_test(tc, test_most_specific_first);
  tcase_add_test(tc, test_other_values_do_not_match);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
