/* The argument parsers, the command table and the reply writer. */
#include "cmds_fixture.h"

#include <sys/socket.h>

/* ---- cmd_split ----------------------------------------------------------- */

/* Fields joined with '|', or the error message. */
static const struct {
  const char *in;
  const char *out;
} split_cases[] = {
    {"", ""},
    {"   \t ", ""},
    {"a", "a"},
    {"  a  b\tc  ", "a|b|c"},
    {"\"a b\"", "a b"},
    {"x \"ab cd\"", "x|ab cd"},
    {"ab\"cd\"", "abcd"},  /* quoted part joins the field */
    {"\"a b\"c", "a b|c"}, /* the closing quote ends the field */
    {"a\"b c\"d", "ab c|d"},
    {"x \"ab\"cd", "x|ab|cd"}, /* 5.12 aborts on this one */
    {"\"a\\\"b\"", "a\"b"},
    {"\"a\\nb\\\\c\\qd\"", "anb\\cqd"}, /* \n is just n */
    {"a\\ b", "a\\|b"},                 /* no escapes outside quotes */
    {"\"\"", ""},                       /* 5.12 makes this a lone quote */
    {"\"\" x", "|x"},
    {"meta:k=\"v w\"", "meta:k=v w"},
    {"\"meta:k=\\\"v\\\"\"", "meta:k=\"v\""},
    {"a\"", "Unterminated quoted string."},
    {"\"abc", "Unterminated quoted string."},
    {"a\\\"b", "Unterminated quoted string."},
    {"x \"ab\\", "Backslash at end of string."},
    {"x \"ab\\\"", "Unterminated quoted string."},
};

START_TEST(test_split) {
  char *text = strdup(split_cases[_i].in);
  cmd_args_t args;
  const char *why = NULL;
  char got[256] = "";
  if (cmd_split(text, &args, &why) == 0) {
    ck_assert_ptr_null(why);
    ck_assert_ptr_null(args.argv[args.argc]);
    strjoin(got, sizeof(got), args.argv, args.argc, "|");
    cmd_args_free(&args);
  } else {
    ck_assert_ptr_nonnull(why);
    sstrncpy(got, why, sizeof(got));
  }
  ck_assert_msg(strcmp(got, split_cases[_i].out) == 0,
                "split(%s) = \"%s\", expected \"%s\"", split_cases[_i].in, got,
                split_cases[_i].out);
  free(text);
}
END_TEST

START_TEST(test_split_many_fields) {
  /* The bound on the number of fields holds for the densest input. */
  const char *dense[] = {"\"\"\"\"\"\"\"\"", "a b c d e f g", "\"\"a\"\"b",
                         "a\"\"b\"\"c\"\""};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(dense); i++) {
    char *text = strdup(dense[i]);
    cmd_args_t args;
    const char *why;
    ck_assert_int_eq(cmd_split(text, &args, &why), 0);
    ck_assert_uint_le(args.argc, strlen(dense[i]) / 2 + 1);
    cmd_args_free(&args);
    free(text);
  }
}
END_TEST

START_TEST(test_split_option) {
  char field[] = "a=b=c";
  char *key, *value;
  ck_assert_int_eq(cmd_split_option(field, &key, &value), 0);
  ck_assert_str_eq(key, "a");
  ck_assert_str_eq(value, "b=c");

  char empty_value[] = "interval=";
  ck_assert_int_eq(cmd_split_option(empty_value, &key, &value), 0);
  ck_assert_str_eq(key, "interval");
  ck_assert_str_eq(value, "");

  char no_eq[] = "N:1", no_key[] = "=v";
  ck_assert_int_eq(cmd_split_option(no_eq, &key, &value), -EINVAL);
  ck_assert_int_eq(cmd_split_option(no_key, &key, &value), -EINVAL);
}
END_TEST

/* ---- parse_option -------------------------------------------------------- */

/* "key=value" pairs joined with '|', then "!" if a malformed option ended
 * the parse. */
static const struct {
  const char *in;
  const char *out;
} option_cases[] = {
    {"", ""},
    {"  a=b  c=d ", "a=b|c=d"},
    {"message=\"a \\\"b\\\" \\\\c\"", "message=a \"b\" \\c"},
    {"message=\"\"", "message="},
    {"a=b=c plugin=x=y", "a=b=c|plugin=x=y"},
    {"message=\\\"a", "message=\\\"a"}, /* quotes inside a word are bytes */
    {"s:k=\"v w\"", "s:k=v w"},
    {"message=", "!"},
    {"message= x=y", "!"},
    {"=v", "!"},
    {"nokey", "!"},
    {"a=1 nokey", "a=1|!"},
    {"\"message=a b\"", "!"},
    {"message=\"b c\"d", "!"},
    {"message=a\"b c\"", "message=a\"b|!"},
    {"message=\"a", "!"},
    {"message=\"a\\", "!"},
    {"x=1\ty=2", "x=1|y=2"},
};

START_TEST(test_parse_option) {
  char *text = strdup(option_cases[_i].in);
  char *buffer = text;
  char got[256] = "";
  int status;
  char *key, *value;
  while ((status = parse_option(&buffer, &key, &value)) == 0) {
    char pair[128];
    snprintf(pair, sizeof(pair), "%s%s=%s", got[0] ? "|" : "", key, value);
    strncat(got, pair, sizeof(got) - strlen(got) - 1);
  }
  if (status != -ENOENT) {
    ck_assert_int_eq(status, -EINVAL);
    strncat(got, got[0] ? "|!" : "!", sizeof(got) - strlen(got) - 1);
  }
  ck_assert_msg(strcmp(got, option_cases[_i].out) == 0,
                "parse_option(%s) = \"%s\", expected \"%s\"",
                option_cases[_i].in, got, option_cases[_i].out);
  free(text);
}
END_TEST

START_TEST(test_parse_string) {
  char text[] = "  word \"two words\" \"x\"y";
  char *buffer = text, *s;
  ck_assert_int_eq(parse_string(&buffer, &s), 0);
  ck_assert_str_eq(s, "word");
  ck_assert_int_eq(parse_string(&buffer, &s), 0);
  ck_assert_str_eq(s, "two words");
  ck_assert_int_eq(parse_string(&buffer, &s), -EINVAL);

  char blank[] = " \t ";
  buffer = blank;
  ck_assert_int_eq(parse_string(&buffer, &s), -ENOENT);
}
END_TEST

/* ---- the table and dispatch ---------------------------------------------- */

START_TEST(test_dispatch_basics) {
  ck_reply("", ""); /* no reply, as 5.12 */
  ck_reply("   ", "-1 Missing command.\n");
  ck_reply("FOO", "-1 Unknown command: FOO\n");
  ck_reply("FOO bar baz", "-1 Unknown command: FOO\n");
  ck_reply("\"LISTVAL\"", "-1 Unknown command: \"LISTVAL\"\n");
  ck_reply("GETTHRESHOLD a/b/c", "-1 Unknown command: GETTHRESHOLD\n");
  ck_reply("lIsTvAl", "0 Values found\n");
  ck_reply("  \tLISTVAL  ", "0 Values found\n");
  ck_reply("GETVAL \"unterminated", "-1 Unterminated quoted string.\n");
  ck_reply("GETVAL \"x\\", "-1 Backslash at end of string.\n");
  /* The raw command sees its text unsplit (and reports its own errors). */
  ck_reply("PUTNOTIF \"unterminated", "-1 Malformed option.\n");
}
END_TEST

START_TEST(test_lookup) {
  const char *verbs[] = {"FLUSH", "GETVAL", "LISTVAL", "PUTNOTIF", "PUTVAL"};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(verbs); i++) {
    const cmd_def_t *def = cmd_lookup(verbs[i]);
    ck_assert_ptr_nonnull(def);
    ck_assert_str_eq(def->verb, verbs[i]);
    ck_assert_ptr_nonnull(def->handler);
    ck_assert_ptr_nonnull(def->help);
    ck_assert_int_eq(def->flags & CMD_PLUGIN_CONTROL, 0);
  }
  ck_assert_ptr_nonnull(cmd_lookup("putval"));
  ck_assert_ptr_null(cmd_lookup("HELP"));
  ck_assert_ptr_null(cmd_lookup(""));
}
END_TEST

/* A table of test commands for the dispatcher's own rules. */
static int handle_echo(cmd_writer_t *w, cmd_args_t *args,
                       const cmd_options_t *opts) {
  if (args->raw != NULL)
    return cmd_reply(w, 0, "raw <%s>", args->raw);
  cmd_reply(w, (int)args->argc, "fields");
  for (size_t i = 0; i < args->argc; i++)
    cmd_reply_line(w, "<%s>", args->argv[i]);
  return 0;
}
static int handle_silent(cmd_writer_t *w, cmd_args_t *args,
                         const cmd_options_t *opts) {
  return -ENOSYS;
}
static int handle_long(cmd_writer_t *w, cmd_args_t *args,
                       const cmd_options_t *opts) {
  char big[3000];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  cmd_reply_line(w, "%s", big);            /* lines are not cut... */
  return cmd_error(w, -EINVAL, "%s", big); /* ...status lines are */
}
static const cmd_def_t test_table[] = {
    {.verb = "ECHO", .handler = handle_echo, .help = "ECHO ..."},
    {.verb = "RAW", .handler = handle_echo, .flags = CMD_RAW_ARGS},
    {.verb = "LOAD",
     .handler = handle_echo,
     .flags = CMD_PLUGIN_CONTROL | CMD_RAW_ARGS},
    {.verb = "SILENT", .handler = handle_silent},
    {.verb = "LONG", .handler = handle_long},
};

static char *run_table(const char *line, bool plugin_control) {
  char *out = NULL;
  size_t len = 0;
  FILE *fh = open_memstream(&out, &len);
  cmd_writer_t w;
  cmd_writer_init_file(&w, fh);
  char *copy = strdup(line);
  cmd_options_t opts = {.plugin_control = plugin_control};
  cmd__dispatch_table(test_table, STATIC_ARRAY_SIZE(test_table), &w, copy,
                      &opts);
  free(copy);
  cmd_writer_flush(&w);
  fclose(fh);
  return out;
}

START_TEST(test_dispatch_table_rules) {
  char *out = run_table("echo a \"b c\"", false);
  ck_assert_str_eq(out, "2 fields\n<a>\n<b c>\n");
  free(out);

  out = run_table("RAW  a \"b c", false);
  ck_assert_str_eq(out, "0 raw < a \"b c>\n");
  free(out);

  out = run_table("LOAD cpu", false);
  ck_assert_str_eq(out, "-1 LOAD is disabled: it needs \"PluginControl "
                        "true\" in the <Plugin unixsock> block.\n");
  free(out);
  out = run_table("LOAD cpu", true);
  ck_assert_str_eq(out, "0 raw <cpu>\n");
  free(out);

  out = run_table("SILENT", false);
  ck_assert_str_eq(out, "-1 Internal error: SILENT sent no reply.\n");
  free(out);

  /* A status message is cut where 5.12 cuts it. */
  out = run_table("LONG", false);
  char *second = strchr(out, '\n') + 1;
  ck_assert_uint_eq(second - out, 3000);
  ck_assert_uint_eq(strlen(second), strlen("-1 ") + CMD_MESSAGE_MAX + 1);
  free(out);
}
END_TEST

/* ---- the descriptor writer ----------------------------------------------- */

START_TEST(test_fd_writer) {
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  cmd_writer_t w;
  cmd_writer_init_fd(&w, sv[0]);
  cmd_reply(&w, 2, "Values found");
  for (int i = 0; i < 2000; i++) /* more than the buffer holds */
    cmd_reply_line(&w, "line %d", i);
  ck_assert_int_eq(cmd_writer_flush(&w), 0);
  ck_assert_uint_eq(w.replies, 1);

  char buf[65536];
  size_t got = 0;
  ssize_t n;
  buf[0] = '\0';
  while (strstr(buf, "line 1999\n") == NULL &&
         (n = read(sv[1], buf + got, sizeof(buf) - got - 1)) > 0) {
    got += (size_t)n;
    buf[got] = '\0';
  }
  ck_assert(strncmp(buf, "2 Values found\nline 0\nline 1\n", 28) == 0);
  ck_assert_ptr_nonnull(strstr(buf, "line 1999\n"));

  /* The reader is gone: what is written is dropped, no error, and nothing
   * raises SIGPIPE. */
  close(sv[1]);
  ck_assert(!w.gone);
  cmd_reply(&w, 0, "Success");
  ck_assert_int_eq(cmd_writer_flush(&w), 0);
  ck_assert(w.gone);
  cmd_reply(&w, 0, "Success");
  ck_assert_int_eq(cmd_writer_flush(&w), 0);
  ck_assert_uint_eq(w.replies, 3);
  close(sv[0]);
}
END_TEST

START_TEST(test_fd_writer_timeout) {
  /* A reader that never reads: once nothing went out for the stall
   * timeout, the writer fails. */
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  cmd_writer_t w;
  cmd_writer_init_fd(&w, sv[0]);
  w.stall_timeout = MS_TO_CDTIME_T(200);
  int status = 0;
  for (int i = 0; i < 100000 && status == 0; i++) {
    cmd_reply(&w, 0, "Success: 1 value has been dispatched.");
    status = cmd_writer_flush(&w);
  }
  ck_assert_int_eq(status, -ETIMEDOUT);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_parse");

  TCase *tc = tcase_create("parsers");
  tcase_set_timeout(tc, 10);
  tcase_add_loop_test(tc, test_split, 0, STATIC_ARRAY_SIZE(split_cases));
  tcase_add_test(tc, test_split_many_fields);
  tcase_add_test(tc, test_split_option);
  tcase_add_loop_test(tc, test_parse_option, 0,
                      STATIC_ARRAY_SIZE(option_cases));
  tcase_add_test(tc, test_parse_string);
  suite_add_tcase(s, tc);

  tc = test_cmds_tcase("dispatch");
  tcase_add_test(tc, test_dispatch_basics);
  tcase_add_test(tc, test_lookup);
  tcase_add_test(tc, test_dispatch_table_rules);
  suite_add_tcase(s, tc);

  tc = tcase_create("writer");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_fd_writer);
  tcase_add_test(tc, test_fd_writer_timeout);
  suite_add_tcase(s, tc);

  return check_main_run(s);
}
