/* The types.db parser. */
#include "types_list.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static int parse(const char *text, data_set_t *ds, char *err) {
  char line[512];
  snprintf(line, sizeof(line), "%s", text);
  return types_parse_line(line, ds, err, 256);
}

START_TEST(test_valid_lines) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("if_octets rx:DERIVE:0:U, tx:DERIVE:0:U\n", &ds, err),
                   0);
  ck_assert_str_eq(ds.type, "if_octets");
  ck_assert_uint_eq(ds.ds_num, 2);
  ck_assert_str_eq(ds.ds[0].name, "rx");
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_DERIVE);
  ck_assert(ds.ds[0].min == 0.0);
  ck_assert(isnan(ds.ds[0].max));
  ck_assert_str_eq(ds.ds[1].name, "tx");
  free(ds.ds);

  ck_assert_int_eq(parse("percent\tvalue:GAUGE:0:100.1", &ds, err), 0);
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_GAUGE);
  ck_assert(ds.ds[0].max == 100.1);
  free(ds.ds);

  /* Blanks alone separate sources too (ib_octets in collectd's file). */
  ck_assert_int_eq(parse("ib_octets  rx:DERIVE:0:U tx:DERIVE:0:U", &ds, err),
                   0);
  ck_assert_uint_eq(ds.ds_num, 2);
  ck_assert_str_eq(ds.ds[1].name, "tx");
  free(ds.ds);

  ck_assert_int_eq(parse("c value:COUNTER:U:U,x:ABSOLUTE:-5:5", &ds, err), 0);
  ck_assert_int_eq(ds.ds[0].type, DS_TYPE_COUNTER);
  ck_assert_int_eq(ds.ds[1].type, DS_TYPE_ABSOLUTE);
  ck_assert(ds.ds[1].min == -5.0);
  free(ds.ds);
}
END_TEST

START_TEST(test_blank_and_comments) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("", &ds, err), 1);
  ck_assert_int_eq(parse("   \t\n", &ds, err), 1);
  ck_assert_int_eq(parse("# a comment", &ds, err), 1);
  ck_assert_int_eq(parse("load value:GAUGE:0:U # trailing", &ds, err), 0);
  ck_assert_uint_eq(ds.ds_num, 1);
  free(ds.ds);
}
END_TEST

START_TEST(test_bad_lines) {
  data_set_t ds;
  char err[256];
  ck_assert_int_eq(parse("lonely", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "no data sources"));
  ck_assert_int_eq(parse("t value:GAUGE:0", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "name:type:min:max"));
  ck_assert_int_eq(parse("t value:FLOAT:0:U", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "FLOAT"));
  ck_assert_int_eq(parse("t value:GAUGE:zero:U", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "zero"));
  /* No field at all: the message quotes the source as written. */
  ck_assert_int_eq(parse("t :::", &ds, err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "\":::\""));
}
END_TEST

static void check_file(const char *file) {
  ck_assert_msg(access(file, R_OK) == 0, "%s is missing", file);
  ck_assert_int_eq(read_types_list(file, NULL), 0);
  const data_set_t *ds = plugin_get_ds("if_octets");
  ck_assert_ptr_nonnull(ds);
  ck_assert_uint_eq(ds->ds_num, 2);
  ds = plugin_get_ds("load");
  ck_assert_ptr_nonnull(ds);
  ck_assert_uint_eq(ds->ds_num, 3);
  ck_assert_str_eq(ds->ds[2].name, "longterm");
  ck_assert_ptr_null(plugin_get_ds("certainly_not_a_type"));
  types_destroy_all();
  ck_assert_ptr_null(plugin_get_ds("load"));
}

START_TEST(test_our_types_db) {
  char path[PATH_MAX];
  const char *top = getenv("top_srcdir");
  snprintf(path, sizeof(path), "%s/src/types.db", top ? top : ".");
  check_file(path);
}
END_TEST

START_TEST(test_collectd_types_db) {
  /* Any collectd types.db must parse; Debian's is the peer's. */
  check_file("/usr/share/collectd/types.db");
  /* Its ib_octets separates the two sources with blanks only. */
  ck_assert_int_eq(read_types_list("/usr/share/collectd/types.db", NULL), 0);
  ck_assert_uint_eq(plugin_get_ds("ib_octets")->ds_num, 2);
  ck_assert_uint_eq(plugin_get_ds("ib_packets")->ds_num, 2);
  types_destroy_all();
}
END_TEST

START_TEST(test_missing_file) {
  ck_assert_int_eq(read_types_list("/nonexistent/types.db", NULL), -ENOENT);
  /* A directory opens, and fails when it is read. */
  ck_assert_int_eq(read_types_list("/", "t.conf:5"), -EISDIR);
}
END_TEST

/* Writes `len` bytes of `text` to a new file; returns its name. */
static char *types_file(const char *text, size_t len) {
  static char path[] = "/tmp/test_types.XXXXXX";
  snprintf(path, sizeof(path), "/tmp/test_types.XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
  close(fd);
  return path;
}

/* A line of any length is read whole: a wide type registers, and the
 * lines after it keep their numbers. A NUL byte is an error, not the end
 * of the line. */
START_TEST(test_long_lines_and_nul) {
  size_t sources = 800;
  char *text = malloc(sources * 24 + 64);
  ck_assert_ptr_nonnull(text);
  size_t n = (size_t)sprintf(text, "wide ");
  for (size_t i = 0; i < sources; i++)
    n += (size_t)sprintf(text + n, "%sv%zu:GAUGE:0:U", i ? "," : "", i);
  n += (size_t)sprintf(text + n, "\nafter value:GAUGE:0:U\n");
  char *path = types_file(text, n);
  ck_assert_uint_gt(n, 8192);
  ck_assert_int_eq(read_types_list(path, NULL), 0);
  ck_assert_uint_eq(plugin_get_ds("wide")->ds_num, sources);
  ck_assert_ptr_nonnull(plugin_get_ds("after"));
  unlink(path);
  types_destroy_all();

  /* Read up to the NUL, the line would be a good one. */
  static const char nul[] = "first value:GAUGE:0:U\n"
                            "second value:GAUGE:0:U\0, x:GAUGE:0:U\n";
  path = types_file(nul, sizeof(nul) - 1);
  ck_assert_int_eq(read_types_list(path, NULL), -EINVAL);
  ck_assert_ptr_nonnull(plugin_get_ds("first"));
  ck_assert_ptr_null(plugin_get_ds("second"));
  unlink(path);
  types_destroy_all();
  free(text);
}
END_TEST

START_TEST(test_register_replace_unregister) {
  data_source_t a = {.name = "a", .type = DS_TYPE_GAUGE};
  data_source_t b[2] = {{.name = "x", .type = DS_TYPE_DERIVE},
                        {.name = "y", .type = DS_TYPE_DERIVE}};
  data_set_t one = {.type = "mine", .ds_num = 1, .ds = &a};
  data_set_t two = {.type = "mine", .ds_num = 2, .ds = b};
  ck_assert_int_eq(plugin_register_data_set(&one), 0);
  ck_assert_uint_eq(plugin_get_ds("MINE")->ds_num, 1);
  ck_assert_int_eq(plugin_register_data_set(&two), 0);
  ck_assert_uint_eq(plugin_get_ds("mine")->ds_num, 2);
  ck_assert_int_eq(plugin_unregister_data_set("mine"), 0);
  ck_assert_ptr_null(plugin_get_ds("mine"));
  ck_assert_int_eq(plugin_unregister_data_set("mine"), -ENOENT);
  types_destroy_all();
}
END_TEST

/* ---- owners: who registered a type, and what stays when they go --------- */

/* Registers `type` with one GAUGE source named `source`, as `owner` would
 * from one of its callbacks (NULL: the core, as for types.db). */
static int reg(plugin_t *owner, const char *type, const char *source) {
  data_source_t src = {.type = DS_TYPE_GAUGE, .min = 0, .max = NAN};
  sstrncpy(src.name, source, sizeof(src.name));
  data_set_t ds = {.ds_num = 1, .ds = &src};
  sstrncpy(ds.type, type, sizeof(ds.type));
  plugin_thread_ctx_t saved =
      plugin__enter(owner, owner != NULL ? owner->ctx : (plugin_ctx_t){0});
  int status = plugin_register_data_set(&ds);
  plugin__leave(saved);
  return status;
}

static int unreg(plugin_t *owner, const char *type) {
  plugin_thread_ctx_t saved =
      plugin__enter(owner, owner != NULL ? owner->ctx : (plugin_ctx_t){0});
  int status = plugin_unregister_data_set(type);
  plugin__leave(saved);
  return status;
}

/* The name of the first source of the definition of `type` in force, or
 * "(none)". */
static const char *source_of(const char *type) {
  const data_set_t *ds = plugin_get_ds(type);
  return ds != NULL ? ds->ds[0].name : "(none)";
}

static plugin_t *record(const char *name) {
  plugin_t *p = NULL;
  ck_assert_int_eq(plugin__record_create(name, &p), 0);
  return p;
}

/* Each row: two plugins register the type over types.db's definition (or
 * over none), with the same source or different ones, and go in either
 * order. After each goes, the definition in force is the one registered
 * last by whoever is still there; a definition hidden by a later one whose
 * owner goes first never comes back (rows 2 and 4: a goes while hidden). */
static const struct {
  bool core;              /* types.db defines the type first */
  const char *a_src, *b_src;
  bool b_goes_first;
  const char *after_first, *after_both;
} owner_rows[] = {
    {false, "v", "v", false, "v", "(none)"},
    {false, "v", "v", true, "v", "(none)"},
    {false, "a", "b", false, "b", "(none)"},
    {false, "a", "b", true, "a", "(none)"},
    {true, "a", "b", false, "b", "core"},
    {true, "a", "b", true, "a", "core"},
    {true, "core", "core", false, "core", "core"},
};

START_TEST(test_two_owners) {
  plugin_t *a = record("owner_a");
  plugin_t *b = record("owner_b");
  if (owner_rows[_i].core)
    ck_assert_int_eq(reg(NULL, "shared", "core"), 0);
  ck_assert_int_eq(reg(a, "shared", owner_rows[_i].a_src), 0);
  ck_assert_int_eq(reg(b, "shared", owner_rows[_i].b_src), 0);
  ck_assert_str_eq(source_of("shared"), owner_rows[_i].b_src);

  plugin_t *first = owner_rows[_i].b_goes_first ? b : a;
  plugin_t *second = owner_rows[_i].b_goes_first ? a : b;
  types_remove_owner(first);
  plugin__record_destroy(first);
  ck_assert_str_eq(source_of("shared"), owner_rows[_i].after_first);
  types_remove_owner(second);
  plugin__record_destroy(second);
  ck_assert_str_eq(source_of("shared"), owner_rows[_i].after_both);
  types_destroy_all();
}
END_TEST

/* A plugin registering a type again replaces its own registration: one
 * removal takes it away. */
START_TEST(test_same_owner_twice) {
  plugin_t *a = record("owner_a");
  ck_assert_int_eq(reg(NULL, "shared", "core"), 0);
  ck_assert_int_eq(reg(a, "shared", "first"), 0);
  ck_assert_int_eq(reg(a, "shared", "second"), 0);
  ck_assert_str_eq(source_of("shared"), "second");
  types_remove_owner(a);
  ck_assert_str_eq(source_of("shared"), "core");
  plugin__record_destroy(a);
  types_destroy_all();
}
END_TEST

/* plugin_unregister_data_set() takes the caller's own registration away,
 * or, when it has none, the one in force. */
START_TEST(test_unregister_own) {
  plugin_t *a = record("owner_a");
  plugin_t *b = record("owner_b");
  ck_assert_int_eq(reg(a, "shared", "a"), 0);
  ck_assert_int_eq(reg(b, "shared", "b"), 0);
  ck_assert_int_eq(unreg(a, "shared"), 0);
  ck_assert_str_eq(source_of("shared"), "b");
  types_remove_owner(a); /* nothing of a's is left */
  ck_assert_str_eq(source_of("shared"), "b");
  ck_assert_int_eq(reg(a, "shared", "a"), 0);
  ck_assert_int_eq(unreg(NULL, "shared"), 0); /* the core has none */
  ck_assert_str_eq(source_of("shared"), "b");
  ck_assert_int_eq(unreg(NULL, "shared"), 0);
  ck_assert_str_eq(source_of("shared"), "(none)");
  ck_assert_int_eq(unreg(NULL, "shared"), -ENOENT);
  types_remove_owner(a);
  types_remove_owner(b);
  plugin__record_destroy(a);
  plugin__record_destroy(b);
  types_destroy_all();
}
END_TEST

/* Loading and unloading a plugin over and over does not allocate a new
 * definition each time: an identical definition is the one handed out
 * before, which is still valid (a queued value may point at it). A
 * different definition is a different one. */
START_TEST(test_identical_definitions_reused) {
  ck_assert_int_eq(reg(NULL, "base", "core"), 0);
  const data_set_t *first = NULL;
  for (int i = 0; i < 3; i++) {
    plugin_t *a = record("owner_a");
    ck_assert_int_eq(reg(a, "cycled", "v"), 0);
    ck_assert_int_eq(reg(a, "base", "a"), 0);
    const data_set_t *ds = plugin_get_ds("cycled");
    ck_assert_ptr_nonnull(ds);
    if (first == NULL)
      first = ds;
    ck_assert_ptr_eq(ds, first);
    types_remove_owner(a);
    plugin__record_destroy(a);
    ck_assert_ptr_null(plugin_get_ds("cycled"));
    ck_assert_str_eq(first->type, "cycled"); /* still readable */
    ck_assert_str_eq(first->ds[0].name, "v");
    ck_assert_str_eq(source_of("base"), "core");
  }
  /* Same sources under another name, or another source: not the same. */
  ck_assert_int_eq(reg(NULL, "cycled2", "v"), 0);
  ck_assert_ptr_ne(plugin_get_ds("cycled2"), first);
  ck_assert_int_eq(reg(NULL, "cycled", "w"), 0);
  ck_assert_ptr_ne(plugin_get_ds("cycled"), first);
  ck_assert_int_eq(reg(NULL, "cycled", "v"), 0);
  ck_assert_ptr_eq(plugin_get_ds("cycled"), first);
  types_destroy_all();
}
END_TEST

/* Lookups while a plugin comes and goes over and over, registering one of
 * two definitions each time: every definition a reader gets is whole and
 * one of those registered, and there are no more of them than distinct
 * definitions (the core's and the two), however many cycles ran. */
#define CHURN_CYCLES 2000
#define CHURN_READERS 2
static atomic_bool churn_done;

typedef struct {
  const data_set_t *seen[8];
  size_t seen_num;
  unsigned long bad;
  atomic_ulong hits;
} churn_result_t;

static void *churn_reader(void *arg) {
  churn_result_t *res = arg;
  while (!atomic_load(&churn_done)) {
    const data_set_t *ds = plugin_get_ds("churn");
    sched_yield();
    if (ds == NULL)
      continue;
    res->hits++;
    const char *name = ds->ds[0].name;
    if (strcmp(ds->type, "churn") != 0 || ds->ds_num != 1 ||
        (strcmp(name, "core") != 0 && strcmp(name, "x") != 0 &&
         strcmp(name, "y") != 0))
      res->bad++;
    size_t i = 0;
    while (i < res->seen_num && res->seen[i] != ds)
      i++;
    if (i == res->seen_num) {
      if (res->seen_num == STATIC_ARRAY_SIZE(res->seen))
        res->bad++; /* more definitions than can be told apart */
      else
        res->seen[res->seen_num++] = ds;
    }
  }
  return NULL;
}

START_TEST(test_lookups_while_owners_churn) {
  ck_assert_int_eq(reg(NULL, "churn", "core"), 0);
  atomic_store(&churn_done, false);
  pthread_t readers[CHURN_READERS];
  churn_result_t results[CHURN_READERS] = {0};
  for (int i = 0; i < CHURN_READERS; i++)
    ck_assert_int_eq(
        pthread_create(&readers[i], NULL, churn_reader, &results[i]), 0);

  /* The cycles start once every reader has found the core's definition. */
  for (int i = 0; i < CHURN_READERS; i++)
    while (atomic_load(&results[i].hits) == 0)
      sched_yield();
  for (int i = 0; i < CHURN_CYCLES; i++) {
    plugin_t *p = record("churner");
    ck_assert_int_eq(reg(p, "churn", i % 2 ? "x" : "y"), 0);
    types_remove_owner(p);
    plugin__record_destroy(p);
  }
  atomic_store(&churn_done, true);
  for (int i = 0; i < CHURN_READERS; i++) {
    pthread_join(readers[i], NULL);
    ck_assert_uint_eq(results[i].bad, 0);
    ck_assert_uint_le(results[i].seen_num, 3);
  }
  ck_assert_str_eq(source_of("churn"), "core");
  types_destroy_all();
}
END_TEST

int main(void) {
  Suite *s = suite_create("types_db");
  TCase *tc = tcase_create("parser");
  tcase_add_test(tc, test_valid_lines);
  tcase_add_test(tc, test_blank_and_comments);
  tcase_add_test(tc, test_bad_lines);
  tcase_add_test(tc, test_our_types_db);
  tcase_add_test(tc, test_collectd_types_db);
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_long_lines_and_nul);
  tcase_add_test(tc, test_register_replace_unregister);
  suite_add_tcase(s, tc);

  TCase *owners = tcase_create("owners");
  tcase_add_loop_test(owners, test_two_owners, 0,
                      (int)STATIC_ARRAY_SIZE(owner_rows));
  tcase_add_test(owners, test_same_owner_twice);
  tcase_add_test(owners, test_unregister_own);
  tcase_add_test(owners, test_identical_definitions_reused);
  tcase_add_test(owners, test_lookups_while_owners_churn);
  tcase_set_timeout(owners, 120);
  suite_add_tcase(s, owners);
  return check_main_run(s);
}
