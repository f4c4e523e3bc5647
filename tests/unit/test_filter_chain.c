/* Filter chains: building them from configuration text, refusing bad
 * configuration with file:line, and running values through them (rules,
 * jumps, return, stop, default targets, write to named plugins, plugins
 * that are not ready). The matches and targets used are registered here;
 * two write callbacks record what reaches them. */
#include "filter_chain.h"
#include "filter_chain/fc.h"
#include "plugin_internal.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

/* ---- what the writers saw ------------------------------------------------- */

#define TRACE_LEN 1024
static char trace[TRACE_LEN];

static void trace_add(const char *fmt, ...) {
  size_t used = strlen(trace);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(trace + used, sizeof(trace) - used, fmt, ap);
  va_end(ap);
}

/* "<writer>:<plugin>-<plugin instance> " for every value written. */
static int write_cb(const data_set_t *ds, const value_list_t *vl,
                    user_data_t *ud) {
  trace_add("%s:%s-%s ", (char *)ud->data, vl->plugin, vl->plugin_instance);
  return 0;
}

/* ---- test matches and targets ------------------------------------------------ */

/* match "plugin": <Match "plugin"> Is "name" </Match>; matches vl->plugin. */
static int plugin_create(const oconfig_item_t *ci, void **ud) {
  for (int i = 0; i < ci->children_num; i++)
    if (strcasecmp(ci->children[i].key, "Is") == 0)
      return cf_util_get_string(ci->children + i, (char **)ud);
  return -EINVAL; /* "Is" is required */
}
static int free_ud(void **ud) {
  free(*ud);
  return 0;
}
static int plugin_match(const data_set_t *ds, const value_list_t *vl,
                        notification_meta_t **meta, void **ud) {
  return strcmp(vl->plugin, *ud) == 0 ? FC_MATCH_MATCHES : FC_MATCH_NO_MATCH;
}

/* match "broken": always fails (negative), which counts as no match. */
static int broken_match(const data_set_t *ds, const value_list_t *vl,
                        notification_meta_t **meta, void **ud) {
  return -1;
}

/* target "mark": <Target "mark"> As "x" </Target>; sets the plugin
 * instance to x and notes "mark(x)" in the trace. */
static int mark_create(const oconfig_item_t *ci, void **ud) {
  *ud = NULL;
  for (int i = 0; i < ci->children_num; i++)
    if (strcasecmp(ci->children[i].key, "As") == 0)
      return cf_util_get_string(ci->children + i, (char **)ud);
  return -EINVAL;
}
static int mark_invoke(const data_set_t *ds, value_list_t *vl,
                       notification_meta_t **meta, void **ud) {
  trace_add("mark(%s) ", (char *)*ud);
  sstrncpy(vl->plugin_instance, *ud, sizeof(vl->plugin_instance));
  return FC_TARGET_CONTINUE;
}

/* A plugin record that owns the match "owned", to test readiness. */
static plugin_t *owner;

static void setup(void) {
  trace[0] = '\0';
  fc__init();
  ck_assert_int_eq(fc_register_match("plugin",
                                     (match_proc_t){.create = plugin_create,
                                                    .destroy = free_ud,
                                                    .match = plugin_match}),
                   0);
  ck_assert_int_eq(
      fc_register_match("broken", (match_proc_t){.match = broken_match}), 0);
  ck_assert_int_eq(fc_register_target("mark",
                                      (target_proc_t){.create = mark_create,
                                                      .destroy = free_ud,
                                                      .invoke = mark_invoke}),
                   0);
  ck_assert_int_eq(plugin__record_create("owner", &owner), 0);
  plugin_thread_ctx_t saved = plugin__enter(owner, owner->ctx);
  ck_assert_int_eq(fc_register_match("owned",
                                     (match_proc_t){.create = plugin_create,
                                                    .destroy = free_ud,
                                                    .match = plugin_match}),
                   0);
  plugin__leave(saved);
  plugin_register_write("w1", write_cb, &(user_data_t){.data = "w1"});
  plugin_register_write("w2", write_cb, &(user_data_t){.data = "w2"});
}

static void teardown(void) {
  ck_assert_int_eq(fc__publish(NULL, TIME_T_TO_CDTIME_T(1)), 0);
  fc__remove_owner(NULL);
  fc__remove_owner(owner);
  ck_assert_int_eq(atomic_load(&owner->callbacks), 0);
  plugin__record_destroy(owner);
  plugin_unregister_write("w1");
  plugin_unregister_write("w2");
}

/* ---- building ------------------------------------------------------------------- */

static oconfig_item_t *tree;

/* Builds chains from `text` (the <Chain> blocks and the two options). */
static int build(const char *text, fc_set_t **ret, char *err, size_t len) {
  char perr[256];
  oconfig_free(tree);
  tree = NULL;
  ck_assert_msg(oconfig_parse_string(text, "test.conf", &tree, perr,
                                     sizeof(perr)) == 0,
                "parse: %s", perr);
  fc_conf_t conf = {.pre_cache = "PreCache", .post_cache = "PostCache"};
  static oconfig_item_t *blocks[16];
  for (int i = 0; i < tree->children_num; i++) {
    oconfig_item_t *ci = tree->children + i;
    if (strcasecmp(ci->key, "Chain") == 0)
      blocks[conf.blocks_num++] = ci;
    else if (strcasecmp(ci->key, "PreCacheChain") == 0) {
      conf.pre_cache = ci->values[0].value.string;
      conf.pre_cache_set = true;
    } else if (strcasecmp(ci->key, "PostCacheChain") == 0) {
      conf.post_cache = ci->values[0].value.string;
      conf.post_cache_set = true;
    }
  }
  conf.blocks = blocks;
  return fc__build(&conf, ret, err, len);
}

/* Builds and puts to use; fails the test on error. */
static void use(const char *text) {
  fc_set_t *set;
  char err[512] = "";
  ck_assert_msg(build(text, &set, err, sizeof(err)) == 0, "build: %s", err);
  ck_assert_int_eq(fc__publish(set, TIME_T_TO_CDTIME_T(1)), 0);
}

/* Runs one value with plugin `plugin` the way the core does: the
 * pre-cache chain (false: dropped), then the post-cache chain or every
 * writer. */
static void dispatch(const char *plugin) {
  value_t v = {.gauge = 1};
  value_list_t vl = {.values = &v, .values_len = 1};
  sstrncpy(vl.plugin, plugin, sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  data_source_t dsrc = {.name = "value", .type = DS_TYPE_GAUGE};
  data_set_t ds = {.type = "gauge", .ds_num = 1, .ds = &dsrc};

  fc_set_t *pre = fc__pre_cache_acquire();
  if (pre != NULL) {
    bool keep = fc__pre_cache(pre, &ds, &vl);
    fc__release(pre);
    if (!keep) {
      trace_add("dropped:%s ", plugin);
      return;
    }
  }
  fc_set_t *post = fc__post_cache_acquire();
  if (post == NULL) {
    plugin_write(NULL, &ds, &vl);
    return;
  }
  fc__post_cache(post, &ds, &vl);
  fc__release(post);
}

static void expect(const char *want) {
  ck_assert_str_eq(trace, want);
  trace[0] = '\0';
}

START_TEST(test_no_chain_writes_everywhere) {
  use("");
  dispatch("a");
  expect("w1:a- w2:a- ");
}
END_TEST

START_TEST(test_rules_stop_and_default_targets) {
  use("<Chain \"PostCache\">\n"
      "  <Rule \"drop_a\">\n"
      "    <Match \"plugin\">\n      Is \"a\"\n    </Match>\n"
      "    Target \"stop\"\n"
      "  </Rule>\n"
      "  <Rule>\n"
      "    <Match \"plugin\">\n      Is \"b\"\n    </Match>\n"
      "    <Target \"mark\">\n      As \"b1\"\n    </Target>\n"
      "    <Target \"write\">\n      Plugin \"w2\"\n    </Target>\n"
      "  </Rule>\n"
      "  <Target \"write\">\n    Plugin \"w1\"\n  </Target>\n"
      "</Chain>\n");
  dispatch("a");
  expect("");
  /* b: marked, written to w2 by its rule, then to w1 by the default. */
  dispatch("b");
  expect("mark(b1) w2:b-b1 w1:b-b1 ");
  dispatch("c");
  expect("w1:c- ");
}
END_TEST

/* Falling off the end of a chain with rules and no write writes nothing
 * (collectd 5.12 does the same). */
START_TEST(test_end_without_write_writes_nothing) {
  use("<Chain \"PostCache\">\n"
      "  <Rule>\n    Match \"broken\"\n    Target \"stop\"\n  </Rule>\n"
      "</Chain>\n");
  dispatch("a");
  expect("");
}
END_TEST

START_TEST(test_jump_return_and_stop) {
  use("<Chain \"PostCache\">\n"
      "  <Rule>\n"
      "    <Target \"jump\">\n      Chain \"sub\"\n    </Target>\n"
      "    <Target \"mark\">\n      As \"after\"\n    </Target>\n"
      "  </Rule>\n"
      "  Target \"write\"\n"
      "</Chain>\n"
      "<Chain \"sub\">\n"
      "  <Rule>\n"
      "    <Match \"plugin\">\n      Is \"r\"\n    </Match>\n"
      "    Target \"return\"\n"
      "  </Rule>\n"
      "  <Rule>\n"
      "    <Match \"plugin\">\n      Is \"s\"\n    </Match>\n"
      "    Target \"stop\"\n"
      "  </Rule>\n"
      "  <Target \"mark\">\n    As \"sub_end\"\n  </Target>\n"
      "</Chain>\n");
  /* return: sub's default target is skipped, the caller goes on. */
  dispatch("r");
  expect("mark(after) w1:r-after w2:r-after ");
  /* stop in the chain jumped to stops everything. */
  dispatch("s");
  expect("");
  /* the end of sub: its default target, then back in the caller. */
  dispatch("x");
  expect("mark(sub_end) mark(after) w1:x-after w2:x-after ");
}
END_TEST

/* A return in the top chain ends the value's way: no default target. */
START_TEST(test_return_at_top) {
  use("<Chain \"PostCache\">\n"
      "  <Rule>\n    Target \"return\"\n  </Rule>\n"
      "  Target \"write\"\n"
      "</Chain>\n");
  dispatch("a");
  expect("");
}
END_TEST

START_TEST(test_pre_cache_stop) {
  use("PreCacheChain \"early\"\n"
      "<Chain \"early\">\n"
      "  <Rule>\n"
      "    <Match \"plugin\">\n      Is \"a\"\n    </Match>\n"
      "    Target \"stop\"\n"
      "  </Rule>\n"
      "  <Target \"mark\">\n    As \"pre\"\n  </Target>\n"
      "</Chain>\n");
  dispatch("a");
  expect("dropped:a ");
  dispatch("b");
  expect("mark(pre) w1:b-pre w2:b-pre ");
}
END_TEST

/* collectd 5.12 ignores an empty chain and a missing one alike. */
START_TEST(test_empty_or_missing_chain_is_none) {
  use("<Chain \"PostCache\">\n</Chain>\n");
  dispatch("a");
  expect("w1:a- w2:a- ");
  use("PostCacheChain \"nowhere\"\n");
  dispatch("b");
  expect("w1:b- w2:b- ");
}
END_TEST

/* A rule whose match belongs to a plugin that is not ready does not
 * match; the same rule matches once the plugin is ready. */
START_TEST(test_rule_of_plugin_not_ready) {
  use("<Chain \"PostCache\">\n"
      "  <Rule \"r\">\n"
      "    <Match \"owned\">\n      Is \"a\"\n    </Match>\n"
      "    Target \"stop\"\n"
      "  </Rule>\n"
      "  Target \"write\"\n"
      "</Chain>\n");
  dispatch("a"); /* owner is still loading */
  expect("w1:a- w2:a- ");
  ck_assert_int_eq(plugin__set_state(owner, PLUGIN_CONFIGURING), 0);
  ck_assert_int_eq(plugin__set_state(owner, PLUGIN_READY), 0);
  dispatch("a");
  expect("");
  ck_assert_int_eq(plugin__set_state(owner, PLUGIN_UNLOADING), 0);
  dispatch("a");
  expect("w1:a- w2:a- ");
  ck_assert_int_eq(atomic_load(&owner->calls), 0);

  char uses[256];
  ck_assert_uint_eq(fc__owner_uses(owner, uses, sizeof(uses)), 1);
  ck_assert_str_eq(uses,
                   "chain \"PostCache\" rule \"r\" (test.conf:3) uses its "
                   "match \"owned\"");
  ck_assert_uint_eq(fc__owner_uses(NULL, uses, sizeof(uses)), 2);
}
END_TEST

/* Each bad configuration, and the start of the message it must give. */
static const struct {
  const char *text;
  const char *error;
} bad[] = {
    {"<Chain \"c\">\n  <Rule>\n    Match \"nosuch\"\n    Target \"stop\"\n"
     "  </Rule>\n</Chain>\n",
     "test.conf:3: chain \"c\" rule #1: there is no match named \"nosuch\""},
    {"<Chain \"c\">\n  Target \"nosuch\"\n</Chain>\n",
     "test.conf:2: chain \"c\" (default target): there is no target named "
     "\"nosuch\""},
    {"<Chain \"c\">\n  <Rule \"r\">\n    Match \"broken\"\n  </Rule>\n"
     "</Chain>\n",
     "test.conf:2: chain \"c\" rule \"r\" has no target"},
    {"<Chain \"c\">\n  <Target \"jump\">\n    Chain \"gone\"\n  </Target>\n"
     "</Chain>\n",
     "test.conf:2: chain \"c\": target \"jump\" to chain \"gone\", which does "
     "not exist"},
    {"<Chain \"a\">\n  <Target \"jump\">\n    Chain \"b\"\n  </Target>\n"
     "</Chain>\n<Chain \"b\">\n  <Rule>\n    <Target \"jump\">\n"
     "      Chain \"a\"\n    </Target>\n  </Rule>\n</Chain>\n",
     "test.conf:8: target \"jump\" to chain \"a\" makes a loop"},
    {"<Chain \"a\">\n  <Target \"jump\">\n    Chain \"a\"\n  </Target>\n"
     "</Chain>\n",
     "test.conf:2: target \"jump\" to chain \"a\" makes a loop"},
    {"<Chain \"c\">\n  Target \"jump\"\n</Chain>\n",
     "test.conf:2: chain \"c\" (default target): the target \"jump\" "
     "rejected its configuration"},
    {"<Chain \"c\">\n  Foo \"bar\"\n</Chain>\n",
     "test.conf:2: chain \"c\": option \"Foo\" is not allowed"},
    {"<Chain \"c\">\n  <Rule>\n    Bar 1\n    Target \"stop\"\n  </Rule>\n"
     "</Chain>\n",
     "test.conf:3: chain \"c\" rule #1: option \"Bar\" is not allowed"},
    {"<Chain 5>\n</Chain>\n", "test.conf:1: <Chain> needs exactly one name"},
    {"<Chain \"c\">\n  <Rule>\n    <Match \"plugin\">\n    </Match>\n"
     "    Target \"stop\"\n  </Rule>\n</Chain>\n",
     "test.conf:3: chain \"c\" rule #1: the match \"plugin\" rejected its "
     "configuration"},
};

START_TEST(test_bad_configuration) {
  fc_set_t *set = (fc_set_t *)1;
  char err[512] = "";
  ck_assert_int_ne(build(bad[_i].text, &set, err, sizeof(err)), 0);
  ck_assert_ptr_null(set);
  ck_assert_msg(strncmp(err, bad[_i].error, strlen(bad[_i].error)) == 0,
                "got \"%s\", want \"%s...\"", err, bad[_i].error);
}
END_TEST

/* A second chain of the same name is taken (its elements created) but
 * never used: the first one is, as in collectd 5.12. */
START_TEST(test_duplicate_chain_first_wins) {
  use("<Chain \"PostCache\">\n"
      "  <Target \"mark\">\n    As \"first\"\n  </Target>\n"
      "  Target \"write\"\n"
      "</Chain>\n"
      "<Chain \"postcache\">\n"
      "  Target \"stop\"\n"
      "</Chain>\n");
  dispatch("a");
  expect("mark(first) w1:a-first w2:a-first ");
}
END_TEST

/* Built-in targets keep their names; a plugin cannot take them. */
START_TEST(test_builtin_names_taken) {
  ck_assert_int_eq(
      fc_register_target("stop", (target_proc_t){.invoke = mark_invoke}),
      -EEXIST);
  ck_assert_int_eq(
      fc_register_match("plugin", (match_proc_t){.match = plugin_match}),
      -EEXIST);
}
END_TEST

static void free_tree(void) {
  teardown();
  oconfig_free(tree);
  tree = NULL;
}

int main(void) {
  Suite *s = suite_create("filter_chain");
  TCase *tc = tcase_create("chains");
  tcase_add_checked_fixture(tc, setup, free_tree);
  tcase_add_test(tc, test_no_chain_writes_everywhere);
  tcase_add_test(tc, test_rules_stop_and_default_targets);
  tcase_add_test(tc, test_end_without_write_writes_nothing);
  tcase_add_test(tc, test_jump_return_and_stop);
  tcase_add_test(tc, test_return_at_top);
  tcase_add_test(tc, test_pre_cache_stop);
  tcase_add_test(tc, test_empty_or_missing_chain_is_none);
  tcase_add_test(tc, test_rule_of_plugin_not_ready);
  tcase_add_loop_test(tc, test_bad_configuration, 0,
                      (int)STATIC_ARRAY_SIZE(bad));
  tcase_add_test(tc, test_duplicate_chain_first_wins);
  tcase_add_test(tc, test_builtin_names_taken);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
