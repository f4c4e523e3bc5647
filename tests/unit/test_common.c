/* Strings, parsing and formatting in utils/common. Expected values were
 * taken from collectd 5.12 itself (a probe plugin run inside Debian's
 * daemon), including its quirks, which are marked as such. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

/* ---- bounded copies and allocation -------------------------------------- */

START_TEST(test_sstrncpy) {
  char buf[8];
  memset(buf, 'x', sizeof(buf));
  ck_assert_ptr_eq(sstrncpy(buf, "ab", sizeof(buf)), buf);
  ck_assert_str_eq(buf, "ab");
  for (size_t i = 2; i < sizeof(buf); i++) /* zero-filled like strncpy */
    ck_assert_int_eq(buf[i], 0);

  sstrncpy(buf, "abcdefghijk", sizeof(buf));
  ck_assert_str_eq(buf, "abcdefg");

  buf[0] = 'q';
  sstrncpy(buf, "zzz", 0); /* n == 0 writes nothing */
  ck_assert_int_eq(buf[0], 'q');
}
END_TEST

START_TEST(test_ssnprintf) {
  char small[4];
  ck_assert_int_eq(ssnprintf(small, sizeof(small), "%s", "abcdef"), 6);
  ck_assert_str_eq(small, "abc");

  char *s = ssnprintf_alloc("%s-%d-%0200d", "abc", 5, 1);
  ck_assert_ptr_nonnull(s);
  ck_assert_uint_eq(strlen(s), 206);
  ck_assert(strncmp(s, "abc-5-000", 9) == 0);
  free(s);

  s = ssnprintf_alloc("%s", "");
  ck_assert_str_eq(s, "");
  free(s);
}
END_TEST

START_TEST(test_sstrdup) {
  ck_assert_ptr_null(sstrdup(NULL));
  char *s = sstrdup("hello");
  ck_assert_str_eq(s, "hello");
  free(s);

  s = sstrndup("hello", 3);
  ck_assert_str_eq(s, "hel");
  free(s);
  s = sstrndup("hi", 10);
  ck_assert_str_eq(s, "hi");
  free(s);
  ck_assert_uint_eq(sstrnlen("hello", 3), 3);
  ck_assert_uint_eq(sstrnlen("hi", 10), 2);

  void *p = smalloc(16);
  ck_assert_ptr_nonnull(p);
  free(p);
}
END_TEST

START_TEST(test_sstrerror) {
  char buf[64];
  ck_assert_str_eq(sstrerror(ENOENT, buf, sizeof(buf)),
                   "No such file or directory");
  ck_assert_str_eq(STRERROR(EINVAL), "Invalid argument");
  errno = EACCES;
  ck_assert_str_eq(STRERRNO, "Permission denied");

  char tiny[8];
  sstrerror(ENOENT, tiny, sizeof(tiny));
  ck_assert_uint_lt(strlen(tiny), sizeof(tiny));
}
END_TEST

START_TEST(test_sfree_and_macros) {
  char *p = malloc(4);
  sfree(p);
  ck_assert_ptr_null(p);
  sfree(p); /* harmless twice */

  ck_assert(IS_TRUE("Yes") && IS_TRUE("on") && IS_TRUE("TRUE"));
  ck_assert(IS_FALSE("no") && IS_FALSE("Off") && IS_FALSE("false"));
  ck_assert(!IS_TRUE("1") && !IS_FALSE("0"));
  int arr[7];
  ck_assert_uint_eq(STATIC_ARRAY_SIZE(arr), 7);
}
END_TEST

/* ---- splitting and joining ----------------------------------------------- */

START_TEST(test_strsplit) {
  char buf[64];
  char *fields[8];

  strcpy(buf, "  a b\tc\r\nd  ");
  ck_assert_int_eq(strsplit(buf, fields, 8), 4);
  ck_assert_str_eq(fields[0], "a");
  ck_assert_str_eq(fields[1], "b");
  ck_assert_str_eq(fields[2], "c");
  ck_assert_str_eq(fields[3], "d");

  /* With a full array the rest of the string is left as it was, except the
   * end of the last field. */
  strcpy(buf, "a  b c d e f");
  ck_assert_int_eq(strsplit(buf, fields, 2), 2);
  ck_assert_str_eq(fields[0], "a");
  ck_assert_str_eq(fields[1], "b");
  ck_assert_str_eq(buf + 5, "c d e f");

  strcpy(buf, "");
  ck_assert_int_eq(strsplit(buf, fields, 8), 0);
  strcpy(buf, " \t\r\n ");
  ck_assert_int_eq(strsplit(buf, fields, 8), 0);
  strcpy(buf, "one");
  ck_assert_int_eq(strsplit(buf, fields, 1), 1);
  ck_assert_str_eq(fields[0], "one");

  /* Size 0 stores nothing (5.12 wrote one field past the array). */
  strcpy(buf, "a b");
  ck_assert_int_eq(strsplit(buf, fields, 0), 0);
  ck_assert_str_eq(buf, "a b");
}
END_TEST

START_TEST(test_strjoin) {
  char *f[] = {"AAAAAAAAAAAAAA", "BB", "CCC"};
  char buf[32];

  ck_assert_int_eq(strjoin(buf, sizeof(buf), f, 3, "XX"), 23);
  ck_assert_str_eq(buf, "AAAAAAAAAAAAAAXXBBXXCCC");
  ck_assert_int_eq(strjoin(buf, sizeof(buf), f, 3, NULL), 19);
  ck_assert_str_eq(buf, "AAAAAAAAAAAAAABBCCC");
  ck_assert_int_eq(strjoin(buf, sizeof(buf), f, 0, ","), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_int_eq(strjoin(NULL, 0, f, 3, "XX"), 23); /* size query */

  /* Truncation: the return value stays the full length; a separator is
   * written only whole and only with room after it (table from 5.12). */
  static const struct {
    size_t size;
    const char *want;
  } cases[] = {
      {1, ""},
      {2, "A"},
      {15, "AAAAAAAAAAAAAA"},
      {16, "AAAAAAAAAAAAAA"},
      {17, "AAAAAAAAAAAAAA"},
      {18, "AAAAAAAAAAAAAAXXB"},
      {19, "AAAAAAAAAAAAAAXXBB"},
      {21, "AAAAAAAAAAAAAAXXBB"},
      {22, "AAAAAAAAAAAAAAXXBBXXC"},
      {23, "AAAAAAAAAAAAAAXXBBXXCC"},
  };
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(cases); i++) {
    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(strjoin(buf, cases[i].size, f, 3, "XX"), 23);
    ck_assert_str_eq(buf, cases[i].want);
  }

  ck_assert_int_lt(strjoin(NULL, 4, f, 3, ","), 0);
  ck_assert_int_lt(strjoin(buf, sizeof(buf), NULL, 3, ","), 0);
}
END_TEST

START_TEST(test_strarray) {
  char **array = NULL;
  size_t len = 0;
  ck_assert_int_eq(strarray_add(&array, &len, "a"), 0);
  ck_assert_int_eq(strarray_add(&array, &len, "b"), 0);
  ck_assert_int_eq(strarray_add(&array, &len, NULL), EINVAL);
  ck_assert_uint_eq(len, 2);
  ck_assert_str_eq(array[0], "a");
  ck_assert_str_eq(array[1], "b");
  strarray_free(array, len);
}
END_TEST

/* ---- escaping ------------------------------------------------------------ */

static void check_escape(const char *in, size_t size, int want_status,
                         const char *want) {
  char buf[64];
  sstrncpy(buf, in, sizeof(buf));
  ck_assert_int_eq(escape_string(buf, size), want_status);
  ck_assert_str_eq(buf, want);
}

START_TEST(test_escape_string) {
  check_escape("simple", 64, 0, "simple");
  check_escape("", 64, 0, "");
  check_escape("f o", 64, 0, "\"f o\"");
  check_escape("a\tb", 64, 0, "\"a\tb\"");
  check_escape("f\"o", 64, 0, "\"f\\\"o\"");
  check_escape("f\\o", 64, 0, "\"f\\\\o\"");
  check_escape("\"", 64, 0, "\"\\\"\"");
  /* Only blanks, quotes and backslashes call for quoting. */
  check_escape("a\nb", 64, 0, "a\nb");
  check_escape("x'y,a=b;c", 64, 0, "x'y,a=b;c");

  /* Truncation keeps both quotes and never splits an escape pair. */
  const char *in = "ab \"cd\" ef\\gh";
  check_escape(in, 2, EINVAL, in);
  check_escape(in, 3, 0, "\"\"");
  check_escape(in, 4, 0, "\"a\"");
  check_escape(in, 6, 0, "\"ab \"");
  check_escape(in, 7, 0, "\"ab \"");
  check_escape(in, 8, 0, "\"ab \\\"\"");
  check_escape(in, 13, 0, "\"ab \\\"cd\\\" \"");
  check_escape(in, 64, 0, "\"ab \\\"cd\\\" ef\\\\gh\"");

  /* Tiny buffers with an escape first (5.12 hit an assertion here). */
  check_escape("\"abc", 3, 0, "\"\"");
  check_escape("\"abc", 4, 0, "\"\"");
  check_escape("\"abc", 5, 0, "\"\\\"\"");
}
END_TEST

START_TEST(test_escape_slashes) {
  static const struct {
    const char *in;
    const char *want;
  } cases[] = {
      {"/", "root"}, {"//a", "_a"},  {"/a/b/", "a_b_"},
      {"a", "a"},    {"", ""},       {"a//b", "a__b"},
  };
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(cases); i++) {
    char buf[16];
    sstrncpy(buf, cases[i].in, sizeof(buf));
    ck_assert_int_eq(escape_slashes(buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, cases[i].want);
  }
  char small[4] = "/";
  ck_assert_int_lt(escape_slashes(small, sizeof(small)), 0);
  ck_assert_str_eq(small, "/");
}
END_TEST

START_TEST(test_strunescape) {
  char buf[32];
  strcpy(buf, "a\\tb\\nc\\rd");
  ck_assert_int_eq(strunescape(buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "a\tb\nc\rd");

  strcpy(buf, "x\\\\y\\\"z\\q");
  ck_assert_int_eq(strunescape(buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "x\\y\"zq");

  strcpy(buf, "end\\");
  ck_assert_int_eq(strunescape(buf, sizeof(buf)), -1);
  ck_assert_str_eq(buf, "end");

  /* The escape pair cut by buf_len counts as a trailing backslash. */
  strcpy(buf, "ab\\t");
  ck_assert_int_eq(strunescape(buf, 3), -1);
}
END_TEST

START_TEST(test_replace_special_and_strip) {
  char buf[32] = "foo$bar&-x.y z";
  replace_special(buf, sizeof(buf));
  ck_assert_str_eq(buf, "foo_bar_-x_y_z");

  strcpy(buf, "a.b.c");
  replace_special(buf, 2); /* only the first two bytes */
  ck_assert_str_eq(buf, "a_b.c");

  strcpy(buf, "abc\r\n\n");
  ck_assert_uint_eq(strstripnewline(buf), 3);
  ck_assert_str_eq(buf, "abc");
  strcpy(buf, "\n");
  ck_assert_uint_eq(strstripnewline(buf), 0);
  strcpy(buf, "a\nb");
  ck_assert_uint_eq(strstripnewline(buf), 3);
}
END_TEST

/* ---- parsing ------------------------------------------------------------- */

START_TEST(test_parse_value) {
  value_t v;

  ck_assert_int_eq(parse_value("42", &v, DS_TYPE_COUNTER), 0);
  ck_assert_uint_eq(v.counter, 42);
  ck_assert_int_eq(parse_value("18446744073709551615", &v, DS_TYPE_COUNTER),
                   0);
  ck_assert_uint_eq(v.counter, UINT64_MAX);

  ck_assert_int_eq(parse_value(" 1.5 ", &v, DS_TYPE_GAUGE), 0);
  ck_assert_double_eq(v.gauge, 1.5);
  ck_assert_int_eq(parse_value("1e3", &v, DS_TYPE_GAUGE), 0);
  ck_assert_double_eq(v.gauge, 1000);
  ck_assert_int_eq(parse_value("nan", &v, DS_TYPE_GAUGE), 0);
  ck_assert(isnan(v.gauge));

  /* Integers take any C base: hex and (careful) octal. */
  ck_assert_int_eq(parse_value("0x10", &v, DS_TYPE_DERIVE), 0);
  ck_assert_int_eq(v.derive, 16);
  ck_assert_int_eq(parse_value("010", &v, DS_TYPE_DERIVE), 0);
  ck_assert_int_eq(v.derive, 8);
  ck_assert_int_eq(parse_value("-0x10", &v, DS_TYPE_DERIVE), 0);
  ck_assert_int_eq(v.derive, -16);
  ck_assert_int_eq(parse_value(" 7\n", &v, DS_TYPE_ABSOLUTE), 0);
  ck_assert_uint_eq(v.absolute, 7);

  /* Trailing garbage is logged and ignored. */
  stub_log_reset();
  ck_assert_int_eq(parse_value("5abc", &v, DS_TYPE_DERIVE), 0);
  ck_assert_int_eq(v.derive, 5);
  ck_assert_int_eq(stub_log_count, 1);
  ck_assert_int_eq(stub_log_last_level, LOG_INFO);

  /* "U" is not a number here; only parse_values() knows it. */
  ck_assert_int_eq(parse_value("U", &v, DS_TYPE_GAUGE), -1);
  ck_assert_int_eq(parse_value("", &v, DS_TYPE_COUNTER), -1);
  ck_assert_int_eq(parse_value("abc", &v, DS_TYPE_DERIVE), -1);
  ck_assert_int_eq(parse_value("nan", &v, DS_TYPE_ABSOLUTE), -1);
  ck_assert_int_eq(parse_value("1", &v, 7), -1);
  ck_assert_int_eq(parse_value(NULL, &v, DS_TYPE_GAUGE), EINVAL);
}
END_TEST

static data_source_t three_ds[] = {
    {"a", DS_TYPE_GAUGE, 0, NAN},
    {"b", DS_TYPE_DERIVE, 0, NAN},
    {"c", DS_TYPE_COUNTER, 0, NAN},
};
static data_set_t three = {"three", 3, three_ds};

/* Runs parse_values() on a copy of `in`, values preset to 0. */
static int run_parse_values(const char *in, value_list_t *vl, value_t *vals) {
  char buf[128];
  sstrncpy(buf, in, sizeof(buf));
  memset(vals, 0, 3 * sizeof(*vals));
  *vl = (value_list_t){.values = vals, .values_len = 3, .time = 77};
  return parse_values(buf, vl, &three);
}

START_TEST(test_parse_values) {
  value_list_t vl;
  value_t v[3];

  ck_assert_int_eq(run_parse_values("1.5:1:2:3", &vl, v), 0);
  ck_assert_uint_eq(vl.time, DOUBLE_TO_CDTIME_T(1.5));
  ck_assert_double_eq(v[0].gauge, 1);
  ck_assert_int_eq(v[1].derive, 2);
  ck_assert_uint_eq(v[2].counter, 3);

  ck_assert_int_eq(run_parse_values("1.5:U:0x10:3", &vl, v), 0);
  ck_assert(isnan(v[0].gauge));
  ck_assert_int_eq(v[1].derive, 16);

  cdtime_t before = cdtime();
  ck_assert_int_eq(run_parse_values("N:1:2:3", &vl, v), 0);
  ck_assert_uint_ge(vl.time, before);

  /* Fewer values than data sources pass; more do not. */
  ck_assert_int_eq(run_parse_values("1.5:1:2", &vl, v), 0);
  ck_assert_int_eq(run_parse_values("1.5:1:2:3:4", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("1.5", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("1.5:U:U:3", &vl, v), -1); /* U: gauge */
  ck_assert_int_eq(run_parse_values("1.5x:1:2:3", &vl, v), -1);
  ck_assert_uint_eq(vl.time, 0); /* reset before parsing */
  /* Times a cdtime_t cannot hold (found by fuzz/fuzz_unixsock: converting
   * them was undefined behaviour). */
  ck_assert_int_eq(run_parse_values("-5:1:2:3", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("1e20:1:2:3", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("nan:1:2:3", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("inf:1:2:3", &vl, v), -1);
  ck_assert_int_eq(run_parse_values("17179869183:1:2:3", &vl, v), 0);

  /* 5.12 quirks: empty fields vanish, and a zero time makes the next field
   * the time. */
  ck_assert_int_eq(run_parse_values("1.5::2:3", &vl, v), 0);
  ck_assert_double_eq(v[0].gauge, 2);
  ck_assert_int_eq(run_parse_values("0:1:2:3", &vl, v), 0);
  ck_assert_uint_eq(vl.time, TIME_T_TO_CDTIME_T(1));
  ck_assert_double_eq(v[0].gauge, 2);
  ck_assert_int_eq(v[1].derive, 3);

  ck_assert_int_eq(parse_values(NULL, &vl, &three), EINVAL);
}
END_TEST

START_TEST(test_strtogauge_strtoderive) {
  gauge_t g = -42;
  derive_t d = -42;

  ck_assert_int_eq(strtogauge("1.5", &g), 0);
  ck_assert_double_eq(g, 1.5);
  ck_assert_int_eq(strtogauge(" 3", &g), 0);
  ck_assert_double_eq(g, 3);
  g = -42;
  ck_assert_int_eq(strtogauge("1.5x", &g), EINVAL);
  ck_assert_int_eq(strtogauge("3 ", &g), EINVAL);
  ck_assert_int_eq(strtogauge("abc", &g), EINVAL);
  ck_assert_int_eq(strtogauge("1e400", &g), ERANGE);
  ck_assert_double_eq(g, -42); /* untouched on failure */
  ck_assert_int_eq(strtogauge("", &g), 0); /* 5.12 quirk: "" is 0 */
  ck_assert_double_eq(g, 0);

  ck_assert_int_eq(strtoderive("0x10", &d), 0);
  ck_assert_int_eq(d, 16);
  ck_assert_int_eq(strtoderive("010", &d), 0);
  ck_assert_int_eq(d, 8);
  ck_assert_int_eq(strtoderive("1.5x", &d), 0); /* trailing text ignored */
  ck_assert_int_eq(d, 1);
  d = -42;
  ck_assert_int_eq(strtoderive("", &d), -1);
  ck_assert_int_eq(strtoderive("abc", &d), -1);
  ck_assert_int_eq(strtoderive("99999999999999999999", &d), -1);
  ck_assert_int_eq(d, -42);
}
END_TEST

static void check_identifier(const char *in, char *default_host, int want,
                             const char *want_parts[5]) {
  char buf[64];
  sstrncpy(buf, in, sizeof(buf));
  char *parts[5] = {NULL};
  int status = parse_identifier(buf, &parts[0], &parts[1], &parts[2],
                                &parts[3], &parts[4], default_host);
  ck_assert_int_eq(status, want);
  if (status != 0)
    return;
  for (int i = 0; i < 5; i++) {
    if (want_parts[i] == NULL)
      ck_assert_ptr_null(parts[i]);
    else
      ck_assert_str_eq(parts[i], want_parts[i]);
  }
}

START_TEST(test_parse_identifier) {
  check_identifier("h/p-pi/t-ti", NULL, 0,
                   (const char *[]){"h", "p", "pi", "t", "ti"});
  check_identifier("h/p/t", NULL, 0,
                   (const char *[]){"h", "p", NULL, "t", NULL});
  check_identifier("h/p-a-b/t-c-d", NULL, 0,
                   (const char *[]){"h", "p", "a-b", "t", "c-d"});
  check_identifier("h/p/t/x", NULL, 0,
                   (const char *[]){"h", "p", NULL, "t/x", NULL});
  check_identifier("h/p-/t-", NULL, 0, (const char *[]){"h", "p", "", "t", ""});
  check_identifier("p/t", NULL, -1, NULL);
  check_identifier("p/t", "DEF", 0,
                   (const char *[]){"DEF", "p", NULL, "t", NULL});
  check_identifier("h", "DEF", -1, NULL);

  value_list_t vl = VALUE_LIST_INIT;
  ck_assert_int_eq(parse_identifier_vl("h/p-pi/t-ti", &vl), 0);
  ck_assert_str_eq(vl.host, "h");
  ck_assert_str_eq(vl.plugin, "p");
  ck_assert_str_eq(vl.plugin_instance, "pi");
  ck_assert_str_eq(vl.type, "t");
  ck_assert_str_eq(vl.type_instance, "ti");
  ck_assert_int_eq(parse_identifier_vl("h/p/t", &vl), 0);
  ck_assert_str_eq(vl.plugin_instance, "");
  ck_assert_str_eq(vl.type_instance, "");
  ck_assert_int_eq(parse_identifier_vl("p/t", &vl), -1);
  ck_assert_int_eq(parse_identifier_vl(NULL, &vl), EINVAL);
}
END_TEST

/* ---- formatting ---------------------------------------------------------- */

START_TEST(test_format_name) {
  char buf[128];
  ck_assert_int_eq(format_name(buf, sizeof(buf), "host", "plug", "pi", "type",
                               "ti"),
                   0);
  ck_assert_str_eq(buf, "host/plug-pi/type-ti");
  ck_assert_int_eq(format_name(buf, sizeof(buf), "h", "p", "", "t", NULL), 0);
  ck_assert_str_eq(buf, "h/p/t");
  ck_assert_int_eq(format_name(buf, sizeof(buf), "h", "p", NULL, "t", "ti"),
                   0);
  ck_assert_str_eq(buf, "h/p/t-ti");

  /* Exactly fitting, and one byte short. */
  ck_assert_int_eq(format_name(buf, 21, "host", "plug", "pi", "type", "ti"),
                   0);
  ck_assert_int_eq(format_name(buf, 20, "host", "plug", "pi", "type", "ti"),
                   ENOBUFS);

  value_list_t vl = {.host = "h", .plugin = "cpu", .plugin_instance = "0",
                     .type = "cpu", .type_instance = "idle"};
  ck_assert_int_eq(FORMAT_VL(buf, sizeof(buf), &vl), 0);
  ck_assert_str_eq(buf, "h/cpu-0/cpu-idle");
}
END_TEST

static data_source_t four_ds[] = {
    {"g", DS_TYPE_GAUGE, 0, NAN},
    {"d", DS_TYPE_DERIVE, 0, NAN},
    {"c", DS_TYPE_COUNTER, 0, NAN},
    {"a", DS_TYPE_ABSOLUTE, 0, NAN},
};
static data_set_t four = {"four", 4, four_ds};

START_TEST(test_format_values) {
  char buf[128];
  value_t vals[4] = {{.gauge = 1.5},
                     {.derive = -5},
                     {.counter = UINT64_MAX},
                     {.absolute = 7}};
  value_list_t vl = {.values = vals,
                     .values_len = 4,
                     .time = TIME_T_TO_CDTIME_T(1500000000) + 1,
                     .type = "four"};

  ck_assert_int_eq(format_values(buf, sizeof(buf), &four, &vl, false), 0);
  ck_assert_str_eq(buf, "1500000000.000:1.5:-5:18446744073709551615:7");

  static const struct {
    gauge_t g;
    const char *text;
  } gauges[] = {{NAN, "nan"},           {1e20, "1e+20"},
                {0.1, "0.1"},           {1.0 / 3, "0.333333333333333"},
                {INFINITY, "inf"},      {123456789012345678.0,
                                         "1.23456789012346e+17"}};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(gauges); i++) {
    vals[0].gauge = gauges[i].g;
    format_values(buf, sizeof(buf), &four, &vl, false);
    char want[128];
    snprintf(want, sizeof(want), "1500000000.000:%s:-5:18446744073709551615:7",
             gauges[i].text);
    ck_assert_str_eq(buf, want);
  }

  /* Too small: fails. */
  vals[0].gauge = 1;
  ck_assert_int_eq(format_values(buf, 22, &four, &vl, false), -1);

  /* store_rates: gauges as they are, the rest from the cache. */
  static const gauge_t rates[] = {99, 0.25, 2, 3.5};
  stub_rates = rates;
  stub_rates_num = 4;
  ck_assert_int_eq(format_values(buf, sizeof(buf), &four, &vl, true), 0);
  ck_assert_str_eq(buf, "1500000000.000:1:0.25:2:3.5");
  stub_rates = NULL;
  ck_assert_int_eq(format_values(buf, sizeof(buf), &four, &vl, true), -1);

  /* A value list of another type is refused. */
  sstrncpy(vl.type, "other", sizeof(vl.type));
  ck_assert_int_eq(format_values(buf, sizeof(buf), &four, &vl, false), -1);
}
END_TEST

START_TEST(test_notification_init) {
  notification_t n;
  memset(&n, 0x41, sizeof(n));
  ck_assert_int_eq(notification_init(&n, NOTIF_WARNING, "msg", NULL, "p", NULL,
                                     "t", "ti"),
                   0);
  ck_assert_int_eq(n.severity, NOTIF_WARNING);
  ck_assert_uint_eq(n.time, 0);
  ck_assert_str_eq(n.message, "msg");
  ck_assert_str_eq(n.host, "");
  ck_assert_str_eq(n.plugin, "p");
  ck_assert_str_eq(n.plugin_instance, "");
  ck_assert_str_eq(n.type, "t");
  ck_assert_str_eq(n.type_instance, "ti");
  ck_assert_ptr_null(n.meta);

  value_list_t vl = {.host = "h", .plugin = "p", .type = "t"};
  NOTIFICATION_INIT_VL(&n, &vl);
  ck_assert_int_eq(n.severity, NOTIF_FAILURE);
  ck_assert_str_eq(n.host, "h");
  ck_assert_str_eq(n.message, "");
}
END_TEST

START_TEST(test_timeval_cmp) {
  struct timeval a = {5, 1500000}; /* not normalised: 6.5 s */
  struct timeval b = {6, 400000};
  struct timeval d = {-1, -1};

  ck_assert_int_eq(timeval_cmp(a, b, &d), 1);
  ck_assert_int_eq(d.tv_sec, 0);
  ck_assert_int_eq(d.tv_usec, 100000);
  ck_assert_int_eq(timeval_cmp(b, a, &d), -1);
  ck_assert_int_eq(d.tv_usec, 100000);
  ck_assert_int_eq(timeval_cmp(b, b, &d), 0);
  ck_assert_int_eq(d.tv_sec, 0);
  ck_assert_int_eq(d.tv_usec, 0);

  struct timeval c = {10, 200000}, e = {7, 900000};
  ck_assert_int_eq(timeval_cmp(c, e, NULL), 1);
  timeval_cmp(c, e, &d);
  ck_assert_int_eq(d.tv_sec, 2);
  ck_assert_int_eq(d.tv_usec, 300000);
}
END_TEST

static Suite *common_suite(void) {
  Suite *s = suite_create("common");

  TCase *tc = tcase_create("strings");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_sstrncpy);
  tcase_add_test(tc, test_ssnprintf);
  tcase_add_test(tc, test_sstrdup);
  tcase_add_test(tc, test_sstrerror);
  tcase_add_test(tc, test_sfree_and_macros);
  tcase_add_test(tc, test_strsplit);
  tcase_add_test(tc, test_strjoin);
  tcase_add_test(tc, test_strarray);
  tcase_add_test(tc, test_escape_string);
  tcase_add_test(tc, test_escape_slashes);
  tcase_add_test(tc, test_strunescape);
  tcase_add_test(tc, test_replace_special_and_strip);
  suite_add_tcase(s, tc);

  tc = tcase_create("parse");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_parse_value);
  tcase_add_test(tc, test_parse_values);
  tcase_add_test(tc, test_strtogauge_strtoderive);
  tcase_add_test(tc, test_parse_identifier);
  suite_add_tcase(s, tc);

  tc = tcase_create("format");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_format_name);
  tcase_add_test(tc, test_format_values);
  tcase_add_test(tc, test_notification_init);
  tcase_add_test(tc, test_timeval_cmp);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(common_suite());
}
