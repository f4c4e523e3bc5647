/* counter_diff, rate_to_value and value_to_rate. Expected sequences come
 * from collectd 5.12 (a probe plugin inside Debian's daemon). */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

START_TEST(test_counter_diff) {
  ck_assert_uint_eq(counter_diff(1, 5), 4);
  ck_assert_uint_eq(counter_diff(5, 5), 0);
  /* A 32-bit counter wrapped. */
  ck_assert_uint_eq(counter_diff(4294967290ULL, 5), 11);
  ck_assert_uint_eq(counter_diff(UINT32_MAX, 0), 1);
  /* A previous value above 32 bits means a 64-bit counter. */
  ck_assert_uint_eq(counter_diff(4294967296ULL, 5), 18446744069414584325ULL);
  ck_assert_uint_eq(counter_diff(UINT64_MAX - 5, 5), 11);
  ck_assert_uint_eq(counter_diff(UINT64_MAX, 0), 1);
}
END_TEST

#define T(sec) TIME_T_TO_CDTIME_T(sec)

START_TEST(test_rate_to_value_gauge) {
  rate_to_value_state_t st = {0};
  value_t v;
  /* Gauges pass through, whatever the time does. */
  ck_assert_int_eq(rate_to_value(&v, 10.3, &st, DS_TYPE_GAUGE, T(1000)), 0);
  ck_assert_double_eq(v.gauge, 10.3);
  ck_assert_int_eq(rate_to_value(&v, -3, &st, DS_TYPE_GAUGE, T(10)), 0);
  ck_assert_double_eq(v.gauge, -3);
  ck_assert_uint_eq(st.last_time, T(10));
}
END_TEST

START_TEST(test_rate_to_value_derive) {
  rate_to_value_state_t st = {0};
  value_t v = {0};

  /* The first call seeds the running value with the rate itself. */
  ck_assert_int_eq(rate_to_value(&v, 10.3, &st, DS_TYPE_DERIVE, T(1000)),
                   EAGAIN);
  ck_assert_int_eq(st.last_value.derive, 10);
  ck_assert_double_eq_tol(st.residual, 0.3, 1e-9);

  /* 10.3/s for 2.5 s = 25.75, plus 0.3 carried: 26 more, 0.05 carried. */
  ck_assert_int_eq(
      rate_to_value(&v, 10.3, &st, DS_TYPE_DERIVE, T(1000) + MS_TO_CDTIME_T(2500)),
      0);
  ck_assert_int_eq(v.derive, 36);
  ck_assert_double_eq_tol(st.residual, 0.05, 1e-9);

  /* Negative rates are fine for a derive. */
  ck_assert_int_eq(rate_to_value(&v, -3, &st, DS_TYPE_DERIVE, T(1005)), 0);
  ck_assert_int_eq(v.derive, 29);

  /* Time going back (or standing still) resets the state. */
  ck_assert_int_eq(rate_to_value(&v, 1, &st, DS_TYPE_DERIVE, T(1004)),
                   EINVAL);
  ck_assert_uint_eq(st.last_time, 0);
  ck_assert_int_eq(rate_to_value(&v, 2.5, &st, DS_TYPE_DERIVE, T(1020)),
                   EAGAIN);
  ck_assert_int_eq(rate_to_value(&v, 2.5, &st, DS_TYPE_DERIVE, T(1020)),
                   EINVAL);
}
END_TEST

START_TEST(test_rate_to_value_counter) {
  rate_to_value_state_t st = {0};
  value_t v = {0};

  ck_assert_int_eq(rate_to_value(&v, 2.5, &st, DS_TYPE_COUNTER, T(1000)),
                   EAGAIN);
  ck_assert_int_eq(rate_to_value(&v, 2.5, &st, DS_TYPE_COUNTER, T(1010)), 0);
  ck_assert_uint_eq(v.counter, 27); /* 2 + 25 + 0.5 carried */
  ck_assert_double_eq_tol(st.residual, 0.5, 1e-9);

  /* A counter cannot fall: a negative rate resets the state. */
  ck_assert_int_eq(rate_to_value(&v, -3, &st, DS_TYPE_COUNTER, T(1020)),
                   EINVAL);
  ck_assert_uint_eq(st.last_time, 0);
  ck_assert_uint_eq(st.last_value.counter, 0);
  ck_assert_int_eq(rate_to_value(&v, 7.77, &st, DS_TYPE_COUNTER, T(1030)),
                   EAGAIN);
  ck_assert_uint_eq(st.last_value.counter, 7);
}
END_TEST

START_TEST(test_rate_to_value_absolute) {
  rate_to_value_state_t st = {0};
  value_t v = {0};

  ck_assert_int_eq(rate_to_value(&v, 10.3, &st, DS_TYPE_ABSOLUTE, T(1000)),
                   EAGAIN);
  /* Each value is the amount since the previous one, not a running sum. */
  ck_assert_int_eq(
      rate_to_value(&v, 10.3, &st, DS_TYPE_ABSOLUTE, T(1000) + MS_TO_CDTIME_T(2500)),
      0);
  ck_assert_uint_eq(v.absolute, 26);
  ck_assert_int_eq(
      rate_to_value(&v, 0.25, &st, DS_TYPE_ABSOLUTE, T(1005)), 0);
  ck_assert_uint_eq(v.absolute, 0); /* 0.625 + 0.05: fraction carried */
  ck_assert_double_eq_tol(st.residual, 0.675, 1e-9);
  ck_assert_int_eq(rate_to_value(&v, -1, &st, DS_TYPE_ABSOLUTE, T(1010)),
                   EINVAL);

  ck_assert_int_eq(rate_to_value(&v, 1, &st, 42, T(1020)), EINVAL);
}
END_TEST

START_TEST(test_value_to_rate) {
  static const int types[] = {DS_TYPE_GAUGE, DS_TYPE_DERIVE, DS_TYPE_COUNTER,
                              DS_TYPE_ABSOLUTE};
  /* Per type: the rates at t=110 and t=120 after 100@100, 4294967290@110,
   * 5@120 (5.12's results). */
  static const double want110[] = {4294967290.0, 429496719, 429496719,
                                    429496729};
  static const double want120[] = {5, -429496728.5, 1.1, 0.5};

  for (size_t i = 0; i < STATIC_ARRAY_SIZE(types); i++) {
    int type = types[i];
    value_to_rate_state_t st = {0};
    gauge_t rate = -1;
    value_t v;

    v.counter = 100;
    if (type == DS_TYPE_GAUGE)
      v.gauge = 100;
    ck_assert_int_eq(value_to_rate(&rate, v, type, T(100), &st), EAGAIN);

    v.counter = 4294967290ULL;
    if (type == DS_TYPE_GAUGE)
      v.gauge = 4294967290.0;
    ck_assert_int_eq(value_to_rate(&rate, v, type, T(110), &st), 0);
    ck_assert_double_eq_tol(rate, want110[i], 1e-6);

    v.counter = 5;
    if (type == DS_TYPE_GAUGE)
      v.gauge = 5;
    ck_assert_int_eq(value_to_rate(&rate, v, type, T(120), &st), 0);
    ck_assert_double_eq_tol(rate, want120[i], 1e-6);

    /* Same or earlier time: state reset, next call starts over. */
    ck_assert_int_eq(value_to_rate(&rate, v, type, T(120), &st), EINVAL);
    ck_assert_uint_eq(st.last_time, 0);
    ck_assert_int_eq(value_to_rate(&rate, v, type, T(130), &st), EAGAIN);
  }

  value_to_rate_state_t st = {0};
  gauge_t rate;
  ck_assert_int_eq(value_to_rate(&rate, (value_t){.counter = 1}, 9, T(1), &st),
                   EINVAL);
}
END_TEST

START_TEST(test_byte_order) {
  ck_assert_uint_eq(htonll(0x0102030405060708ULL),
                    be64toh(0x0102030405060708ULL));
  ck_assert_uint_eq(ntohll(htonll(0x1122334455667788ULL)),
                    0x1122334455667788ULL);
  const unsigned char *bytes;
  unsigned long long n = htonll(0x0102030405060708ULL);
  bytes = (const unsigned char *)&n;
  ck_assert_int_eq(bytes[0], 1);
  ck_assert_int_eq(bytes[7], 8);
  ck_assert_double_eq(ntohd(htond(1.25)), 1.25);
}
END_TEST

static Suite *rate_suite(void) {
  Suite *s = suite_create("common_rate");
  TCase *tc = tcase_create("rate");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_counter_diff);
  tcase_add_test(tc, test_rate_to_value_gauge);
  tcase_add_test(tc, test_rate_to_value_derive);
  tcase_add_test(tc, test_rate_to_value_counter);
  tcase_add_test(tc, test_rate_to_value_absolute);
  tcase_add_test(tc, test_value_to_rate);
  tcase_add_test(tc, test_byte_order);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(rate_suite());
}
