/* GETVAL: the rates of one identifier, formatted as collectd 5.12 does. */
#include "cmds_fixture.h"

START_TEST(test_gauges) {
  ck_reply("PUTVAL testhost/test/gauge-a 1800000000:1.5",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/gauge-a",
           "1 Value found\nvalue=1.500000e+00\n");
  ck_reply("getval \"testhost/test/gauge-a\"",
           "1 Value found\nvalue=1.500000e+00\n");

  ck_reply("PUTVAL testhost/test/load 1800000000:1:0:-0.000012345",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/load",
           "3 Values found\nshortterm=1.000000e+00\nmidterm=0.000000e+00\n"
           "longterm=-1.234500e-05\n");

  /* NaN, infinities (padded to 12 by %12e) and big numbers. */
  ck_reply("PUTVAL testhost/test/gauge-n 1800000000:U",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/gauge-n", "1 Value found\nvalue=NaN\n");
  ck_reply("PUTVAL testhost/test/gauge-i 1800000000:-inf",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/gauge-i",
           "1 Value found\nvalue=        -inf\n");
  ck_reply("PUTVAL testhost/test/gauge-j 1800000000:inf",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/gauge-j",
           "1 Value found\nvalue=         inf\n");
  ck_reply("PUTVAL testhost/test/gauge-b 1800000000:123456789012345",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/gauge-b",
           "1 Value found\nvalue=1.234568e+14\n");
}
END_TEST

START_TEST(test_rates) {
  /* Derives and counters read as rates: NaN until there are two values. */
  ck_reply("PUTVAL testhost/test/derive 1800000000:100",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/derive", "1 Value found\nvalue=NaN\n");
  ck_reply("PUTVAL testhost/test/derive 1800000010:200",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/derive",
           "1 Value found\nvalue=1.000000e+01\n");

  ck_reply("PUTVAL testhost/test/counter 1800000000:100 1800000010:150",
           "0 Success: 2 values have been dispatched.\n");
  ck_reply("GETVAL testhost/test/counter",
           "1 Value found\nvalue=5.000000e+00\n");

  ck_reply("PUTVAL testhost/test/absolute 1800000000:100",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test/absolute",
           "1 Value found\nvalue=1.000000e+01\n");

  ck_reply(
      "PUTVAL testhost/test/if_octets 1800000000:100:200 1800000004:200:400",
      "0 Success: 2 values have been dispatched.\n");
  ck_reply("GETVAL testhost/test/if_octets",
           "2 Values found\nrx=2.500000e+01\ntx=5.000000e+01\n");
}
END_TEST

START_TEST(test_errors) {
  ck_reply("GETVAL", "-1 Missing identifier.\n");
  ck_reply("GETVAL a b c", "-1 Garbage after identifier: `b'.\n");
  ck_reply("GETVAL testhost/test/gauge x",
           "-1 Garbage after identifier: `x'.\n");
  ck_reply("GETVAL testhost/test",
           "-1 Cannot parse identifier `testhost/test'.\n");
  ck_reply("GETVAL test", "-1 Cannot parse identifier `test'.\n");
  ck_reply("GETVAL \"a\\\"b\"", "-1 Cannot parse identifier `a\"b'.\n");
  /* 5.12 adds an empty line after this one; we do not. */
  ck_reply("GETVAL testhost/test/nosuch", "-1 Type `nosuch' is unknown.\n");
  ck_reply("GETVAL testhost/test/gauge/x", "-1 Type `gauge/x' is unknown.\n");
  ck_reply("GETVAL testhost/test/gauge-none", "-1 No such value.\n");

  /* The name is looked up as written. */
  ck_reply("PUTVAL testhost/test/gauge-z 1800000000:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("GETVAL testhost/test-/gauge-z", "-1 No such value.\n");
  ck_reply("GETVAL testhost/test/gauge-z-", "-1 No such value.\n");
  ck_reply("GETVAL TESTHOST/test/gauge-z", "-1 No such value.\n");
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_getval");
  TCase *tc = test_cmds_tcase("getval");
  tcase_add_test(tc, test_gauges);
  tcase_add_test(tc, test_rates);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
