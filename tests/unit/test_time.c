/* cdtime() and the RFC 3339 formatters (outputs as collectd 5.12 prints
 * them: "Z" for UTC, "+hh:mm" for local time). */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils_time.h"

#include "check_main.h"
#include <check.h>

/* 2006-01-02T15:04:05.123456789 UTC */
static cdtime_t sample(void) {
  return TIME_T_TO_CDTIME_T(1136214245) + NS_TO_CDTIME_T(123456789);
}

START_TEST(test_cdtime) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  cdtime_t now = cdtime();
  cdtime_t then = TIMESPEC_TO_CDTIME_T(&ts);
  ck_assert_uint_ge(now, then);
  ck_assert_uint_lt(now - then, TIME_T_TO_CDTIME_T(1));
}
END_TEST

START_TEST(test_rfc3339_utc) {
  char buf[64];
  ck_assert_int_eq(rfc3339(buf, sizeof(buf), sample()), 0);
  ck_assert_str_eq(buf, "2006-01-02T15:04:05Z");
  ck_assert_int_eq(rfc3339nano(buf, sizeof(buf), sample()), 0);
  ck_assert_str_eq(buf, "2006-01-02T15:04:05.123456789Z");
  ck_assert_int_eq(rfc3339nano(buf, sizeof(buf), TIME_T_TO_CDTIME_T(0)), 0);
  ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000000Z");
}
END_TEST

START_TEST(test_rfc3339_local) {
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  char buf[64];
  ck_assert_int_eq(rfc3339_local(buf, sizeof(buf), sample()), 0);
  ck_assert_str_eq(buf, "2006-01-02T16:04:05+01:00");
  ck_assert_int_eq(rfc3339nano_local(buf, sizeof(buf), sample()), 0);
  ck_assert_str_eq(buf, "2006-01-02T16:04:05.123456789+01:00");

  setenv("TZ", "America/St_Johns", 1); /* a half-hour zone, negative */
  tzset();
  ck_assert_int_eq(rfc3339_local(buf, sizeof(buf), sample()), 0);
  ck_assert_str_eq(buf, "2006-01-02T11:34:05-03:30");
  unsetenv("TZ");
  tzset();
}
END_TEST

START_TEST(test_rfc3339_buffer_sizes) {
  /* The size check is against the worst case, as in 5.12. */
  char buf[64];
  ck_assert_int_eq(rfc3339(buf, RFC3339_SIZE - 1, sample()), ENOMEM);
  ck_assert_int_eq(rfc3339(buf, RFC3339_SIZE, sample()), 0);
  ck_assert_int_eq(rfc3339nano(buf, RFC3339NANO_SIZE - 1, sample()), ENOMEM);
  ck_assert_int_eq(rfc3339nano(buf, RFC3339NANO_SIZE, sample()), 0);
  ck_assert_int_eq(rfc3339_local(buf, RFC3339_SIZE, sample()), 0);
  ck_assert_int_eq(rfc3339nano_local(buf, RFC3339NANO_SIZE, sample()), 0);
}
END_TEST

START_TEST(test_conversions) {
  /* The header's macros, against known values. */
  ck_assert_uint_eq(MS_TO_CDTIME_T(1500), TIME_T_TO_CDTIME_T(1) + (1u << 29));
  ck_assert_uint_eq(CDTIME_T_TO_MS(MS_TO_CDTIME_T(1234)), 1234);
  ck_assert_uint_eq(CDTIME_T_TO_NS(NS_TO_CDTIME_T(123456789)), 123456789);
  ck_assert_double_eq(CDTIME_T_TO_DOUBLE(MS_TO_CDTIME_T(250)), 0.25);
  struct timespec ts = CDTIME_T_TO_TIMESPEC(sample());
  ck_assert_int_eq(ts.tv_sec, 1136214245);
  ck_assert_int_eq(ts.tv_nsec, 123456789);
}
END_TEST

static Suite *time_suite(void) {
  Suite *s = suite_create("time");
  TCase *tc = tcase_create("time");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_cdtime);
  tcase_add_test(tc, test_rfc3339_utc);
  tcase_add_test(tc, test_rfc3339_local);
  tcase_add_test(tc, test_rfc3339_buffer_sizes);
  tcase_add_test(tc, test_conversions);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(time_suite());
}
