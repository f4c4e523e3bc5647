/* PUTNOTIF: the notification that is dispatched, and the replies. */
#include "cmds_fixture.h"

static notification_t last;
static int notified;

static int capture(const notification_t *n, user_data_t *ud) {
  plugin_notification_meta_free(last.meta);
  last = *n;
  last.meta = NULL;
  plugin_notification_meta_copy(&last, n);
  notified++;
  return 0;
}

static void setup(void) {
  memset(&last, 0, sizeof(last));
  notified = 0;
  ck_assert_int_eq(plugin_register_notification("capture", capture, NULL), 0);
}

static void teardown(void) {
  plugin_notification_meta_free(last.meta);
  last.meta = NULL;
}

START_TEST(test_all_options) {
  ck_reply("PUTNOTIF severity=okay time=1700000000.25 host=h plugin=p "
           "plugin_instance=pi type=t type_instance=ti "
           "message=\"a \\\"b\\\" \\\\c\" s:k1=\"v w\" s:k2=x",
           "0 Success\n");
  ck_assert_int_eq(notified, 1);
  ck_assert_int_eq(last.severity, NOTIF_OKAY);
  ck_assert_uint_eq(last.time, DOUBLE_TO_CDTIME_T(1700000000.25));
  ck_assert_str_eq(last.message, "a \"b\" \\c");
  ck_assert_str_eq(last.host, "h");
  ck_assert_str_eq(last.plugin, "p");
  ck_assert_str_eq(last.plugin_instance, "pi");
  ck_assert_str_eq(last.type, "t");
  ck_assert_str_eq(last.type_instance, "ti");
  notification_meta_t *m = last.meta;
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(m->name, "k1");
  ck_assert_int_eq(m->type, NM_TYPE_STRING);
  ck_assert_str_eq(m->nm_value.nm_string, "v w");
  ck_assert_ptr_nonnull(m->next);
  ck_assert_str_eq(m->next->name, "k2");
  ck_assert_str_eq(m->next->nm_value.nm_string, "x");
  ck_assert_ptr_null(m->next->next);
}
END_TEST

START_TEST(test_values) {
  /* Case-insensitive names and severities, the last option wins, time
   * in strtod's syntax, '=' inside a value, tabs between options. */
  ck_reply("PUTNOTIF SEVERITY=FAILURE Time=1e9 Message=a=b\thost=h "
           "severity=Warning   ",
           "0 Success\n");
  ck_assert_int_eq(last.severity, NOTIF_WARNING);
  ck_assert_uint_eq(last.time, TIME_T_TO_CDTIME_T_STATIC(1000000000));
  ck_assert_str_eq(last.message, "a=b");
  ck_assert_str_eq(last.host, "h");
  ck_assert_ptr_null(last.meta);

  ck_reply("PUTNOTIF severity=failure time=0x10 message=\\\"a", "0 Success\n");
  ck_assert_int_eq(last.severity, NOTIF_FAILURE);
  ck_assert_uint_eq(last.time, TIME_T_TO_CDTIME_T_STATIC(16));
  ck_assert_str_eq(last.message, "\\\"a"); /* bytes of a word, as is */

  /* Long values are cut to the fields. */
  char line[1024], big[600];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  snprintf(line, sizeof(line), "PUTNOTIF severity=okay time=1 message=%s", big);
  ck_reply(line, "0 Success\n");
  ck_assert_uint_eq(strlen(last.message), NOTIF_MAX_MSG_LEN - 1);
  snprintf(line, sizeof(line),
           "PUTNOTIF severity=okay time=1 message=m "
           "host=%.300s s:%.300s=v",
           big, big);
  ck_reply(line, "0 Success\n");
  ck_assert_uint_eq(strlen(last.host), DATA_MAX_NAME_LEN - 1);
  ck_assert_uint_eq(strlen(last.meta->name), DATA_MAX_NAME_LEN - 1);
  ck_assert_int_eq(notified, 4);
}
END_TEST

START_TEST(test_errors) {
  ck_reply("PUTNOTIF", "-1 Option `severity' missing.\n");
  ck_reply("PUTNOTIF   ", "-1 Option `severity' missing.\n");
  ck_reply("PUTNOTIF message=x", "-1 Option `severity' missing.\n");
  ck_reply("PUTNOTIF time=1 message=x", "-1 Option `severity' missing.\n");
  ck_reply("PUTNOTIF severity=okay message=x", "-1 Option `time' missing.\n");
  ck_reply("PUTNOTIF severity=okay time=0 message=x",
           "-1 Option `time' missing.\n");
  ck_reply("PUTNOTIF severity=okay time=1",
           "-1 No message or message of length 0 given.\n");
  ck_reply("PUTNOTIF severity=okay time=1 message=\"\"",
           "-1 No message or message of length 0 given.\n");

  /* The man page's example: the message does not take the rest of the
   * line, in 5.12 as here. */
  ck_reply("PUTNOTIF type=temperature severity=warning time=1201094702 "
           "message=The roof is on fire!",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 message=", "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 host= message=x",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 nokey message=x",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 =v message=x",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 \"message=a b\"",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 message=\"b c\"d",
           "-1 Malformed option.\n");
  ck_reply("PUTNOTIF severity=okay time=1 message=\"a",
           "-1 Malformed option.\n");

  ck_reply("PUTNOTIF severity=bad time=1 message=x",
           "-1 Error parsing option `severity'\n");
  ck_reply("PUTNOTIF severity=warn time=1 message=x",
           "-1 Error parsing option `severity'\n");
  ck_reply("PUTNOTIF severity=okay time=abc message=x",
           "-1 Error parsing option `time'\n");
  ck_reply("PUTNOTIF severity=okay time=N message=x",
           "-1 Error parsing option `time'\n");
  ck_reply("PUTNOTIF severity=okay time=12abc message=x",
           "-1 Error parsing option `time'\n");
  ck_reply("PUTNOTIF severity=okay time=-5 message=x", /* 5.12: year 2514 */
           "-1 Error parsing option `time'\n");
  ck_reply("PUTNOTIF severity=okay time=1 foo=bar message=x",
           "-1 Error parsing option `foo'\n");
  ck_reply("PUTNOTIF severity=okay time=1 i:n=-5 message=x",
           "-1 Error parsing option `i:n'\n");
  ck_reply("PUTNOTIF severity=okay time=1 s:=v message=x",
           "-1 Error parsing option `s:'\n");
  ck_assert_int_eq(notified, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_putnotif");
  TCase *tc = test_cmds_tcase("putnotif");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_all_options);
  tcase_add_test(tc, test_values);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
