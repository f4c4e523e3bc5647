/* LISTVAL: every cached identifier with its time, sorted by name. */
#include "cmds_fixture.h"

START_TEST(test_listval) {
  ck_reply("LISTVAL", "0 Values found\n");
  ck_reply("PUTVAL testhost/test/gauge-b 1800000000.25:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("LISTVAL", "1 Value found\n1800000000.250 testhost/test/gauge-b\n");

  /* Byte order: ' ' < '"' < 't' < '\\'; names as they are. */
  ck_reply("PUTVAL \"testhost/te st/gauge\" 1700000000:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/gauge-a\\b 1800000001:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL \"testhost/test/gauge-a\\\"q\" 1800000002:1",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("PUTVAL testhost/test/if_octets 1800000003:1:2",
           "0 Success: 1 value has been dispatched.\n");
  ck_reply("LISTVAL", "5 Values found\n"
                      "1700000000.000 testhost/te st/gauge\n"
                      "1800000002.000 testhost/test/gauge-a\"q\n"
                      "1800000001.000 testhost/test/gauge-a\\b\n"
                      "1800000000.250 testhost/test/gauge-b\n"
                      "1800000003.000 testhost/test/if_octets\n");
}
END_TEST

START_TEST(test_garbage) {
  ck_reply("LISTVAL x", "-1 Garbage after end of command: `x'.\n");
  ck_reply("LISTVAL \"a b\" c", "-1 Garbage after end of command: `a b'.\n");
}
END_TEST

START_TEST(test_many) {
  /* More output than the writer buffers at once. */
  for (int i = 0; i < 500; i++) {
    char line[128];
    snprintf(line, sizeof(line),
             "PUTVAL testhost/many-%03d/gauge 1800000000:%d", i, i);
    ck_reply(line, "0 Success: 1 value has been dispatched.\n");
  }
  char *out = test_cmds_run("LISTVAL");
  ck_assert(strncmp(out, "500 Values found\n", 17) == 0);
  char *p = out + 17;
  for (int i = 0; i < 500; i++) {
    char want[128];
    snprintf(want, sizeof(want), "1800000000.000 testhost/many-%03d/gauge\n",
             i);
    ck_assert(strncmp(p, want, strlen(want)) == 0);
    p += strlen(want);
  }
  ck_assert_str_eq(p, "");
  free(out);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_listval");
  TCase *tc = test_cmds_tcase("listval");
  tcase_add_test(tc, test_listval);
  tcase_add_test(tc, test_garbage);
  tcase_add_test(tc, test_many);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
