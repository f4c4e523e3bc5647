/* Rate-limited complaints: back-off, once-only, release. Expectations
 * follow collectd 5.12's observed behaviour. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils_complain.h"

#include "check_main.h"
#include <check.h>

static double seconds(cdtime_t t) { return CDTIME_T_TO_DOUBLE(t); }

START_TEST(test_backoff) {
  c_complain_t c = C_COMPLAIN_INIT_STATIC;
  stub_log_reset();
  stub_interval = TIME_T_TO_CDTIME_T(10);

  c_complain(LOG_ERR, &c, "broken %d", 1);
  ck_assert_int_eq(stub_log_count, 1);
  ck_assert_str_eq(stub_log_last, "broken 1");
  ck_assert_int_eq(stub_log_last_level, LOG_ERR);
  ck_assert_double_eq(seconds(c.interval), 10); /* the plugin interval */
  ck_assert(c.complained_once);
  ck_assert(c_would_release(&c));

  c_complain(LOG_ERR, &c, "broken %d", 2); /* within the interval */
  ck_assert_int_eq(stub_log_count, 1);

  c.last = 0; /* pretend the interval passed */
  c_complain(LOG_ERR, &c, "broken %d", 3);
  ck_assert_int_eq(stub_log_count, 2);
  ck_assert_double_eq(seconds(c.interval), 20); /* doubled */

  for (int i = 0; i < 20; i++) {
    c.last = 0;
    c_complain(LOG_ERR, &c, "again");
  }
  ck_assert_double_eq(seconds(c.interval), 86400); /* capped at a day */
}
END_TEST

START_TEST(test_once) {
  c_complain_t c = C_COMPLAIN_INIT_STATIC;
  stub_log_reset();

  c_complain_once(LOG_WARNING, &c, "once A");
  ck_assert_int_eq(stub_log_count, 1);
  c.last = 0;
  c_complain_once(LOG_WARNING, &c, "once B");
  ck_assert_int_eq(stub_log_count, 1);

  /* c_complain() marks the complaint too, so c_complain_once() stays
   * silent after it, even once the interval passed (5.12 behaviour). */
  c_complain_t d;
  C_COMPLAIN_INIT(&d);
  c_complain(LOG_ERR, &d, "first");
  d.last = 0;
  c_complain_once(LOG_ERR, &d, "not logged");
  ck_assert_int_eq(stub_log_count, 2);
  ck_assert_str_eq(stub_log_last, "first");
}
END_TEST

START_TEST(test_release) {
  c_complain_t c = C_COMPLAIN_INIT_STATIC;
  stub_log_reset();

  c_release(LOG_INFO, &c, "nothing to release");
  ck_assert_int_eq(stub_log_count, 0);

  c_complain_once(LOG_ERR, &c, "down");
  c_release(LOG_INFO, &c, "up again after %d tries", 3);
  ck_assert_int_eq(stub_log_count, 2);
  ck_assert_str_eq(stub_log_last, "up again after 3 tries");
  ck_assert_int_eq(stub_log_last_level, LOG_INFO);
  ck_assert_uint_eq(c.interval, 0);
  ck_assert(!c.complained_once);

  c_release(LOG_INFO, &c, "released twice");
  c_do_release(LOG_INFO, &c, "direct call, still nothing");
  ck_assert_int_eq(stub_log_count, 2);

  /* After a release, complaining starts over. */
  c_complain_once(LOG_ERR, &c, "down again");
  ck_assert_int_eq(stub_log_count, 3);
}
END_TEST

START_TEST(test_long_message) {
  c_complain_t c = C_COMPLAIN_INIT_STATIC;
  char big[2000];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  stub_log_reset();
  c_complain(LOG_ERR, &c, "%s", big);
  ck_assert_int_eq(stub_log_count, 1);
  ck_assert_uint_lt(strlen(stub_log_last), 512); /* truncated, not overrun */
}
END_TEST

START_TEST(test_layout) {
  /* Plugins inline C_COMPLAIN_INIT and c_would_release(). */
  ck_assert_uint_eq(offsetof(c_complain_t, last), 0);
  ck_assert_uint_eq(offsetof(c_complain_t, interval), 8);
  ck_assert_uint_eq(offsetof(c_complain_t, complained_once), 16);
  ck_assert_uint_eq(sizeof(c_complain_t), 24);
}
END_TEST

static Suite *complain_suite(void) {
  Suite *s = suite_create("complain");
  TCase *tc = tcase_create("complain");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_backoff);
  tcase_add_test(tc, test_once);
  tcase_add_test(tc, test_release);
  tcase_add_test(tc, test_long_message);
  tcase_add_test(tc, test_layout);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(complain_suite());
}
