/* Value lists of the client library: parsing "<time>:<values>" as
 * collectdctl(1) takes it, and writing values for the daemon. The rows
 * marked 5.12 are what collectd 5.12's collectdctl does with the same
 * string. */
#include "collectd/client.h"

#include "check_main.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 4

typedef struct {
  const char *str;
  int status;
  const char *err; /* on failure */
  double time;
  size_t values_num;
  /* Each value written back by cdc_value_format. */
  const char *values[MAX_VALUES];
  cdc_value_kind_t kinds[MAX_VALUES];
} vl_case_t;

#define R CDC_VALUE_REAL
#define S CDC_VALUE_SIGNED
#define UN CDC_VALUE_UNSIGNED
#define UD CDC_VALUE_UNDEF

static const vl_case_t cases[] = {
    {.str = "N:42", .values_num = 1, .values = {"42"}, .kinds = {UN}},
    {.str = "n:1", .values_num = 1, .values = {"1"}, .kinds = {UN}},
    {.str = "N:U", .values_num = 1, .values = {"U"}, .kinds = {UD}},
    {.str = "N:u:1.5", .values_num = 2, .values = {"U", "1.5"},
     .kinds = {UD, R}},
    {.str = "1700000000:1:2", .time = 1700000000, .values_num = 2,
     .values = {"1", "2"}, .kinds = {UN, UN}},
    /* 5.12: time 0 is now; hex and octal times. */
    {.str = "0:1", .time = 0, .values_num = 1, .values = {"1"},
     .kinds = {UN}},
    {.str = "0x10:1", .time = 16, .values_num = 1, .values = {"1"},
     .kinds = {UN}},
    {.str = "+5:1", .time = 5, .values_num = 1, .values = {"1"},
     .kinds = {UN}},
    /* 5.12: a '.' makes a real, which may have an exponent. */
    {.str = "N:1.50", .values_num = 1, .values = {"1.5"}, .kinds = {R}},
    {.str = "N:.5", .values_num = 1, .values = {"0.5"}, .kinds = {R}},
    {.str = "N:5.", .values_num = 1, .values = {"5"}, .kinds = {R}},
    {.str = "N:-1.5", .values_num = 1, .values = {"-1.5"}, .kinds = {R}},
    {.str = "N:1.5e3", .values_num = 1, .values = {"1500"}, .kinds = {R}},
    {.str = "N:1.5e400", .values_num = 1, .values = {"inf"}, .kinds = {R}},
    /* No digit is lost (5.12 wrote 1.12346). */
    {.str = "N:1.123456789", .values_num = 1, .values = {"1.123456789"},
     .kinds = {R}},
    {.str = "N:0.1", .values_num = 1, .values = {"0.1"}, .kinds = {R}},
    {.str = "N:100000000.5", .values_num = 1, .values = {"100000000.5"},
     .kinds = {R}},
    /* 5.12: integers in C syntax. */
    {.str = "N:0x10", .values_num = 1, .values = {"16"}, .kinds = {UN}},
    {.str = "N:010", .values_num = 1, .values = {"8"}, .kinds = {UN}},
    {.str = "N:+5", .values_num = 1, .values = {"5"}, .kinds = {UN}},
    {.str = "N:18446744073709551615", .values_num = 1,
     .values = {"18446744073709551615"}, .kinds = {UN}},
    /* Negative integers stay negative (5.12 sent 2^64 - 5). */
    {.str = "N:-5", .values_num = 1, .values = {"-5"}, .kinds = {S}},
    {.str = "N:-9223372036854775808", .values_num = 1,
     .values = {"-9223372036854775808"}, .kinds = {S}},
    {.str = "N:-0", .values_num = 1, .values = {"0"}, .kinds = {UN}},
    {.str = "N:1:2:3:4", .values_num = 4, .values = {"1", "2", "3", "4"},
     .kinds = {UN, UN, UN, UN}},

    /* 5.12: the same errors, but naming the field at fault (5.12 named the
     * time field for any bad value). */
    {.str = "N", .status = -EINVAL, .err = "Invalid value list: N"},
    {.str = "N:abc", .status = -EINVAL,
     .err = "Failed to parse value as number: abc"},
    {.str = "N:", .status = -EINVAL,
     .err = "Failed to parse value as number: "},
    {.str = "N:1:", .status = -EINVAL,
     .err = "Failed to parse value as number: "},
    {.str = "N:1::2", .status = -EINVAL,
     .err = "Failed to parse value as number: "},
    {.str = "N: 5", .status = -EINVAL,
     .err = "Failed to parse value as number:  5"},
    {.str = "N:inf", .status = -EINVAL,
     .err = "Failed to parse value as number: inf"},
    {.str = "N:-", .status = -EINVAL,
     .err = "Failed to parse value as number: -"},
    {.str = "N:.", .status = -EINVAL,
     .err = "Failed to parse value as number: ."},
    {.str = "N:1e3", .status = -EINVAL, .err = "Garbage after value: e3"},
    {.str = "N:1.5x", .status = -EINVAL, .err = "Garbage after value: x"},
    {.str = "N:1.5.5", .status = -EINVAL, .err = "Garbage after value: .5"},
    {.str = "N:1 ", .status = -EINVAL, .err = "Garbage after value:  "},
    {.str = ":1", .status = -EINVAL, .err = "Failed to parse time as number: "},
    {.str = "-5:1", .status = -EINVAL,
     .err = "Failed to parse time as number: -5"},
    {.str = "12abc:1", .status = -EINVAL, .err = "Garbage after time: abc"},
    {.str = "1700000001.5:1", .status = -EINVAL,
     .err = "Garbage after time: .5"},
    /* 5.12 clamped these silently. */
    {.str = "N:18446744073709551616", .status = -ERANGE,
     .err = "Value out of range: 18446744073709551616"},
    {.str = "N:-9223372036854775809", .status = -ERANGE,
     .err = "Value out of range: -9223372036854775809"},
    {.str = "99999999999999999999:1", .status = -ERANGE,
     .err = "Time out of range: 99999999999999999999"},
};

START_TEST(test_value_list_parse) {
  const vl_case_t *c = &cases[_i];
  cdc_value_list_t vl = {.interval = 7, .time = -1};
  char err[256] = "";
  int status = cdc_value_list_parse(c->str, &vl, err, sizeof(err));
  ck_assert_msg(status == c->status, "\"%s\": status %d, want %d (%s)",
                c->str, status, c->status, err);
  if (status != 0) {
    ck_assert_str_eq(err, c->err);
    ck_assert_ptr_null(vl.values);
    ck_assert_double_eq(vl.time, -1);
    return;
  }
  ck_assert_double_eq(vl.interval, 7); /* not the parser's business */
  ck_assert_double_eq(vl.time, c->time);
  ck_assert_uint_eq(vl.values_num, c->values_num);
  for (size_t i = 0; i < vl.values_num; i++) {
    char buf[64];
    ck_assert_int_eq(vl.values[i].kind, c->kinds[i]);
    ck_assert_int_eq(
        cdc_value_format(&vl.values[i], buf, sizeof(buf), err, sizeof(err)),
        0);
    ck_assert_str_eq(buf, c->values[i]);
  }
  cdc_value_list_free(&vl);
  ck_assert_ptr_null(vl.values);
  ck_assert_uint_eq(vl.values_num, 0);
  cdc_value_list_free(&vl);
  cdc_value_list_free(NULL);
}
END_TEST

/* Every double reads back exactly from what cdc_value_format writes. */
START_TEST(test_value_format_round_trip) {
  const double samples[] = {1.0 / 3,  2.0 / 3,  0.1 + 0.2, 1e-300, 5e-324,
                            1.7e308,  -1e100,   123456789.123456789,
                            M_PI,     -0.0,     4503599627370497.0};
  for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
    cdc_value_t v = {.kind = CDC_VALUE_REAL, .real = samples[i]};
    char buf[64];
    ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), 0);
    ck_assert_msg(strtod(buf, NULL) == samples[i], "%s", buf);
  }
  srand(42);
  for (int i = 0; i < 10000; i++) {
    uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^
                    (uint64_t)rand();
    double d;
    memcpy(&d, &bits, sizeof(d));
    if (!isfinite(d))
      continue;
    cdc_value_t v = {.kind = CDC_VALUE_REAL, .real = d};
    char buf[64];
    ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), 0);
    ck_assert_msg(strtod(buf, NULL) == d, "%s", buf);
  }
}
END_TEST

START_TEST(test_value_format_special) {
  char buf[64];
  cdc_value_t v = {.kind = CDC_VALUE_REAL, .real = NAN};
  ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), 0);
  ck_assert_str_eq(buf, "nan");
  v.real = -INFINITY;
  ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), 0);
  ck_assert_str_eq(buf, "-inf");
  v = (cdc_value_t){.kind = CDC_VALUE_SIGNED, .i = INT64_MIN};
  ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), 0);
  ck_assert_str_eq(buf, "-9223372036854775808");
  ck_assert_int_eq(cdc_value_format(&v, buf, 20, NULL, 0), -ENOBUFS);
  v.kind = (cdc_value_kind_t)42;
  ck_assert_int_eq(cdc_value_format(&v, buf, sizeof(buf), NULL, 0), -EINVAL);
  ck_assert_int_eq(cdc_value_list_parse(NULL, NULL, NULL, 0), -EINVAL);
}
END_TEST

static Suite *client_values_suite(void) {
  Suite *s = suite_create("client_values");
  TCase *tc = tcase_create("values");
  tcase_set_timeout(tc, 10);
  tcase_add_loop_test(tc, test_value_list_parse, 0,
                      sizeof(cases) / sizeof(cases[0]));
  tcase_add_test(tc, test_value_format_round_trip);
  tcase_add_test(tc, test_value_format_special);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(client_values_suite()); }
