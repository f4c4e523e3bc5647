/* The configuration parser: the ABI layout, what each kind of input turns
 * into, every class of error with its file and line, source locations,
 * clone/free/splice, and Debian's example collectd.conf.
 *
 * Expected values were checked against Debian's collectd 5.12 by wrapping
 * each input in a <Plugin> block and printing the tree the plugin got. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* fmemopen, nftw, setenv */
#endif

#include "liboconfig/oconfig.h"

#include "check_main.h"
#include <check.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEBIAN_EXAMPLE "/usr/share/doc/collectd-core/examples/collectd.conf"

#include "alloc_fail.h"

/* Data files live in the source tree; the test harness exports top_srcdir. */
static const char *data_path(const char *name) {
  static char path[PATH_MAX];
  const char *top = getenv("top_srcdir");
  snprintf(path, sizeof(path), "%s/tests/unit/data/config/%s",
           top != NULL ? top : ".", name);
  return path;
}

static oconfig_item_t *parse_ok(const char *text) {
  char err[256] = "";
  oconfig_item_t *root = NULL;
  int status = oconfig_parse_string(text, "test.conf", &root, err, sizeof(err));
  ck_assert_msg(status == 0, "parse failed (%d): %s", status, err);
  ck_assert_ptr_nonnull(root);
  return root;
}

static oconfig_item_t *parse_file_ok(const char *name) {
  char err[512] = "";
  oconfig_item_t *root = NULL;
  int status = oconfig_parse_file_ex(data_path(name), &root, err, sizeof(err));
  ck_assert_msg(status == 0, "parse of %s failed (%d): %s", name, status, err);
  return root;
}

static void assert_string(const oconfig_item_t *ci, int i, const char *s) {
  ck_assert_int_gt(ci->values_num, i);
  ck_assert_int_eq(ci->values[i].type, OCONFIG_TYPE_STRING);
  ck_assert_str_eq(ci->values[i].value.string, s);
}

static void assert_number(const oconfig_item_t *ci, int i, double d) {
  ck_assert_int_gt(ci->values_num, i);
  ck_assert_int_eq(ci->values[i].type, OCONFIG_TYPE_NUMBER);
  ck_assert_double_eq(ci->values[i].value.number, d);
}

static void assert_boolean(const oconfig_item_t *ci, int i, int b) {
  ck_assert_int_gt(ci->values_num, i);
  ck_assert_int_eq(ci->values[i].type, OCONFIG_TYPE_BOOLEAN);
  ck_assert_int_eq(ci->values[i].value.boolean, b);
}

/* Every item below `ci` points back to its parent. */
static void assert_parents(const oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    ck_assert_ptr_eq(ci->children[i].parent, ci);
    assert_parents(&ci->children[i]);
  }
}

static int source_line(const oconfig_item_t *ci) {
  const char *file = NULL;
  int line = -1;
  ck_assert_int_eq(oconfig_item_source(ci, &file, &line), 0);
  return line;
}

START_TEST(test_abi_layout) {
  ck_assert_uint_eq(sizeof(oconfig_value_t), 16);
  ck_assert_uint_eq(offsetof(oconfig_value_t, value), 0);
  ck_assert_uint_eq(offsetof(oconfig_value_t, type), 8);
  ck_assert_uint_eq(sizeof(oconfig_item_t), 48);
  ck_assert_uint_eq(offsetof(oconfig_item_t, key), 0);
  ck_assert_uint_eq(offsetof(oconfig_item_t, values), 8);
  ck_assert_uint_eq(offsetof(oconfig_item_t, values_num), 16);
  ck_assert_uint_eq(offsetof(oconfig_item_t, parent), 24);
  ck_assert_uint_eq(offsetof(oconfig_item_t, children), 32);
  ck_assert_uint_eq(offsetof(oconfig_item_t, children_num), 40);
  ck_assert_int_eq(OCONFIG_TYPE_STRING, 0);
  ck_assert_int_eq(OCONFIG_TYPE_NUMBER, 1);
  ck_assert_int_eq(OCONFIG_TYPE_BOOLEAN, 2);
}
END_TEST

START_TEST(test_values_file) {
  oconfig_item_t *root = parse_file_ok("values.conf");
  ck_assert_ptr_null(root->key);
  ck_assert_ptr_null(root->parent);
  ck_assert_int_eq(root->children_num, 4);

  const oconfig_item_t *s = &root->children[0];
  ck_assert_str_eq(s->key, "Strings");
  ck_assert_int_eq(s->values_num, 7);
  assert_string(s, 0, "quoted");
  assert_string(s, 1, "unquoted_word");
  assert_string(s, 2, "1e3");  /* one plain word: a string in collectd */
  assert_string(s, 3, "True"); /* booleans are lower case only */
  assert_string(s, 4, "127.0.0.1");
  assert_string(s, 5, "::1");
  assert_string(s, 6, "");

  const oconfig_item_t *n = &root->children[1];
  ck_assert_int_eq(n->values_num, 8);
  assert_number(n, 0, 42);
  assert_number(n, 1, -7);
  assert_number(n, 2, 5);
  assert_number(n, 3, 3.25);
  assert_number(n, 4, 0.5);
  assert_number(n, 5, -1.5e-3);
  assert_number(n, 6, 31);
  assert_number(n, 7, 10); /* a leading zero is not octal */

  const oconfig_item_t *b = &root->children[2];
  ck_assert_int_eq(b->values_num, 6);
  for (int i = 0; i < 6; i++)
    assert_boolean(b, i, i % 2 == 0);

  const oconfig_item_t *m = &root->children[3];
  assert_string(m, 0, "a");
  assert_number(m, 1, 1);
  assert_boolean(m, 2, 1);
  assert_parents(root);
  oconfig_free(root);
}
END_TEST

START_TEST(test_nested_file) {
  oconfig_item_t *root = parse_file_ok("nested.conf");
  assert_parents(root);
  /* Hostname, Plugin, Last, Joined, Escaped: the empty <Empty> block is
   * dropped, as collectd drops it. */
  ck_assert_int_eq(root->children_num, 5);

  const oconfig_item_t *host = &root->children[0];
  assert_string(host, 0, "host.example");
  ck_assert_int_eq(host->values_num, 1); /* the comment is gone */

  const oconfig_item_t *plugin = &root->children[1];
  ck_assert_str_eq(plugin->key, "Plugin");
  assert_string(plugin, 0, "outer");
  ck_assert_int_eq(plugin->children_num, 3);
  ck_assert_str_eq(plugin->children[0].key, "Level");
  const oconfig_item_t *inner = &plugin->children[1];
  ck_assert_str_eq(inner->key, "Inner");
  assert_string(inner, 0, "a");
  assert_number(inner, 1, 2);
  ck_assert_int_eq(inner->children_num, 1);
  const oconfig_item_t *deepest = &inner->children[0];
  ck_assert_str_eq(deepest->key, "Deepest");
  ck_assert_int_eq(deepest->values_num, 0); /* kept: it has a child */
  ck_assert_int_eq(deepest->children_num, 1);
  assert_string(&deepest->children[0], 0, "x#y");
  ck_assert_str_eq(plugin->children[2].key, "After");

  const oconfig_item_t *last = &root->children[2];
  ck_assert_int_eq(last->values_num, 3);
  assert_number(last, 2, 3);
  /* Inside quotes, the indentation after a continuation is dropped. */
  assert_string(&root->children[3], 0, "one two");
  const oconfig_item_t *esc = &root->children[4];
  assert_string(esc, 0, "a\"b");
  assert_string(esc, 1, "back\\slash");
  assert_string(esc, 2, "x");

  /* Locations: the file and the line each statement starts on. */
  const char *file = NULL;
  int line = 0;
  ck_assert_int_eq(oconfig_item_source(plugin, &file, &line), 0);
  ck_assert_str_eq(file, data_path("nested.conf"));
  ck_assert_int_eq(line, 4);
  ck_assert_int_eq(source_line(inner), 6);
  ck_assert_int_eq(source_line(&deepest->children[0]), 8);
  ck_assert_int_eq(source_line(last), 17);
  ck_assert_int_eq(source_line(&root->children[4]), 22);
  ck_assert_int_eq(source_line(root), 0);
  oconfig_free(root);
}
END_TEST

START_TEST(test_crlf_file) {
  oconfig_item_t *root = parse_file_ok("crlf.conf");
  ck_assert_int_eq(root->children_num, 3);
  assert_number(&root->children[0], 0, 1);
  assert_string(&root->children[1], 0, "x");
  assert_string(&root->children[1].children[0], 0, "two");
  /* collectd keeps "\r\n   " here; we join the line as for "\n". */
  assert_string(&root->children[2], 0, "line joined");
  ck_assert_int_eq(source_line(&root->children[2]), 5);
  oconfig_free(root);
}
END_TEST

START_TEST(test_empty_inputs) {
  const char *texts[] = {"", "\n\n", "# only a comment\n", "  \t \n# x\n\n",
                         ";\n"};
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    oconfig_item_t *root = parse_ok(texts[i]);
    ck_assert_int_eq(root->children_num, 0);
    ck_assert_ptr_null(root->children);
    ck_assert_ptr_null(root->key);
    oconfig_free(root);
  }
  oconfig_item_t *root = parse_file_ok("empty.conf");
  ck_assert_int_eq(root->children_num, 0);
  oconfig_free(root);
}
END_TEST

START_TEST(test_syntax_details) {
  oconfig_item_t *root = parse_ok(
      "A 1\\\n2\n"                 /* a continuation separates tokens */
      "B \"x\"y z\"w\"\n"          /* quotes end words */
      "< C  v >\n< / C >\n"        /* blanks anywhere in tags */
      "D \"multi\nline\"\n"        /* a raw newline inside quotes */
      "E 10; \"q\";\n"             /* stray ';' are ignored, as in collectd */
      "F\f1\v2\r3\n"               /* control characters separate */
      "G \"unicode \xc3\xa9\"\n"   /* bytes pass through quotes */
      "H 1 # \"not a string\n"     /* comments start anywhere outside quotes */
      "I 2001:db8::1 fe80::1 ::\n" /* IPv6 addresses are strings */
      "J 1 \\\n");                 /* a backslash at the very end */
  ck_assert_int_eq(root->children_num, 10);
  const oconfig_item_t *c = root->children;
  ck_assert_int_eq(c[0].values_num, 2);
  assert_number(&c[0], 1, 2);
  ck_assert_int_eq(c[1].values_num, 4);
  assert_string(&c[1], 1, "y");
  assert_string(&c[1], 2, "z");
  ck_assert_str_eq(c[2].key, "C");
  assert_string(&c[2], 0, "v");
  assert_string(&c[3], 0, "multi\nline");
  ck_assert_int_eq(source_line(&c[4]), 8); /* lines count inside quotes */
  ck_assert_int_eq(c[4].values_num, 2);
  assert_number(&c[4], 0, 10);
  assert_string(&c[4], 1, "q");
  ck_assert_int_eq(c[5].values_num, 3);
  assert_string(&c[6], 0, "unicode \xc3\xa9");
  ck_assert_int_eq(c[7].values_num, 1);
  assert_string(&c[8], 0, "2001:db8::1");
  assert_string(&c[8], 2, "::");
  ck_assert_int_eq(c[9].values_num, 1);
  oconfig_free(root);
}
END_TEST

/* Unquoted words: what collectd 5.12 makes of each, and which ones we
 * refuse because collectd would cut them into several values. */
static const struct {
  const char *word;
  int type; /* -1: refused */
  double number;
  const char *string;
} words[] = {
    {"true", OCONFIG_TYPE_BOOLEAN, 1, NULL},
    {"off", OCONFIG_TYPE_BOOLEAN, 0, NULL},
    {"On", OCONFIG_TYPE_STRING, 0, "On"},
    {"FALSE", OCONFIG_TYPE_STRING, 0, "FALSE"},
    {"trueX", OCONFIG_TYPE_STRING, 0, "trueX"},
    {"0", OCONFIG_TYPE_NUMBER, 0, NULL},
    {"-0", OCONFIG_TYPE_NUMBER, -0.0, NULL},
    {"08", OCONFIG_TYPE_NUMBER, 8, NULL},
    {"0X1f", OCONFIG_TYPE_NUMBER, 31, NULL},
    {"-.5", OCONFIG_TYPE_NUMBER, -0.5, NULL},
    {"1.5e+3", OCONFIG_TYPE_NUMBER, 1500, NULL},
    {"5.", OCONFIG_TYPE_NUMBER, 5, NULL}, /* collectd ignores the dot */
    {"1e3", OCONFIG_TYPE_STRING, 0, "1e3"},
    {"0xg", OCONFIG_TYPE_STRING, 0, "0xg"},
    {"1_000", OCONFIG_TYPE_STRING, 0, "1_000"},
    {"inf", OCONFIG_TYPE_STRING, 0, "inf"},
    {"0.0.0.0", OCONFIG_TYPE_STRING, 0, "0.0.0.0"},
    {"255.255.255.255", OCONFIG_TYPE_STRING, 0, "255.255.255.255"},
    {"1:2:3:4:5:6:7:8", OCONFIG_TYPE_STRING, 0, "1:2:3:4:5:6:7:8"},
    {"::ffff:1.2.3.4", OCONFIG_TYPE_STRING, 0, "::ffff:1.2.3.4"},
    {"x,", OCONFIG_TYPE_STRING, 0, "x"},
    {"caf\xc3\xa9", OCONFIG_TYPE_STRING, 0, "caf"},
    {"1.2.3", -1, 0, NULL}, /* collectd: 1.2 and .3 */
    {"1.5e3", -1, 0, NULL}, /* collectd: 1.5 and "e3" */
    {"1-2", -1, 0, NULL},   /* collectd: 1 and -2 */
    {"-0x10", -1, 0, NULL}, /* collectd: -0 and "x10" */
    {"1.2.3.256", -1, 0, NULL},
    {"foo.bar", -1, 0, NULL}, /* collectd: "foo" and "bar" */
    {"a-b", -1, 0, NULL},
    {"*.conf", -1, 0, NULL}, /* collectd: "conf" */
    {"$HOME", -1, 0, NULL},
    {"fe80::1%eth0", -1, 0, NULL},
    {"1e+999e", -1, 0, NULL},
};

START_TEST(test_words) {
  char text[128], err[256] = "";
  snprintf(text, sizeof(text), "Key %s\n", words[_i].word);
  oconfig_item_t *root = NULL;
  int status = oconfig_parse_string(text, "w.conf", &root, err, sizeof(err));
  if (words[_i].type < 0) {
    ck_assert_msg(status == -EINVAL, "\"%s\" accepted", words[_i].word);
    ck_assert_msg(strncmp(err, "w.conf:1: ", 10) == 0, "message: %s", err);
    ck_assert_ptr_nonnull(strstr(err, words[_i].word));
    return;
  }
  ck_assert_msg(status == 0, "\"%s\": %s", words[_i].word, err);
  ck_assert_int_eq(root->children[0].values_num, 1);
  const oconfig_item_t *ci = &root->children[0];
  if (words[_i].type == OCONFIG_TYPE_STRING)
    assert_string(ci, 0, words[_i].string);
  else if (words[_i].type == OCONFIG_TYPE_NUMBER)
    assert_number(ci, 0, words[_i].number);
  else
    assert_boolean(ci, 0, (int)words[_i].number);
  if (words[_i].number == 0 && words[_i].type == OCONFIG_TYPE_NUMBER)
    ck_assert_int_eq(signbit(ci->values[0].value.number),
                     signbit(words[_i].number));
  oconfig_free(root);
}
END_TEST

/* Every class of bad input, with the line and the reason it must report. */
static const struct {
  const char *text;
  const char *message; /* the whole expected message */
} bad_inputs[] = {
    {"A \"abc\nB 1\n", "t.conf:1: unterminated quoted string"},
    {"A \"abc\\", "t.conf:1: unterminated quoted string"},
    {"<Plugin cpu>\nA 1\n", "t.conf:2: block <Plugin> opened at line 1 is "
                            "never closed"},
    {"A 1\n</Plugin>\n", "t.conf:2: </Plugin> without an open block"},
    {"<Bar x>\n  <Foo>\n  </Bar>\n</Foo>\n",
     "t.conf:3: </Bar> closes <Foo> opened at line 2"},
    /* The closing name must match exactly, as in collectd. */
    {"<Plugin x>\n</plugin>\n", "t.conf:2: </plugin> closes <Plugin> opened "
                                "at line 1"},
    {"Timeout 1.2.3\n", "t.conf:1: bad number \"1.2.3\""},
    {"A 1.0e+999\n", "t.conf:1: number out of range \"1.0e+999\""},
    {"Host example.com\n", "t.conf:1: \"example.com\" must be in double "
                           "quotes (unquoted, collectd 5.12 would not read "
                           "it as one value)"},
    {"A\n", "t.conf:1: option \"A\" needs at least one value"},
    {"A ;\n", "t.conf:1: option \"A\" needs at least one value"},
    {"1 2\n", "t.conf:1: invalid name \"1\": names are letters, digits and "
              "'_', and not a number or boolean"},
    {"true 1\n", "t.conf:1: invalid name \"true\": names are letters, digits "
                 "and '_', and not a number or boolean"},
    {"A-b 1\n", "t.conf:1: invalid name \"A-b\": names are letters, digits "
                "and '_', and not a number or boolean"},
    {"\"A\" 1\n", "t.conf:1: unexpected quoted string \"A\" at the start of "
                  "a statement"},
    {"DataDir /var/lib\n",
     "t.conf:1: unexpected '/' (paths must be quoted) after the values of "
     "option \"DataDir\""},
    {"A 1 <B>\n", "t.conf:1: unexpected '<' after the values of option "
                  "\"A\""},
    {"<A x\n</A>\n", "t.conf:1: missing '>' at the end of <A"},
    {"<A x # c>\n</A>\n", "t.conf:1: missing '>' at the end of <A"},
    {"<A x> B 1\n</A>\n", "t.conf:1: unexpected \"B\" after <A>"},
    {"<A x>\n</A x>\n", "t.conf:2: unexpected \"x\" in </A>"},
    {"<A x>\n</A> y\n", "t.conf:2: unexpected \"y\" after </A>"},
    {"<\"A\" x>\n</A>\n", "t.conf:1: expected a block name after '<', got "
                          "quoted string \"A\""},
    {"> 1\n", "t.conf:1: unexpected '>' at the start of a statement"},
    {"\n\nA 1\x00 2\n", "t.conf:3: NUL byte (is this a text file?)"},
    {"A \"x\x00y\"\n", "t.conf:1: NUL byte inside a quoted string"},
};

START_TEST(test_bad_inputs) {
  /* Table texts may hold a NUL, so their length comes from the array. */
  char err[512] = "";
  const char *text = bad_inputs[_i].text;
  size_t len = strlen(text);
  if (strstr(bad_inputs[_i].message, "NUL") != NULL)
    len += 1 + strlen(text + len + 1);
  oconfig_item_t *root = NULL;
  int status =
      oconfig_parse_buffer(text, len, "t.conf", &root, err, sizeof(err));
  ck_assert_int_eq(status, -EINVAL);
  ck_assert_ptr_null(root);
  ck_assert_str_eq(err, bad_inputs[_i].message);
}
END_TEST

static const struct {
  const char *file;
  int line;
  const char *reason;
} bad_files[] = {
    {"bad/unclosed.conf", 3, "block <Plugin> opened at line 2 is never closed"},
    {"bad/unterminated.conf", 3, "unterminated quoted string"},
    {"bad/mismatch.conf", 3, "</Plugin> closes <Match> opened at line 2"},
    {"bad/stray_close.conf", 2, "</Plugin> without an open block"},
    {"bad/bad_number.conf", 2, "bad number \"1.2.3\""},
};

START_TEST(test_bad_files) {
  char err[512] = "", expect[PATH_MAX + 128];
  snprintf(expect, sizeof(expect), "%s:%d: %s", data_path(bad_files[_i].file),
           bad_files[_i].line, bad_files[_i].reason);
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(oconfig_parse_file_ex(data_path(bad_files[_i].file), &root,
                                         err, sizeof(err)),
                   -EINVAL);
  ck_assert_str_eq(err, expect);

  /* The 5.12 entry point says NULL (and prints the message). */
  FILE *saved = stderr;
  stderr = fopen("/dev/null", "w");
  ck_assert_ptr_null(oconfig_parse_file(data_path(bad_files[_i].file)));
  fclose(stderr);
  stderr = saved;
}
END_TEST

START_TEST(test_missing_file) {
  char err[512] = "";
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(
      oconfig_parse_file_ex("/nonexistent/x.conf", &root, err, sizeof(err)),
      -ENOENT);
  ck_assert_str_eq(err, "/nonexistent/x.conf: cannot open: No such file or "
                        "directory");
  /* A tiny buffer gets a truncated message, never an overflow. */
  char tiny[8];
  ck_assert_int_eq(
      oconfig_parse_file_ex("/nonexistent/x.conf", &root, tiny, sizeof(tiny)),
      -ENOENT);
  ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
  ck_assert_int_eq(oconfig_parse_file_ex(NULL, &root, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_parse_file_abi) {
  oconfig_item_t *root = oconfig_parse_file(data_path("values.conf"));
  ck_assert_ptr_nonnull(root);
  ck_assert_int_eq(root->children_num, 4);
  oconfig_free(root);
  oconfig_free(NULL); /* ignored */
}
END_TEST

START_TEST(test_parse_fh) {
  FILE *fh = fopen(data_path("nested.conf"), "r");
  ck_assert_ptr_nonnull(fh);
  oconfig_item_t *root = oconfig_parse_fh(fh);
  fclose(fh);
  ck_assert_ptr_nonnull(root);
  ck_assert_int_eq(root->children_num, 5);
  /* The stream is named after its file, for messages and locations. */
  const char *file = NULL;
  int line = 0;
  ck_assert_int_eq(oconfig_item_source(&root->children[1], &file, &line), 0);
  ck_assert_ptr_nonnull(strstr(file, "nested.conf"));
  oconfig_free(root);

  static char text[] = "A 1\nB \"two\"\n";
  fh = fmemopen(text, strlen(text), "r");
  root = oconfig_parse_fh(fh);
  fclose(fh);
  ck_assert_int_eq(root->children_num, 2);
  ck_assert_int_eq(oconfig_item_source(&root->children[1], &file, &line), 0);
  ck_assert_str_eq(file, "<stream>");
  ck_assert_int_eq(line, 2);
  oconfig_free(root);
}
END_TEST

static void assert_same_tree(const oconfig_item_t *a, const oconfig_item_t *b) {
  ck_assert_ptr_ne(a, b);
  if (a->key == NULL)
    ck_assert_ptr_null(b->key);
  else
    ck_assert_str_eq(a->key, b->key);
  ck_assert_int_eq(a->values_num, b->values_num);
  for (int i = 0; i < a->values_num; i++) {
    ck_assert_int_eq(a->values[i].type, b->values[i].type);
    if (a->values[i].type == OCONFIG_TYPE_STRING) {
      ck_assert_ptr_ne(a->values[i].value.string, b->values[i].value.string);
      ck_assert_str_eq(a->values[i].value.string, b->values[i].value.string);
    } else if (a->values[i].type == OCONFIG_TYPE_NUMBER) {
      ck_assert_double_eq(a->values[i].value.number, b->values[i].value.number);
    } else {
      ck_assert_int_eq(a->values[i].value.boolean, b->values[i].value.boolean);
    }
  }
  const char *fa, *fb;
  int la, lb;
  ck_assert_int_eq(oconfig_item_source(a, &fa, &la), 0);
  ck_assert_int_eq(oconfig_item_source(b, &fb, &lb), 0);
  ck_assert_str_eq(fa, fb);
  ck_assert_int_eq(la, lb);
  ck_assert_int_eq(a->children_num, b->children_num);
  for (int i = 0; i < a->children_num; i++)
    assert_same_tree(&a->children[i], &b->children[i]);
}

START_TEST(test_clone) {
  oconfig_item_t *root = parse_file_ok("nested.conf");
  oconfig_item_t *copy = oconfig_clone(root);
  ck_assert_ptr_nonnull(copy);
  assert_same_tree(root, copy);
  assert_parents(copy);
  ck_assert_ptr_null(copy->parent);

  /* A clone of a block stands alone and outlives the original. */
  oconfig_item_t *block = oconfig_clone(&root->children[1]);
  ck_assert_ptr_null(block->parent);
  oconfig_free(root);
  ck_assert_str_eq(
      block->children[1].children[0].children[0].values[0].value.string, "x#y");
  ck_assert_int_eq(source_line(&block->children[1]), 6);
  oconfig_free(block);
  oconfig_free(copy);
  ck_assert_ptr_null(oconfig_clone(NULL));
}
END_TEST

START_TEST(test_source_unknown) {
  oconfig_item_t mine = {0};
  const char *file = "unchanged";
  int line = 42;
  ck_assert_int_eq(oconfig_item_source(&mine, &file, &line), -ENOENT);
  ck_assert_str_eq(file, "unchanged");
  ck_assert_int_eq(line, 42);
  ck_assert_int_eq(oconfig_item_source(NULL, &file, &line), -ENOENT);

  oconfig_item_t *root = parse_ok("A 1\n");
  oconfig_item_t *a = &root->children[0];
  ck_assert_int_eq(oconfig_item_source(a, &file, &line), 0);
  ck_assert_str_eq(file, "test.conf");
  oconfig_free(root);
  /* Freed items leave no entry behind (the address may be reused). */
  ck_assert_int_eq(oconfig_item_source(a, NULL, NULL), -ENOENT);
}
END_TEST

START_TEST(test_splice) {
  oconfig_item_t *root = parse_ok("A 1\nInclude \"x\"\n<C c>\nD 4\n</C>\n");
  char err[128];
  oconfig_item_t *src = NULL;
  ck_assert_int_eq(oconfig_parse_string("<X x>\nY 1\n</X>\nZ 2\n", "src.conf",
                                        &src, err, sizeof(err)),
                   0);

  ck_assert_int_eq(oconfig_children_splice(root, 1, 1, src), 0);
  ck_assert_int_eq(root->children_num, 4);
  const char *keys[] = {"A", "X", "Z", "C"};
  for (int i = 0; i < 4; i++)
    ck_assert_str_eq(root->children[i].key, keys[i]);
  assert_parents(root);
  const char *file;
  int line;
  ck_assert_int_eq(oconfig_item_source(&root->children[1], &file, &line), 0);
  ck_assert_str_eq(file, "src.conf");
  ck_assert_int_eq(line, 1);
  ck_assert_int_eq(source_line(&root->children[1].children[0]), 2);
  ck_assert_int_eq(source_line(&root->children[3]), 3);
  ck_assert_int_eq(oconfig_item_source(&root->children[3], &file, NULL), 0);
  ck_assert_str_eq(file, "test.conf");

  /* Appending (remove 0 at the end) and removing everything. */
  oconfig_item_t *more = parse_ok("M 1\n");
  ck_assert_int_eq(oconfig_children_splice(root, 4, 0, more), 0);
  ck_assert_str_eq(root->children[4].key, "M");
  oconfig_item_t *none = parse_ok("");
  ck_assert_int_eq(oconfig_children_splice(root, 0, 5, none), 0);
  ck_assert_int_eq(root->children_num, 0);
  ck_assert_ptr_null(root->children);

  /* Bad arguments change nothing. */
  oconfig_item_t *spare = parse_ok("S 1\n");
  ck_assert_int_eq(oconfig_children_splice(root, 1, 0, spare), -EINVAL);
  ck_assert_int_eq(oconfig_children_splice(root, 0, 1, spare), -EINVAL);
  ck_assert_int_eq(oconfig_children_splice(root, -1, 0, spare), -EINVAL);
  ck_assert_int_eq(oconfig_children_splice(NULL, 0, 0, spare), -EINVAL);
  ck_assert_int_eq(spare->children_num, 1);
  oconfig_free(spare);
  oconfig_free(root);
}
END_TEST

static char warnings[1024];
static void collect_warning(const char *msg, void *data) {
  int *count = data;
  (*count)++;
  strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
  strcat(warnings, "|");
}

START_TEST(test_warnings) {
  int count = 0;
  warnings[0] = '\0';
  oconfig_set_warning_hook(collect_warning, &count);
  oconfig_item_t *root = parse_ok("A \"x\";\nB 10.\n\n; C 1\n");
  oconfig_set_warning_hook(NULL, NULL);
  ck_assert_int_eq(root->children_num, 3);
  ck_assert_int_eq(count, 3);
  ck_assert_str_eq(warnings,
                   "test.conf:1: ignoring \";\" (as collectd 5.12 does)|"
                   "test.conf:2: reading \"10.\" as \"10\" (as collectd 5.12 "
                   "does)|"
                   "test.conf:4: ignoring \";\" (as collectd 5.12 does)|");
  oconfig_free(root);
}
END_TEST

/* Builds `depth` nested blocks. */
static char *nested_blocks(int depth) {
  size_t size = (size_t)depth * 16 + 16;
  char *text = malloc(size);
  ck_assert_ptr_nonnull(text);
  text[0] = '\0';
  for (int i = 0; i < depth; i++)
    strcat(text, "<B x>\n");
  strcat(text, "L 1\n");
  for (int i = 0; i < depth; i++)
    strcat(text, "</B>\n");
  return text;
}

START_TEST(test_nesting_limit) {
  char *text = nested_blocks(128);
  oconfig_item_t *root = parse_ok(text);
  int depth = 0;
  for (const oconfig_item_t *ci = root; ci->children_num > 0;
       ci = &ci->children[0])
    depth++;
  ck_assert_int_eq(depth, 129);
  oconfig_free(root);
  free(text);

  text = nested_blocks(129);
  char err[256];
  ck_assert_int_eq(
      oconfig_parse_string(text, "t.conf", &root, err, sizeof(err)), -EINVAL);
  ck_assert_str_eq(err, "t.conf:129: blocks nested deeper than 128 levels");
  free(text);
}
END_TEST

static int count_key(const oconfig_item_t *ci, const char *key) {
  int n = 0;
  for (int i = 0; i < ci->children_num; i++)
    n += strcmp(ci->children[i].key, key) == 0;
  return n;
}

static const oconfig_item_t *find_block(const oconfig_item_t *ci,
                                        const char *key, const char *value) {
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *c = &ci->children[i];
    if (strcmp(c->key, key) == 0 && c->values_num > 0 &&
        c->values[0].type == OCONFIG_TYPE_STRING &&
        strcmp(c->values[0].value.string, value) == 0)
      return c;
  }
  return NULL;
}

/* Debian's example configuration must parse; collectd-core ships it, so a
 * missing file is a failure of the test set-up, not a reason to skip. */
START_TEST(test_debian_example) {
  char err[512] = "";
  oconfig_item_t *root = NULL;
  int status = oconfig_parse_file_ex(DEBIAN_EXAMPLE, &root, err, sizeof(err));
  ck_assert_msg(status == 0, "%s (is collectd-core installed?)", err);

  ck_assert_int_eq(count_key(root, "LoadPlugin"), 14);
  ck_assert_int_eq(count_key(root, "Plugin"), 3);
  assert_boolean(&root->children[0], 0, 1); /* FQDNLookup true */

  const oconfig_item_t *df = find_block(root, "Plugin", "df");
  ck_assert_ptr_nonnull(df);
  ck_assert_int_eq(count_key(df, "FSType"), 8);
  ck_assert_str_eq(df->children[8].key, "IgnoreSelected");
  assert_boolean(&df->children[8], 0, 1);
  const oconfig_item_t *rrd = find_block(root, "Plugin", "rrdtool");
  ck_assert_ptr_nonnull(rrd);
  assert_string(&rrd->children[0], 0, "/var/lib/collectd/rrd");

  const oconfig_item_t *inc =
      find_block(root, "Include", "/etc/collectd/collectd.conf.d");
  ck_assert_ptr_nonnull(inc);
  ck_assert_str_eq(inc->children[0].key, "Filter");
  assert_string(&inc->children[0], 0, "*.conf");
  assert_parents(root);
  oconfig_free(root);
}
END_TEST

#ifndef OC_NO_ALLOC_FAILURES
/* Fails each allocation of parse, clone and splice in turn: every run must
 * end in success or -ENOMEM with nothing leaked (run it under valgrind) and
 * nothing half-built returned. */
START_TEST(test_out_of_memory) {
  static const char text[] =
      "Hostname \"h\"\n<Plugin a>\n  <Inner x 1 true>\n    K 1 2 3 4 5 \"s\"\n"
      "  </Inner>\n  L 0x10 ::1 127.0.0.1 on\n</Plugin>\nM 10;\nN \"long "
      "string that needs its scratch buffer to grow past sixty-four bytes\"\n";
  if (!alloc_failures_work())
    return;
  long k;
  for (k = 0; k < 100000; k++) {
    char err[256] = "";
    oconfig_item_t *root = NULL, *copy = NULL, *more = NULL;
    alloc_failed = false;
    alloc_countdown = k;
    int status =
        oconfig_parse_string(text, "oom.conf", &root, err, sizeof(err));
    if (status == 0)
      copy = oconfig_clone(root);
    int spliced = -1;
    if (copy != NULL && oconfig_parse_string("S 1\n", "s", &more, NULL, 0) == 0)
      spliced = oconfig_children_splice(copy, 1, 1, more);
    alloc_countdown = -1;

    if (status != 0) {
      ck_assert_int_eq(status, -ENOMEM);
      ck_assert_ptr_null(root);
      ck_assert_msg(strstr(err, "out of memory") != NULL, "%s", err);
    }
    if (spliced != 0)
      oconfig_free(more); /* still ours when the splice failed */
    oconfig_free(copy);
    oconfig_free(root);
    if (!alloc_failed) {
      ck_assert_int_eq(status, 0);
      ck_assert_int_eq(spliced, 0);
      break;
    }
  }
  ck_assert_int_gt(k, 50); /* the injection did reach the parser */
}
END_TEST
#endif

/* ---- long tokens ------------------------------------------------------ */

START_TEST(test_excerpt) {
  char buf[OCONFIG_EXCERPT_SIZE];
  ck_assert_str_eq(oconfig_excerpt("abc", true, buf, sizeof(buf)), "\"abc\"");
  ck_assert_str_eq(oconfig_excerpt("abc", false, buf, sizeof(buf)), "abc");
  ck_assert_str_eq(oconfig_excerpt(NULL, true, buf, sizeof(buf)), "\"\"");
  /* Written as in the file when quoted; control characters always. */
  ck_assert_str_eq(oconfig_excerpt("a\"b\\c\nd\te\x01", true, buf, sizeof(buf)),
                   "\"a\\\"b\\\\c\\nd\\te\\x01\"");
  ck_assert_str_eq(oconfig_excerpt("a\"b\n", false, buf, sizeof(buf)),
                   "a\"b\\n");

  /* Up to OCONFIG_EXCERPT_FULL bytes in full, longer ones cut. */
  char text[4 * OCONFIG_EXCERPT_FULL];
  memset(text, 'x', OCONFIG_EXCERPT_FULL);
  text[OCONFIG_EXCERPT_FULL] = '\0';
  oconfig_excerpt(text, true, buf, sizeof(buf));
  ck_assert_uint_eq(strlen(buf), OCONFIG_EXCERPT_FULL + 2);
  memset(text, 'x', sizeof(text) - 1);
  text[0] = 'A';
  text[sizeof(text) - 2] = 'Z';
  text[sizeof(text) - 1] = '\0';
  oconfig_excerpt(text, true, buf, sizeof(buf));
  char expect[64];
  snprintf(expect, sizeof(expect), "Z\" (%zu bytes)", sizeof(text) - 1);
  ck_assert_msg(buf[0] == '"' && buf[1] == 'A', "%s", buf);
  ck_assert_msg(strstr(buf, "x...x") != NULL, "%s", buf);
  ck_assert_str_eq(buf + strlen(buf) - strlen(expect), expect);
  ck_assert_uint_lt(strlen(buf), OCONFIG_EXCERPT_FULL + 16);

  /* Never inside a UTF-8 character ("\xc3\xa9" is e-acute). */
  for (size_t i = 0; i + 1 < sizeof(text); i += 2)
    memcpy(text + i, "\xc3\xa9", 2);
  text[sizeof(text) - 1] = '\0';
  oconfig_excerpt(text, false, buf, sizeof(buf));
  const char *dots = strstr(buf, "...");
  ck_assert_ptr_nonnull(dots);
  ck_assert_int_eq((unsigned char)dots[-1], 0xa9);
  ck_assert_int_eq((unsigned char)dots[3], 0xc3);

  /* A small buffer is filled, never overrun. */
  char tiny[6];
  oconfig_excerpt(text, true, tiny, sizeof(tiny));
  ck_assert_uint_lt(strlen(tiny), sizeof(tiny));
}
END_TEST

/* 1 MiB: enough to show that nothing limits a token and that nothing is
 * quadratic in its length (a quadratic scan of a word this long takes
 * hours), and quick enough under valgrind. */
#define LONG_TOKEN ((size_t)1 << 20)

/* "<key><open><token><close>\n", where the token is LONG_TOKEN bytes of
 * `unit` repeated. */
static char *long_statement(const char *key, const char *open, const char *unit,
                            const char *close) {
  size_t ulen = strlen(unit);
  size_t size = strlen(key) + strlen(open) + LONG_TOKEN + strlen(close) + 4;
  char *text = malloc(size);
  ck_assert_ptr_nonnull(text);
  size_t n = (size_t)snprintf(text, size, "%s%s", key, open);
  for (size_t i = 0; i < LONG_TOKEN; i++)
    text[n++] = unit[i % ulen];
  snprintf(text + n, size - n, "%s\n", close);
  return text;
}

START_TEST(test_long_tokens_parse) {
  static const struct {
    const char *open, *unit, *close;
    int type;
  } tokens[] = {
      {"\"", "a", "\"", OCONFIG_TYPE_STRING}, /* quoted */
      {"", "a", "", OCONFIG_TYPE_STRING},     /* unquoted */
      {"\"", "a.:", "\"", OCONFIG_TYPE_STRING},
      {"", "0x0a", "", OCONFIG_TYPE_STRING}, /* one plain word */
  };
  for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
    char *text =
        long_statement("A ", tokens[i].open, tokens[i].unit, tokens[i].close);
    oconfig_item_t *root = parse_ok(text);
    ck_assert_int_eq(root->children_num, 1);
    ck_assert_int_eq(root->children[0].values[0].type, tokens[i].type);
    ck_assert_uint_eq(strlen(root->children[0].values[0].value.string),
                      LONG_TOKEN);
    oconfig_free(root);
    free(text);
  }
  /* A key as long. */
  char *text = long_statement("", "", "K", " 1");
  oconfig_item_t *root = parse_ok(text);
  ck_assert_uint_eq(strlen(root->children[0].key), LONG_TOKEN);
  oconfig_free(root);
  free(text);
}
END_TEST

/* A long token in an error keeps the file, the line and the reason. */
#define QUOTES_NEEDED                                                          \
  "\" (1048576 bytes) must be in double quotes (unquoted, collectd 5.12 "      \
  "would not read it as one value)"
static const struct {
  const char *key, *open, *unit, *close;
  const char *before, *after; /* around the excerpt of the token */
} long_errors[] = {
    {"", "", "K", "", "t.conf:2: option \"K",
     "\" (1048576 bytes) needs at least one value"},
    {"A ", "", "a.", "", "t.conf:2: \"a.a.", QUOTES_NEEDED},
    {"A ", "", ":", "", "t.conf:2: \"::", QUOTES_NEEDED},
    {"A ", "", "a:.", "", "t.conf:2: \"a:.", QUOTES_NEEDED},
    {"A ", "", "1", "", "t.conf:2: number out of range \"1",
     "\" (1048576 bytes)"},
    {"A ", "", "999.", "", "t.conf:2: bad number \"999.999.",
     "\" (1048576 bytes)"},
    {"A ", "\"", "a", "", "t.conf:2: unterminated quoted string", ""},
    {"<", "", "B", " x>", "t.conf:2: block <B",
     " (1048576 bytes)> opened at line 2 is never closed"},
    {"A 1 ", "\"", "a", "\" <",
     "t.conf:2: unexpected '<' after the values of option \"A\"", ""},
    {"", "", "a-", " 1", "t.conf:2: invalid name \"a-a-",
     "\" (1048576 bytes): names are letters, digits and '_', and not a "
     "number or boolean"},
};

START_TEST(test_long_token_errors) {
  char *stmt = long_statement(long_errors[_i].key, long_errors[_i].open,
                              long_errors[_i].unit, long_errors[_i].close);
  char *text = NULL;
  ck_assert_int_ge(asprintf(&text, "# first line\n%s", stmt), 0);
  free(stmt);
  char err[1024] = "";
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(
      oconfig_parse_string(text, "t.conf", &root, err, sizeof(err)), -EINVAL);
  free(text);
  ck_assert_ptr_null(root);
  const char *before = long_errors[_i].before, *after = long_errors[_i].after;
  ck_assert_msg(strncmp(err, before, strlen(before)) == 0, "%s", err);
  ck_assert_msg(strlen(err) >= strlen(after) &&
                    strcmp(err + strlen(err) - strlen(after), after) == 0,
                "%s", err);
  ck_assert_uint_lt(strlen(err), 512); /* room for a log line's prefix */
}
END_TEST

static Suite *oconfig_suite(void) {
  Suite *s = suite_create("oconfig");

  TCase *tc = tcase_create("parse");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_abi_layout);
  tcase_add_test(tc, test_values_file);
  tcase_add_test(tc, test_nested_file);
  tcase_add_test(tc, test_crlf_file);
  tcase_add_test(tc, test_empty_inputs);
  tcase_add_test(tc, test_syntax_details);
  tcase_add_loop_test(tc, test_words, 0, sizeof(words) / sizeof(words[0]));
  tcase_add_test(tc, test_debian_example);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, 30);
  tcase_add_loop_test(tc, test_bad_inputs, 0,
                      sizeof(bad_inputs) / sizeof(bad_inputs[0]));
  tcase_add_loop_test(tc, test_bad_files, 0,
                      sizeof(bad_files) / sizeof(bad_files[0]));
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_nesting_limit);
  tcase_add_test(tc, test_warnings);
  suite_add_tcase(s, tc);

  tc = tcase_create("long tokens");
  tcase_set_timeout(tc, 60); /* seconds natively; valgrind is slower */
  tcase_add_test(tc, test_excerpt);
  tcase_add_test(tc, test_long_tokens_parse);
  tcase_add_loop_test(tc, test_long_token_errors, 0,
                      sizeof(long_errors) / sizeof(long_errors[0]));
  suite_add_tcase(s, tc);

  tc = tcase_create("tree");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_parse_file_abi);
  tcase_add_test(tc, test_parse_fh);
  tcase_add_test(tc, test_clone);
  tcase_add_test(tc, test_source_unknown);
  tcase_add_test(tc, test_splice);
#ifndef OC_NO_ALLOC_FAILURES
  tcase_add_test(tc, test_out_of_memory);
#endif
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(oconfig_suite()); }
