/* The selection lists: empty lists, plain and regex entries, both modes,
 * removal, and bad entries. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/ignorelist/ignorelist.h"

#include "check_main.h"
#include <check.h>

START_TEST(test_empty_selects_everything) {
  ignorelist_t *il = ignorelist_create(1);
  ck_assert_int_eq(ignorelist_match(il, "eth0"), 0);
  ignorelist_set_invert(il, 0);
  ck_assert_int_eq(ignorelist_match(il, "eth0"), 0);
  ck_assert_int_eq(ignorelist_match(NULL, "eth0"), 0);
  ignorelist_free(il);
}
END_TEST

/* invert = 1, the plugins' default: only listed items are collected. */
START_TEST(test_select_mode) {
  ignorelist_t *il = ignorelist_create(1);
  ck_assert_int_eq(ignorelist_add(il, "lo"), 0);
  ck_assert_int_eq(ignorelist_add(il, "/^eth[0-9]+$/"), 0);
  ck_assert_int_eq(ignorelist_match(il, "lo"), 0);
  ck_assert_int_eq(ignorelist_match(il, "eth12"), 0);
  ck_assert_int_eq(ignorelist_match(il, "eth"), 1);
  ck_assert_int_eq(ignorelist_match(il, "Lo"), 1);  /* case-sensitive */
  ck_assert_int_eq(ignorelist_match(il, "lo0"), 1); /* whole string */
  ignorelist_free(il);
}
END_TEST

/* invert = 0, "IgnoreSelected true": listed items are dropped. */
START_TEST(test_ignore_mode) {
  ignorelist_t *il = ignorelist_create(1);
  ignorelist_add(il, "/veth/"); /* unanchored */
  ignorelist_set_invert(il, 0);
  ck_assert_int_eq(ignorelist_match(il, "myveth0"), 1);
  ck_assert_int_eq(ignorelist_match(il, "eth0"), 0);
  ignorelist_free(il);
}
END_TEST

START_TEST(test_remove) {
  ignorelist_t *il = ignorelist_create(0);
  ignorelist_add(il, "a");
  ignorelist_add(il, "/b/");
  ck_assert_int_eq(ignorelist_remove(il, "/b/"), 0);
  ck_assert_int_eq(ignorelist_match(il, "b"), 0);
  ck_assert_int_eq(ignorelist_remove(il, "/b/"), -ENOENT);
  ck_assert_int_eq(ignorelist_remove(il, "a"), 0);
  ignorelist_add(il, "c"); /* the list is usable after emptying it */
  ck_assert_int_eq(ignorelist_match(il, "c"), 1);
  ignorelist_free(il);
}
END_TEST

START_TEST(test_bad_entries) {
  ignorelist_t *il = ignorelist_create(1);
  stub_log_reset();
  ck_assert_int_eq(ignorelist_add(il, ""), -EINVAL);
  ck_assert_int_eq(ignorelist_add(il, "/[/"), -EINVAL);
  ck_assert_int_eq(stub_log_count, 1);
  /* "/" and "//" are too short to be patterns: plain strings. */
  ck_assert_int_eq(ignorelist_add(il, "//"), 0);
  ck_assert_int_eq(ignorelist_match(il, "//"), 0);
  ck_assert_int_eq(ignorelist_match(il, "x"), 1);
  ignorelist_free(il);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ignorelist");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_empty_selects_everything);
  tcase_add_test(tc, test_select_mode);
  tcase_add_test(tc, test_ignore_mode);
  tcase_add_test(tc, test_remove);
  tcase_add_test(tc, test_bad_entries);
  suite_add_tcase(s, tc);

  return check_main_run(s);
}
