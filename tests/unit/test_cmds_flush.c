/* FLUSH: which flush callbacks get called with what, and the replies. */
#include "cmds_fixture.h"

/* Every call of the two callbacks, as "<cb> <timeout> <identifier>;". */
static char calls[4096];

static void record(const char *cb, cdtime_t timeout, const char *identifier) {
  char entry[256];
  snprintf(entry, sizeof(entry), "%s %.1f %s;", cb, CDTIME_T_TO_DOUBLE(timeout),
           identifier ? identifier : "-");
  strncat(calls, entry, sizeof(calls) - strlen(calls) - 1);
}
static int flush_a(cdtime_t timeout, const char *identifier, user_data_t *ud) {
  record("a", timeout, identifier);
  return 0;
}
static int flush_b(cdtime_t timeout, const char *identifier, user_data_t *ud) {
  record("b", timeout, identifier);
  return -1; /* plugin_flush() does not pass this on, as in 5.12 */
}

static void setup(void) {
  calls[0] = '\0';
  ck_assert_int_eq(plugin_register_flush("a", flush_a, NULL), 0);
  ck_assert_int_eq(plugin_register_flush("b", flush_b, NULL), 0);
}

#define ck_flush(line, reply, expected_calls)                                  \
  do {                                                                         \
    calls[0] = '\0';                                                           \
    ck_reply(line, reply);                                                     \
    ck_assert_str_eq(calls, expected_calls);                                   \
  } while (0)

START_TEST(test_flush) {
  ck_flush("FLUSH", "0 Done: 1 successful, 0 errors\n", "a 0.0 -;b 0.0 -;");
  ck_flush("flush timeout=5", "0 Done: 1 successful, 0 errors\n",
           "a 5.0 -;b 5.0 -;");
  ck_flush("FLUSH Timeout=-1", "0 Done: 1 successful, 0 errors\n",
           "a 0.0 -;b 0.0 -;");
  ck_flush("FLUSH timeout=1.5x", "0 Done: 1 successful, 0 errors\n",
           "a 1.5 -;b 1.5 -;");
  ck_flush("FLUSH \"timeout=3\"", "0 Done: 1 successful, 0 errors\n",
           "a 3.0 -;b 3.0 -;");
  ck_flush("FLUSH PLUGIN=a", "0 Done: 1 successful, 0 errors\n", "a 0.0 -;");
  ck_flush("FLUSH plugin=nosuch", "0 Done: 1 successful, 0 errors\n", "");
  ck_flush("FLUSH plugin=", "0 Done: 1 successful, 0 errors\n", "");
  ck_flush("FLUSH plugin=b plugin=a", "0 Done: 2 successful, 0 errors\n",
           "b 0.0 -;a 0.0 -;");
  ck_flush("FLUSH identifier=h/p/t", "0 Done: 1 successful, 0 errors\n",
           "a 0.0 h/p/t;b 0.0 h/p/t;");
  ck_flush("FLUSH identifier=a/b/c/d", "0 Done: 1 successful, 0 errors\n",
           "a 0.0 a/b/c/d;b 0.0 a/b/c/d;");
  ck_flush("FLUSH identifier=\"h/p q/t\"", "0 Done: 1 successful, 0 errors\n",
           "a 0.0 h/p q/t;b 0.0 h/p q/t;");
  /* Plugins outside, identifiers inside. */
  ck_flush("FLUSH timeout=2 plugin=a plugin=b identifier=h/p/t "
           "identifier=h/p/u",
           "0 Done: 4 successful, 0 errors\n",
           "a 2.0 h/p/t;a 2.0 h/p/u;b 2.0 h/p/t;b 2.0 h/p/u;");
}
END_TEST

START_TEST(test_errors) {
  ck_flush("FLUSH timeout=abc", "-1 Invalid value for option `timeout': abc\n",
           "");
  ck_flush("FLUSH timeout=", "-1 Invalid value for option `timeout': \n", "");
  ck_flush("FLUSH foo=bar", "-1 Cannot parse option `foo'.\n", "");
  ck_flush("FLUSH foo", "-1 Invalid option string `foo'.\n", "");
  ck_flush("FLUSH x y", "-1 Invalid option string `x'.\n", "");
  ck_flush("FLUSH plugin=a identifier=test/gauge",
           "-1 Invalid identifier `test/gauge'.\n", "");
  ck_flush("FLUSH identifier=", "-1 Invalid identifier `'.\n", "");
  ck_flush("FLUSH \"plugin=a", "-1 Unterminated quoted string.\n", "");
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_flush");
  TCase *tc = test_cmds_tcase("flush");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, test_flush);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
