/* LOAD, UNLOAD, RELOAD and LISTPLUGINS against a fake core: what each
 * command hands to plugin_control.h and how it words the core's answers.
 *
 * The plugin_control_* functions below replace the core's. libcore.la is a
 * static convenience archive, and the linker takes an archive member only
 * for a symbol still undefined. Besides the four commands, plugin_control.c
 * defines what the daemon's main() calls (plugin_control_stop(),
 * plugin_control_failure_shutdown()) and two functions the core itself
 * calls, which are stubbed here (never called: no plugin fails in this
 * test), so its object is never pulled in. Were something in libcore to
 * call into it otherwise, the link would fail on duplicate symbols rather
 * than test the real core. */
#include "cmds_fixture.h"

#include "config_reload.h"
#include "plugin_control.h"

/* ---- the fake core ------------------------------------------------------- */

static struct {
  /* What the handler asked for: the function and the name. */
  int calls;
  const char *called; /* "load", "unload", "reload", "list" */
  char name[256];

  /* What the fake answers. */
  int status;
  const char *msg;
  const plugin_info_t *plugins;
  size_t plugins_num;
} fake;

static int fake_control(const char *fn, const char *name, char *msg,
                        size_t msg_len) {
  fake.calls++;
  fake.called = fn;
  sstrncpy(fake.name, name, sizeof(fake.name));
  if (fake.msg != NULL)
    sstrncpy(msg, fake.msg, msg_len);
  return fake.status;
}

int plugin_control_load(const char *name, char *msg, size_t msg_len) {
  return fake_control("load", name, msg, msg_len);
}

int plugin_control_unload(const char *name, char *msg, size_t msg_len) {
  return fake_control("unload", name, msg, msg_len);
}

int plugin_control_reload(const char *name, char *msg, size_t msg_len) {
  return fake_control("reload", name, msg, msg_len);
}

int plugin_control_list(plugin_info_t **ret, size_t *ret_num) {
  fake.calls++;
  fake.called = "list";
  if (fake.status != 0)
    return fake.status;
  /* The caller frees the array, as it would the core's. */
  *ret = NULL;
  if (fake.plugins_num > 0) {
    *ret = calloc(fake.plugins_num, sizeof(**ret));
    ck_assert_ptr_nonnull(*ret);
    memcpy(*ret, fake.plugins, fake.plugins_num * sizeof(**ret));
  }
  *ret_num = fake.plugins_num;
  return 0;
}

/* Called by the core's restart thread and plugin hosts, neither of which
 * runs here. */
int plugin_control_restart(const char *name, unsigned number, cdtime_t delay,
                           cdtime_t failed_at, char *msg, size_t msg_len) {
  (void)number, (void)delay, (void)failed_at;
  return fake_control("restart", name, msg, msg_len);
}
void plugin_control_failure_policy(const char *name) { (void)name; }
/* Asked by the start-up (configfile.c), which does not run here. */
bool plugin_control_start_refused(void) { return false; }

/* The reload of the whole configuration (config_reload.c, which calls into
 * plugin_control.c): faked whole, for the same reason. */
static config_reload_t fake_reload;
static int fake_reload_status;
int config_reload_all(config_reload_t *r) {
  fake.calls++;
  fake.called = "reload_all";
  *r = fake_reload;
  return fake_reload_status;
}
void config_reload_free(config_reload_t *r) { (void)r; }
const char *config_outcome_name(config_outcome_t o) {
  return o == CONFIG_RELOADED ? "reloaded" : "unchanged";
}
void config_reload_summary(const config_reload_t *r, char *buf, size_t len) {
  snprintf(buf, len, "%zu changes", r->num);
}

static void fake_reset(void) {
  memset(&fake, 0, sizeof(fake));
  memset(&fake_reload, 0, sizeof(fake_reload));
  fake_reload_status = 0;
}

static const cmd_options_t control_on = {.plugin_control = true};

/* The reply to `line` with PluginControl on is exactly `expected`. */
#define ck_control(line, expected)                                             \
  do {                                                                         \
    char *ck__got = test_cmds_run_opts(line, &control_on);                     \
    ck_assert_msg(strcmp(ck__got, (expected)) == 0,                            \
                  "%s\n  replied: \"%s\"\n  expected: \"%s\"", (line),         \
                  ck__got, (expected));                                        \
    free(ck__got);                                                             \
  } while (0)

/* The three commands that take a name, for loop tests. */
static const struct {
  const char *verb;
  const char *fn;
} verbs[] = {
    {"LOAD", "load"},
    {"UNLOAD", "unload"},
    {"RELOAD", "reload"},
};

/* ---- off without PluginControl ------------------------------------------- */

START_TEST(test_disabled) {
  const char *lines[] = {"LOAD cpu", "UNLOAD cpu", "RELOAD cpu",
                         "LISTPLUGINS", "load cpu"};
  const char *replies[] = {"LOAD", "UNLOAD", "RELOAD", "LISTPLUGINS", "LOAD"};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(lines); i++) {
    char want[256];
    snprintf(want, sizeof(want),
             "-1 %s is disabled: it needs \"PluginControl true\" in the "
             "<Plugin unixsock> block.\n",
             replies[i]);
    ck_reply(lines[i], want);
  }
  ck_assert_int_eq(fake.calls, 0);
}
END_TEST

/* ---- LOAD, UNLOAD, RELOAD ------------------------------------------------ */

START_TEST(test_verb_success) {
  const char *verb = verbs[_i].verb;
  char line[64];
  snprintf(line, sizeof(line), "%s cpu", verb);
  fake.msg = "cpu: ready";
  ck_control(line, "0 cpu: ready\n");
  ck_assert_int_eq(fake.calls, 1);
  ck_assert_str_eq(fake.called, verbs[_i].fn);
  ck_assert_str_eq(fake.name, "cpu");

  /* The verb in any case, blanks around the name. */
  char lower[64];
  for (size_t i = 0; verb[i] != '\0'; i++)
    lower[i] = (char)tolower((unsigned char)verb[i]);
  lower[strlen(verb)] = '\0';
  snprintf(line, sizeof(line), "  %s \t memory  ", lower);
  ck_control(line, "0 cpu: ready\n");
  ck_assert_int_eq(fake.calls, 2);
  ck_assert_str_eq(fake.called, verbs[_i].fn);
  ck_assert_str_eq(fake.name, "memory");
}
END_TEST

START_TEST(test_verb_failure) {
  char line[64];
  snprintf(line, sizeof(line), "%s test_config_fail", verbs[_i].verb);
  fake.status = -EINVAL;
  fake.msg = "test_config_fail: config: /tmp/x/collectd.conf:14: option "
             "\"Fail\" was rejected";
  ck_control(line, "-1 test_config_fail: config: /tmp/x/collectd.conf:14: "
                   "option \"Fail\" was rejected\n");
  ck_assert_str_eq(fake.called, verbs[_i].fn);
  ck_assert_str_eq(fake.name, "test_config_fail");

  /* The handler returns the core's status, too. */
  char *copy = strdup(line);
  char *out = NULL;
  size_t out_len = 0;
  FILE *fh = open_memstream(&out, &out_len);
  cmd_writer_t w;
  cmd_writer_init_file(&w, fh);
  fake.status = -EBUSY;
  ck_assert_int_eq(cmd_dispatch(&w, copy, &control_on), -EBUSY);
  cmd_writer_flush(&w);
  fclose(fh);
  free(out);
  free(copy);
}
END_TEST

/* A core that wrote no message still gets a reply that names the plugin. */
START_TEST(test_verb_no_message) {
  char line[64];
  snprintf(line, sizeof(line), "%s cpu", verbs[_i].verb);
  char want[128];
  snprintf(want, sizeof(want), "0 cpu: %s done.\n", verbs[_i].verb);
  ck_control(line, want);
  fake.status = -ENOENT;
  snprintf(want, sizeof(want), "-1 cpu: %s failed: No such file or directory\n",
           verbs[_i].verb);
  ck_control(line, want);
  /* A status the contract does not allow is a failure, not a success. */
  fake.status = 3;
  fake.msg = "cpu: odd";
  ck_control(line, "-1 cpu: odd\n");
}
END_TEST

START_TEST(test_verb_argument_count) {
  const char *verb = verbs[_i].verb;
  char want[160];
  snprintf(want, sizeof(want),
           "-1 %s takes exactly one argument. Usage: %s <plugin>\n", verb,
           verb);
  if (strcmp(verb, "RELOAD") == 0)
    snprintf(want, sizeof(want),
             "-1 RELOAD takes one plugin name, or none for the whole "
             "configuration. Usage: RELOAD [<plugin>]\n");
  char line[64];
  /* RELOAD without a name is the whole configuration (below). */
  if (strcmp(verb, "RELOAD") != 0) {
    snprintf(line, sizeof(line), "%s", verb);
    ck_control(line, want);
    snprintf(line, sizeof(line), "%s   ", verb);
    ck_control(line, want);
  }
  snprintf(line, sizeof(line), "%s cpu memory", verb);
  ck_control(line, want);
  snprintf(line, sizeof(line), "%s \"cpu\" \"\"", verb);
  ck_control(line, want);
  ck_assert_int_eq(fake.calls, 0);
}
END_TEST

/* Quoting is the protocol's, and the name goes to the core as it came:
 * judging it is the core's business. */
START_TEST(test_names_passed_through) {
  fake.status = -EINVAL;
  fake.msg = "name: not a plain plugin name";
  const struct {
    const char *line;
    const char *name;
  } cases[] = {
      {"LOAD \"cpu\"", "cpu"},
      {"LOAD \"my plugin\"", "my plugin"},
      {"LOAD \"a\\\"b\"", "a\"b"},
      {"LOAD \"\"", ""},
      {"LOAD ../x", "../x"},
      {"LOAD /usr/lib/collectd/cpu.so", "/usr/lib/collectd/cpu.so"},
      {"UNLOAD x\"y z\"", "xy z"},
  };
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(cases); i++) {
    fake.name[0] = '\0';
    ck_control(cases[i].line, "-1 name: not a plain plugin name\n");
    ck_assert_str_eq(fake.name, cases[i].name);
  }
  ck_assert_int_eq(fake.calls, (int)STATIC_ARRAY_SIZE(cases));

  /* Broken quoting never reaches the core. */
  ck_control("LOAD \"cpu", "-1 Unterminated quoted string.\n");
  ck_assert_int_eq(fake.calls, (int)STATIC_ARRAY_SIZE(cases));
}
END_TEST

/* A line break in the core's message cannot split the reply in two. */
START_TEST(test_message_one_line) {
  fake.msg = "cpu: init: first\nsecond\r";
  fake.status = -EIO;
  ck_control("RELOAD cpu", "-1 cpu: init: first second \n");
}
END_TEST

/* ---- LISTPLUGINS --------------------------------------------------------- */

START_TEST(test_listplugins_none) {
  ck_control("LISTPLUGINS", "0 Plugins loaded\n");
  ck_assert_str_eq(fake.called, "list");
}
END_TEST

START_TEST(test_listplugins_states) {
  const plugin_info_t plugins[] = {
      {.name = "logfile", .state = "ready", .unloadable = true},
      {.name = "cpu", .state = "ready", .unloadable = false},
      {.name = "test_config_fail",
       .state = "failed",
       .unloadable = true,
       .failed_step = "config",
       .failed_reason = "/tmp/x/collectd.conf:14: option \"Fail\" was "
                        "rejected"},
      {.name = "test_init_fail",
       .state = "failed",
       .unloadable = false,
       .failed_step = "init",
       .failed_reason = "returned -5\n(and more)"},
      {.name = "slow", .state = "unloading", .unloadable = true},
      /* A reason is shown for a failed plugin only. */
      {.name = "loading_one",
       .state = "loading",
       .failed_step = "x",
       .failed_reason = "y"},
  };
  fake.plugins = plugins;
  fake.plugins_num = STATIC_ARRAY_SIZE(plugins);
  ck_control("listplugins",
             "6 Plugins loaded\n"
             "logfile ready unloadable\n"
             "cpu ready legacy\n"
             "test_config_fail failed unloadable config: "
             "/tmp/x/collectd.conf:14: option \"Fail\" was rejected\n"
             "test_init_fail failed legacy init: returned -5 (and more)\n"
             "slow unloading unloadable\n"
             "loading_one loading legacy\n");

  fake.plugins_num = 1;
  ck_control("LISTPLUGINS", "1 Plugin loaded\nlogfile ready unloadable\n");
}
END_TEST

/* Isolated plugins show their host's pid; under OnPluginFailure Restart
 * the restart count follows the kind, before a failure's step. */
START_TEST(test_listplugins_isolated_restarts) {
  const plugin_info_t plugins[] = {
      {.name = "cpu", .state = "ready", .isolated = true, .host_pid = 4711},
      {.name = "load",
       .state = "failed",
       .isolated = true,
       .restart = true,
       .restarts = 3,
       .failed_step = "host",
       .failed_reason = "host process died: signal 11 (Segmentation fault)"},
      {.name = "memory", .state = "ready", .unloadable = true,
       .restart = true},
      /* A count without the policy (not produced by the core) is not
       * shown. */
      {.name = "swap", .state = "ready", .unloadable = true, .restarts = 2},
  };
  fake.plugins = plugins;
  fake.plugins_num = STATIC_ARRAY_SIZE(plugins);
  ck_control("LISTPLUGINS",
             "4 Plugins loaded\n"
             "cpu ready isolated pid=4711\n"
             "load failed isolated pid=- restarts=3 host: host process died: "
             "signal 11 (Segmentation fault)\n"
             "memory ready unloadable restarts=0\n"
             "swap ready unloadable\n");
}
END_TEST

START_TEST(test_listplugins_errors) {
  ck_control("LISTPLUGINS x", "-1 Garbage after end of command: `x'.\n");
  ck_control("LISTPLUGINS \"a b\" c",
             "-1 Garbage after end of command: `a b'.\n");
  ck_assert_int_eq(fake.calls, 0);
  fake.status = -ENOMEM;
  ck_control("LISTPLUGINS",
             "-1 Listing the plugins failed: Cannot allocate memory\n");
}
END_TEST

/* RELOAD without a name: the summary, a line per plugin (its message if
 * it has one), a line per global option that needs a restart. */
START_TEST(test_reload_all) {
  config_change_t changes[] = {
      {.name = "cpu", .outcome = CONFIG_RELOADED, .msg = "cpu: reloaded"},
      {.name = "load", .outcome = CONFIG_UNCHANGED},
  };
  fake_reload.changes = changes;
  fake_reload.num = 2;
  sstrncpy(fake_reload.restart, "Interval, TypesDB",
           sizeof(fake_reload.restart));
  fake_reload.restart_num = 2;
  ck_control("RELOAD", "4 Configuration reloaded: 2 changes\n"
                       "cpu reloaded: cpu: reloaded\n"
                       "load unchanged\n"
                       "Interval needs a restart\n"
                       "TypesDB needs a restart\n");
  ck_assert_str_eq(fake.called, "reload_all");
  fake_reload.restart[0] = '\0';
  fake_reload.restart_num = 0;
  fake_reload.num = 0;
  ck_control("reload  ", "0 Configuration reloaded: 0 changes\n");
}
END_TEST

START_TEST(test_reload_all_errors) {
  fake_reload_status = -EBUSY;
  sstrncpy(fake_reload.error, "busy: another reload is in progress",
           sizeof(fake_reload.error));
  ck_control("RELOAD", "-1 Configuration not reloaded: busy: another reload "
                       "is in progress\n");
  fake_reload_status = -EINVAL;
  sstrncpy(fake_reload.error, "/x.conf:3: syntax error; nothing changed",
           sizeof(fake_reload.error));
  ck_control("RELOAD", "-1 Configuration not reloaded: /x.conf:3: syntax "
                       "error; nothing changed\n");
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_lifecycle");

  TCase *tc = test_cmds_tcase("verbs");
  tcase_add_checked_fixture(tc, fake_reset, NULL);
  tcase_add_test(tc, test_disabled);
  size_t n = STATIC_ARRAY_SIZE(verbs);
  tcase_add_loop_test(tc, test_verb_success, 0, (int)n);
  tcase_add_loop_test(tc, test_verb_failure, 0, (int)n);
  tcase_add_loop_test(tc, test_verb_no_message, 0, (int)n);
  tcase_add_loop_test(tc, test_verb_argument_count, 0, (int)n);
  tcase_add_test(tc, test_names_passed_through);
  tcase_add_test(tc, test_message_one_line);
  suite_add_tcase(s, tc);

  tc = test_cmds_tcase("reload_all");
  tcase_add_checked_fixture(tc, fake_reset, NULL);
  tcase_add_test(tc, test_reload_all);
  tcase_add_test(tc, test_reload_all_errors);
  suite_add_tcase(s, tc);

  tc = test_cmds_tcase("listplugins");
  tcase_add_checked_fixture(tc, fake_reset, NULL);
  tcase_add_test(tc, test_listplugins_none);
  tcase_add_test(tc, test_listplugins_states);
  tcase_add_test(tc, test_listplugins_isolated_restarts);
  tcase_add_test(tc, test_listplugins_errors);
  suite_add_tcase(s, tc);

  return check_main_run(s);
}
