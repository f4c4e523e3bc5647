/* Include expansion: files, directories (order, recursion, hidden files),
 * patterns, Filter, includes inside blocks, and every way it must fail:
 * missing files, loops, the depth limit, broken included files.
 *
 * The static trees are under tests/unit/data/config/include and use
 * relative paths, which are relative to the working directory (as in
 * collectd), so each test runs there; CK_FORK keeps the chdir per test.
 * Trees that need loops, symlinks or long chains are built in a mkdtemp
 * directory and removed afterwards. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* fmemopen, nftw, setenv */
#endif

#include "configfile_include.h"

#include "check_main.h"
#include <check.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

#include "alloc_fail.h"

static void enter_data_dir(void) {
  char path[PATH_MAX];
  const char *top = getenv("top_srcdir");
  snprintf(path, sizeof(path), "%s/tests/unit/data/config/include",
           top != NULL ? top : ".");
  ck_assert_msg(chdir(path) == 0, "chdir %s: %s", path, strerror(errno));
}

/* Joins the keys and first values of `ci`'s children: "Key=value,...". */
static void summary(const oconfig_item_t *ci, char *buf, size_t size) {
  buf[0] = '\0';
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *c = &ci->children[i];
    char one[128];
    if (c->values_num > 0 && c->values[0].type == OCONFIG_TYPE_STRING)
      snprintf(one, sizeof(one), "%s%s=%s", i ? "," : "", c->key,
               c->values[0].value.string);
    else
      snprintf(one, sizeof(one), "%s%s", i ? "," : "", c->key);
    strncat(buf, one, size - strlen(buf) - 1);
  }
}

static oconfig_item_t *read_ok(const char *path, unsigned int flags) {
  char err[1024] = "";
  oconfig_item_t *root = NULL;
  int status = cf_include_read_flags(path, flags, &root, err, sizeof(err));
  ck_assert_msg(status == 0, "%s: %d %s", path, status, err);
  ck_assert_ptr_nonnull(root);
  return root;
}

static void assert_parents(const oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    ck_assert_ptr_eq(ci->children[i].parent, ci);
    assert_parents(&ci->children[i]);
  }
}

/* ---- temporary trees ---- */

/* The unchecked fixture makes base_dir in the parent process and removes it
 * after the test case, whatever the tests did; each test works in its own
 * directory below it (tmpdir). */
static char base_dir[200];

static void make_base_dir(void) {
  const char *t = getenv("TMPDIR");
  snprintf(base_dir, sizeof(base_dir), "%s/test_include.XXXXXX",
           t != NULL ? t : "/tmp");
  if (mkdtemp(base_dir) == NULL) {
    perror("mkdtemp");
    abort();
  }
}

static int remove_one(const char *path, const struct stat *st, int type,
                      struct FTW *ftw) {
  return remove(path);
}

static void remove_base_dir(void) {
  if (nftw(base_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
    perror("removing the test directory");
}

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof(tmpdir), "%s/t.XXXXXX", base_dir);
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Writes tmpdir/name with printf-style content. */
static void write_file(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void write_file(const char *name, const char *fmt, ...) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  FILE *fh = fopen(path, "w");
  ck_assert_msg(fh != NULL, "%s: %s", path, strerror(errno));
  va_list ap;
  va_start(ap, fmt);
  vfprintf(fh, fmt, ap);
  va_end(ap);
  fclose(fh);
}

static const char *tmp_path(const char *name) {
  static char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  return path;
}

/* ---- tests on the static tree ---- */

START_TEST(test_file_and_dir_in_place) {
  enter_data_dir();
  oconfig_item_t *root = read_ok("main.conf", 0);
  char buf[1024];
  summary(root, buf, sizeof(buf));
  /* Included statements replace the Include, in order. A directory is read
   * in strcmp() order with subdirectories in their place ("sub" sorts
   * after "README"), and its hidden files are skipped. */
  ck_assert_str_eq(buf, "First,One=from one.conf,OneMore,Middle,"
                        "Order=10-first,Order=20-second,"
                        "Readme=not a .conf file,Order=sub/15-nested,"
                        "Plugin=wrap,Last");
  const oconfig_item_t *wrap = &root->children[8];
  summary(wrap, buf, sizeof(buf));
  ck_assert_str_eq(buf, "One=from one.conf,OneMore"); /* inside a block */
  assert_parents(root);

  /* Included statements know where they came from. */
  const char *file;
  int line;
  ck_assert_int_eq(oconfig_item_source(&root->children[2], &file, &line), 0);
  ck_assert_str_eq(file, "one.conf");
  ck_assert_int_eq(line, 2);
  ck_assert_int_eq(oconfig_item_source(&root->children[7], &file, &line), 0);
  ck_assert_str_eq(file, "conf.d/sub/15-nested.conf");
  ck_assert_int_eq(oconfig_item_source(&root->children[9], &file, &line), 0);
  ck_assert_str_eq(file, "main.conf");
  ck_assert_int_eq(line, 9);
  oconfig_free(root);
}
END_TEST

START_TEST(test_toplevel_only) {
  enter_data_dir();
  oconfig_item_t *root = read_ok("main.conf", CF_INCLUDE_TOPLEVEL_ONLY);
  char buf[1024];
  summary(&root->children[8], buf, sizeof(buf));
  ck_assert_str_eq(buf, "Include=one.conf"); /* left alone, as collectd does */
  oconfig_free(root);
}
END_TEST

START_TEST(test_filter) {
  enter_data_dir();
  oconfig_item_t *root = read_ok("filter.conf", 0);
  char buf[1024];
  summary(root, buf, sizeof(buf));
  /* The filter applies to file names; directories are always entered. */
  ck_assert_str_eq(buf, "Order=10-first,Order=20-second,Order=sub/15-nested");
  oconfig_free(root);
}
END_TEST

START_TEST(test_last_filter_wins) {
  /* Of several Filter options the last one counts, as in collectd 5.12
   * (Debian's, checked with -T: with Filter "*.conf" then Filter "*.cfg"
   * it read only the *.cfg file, and the other way round only the *.conf
   * one). Both orders, so that neither "the first wins" nor "any of them
   * matches" passes. */
  static const struct {
    const char *filters;
    const char *expect;
  } cases[] = {
      {"  Filter \"README\"\n  Filter \"*.conf\"\n",
       "Order=10-first,Order=20-second,Order=sub/15-nested"},
      {"  Filter \"*.conf\"\n  Filter \"README\"\n",
       "Readme=not a .conf file"},
  };
  enter_data_dir();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char text[256], err[512] = "", buf[1024];
    snprintf(text, sizeof(text), "<Include \"conf.d\">\n%s</Include>\n",
             cases[i].filters);
    oconfig_item_t *root = NULL;
    ck_assert_int_eq(
        oconfig_parse_string(text, "inline", &root, err, sizeof(err)), 0);
    ck_assert_msg(cf_include_expand(root, 0, err, sizeof(err)) == 0, "%s: %s",
                  text, err);
    summary(root, buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, cases[i].expect) == 0,
                  "with\n%sincluded \"%s\", expected \"%s\"", text, buf,
                  cases[i].expect);
    oconfig_free(root);
  }
}
END_TEST

START_TEST(test_glob) {
  enter_data_dir();
  oconfig_item_t *root = read_ok("glob.conf", 0);
  char buf[1024];
  summary(root, buf, sizeof(buf));
  ck_assert_str_eq(buf, "Order=10-first,Order=20-second");
  oconfig_free(root);

  /* A pattern that matches nothing includes nothing (an empty conf.d). */
  root = read_ok("glob_none.conf", 0);
  summary(root, buf, sizeof(buf));
  ck_assert_str_eq(buf, "After");
  oconfig_free(root);
}
END_TEST

START_TEST(test_main_path_forms) {
  enter_data_dir();
  /* The main path is read like an Include: a directory or a pattern. */
  oconfig_item_t *root = read_ok("conf.d", 0);
  ck_assert_int_eq(root->children_num, 4);
  oconfig_free(root);
  root = read_ok("conf.d/2*.conf", 0);
  ck_assert_int_eq(root->children_num, 1);
  oconfig_free(root);

  char err[512];
  ck_assert_int_eq(cf_include_read("conf.d/*.none", &root, err, sizeof(err)),
                   -ENOENT);
  ck_assert_str_eq(err, "no file matches \"conf.d/*.none\"");
  ck_assert_int_eq(cf_include_read("absent.conf", &root, err, sizeof(err)),
                   -ENOENT);
  ck_assert_str_eq(err,
                   "cannot read \"absent.conf\": No such file or directory");
  ck_assert_int_eq(cf_include_read(NULL, &root, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_missing_include) {
  enter_data_dir();
  char err[512];
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(cf_include_read("missing.conf", &root, err, sizeof(err)),
                   -ENOENT);
  ck_assert_ptr_null(root);
  ck_assert_str_eq(err, "missing.conf:2: cannot include "
                        "\"no-such-file.conf\": No such file or directory");
}
END_TEST

START_TEST(test_broken_included_file) {
  enter_data_dir();
  char err[512];
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(cf_include_read("broken.conf", &root, err, sizeof(err)),
                   -EINVAL);
  ck_assert_str_eq(err, "broken_inner.conf:3: bad number \"1.2.3\" "
                        "(included from broken.conf:2)");
}
END_TEST

START_TEST(test_loops) {
  enter_data_dir();
  char err[512];
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(cf_include_read("self.conf", &root, err, sizeof(err)),
                   -ELOOP);
  ck_assert_str_eq(err, "self.conf:1: include loop: \"self.conf\" is already "
                        "being read");
  ck_assert_int_eq(cf_include_read("loop/a.conf", &root, err, sizeof(err)),
                   -ELOOP);
  ck_assert_str_eq(err, "loop/b.conf:2: include loop: \"loop/a.conf\" is "
                        "already being read (included from loop/a.conf:1)");
}
END_TEST

/* ---- tests on temporary trees ---- */

/* main.conf includes c1.conf ... c<n>.conf in a chain. */
static void make_chain(int n) {
  write_file("main.conf", "Include \"%s/c1.conf\"\n", tmpdir);
  for (int i = 1; i < n; i++) {
    char name[32];
    snprintf(name, sizeof(name), "c%d.conf", i);
    write_file(name, "Level%d 1\nInclude \"%s/c%d.conf\"\n", i, tmpdir, i + 1);
  }
  char name[32];
  snprintf(name, sizeof(name), "c%d.conf", n);
  write_file(name, "Deepest %d\n", n);
}

START_TEST(test_depth_limit) {
  /* 8 files in a chain (main + 7) is the most collectd reads. */
  make_chain(7);
  oconfig_item_t *root = read_ok(tmp_path("main.conf"), 0);
  ck_assert_int_eq(root->children_num, 7);
  ck_assert_str_eq(root->children[6].key, "Deepest");
  oconfig_free(root);

  make_chain(8);
  char err[2048], expect[PATH_MAX * 2];
  ck_assert_int_eq(
      cf_include_read(tmp_path("main.conf"), &root, err, sizeof(err)), -ELOOP);
  snprintf(expect, sizeof(expect),
           "%s/c7.conf:2: not including \"%s/c8.conf\": includes nested "
           "deeper than 8 files",
           tmpdir, tmpdir);
  ck_assert_msg(strncmp(err, expect, strlen(expect)) == 0, "got: %s", err);
}
END_TEST

START_TEST(test_directory_loop) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/d", tmpdir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  write_file("d/a.conf", "A 1\n");
  snprintf(path, sizeof(path), "%s/d/again", tmpdir);
  ck_assert_int_eq(symlink("..", path), 0);
  write_file("main.conf", "Include \"%s/d\"\n", tmpdir);
  char err[1024];
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(
      cf_include_read(tmp_path("main.conf"), &root, err, sizeof(err)), -ELOOP);
  ck_assert_ptr_nonnull(strstr(err, "directory loop"));
}
END_TEST

START_TEST(test_odd_entries) {
  /* Dangling symlinks and FIFOs in a directory are skipped, as collectd
   * skips them; named directly, they are errors. */
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/d", tmpdir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  write_file("d/b.conf", "B 1\n");
  snprintf(path, sizeof(path), "%s/d/a.conf", tmpdir);
  ck_assert_int_eq(symlink("/nonexistent/x.conf", path), 0);
  snprintf(path, sizeof(path), "%s/d/fifo.conf", tmpdir);
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  write_file("main.conf", "Include \"%s/d\"\n", tmpdir);
  oconfig_item_t *root = read_ok(tmp_path("main.conf"), 0);
  ck_assert_int_eq(root->children_num, 1);
  ck_assert_str_eq(root->children[0].key, "B");
  oconfig_free(root);

  write_file("main.conf", "Include \"%s/d/fifo.conf\"\n", tmpdir);
  char err[1024];
  ck_assert_int_eq(
      cf_include_read(tmp_path("main.conf"), &root, err, sizeof(err)), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "neither a file nor a directory"));
}
END_TEST

START_TEST(test_bad_statements) {
  static const struct {
    const char *text;
    const char *reason;
  } cases[] = {
      {"Include 1\n", "Include needs exactly one string value (a path)"},
      {"Include \"a\" \"b\"\n",
       "Include needs exactly one string value (a path)"},
      {"<Include \"x\">\n  Foo \"*\"\n</Include>\n",
       "option \"Foo\" is not allowed in an <Include> block (only Filter is)"},
      {"<Include \"x\">\n  Filter 1\n</Include>\n",
       "Filter needs exactly one string value (a pattern)"},
      {"Include \"/x/$(id)\"\n",
       "cannot expand \"/x/$(id)\": command substitution is not allowed"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    write_file("main.conf", "%s", cases[i].text);
    char err[1024], expect[PATH_MAX + 256];
    oconfig_item_t *root = NULL;
    ck_assert_int_eq(
        cf_include_read(tmp_path("main.conf"), &root, err, sizeof(err)),
        -EINVAL);
    snprintf(
        expect, sizeof(expect), "%s:%d: %s", tmp_path("main.conf"),
        strstr(cases[i].text, "Foo") || strstr(cases[i].text, "Filter") ? 2 : 1,
        cases[i].reason);
    ck_assert_str_eq(err, expect);
  }
}
END_TEST

START_TEST(test_expansion_forms) {
  /* "~" and "$VAR" expand as in collectd (wordexp), and a path with a
   * blank stays one path. */
  write_file("with space.conf", "Space 1\n");
  write_file("var.conf", "Var 1\n");
  ck_assert_int_eq(setenv("OCONFIG_TEST_DIR", tmpdir, 1), 0);
  ck_assert_int_eq(setenv("HOME", tmpdir, 1), 0);
  write_file("main.conf",
             "Include \"$OCONFIG_TEST_DIR/var.conf\"\n"
             "Include \"~/with space.conf\"\n"
             "Include \"%s/with space.conf\"\n",
             tmpdir);
  oconfig_item_t *root = read_ok(tmp_path("main.conf"), 0);
  char buf[256];
  summary(root, buf, sizeof(buf));
  ck_assert_str_eq(buf, "Var,Space,Space");
  oconfig_free(root);
}
END_TEST

START_TEST(test_expand_parsed_tree) {
  enter_data_dir();
  char err[512];
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(oconfig_parse_string("<A x>\n  Include \"one.conf\"\n</A>\n",
                                        "inline", &root, err, sizeof(err)),
                   0);
  ck_assert_int_eq(cf_include_expand(root, 0, err, sizeof(err)), 0);
  char buf[256];
  summary(&root->children[0], buf, sizeof(buf));
  ck_assert_str_eq(buf, "One=from one.conf,OneMore");
  assert_parents(root);
  oconfig_free(root);

  ck_assert_int_eq(oconfig_parse_string("Include \"nope\"\n", "inline", &root,
                                        err, sizeof(err)),
                   0);
  ck_assert_int_eq(cf_include_expand(root, 0, err, sizeof(err)), -ENOENT);
  ck_assert_str_eq(err, "inline:1: cannot include \"nope\": No such file or "
                        "directory");
  oconfig_free(root);
  ck_assert_int_eq(cf_include_expand(NULL, 0, err, sizeof(err)), -EINVAL);
}
END_TEST

#ifndef OC_NO_ALLOC_FAILURES
/* Fails each allocation of a read with files, a directory and an include
 * inside a block in turn: every run ends in success or in an error with a
 * message, and nothing leaks (run it under valgrind). Patterns are left
 * out: glibc 2.36's glob() frees twice when an allocation fails in it. */
START_TEST(test_out_of_memory) {
  enter_data_dir();
  if (!alloc_failures_work())
    return;
  long k;
  for (k = 0; k < 100000; k++) {
    char err[1024] = "";
    oconfig_item_t *root = NULL;
    alloc_failed = false;
    alloc_countdown = k;
    int status = cf_include_read("main.conf", &root, err, sizeof(err));
    alloc_countdown = -1;

    if (status != 0) {
      ck_assert_int_lt(status, 0);
      ck_assert_ptr_null(root);
      ck_assert_msg(err[0] != '\0', "no message for %d", status);
    }
    oconfig_free(root);
    if (!alloc_failed) {
      ck_assert_int_eq(status, 0);
      break;
    }
  }
  ck_assert_int_gt(k, 50);
}
END_TEST
#endif

static Suite *include_suite(void) {
  Suite *s = suite_create("include");

  TCase *tc = tcase_create("data");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_file_and_dir_in_place);
  tcase_add_test(tc, test_toplevel_only);
  tcase_add_test(tc, test_filter);
  tcase_add_test(tc, test_last_filter_wins);
  tcase_add_test(tc, test_glob);
  tcase_add_test(tc, test_main_path_forms);
  tcase_add_test(tc, test_missing_include);
  tcase_add_test(tc, test_broken_included_file);
  tcase_add_test(tc, test_loops);
  tcase_add_test(tc, test_expand_parsed_tree);
#ifndef OC_NO_ALLOC_FAILURES
  tcase_add_test(tc, test_out_of_memory);
#endif
  suite_add_tcase(s, tc);

  tc = tcase_create("tmp");
  tcase_set_timeout(tc, 30);
  tcase_add_unchecked_fixture(tc, make_base_dir, remove_base_dir);
  tcase_add_checked_fixture(tc, make_tmpdir, NULL);
  tcase_add_test(tc, test_depth_limit);
  tcase_add_test(tc, test_directory_loop);
  tcase_add_test(tc, test_odd_entries);
  tcase_add_test(tc, test_bad_statements);
  tcase_add_test(tc, test_expansion_forms);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(include_suite()); }
