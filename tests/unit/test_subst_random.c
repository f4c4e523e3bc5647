/* subst/subst_string and the random helpers. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils_random.h"
#include "utils_subst.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

START_TEST(test_subst) {
  char buf[16];
  ck_assert_ptr_eq(subst(buf, sizeof(buf), "foo_____bar", 3, 8, " - "), buf);
  ck_assert_str_eq(buf, "foo - bar");
  ck_assert_str_eq(subst(buf, 6, "foo_____bar", 3, 8, " - "), "foo -");
  ck_assert_str_eq(subst(buf, 3, "foo_____bar", 3, 8, " - "), "fo");
  ck_assert_str_eq(subst(buf, sizeof(buf), "abc", 0, 3, ""), "");
  ck_assert_str_eq(subst(buf, sizeof(buf), "abc", 3, 3, "d"), "abcd");

  ck_assert_ptr_null(subst(buf, sizeof(buf), "abc", 2, 1, "x"));
  ck_assert_ptr_null(subst(buf, sizeof(buf), "abc", 1, 5, "x"));
  ck_assert_ptr_null(subst(buf, 0, "abc", 0, 1, "x"));
  ck_assert_ptr_null(subst(NULL, 4, "abc", 0, 1, "x"));

  /* The source may be the buffer itself. */
  strcpy(buf, "hello world");
  ck_assert_str_eq(subst(buf, sizeof(buf), buf, 0, 5, "bye"), "bye world");
}
END_TEST

START_TEST(test_subst_string) {
  char buf[16];
  ck_assert_str_eq(subst_string(buf, sizeof(buf), "a%b%c", "%", "--"),
                   "a--b--c");
  ck_assert_str_eq(subst_string(buf, sizeof(buf), "hello world, long string",
                                "zz", "y"),
                   "hello world, lo"); /* truncated copy */
  ck_assert_str_eq(subst_string(buf, sizeof(buf), "xxxxxxxxxxxxxxxxxxxxxx",
                                "x", "yy"),
                   "yyyyyyyyyyyyyyy");

  /* Each search starts over at the beginning, as in 5.12. */
  ck_assert_str_eq(subst_string(buf, sizeof(buf), "abb", "ab", "a"), "a");

  /* A replacement containing the needle stops after buflen rounds. */
  stub_log_reset();
  ck_assert_str_eq(subst_string(buf, sizeof(buf), "foo", "o", "oo"),
                   "foooooooooooooo");
  ck_assert_int_eq(stub_log_count, 1);
  ck_assert_int_eq(stub_log_last_level, LOG_WARNING);

  ck_assert_str_eq(subst_string(buf, sizeof(buf), "abc", "", "x"), "abc");
  ck_assert_ptr_null(subst_string(buf, sizeof(buf), NULL, "a", "b"));
  ck_assert_ptr_null(subst_string(buf, sizeof(buf), "a", NULL, "b"));
}
END_TEST

START_TEST(test_random_ranges) {
  int hits[3] = {0};
  for (int i = 0; i < 30000; i++) {
    long x = cdrand_range(0, 2);
    ck_assert(x >= 0 && x <= 2);
    hits[x]++;
    double d = cdrand_d();
    ck_assert(d >= 0.0 && d < 1.0);
  }
  /* Each of the three values turns up about a third of the time. */
  for (int i = 0; i < 3; i++)
    ck_assert(hits[i] > 9000 && hits[i] < 11000);

  ck_assert_int_eq(cdrand_range(5, 5), 5);
  for (int i = 0; i < 1000; i++) {
    long x = cdrand_range(-3, -1);
    ck_assert(x >= -3 && x <= -1);
  }
  long big = cdrand_range(LONG_MIN, LONG_MAX);
  (void)big; /* must not trap on overflow (UBSan) */

  /* cdrand_u covers the high bits too. */
  uint32_t all_or = 0, all_and = UINT32_MAX;
  for (int i = 0; i < 1000; i++) {
    uint32_t u = cdrand_u();
    all_or |= u;
    all_and &= u;
  }
  ck_assert_uint_eq(all_or, UINT32_MAX);
  ck_assert_uint_eq(all_and, 0);
}
END_TEST

static void *draw(void *arg) {
  double *sum = arg;
  for (int i = 0; i < 20000; i++)
    *sum += cdrand_d() + (double)cdrand_u() / 4294967296.0;
  return NULL;
}

START_TEST(test_random_threads) {
  pthread_t threads[4];
  double sums[4] = {0};
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&threads[i], NULL, draw, &sums[i]), 0);
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    ck_assert(sums[i] > 18000 && sums[i] < 22000); /* mean 1 per draw */
  }
}
END_TEST

static Suite *subst_random_suite(void) {
  Suite *s = suite_create("subst_random");
  TCase *tc = tcase_create("subst");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_subst);
  tcase_add_test(tc, test_subst_string);
  suite_add_tcase(s, tc);
  tc = tcase_create("random");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_random_ranges);
  tcase_add_test(tc, test_random_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(subst_random_suite());
}
