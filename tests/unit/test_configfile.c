/* cf_util_get_cdtime(), which plugins and <LoadPlugin> options read
 * durations with: a number of seconds that a cdtime_t cannot hold is
 * refused with its file and line, not converted (undefined behaviour,
 * found by fuzz/fuzz_config with "<LoadPlugin cpu> Interval 1e20"). */
#include "configfile.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

/* cf_util_get_cdtime() on the one statement of `text`. */
static int util_cdtime(const char *text, cdtime_t *ret) {
  oconfig_item_t *root = NULL;
  char err[256];
  ck_assert_int_eq(oconfig_parse_string(text, NULL, &root, err, sizeof(err)),
                   0);
  ck_assert_int_eq(root->children_num, 1);
  int status = cf_util_get_cdtime(root->children, ret);
  oconfig_free(root);
  return status;
}

START_TEST(test_util_cdtime) {
  cdtime_t t = 0;
  ck_assert_int_eq(util_cdtime("Interval 5", &t), 0);
  ck_assert_uint_eq(t, TIME_T_TO_CDTIME_T(5));
  ck_assert_int_eq(util_cdtime("Interval 0.5", &t), 0);
  ck_assert_uint_eq(t, MS_TO_CDTIME_T(500));
  ck_assert_int_eq(util_cdtime("Interval 0", &t), 0);
  ck_assert_uint_eq(t, 0);
  ck_assert_int_eq(util_cdtime("Interval 17179869183", &t), 0);
  ck_assert_uint_eq(t, TIME_T_TO_CDTIME_T(17179869183));

  t = 99;
  ck_assert_int_eq(util_cdtime("Interval -1", &t), -1);
  ck_assert_int_eq(util_cdtime("Interval 17179869184", &t), -1);
  ck_assert_int_eq(util_cdtime("Interval 100000000000000000000", &t), -1);
  ck_assert_int_eq(util_cdtime("Interval \"5\"", &t), -1);
  ck_assert_uint_eq(t, 99); /* untouched on failure */
}
END_TEST

int main(void) {
  Suite *s = suite_create("configfile");
  TCase *tc = tcase_create("numbers");
  tcase_add_test(tc, test_util_cdtime);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
