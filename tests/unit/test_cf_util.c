/* cf_util_*: the helpers plugins read their options with. Each row is one
 * option as the file says it and what the helper makes of it: a value, or
 * a refusal (logged with the option's line). Numbers that do not fit the
 * destination are refused rather than wrapped or cut. */
#include "configfile.h"
#include "plugin_internal.h"

#include "check_main.h"
#include <check.h>

/* The first option of `text`, in a tree the caller frees. */
static oconfig_item_t *option(const char *text, oconfig_item_t **root) {
  char err[256] = "";
  ck_assert_msg(oconfig_parse_string(text, "t.conf", root, err, sizeof(err)) ==
                    0,
                "%s", err);
  ck_assert_int_ge((*root)->children_num, 1);
  return &(*root)->children[0];
}

static const struct {
  const char *text;
  int status; /* 0, or -1 when refused */
  int value;
} ints[] = {
    {"A 42", 0, 42},
    {"A -7", 0, -7},
    {"A 2147483647", 0, 2147483647},
    {"A 2147483648", -1, 0},
    {"A -2147483649", -1, 0},
    {"A 1.0e+300", -1, 0},
    {"A \"42\"", -1, 0},
};

START_TEST(test_get_int) {
  oconfig_item_t *root = NULL;
  int v = 0;
  ck_assert_int_eq(cf_util_get_int(option(ints[_i].text, &root), &v),
                   ints[_i].status);
  if (ints[_i].status == 0)
    ck_assert_int_eq(v, ints[_i].value);
  oconfig_free(root);
}
END_TEST

static const struct {
  const char *text;
  int port; /* -1 when refused */
} ports[] = {
    {"P 80", 80},
    {"P \"443\"", 443},
    {"P 65535", 65535},
    {"P 0", -1},
    {"P 65536", -1},
    {"P 1.0e+300", -1},
    {"P \"0\"", -1},
    {"P \"65536\"", -1},
    {"P \"http\"", -1},
    /* 2^32 + 80: a cast to int made it 80 */
    {"P 4294967376", -1},
    {"P \"4294967376\"", -1},
};

START_TEST(test_get_port) {
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(cf_util_get_port_number(option(ports[_i].text, &root)),
                   ports[_i].port);
  oconfig_free(root);
}
END_TEST

START_TEST(test_get_cdtime) {
  oconfig_item_t *root = NULL;
  cdtime_t t = 0;
  ck_assert_int_eq(cf_util_get_cdtime(option("I 2.5", &root), &t), 0);
  ck_assert_uint_eq(t, DOUBLE_TO_CDTIME_T(2.5));
  oconfig_free(root);
  /* The most a cdtime_t holds, and more. */
  ck_assert_int_eq(cf_util_get_cdtime(option("I 17179869183", &root), &t), 0);
  oconfig_free(root);
  t = 7;
  ck_assert_int_eq(cf_util_get_cdtime(option("I 17179869184", &root), &t), -1);
  oconfig_free(root);
  ck_assert_int_eq(cf_util_get_cdtime(option("I 1.0e+300", &root), &t), -1);
  oconfig_free(root);
  ck_assert_int_eq(cf_util_get_cdtime(option("I -1", &root), &t), -1);
  oconfig_free(root);
  ck_assert_uint_eq(t, 7); /* untouched when refused */
}
END_TEST

/* What a simple config callback receives: however long. */
START_TEST(test_values_to_string) {
  oconfig_item_t *root = NULL;
  char *s = cf_util_values_to_string(option("A \"x\" 1 true", &root));
  ck_assert_str_eq(s, "x 1.000000 true");
  free(s);
  oconfig_free(root);

  size_t len = 100000;
  char *text = malloc(len + 8);
  ck_assert_ptr_nonnull(text);
  memcpy(text, "A \"", 3);
  memset(text + 3, 'v', len);
  memcpy(text + 3 + len, "\"", 2);
  s = cf_util_values_to_string(option(text, &root));
  ck_assert_uint_eq(strlen(s), len);
  free(s);
  free(text);
  oconfig_free(root);
}
END_TEST

static Suite *cf_util_suite(void) {
  Suite *s = suite_create("cf_util");
  TCase *tc = tcase_create("values");
  tcase_add_loop_test(tc, test_get_int, 0, sizeof(ints) / sizeof(ints[0]));
  tcase_add_loop_test(tc, test_get_port, 0, sizeof(ports) / sizeof(ports[0]));
  tcase_add_test(tc, test_get_cdtime);
  tcase_add_test(tc, test_values_to_string);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(cf_util_suite()); }
