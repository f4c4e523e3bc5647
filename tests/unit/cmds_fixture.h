/* What the tests of the socket commands share: a core with a few types, a
 * value cache and a write thread, and a way to run one command line and
 * get its reply as a string. Each test program includes this once. */
#ifndef CMDS_FIXTURE_H
#define CMDS_FIXTURE_H

#include "plugin_internal.h"
#include "types_list.h"
#include "utils/cmds/cmds.h"
#include "utils/common/common.h"
#include "utils_cache.h"

#include "check_main.h"
#include <check.h>

/* Registers `type` with data sources "name:TYPE" (min 0 for counters and
 * derives, as types.db has them). */
static void test_cmds_type(const char *type, size_t num,
                           const char *const *names, const int *types) {
  data_source_t src[8];
  ck_assert_uint_le(num, 8);
  for (size_t i = 0; i < num; i++) {
    memset(src + i, 0, sizeof(src[i]));
    sstrncpy(src[i].name, names[i], sizeof(src[i].name));
    src[i].type = types[i];
    src[i].min = (types[i] == DS_TYPE_GAUGE) ? NAN : 0.0;
    src[i].max = NAN;
  }
  data_set_t ds = {.ds_num = num, .ds = src};
  sstrncpy(ds.type, type, sizeof(ds.type));
  ck_assert_int_eq(plugin_register_data_set(&ds), 0);
}

static void test_cmds_setup(void) {
  test_cmds_type("gauge", 1, (const char *[]){"value"},
                 (const int[]){DS_TYPE_GAUGE});
  test_cmds_type("derive", 1, (const char *[]){"value"},
                 (const int[]){DS_TYPE_DERIVE});
  test_cmds_type("counter", 1, (const char *[]){"value"},
                 (const int[]){DS_TYPE_COUNTER});
  test_cmds_type("absolute", 1, (const char *[]){"value"},
                 (const int[]){DS_TYPE_ABSOLUTE});
  test_cmds_type("if_octets", 2, (const char *[]){"rx", "tx"},
                 (const int[]){DS_TYPE_DERIVE, DS_TYPE_DERIVE});
  test_cmds_type("load", 3,
                 (const char *[]){"shortterm", "midterm", "longterm"},
                 (const int[]){DS_TYPE_GAUGE, DS_TYPE_GAUGE, DS_TYPE_GAUGE});
  hostname_set("testhost");
  interval_g = TIME_T_TO_CDTIME_T_STATIC(10);
  timeout_g = 2;
  ck_assert_int_eq(uc_init(), 0);
  ck_assert_int_eq(plugin__write_start(1), 0);
}

static void test_cmds_teardown(void) {
  plugin__write_stop(TIME_T_TO_CDTIME_T_STATIC(5));
  uc_shutdown();
  types_destroy_all();
}

/* Runs `line` through the command table with `opts`; returns every byte
 * written (malloc'ed). */
static inline char *test_cmds_run_opts(const char *line,
                                       const cmd_options_t *opts) {
  char *out = NULL;
  size_t out_len = 0;
  FILE *fh = open_memstream(&out, &out_len);
  ck_assert_ptr_nonnull(fh);
  cmd_writer_t w;
  cmd_writer_init_file(&w, fh);

  char *copy = strdup(line);
  cmd_dispatch(&w, copy, opts);
  free(copy);
  ck_assert_int_eq(cmd_writer_flush(&w), 0);
  fclose(fh);
  return out;
}

static inline char *test_cmds_run(const char *line) {
  return test_cmds_run_opts(line, &(cmd_options_t){0});
}

/* The reply to `line` is exactly `expected`. */
#define ck_reply(line, expected)                                               \
  do {                                                                         \
    char *ck__got = test_cmds_run(line);                                       \
    ck_assert_msg(strcmp(ck__got, (expected)) == 0,                            \
                  "%s\n  replied: \"%s\"\n  expected: \"%s\"", (line),         \
                  ck__got, (expected));                                        \
    free(ck__got);                                                             \
  } while (0)

/* The reply to `line` is one status line starting with `prefix`. */
#define ck_reply_prefix(line, prefix)                                          \
  do {                                                                         \
    char *ck__got = test_cmds_run(line);                                       \
    ck_assert_msg(strncmp(ck__got, (prefix), strlen(prefix)) == 0 &&           \
                      strchr(ck__got, '\n') == ck__got + strlen(ck__got) - 1,  \
                  "%s\n  replied: \"%s\"\n  expected: \"%s...\"", (line),      \
                  ck__got, (prefix));                                          \
    free(ck__got);                                                             \
  } while (0)

/* A test case with the core fixture, forked, with a timeout. */
static inline TCase *test_cmds_tcase(const char *name) {
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, test_cmds_setup, test_cmds_teardown);
  tcase_set_timeout(tc, 30);
  return tc;
}

#endif /* CMDS_FIXTURE_H */
