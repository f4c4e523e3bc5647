/* meta_data_t: typed entries, replacement, clone and merge, the table of
 * contents, and concurrent use of one object. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/metadata/meta_data.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

/* The keys of `md` joined with ',' (in table of contents order). */
static void toc_string(meta_data_t *md, char *buf, size_t size) {
  char **toc = NULL;
  int n = meta_data_toc(md, &toc);
  ck_assert_int_ge(n, 0);
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (i > 0)
      strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, toc[i], size - strlen(buf) - 1);
    free(toc[i]);
  }
  free(toc);
}

START_TEST(test_types_and_getters) {
  meta_data_t *md = meta_data_create();
  ck_assert_ptr_nonnull(md);

  ck_assert_int_eq(meta_data_add_string(md, "s", "text"), 0);
  ck_assert_int_eq(meta_data_add_signed_int(md, "i", -5), 0);
  ck_assert_int_eq(meta_data_add_unsigned_int(md, "u", UINT64_MAX), 0);
  ck_assert_int_eq(meta_data_add_double(md, "d", 0.1), 0);
  ck_assert_int_eq(meta_data_add_boolean(md, "b", true), 0);

  ck_assert_int_eq(meta_data_type(md, "s"), MD_TYPE_STRING);
  ck_assert_int_eq(meta_data_type(md, "i"), MD_TYPE_SIGNED_INT);
  ck_assert_int_eq(meta_data_type(md, "u"), MD_TYPE_UNSIGNED_INT);
  ck_assert_int_eq(meta_data_type(md, "d"), MD_TYPE_DOUBLE);
  ck_assert_int_eq(meta_data_type(md, "b"), MD_TYPE_BOOLEAN);
  ck_assert_int_eq(meta_data_type(md, "nope"), 0);

  char *s = NULL;
  ck_assert_int_eq(meta_data_get_string(md, "s", &s), 0);
  ck_assert_str_eq(s, "text");
  free(s); /* the caller's copy */
  int64_t i = 0;
  ck_assert_int_eq(meta_data_get_signed_int(md, "i", &i), 0);
  ck_assert_int_eq(i, -5);
  uint64_t u = 0;
  ck_assert_int_eq(meta_data_get_unsigned_int(md, "u", &u), 0);
  ck_assert_uint_eq(u, UINT64_MAX);
  double d = 0;
  ck_assert_int_eq(meta_data_get_double(md, "d", &d), 0);
  ck_assert_double_eq(d, 0.1);
  bool b = false;
  ck_assert_int_eq(meta_data_get_boolean(md, "b", &b), 0);
  ck_assert(b);

  /* Wrong type or missing key: -ENOENT, output untouched. */
  stub_log_reset();
  i = 99;
  ck_assert_int_eq(meta_data_get_signed_int(md, "s", &i), -ENOENT);
  ck_assert_int_eq(i, 99);
  ck_assert_int_eq(stub_log_count, 1); /* a mismatch is logged */
  ck_assert_int_eq(meta_data_get_string(md, "nope", &s), -ENOENT);
  ck_assert_int_eq(stub_log_count, 1); /* a missing key is not */

  meta_data_destroy(md);
}
END_TEST

START_TEST(test_as_string) {
  meta_data_t *md = meta_data_create();
  meta_data_add_string(md, "s", "v1");
  meta_data_add_signed_int(md, "i", -5);
  meta_data_add_unsigned_int(md, "u", 5);
  meta_data_add_double(md, "d", 1.0 / 3);
  meta_data_add_double(md, "big", 1e20);
  meta_data_add_double(md, "nan", NAN);
  meta_data_add_boolean(md, "t", true);
  meta_data_add_boolean(md, "f", false);

  static const struct {
    const char *key;
    const char *text;
  } cases[] = {{"s", "v1"},
               {"i", "-5"},
               {"u", "5"},
               {"d", "0.333333333333333"},
               {"big", "1e+20"},
               {"nan", "nan"},
               {"t", "true"},
               {"f", "false"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *s = NULL;
    ck_assert_int_eq(meta_data_as_string(md, cases[i].key, &s), 0);
    ck_assert_str_eq(s, cases[i].text);
    free(s);
  }
  char *s = NULL;
  ck_assert_int_eq(meta_data_as_string(md, "nope", &s), -ENOENT);
  ck_assert_ptr_null(s);
  meta_data_destroy(md);
}
END_TEST

START_TEST(test_replace_delete_case) {
  meta_data_t *md = meta_data_create();
  char toc[256];

  meta_data_add_string(md, "Key", "v1");
  meta_data_add_signed_int(md, "int", -5);
  meta_data_add_boolean(md, "bool", true);

  /* Keys match without regard to case; a new value (of any type) replaces
   * the entry in place, under the new spelling. */
  ck_assert_int_eq(meta_data_exists(md, "KEY"), 1);
  ck_assert_int_eq(meta_data_add_double(md, "KEY", 2.5), 0);
  toc_string(md, toc, sizeof(toc));
  ck_assert_str_eq(toc, "KEY,int,bool");
  ck_assert_int_eq(meta_data_type(md, "key"), MD_TYPE_DOUBLE);

  ck_assert_int_eq(meta_data_delete(md, "INT"), 0);
  ck_assert_int_eq(meta_data_delete(md, "int"), -ENOENT);
  ck_assert_int_eq(meta_data_exists(md, "int"), 0);
  toc_string(md, toc, sizeof(toc));
  ck_assert_str_eq(toc, "KEY,bool");

  ck_assert_int_eq(meta_data_delete(md, "KEY"), 0);
  ck_assert_int_eq(meta_data_delete(md, "bool"), 0);
  char **empty = (char **)0x1;
  ck_assert_int_eq(meta_data_toc(md, &empty), 0);
  ck_assert_ptr_eq(empty, (char **)0x1); /* untouched when empty */
  meta_data_destroy(md);
}
END_TEST

START_TEST(test_clone_and_merge) {
  meta_data_t *orig = meta_data_create();
  meta_data_add_string(orig, "a", "one");
  meta_data_add_unsigned_int(orig, "b", 2);

  meta_data_t *copy = meta_data_clone(orig);
  ck_assert_ptr_nonnull(copy);
  ck_assert_ptr_ne(copy, orig);
  meta_data_add_string(orig, "a", "changed"); /* the copy is independent */
  char *s = NULL;
  meta_data_get_string(copy, "a", &s);
  ck_assert_str_eq(s, "one");
  free(s);

  /* Merge: orig's entries win; new keys go to the end. */
  meta_data_t *dest = meta_data_create();
  meta_data_add_boolean(dest, "b", false);
  meta_data_add_double(dest, "c", 3);
  ck_assert_int_eq(meta_data_clone_merge(&dest, orig), 0);
  char toc[256];
  toc_string(dest, toc, sizeof(toc));
  ck_assert_str_eq(toc, "b,c,a");
  ck_assert_int_eq(meta_data_type(dest, "b"), MD_TYPE_UNSIGNED_INT);
  meta_data_get_string(dest, "a", &s);
  ck_assert_str_eq(s, "changed");
  free(s);

  /* Merging into nothing clones; merging nothing is a no-op. */
  meta_data_t *none = NULL;
  ck_assert_int_eq(meta_data_clone_merge(&none, NULL), 0);
  ck_assert_ptr_null(none);
  ck_assert_int_eq(meta_data_clone_merge(&none, orig), 0);
  ck_assert_ptr_nonnull(none);
  toc_string(none, toc, sizeof(toc));
  ck_assert_str_eq(toc, "a,b");

  ck_assert_ptr_null(meta_data_clone(NULL));
  meta_data_t *empty = meta_data_create();
  meta_data_t *empty_copy = meta_data_clone(empty);
  ck_assert_ptr_nonnull(empty_copy);

  meta_data_destroy(empty);
  meta_data_destroy(empty_copy);
  meta_data_destroy(none);
  meta_data_destroy(dest);
  meta_data_destroy(copy);
  meta_data_destroy(orig);
}
END_TEST

START_TEST(test_bad_arguments) {
  meta_data_t *md = meta_data_create();
  ck_assert_int_eq(meta_data_add_string(md, "x", NULL), -EINVAL);
  ck_assert_int_eq(meta_data_add_string(md, NULL, "x"), -EINVAL);
  ck_assert_int_eq(meta_data_add_boolean(NULL, "a", true), -EINVAL);
  ck_assert_int_eq(meta_data_exists(NULL, "a"), -EINVAL);
  ck_assert_int_eq(meta_data_type(NULL, "a"), -EINVAL);
  ck_assert_int_eq(meta_data_delete(NULL, "a"), -EINVAL);
  ck_assert_int_eq(meta_data_toc(NULL, NULL), -EINVAL);
  char *s;
  ck_assert_int_eq(meta_data_as_string(NULL, "a", &s), -EINVAL);
  ck_assert_int_eq(meta_data_clone_merge(NULL, md), -EINVAL);
  meta_data_destroy(md);
  meta_data_destroy(NULL);
}
END_TEST

/* Writers and readers hammer one object; the lock keeps it consistent
 * (run under ASan/valgrind/helgrind to see the point). */
static void *hammer(void *arg) {
  meta_data_t *md = arg;
  char key[16];
  for (int i = 0; i < 2000; i++) {
    snprintf(key, sizeof(key), "k%d", i % 17);
    switch (i % 5) {
    case 0:
      meta_data_add_string(md, key, "value");
      break;
    case 1:
      meta_data_add_signed_int(md, key, i);
      break;
    case 2:
      meta_data_delete(md, key);
      break;
    case 3: {
      char *s = NULL;
      if (meta_data_as_string(md, key, &s) == 0)
        free(s);
      break;
    }
    default: {
      char **toc = NULL;
      int n = meta_data_toc(md, &toc);
      for (int j = 0; j < n; j++)
        free(toc[j]);
      if (n > 0)
        free(toc);
      meta_data_t *copy = meta_data_clone(md);
      meta_data_destroy(copy);
    }
    }
  }
  return NULL;
}

START_TEST(test_concurrent_use) {
  meta_data_t *md = meta_data_create();
  pthread_t threads[4];
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&threads[i], NULL, hammer, md), 0);
  for (int i = 0; i < 4; i++)
    pthread_join(threads[i], NULL);
  char **toc = NULL;
  int n = meta_data_toc(md, &toc);
  ck_assert_int_le(n, 17);
  for (int j = 0; j < n; j++)
    free(toc[j]);
  if (n > 0)
    free(toc);
  meta_data_destroy(md);
}
END_TEST

static Suite *meta_data_suite(void) {
  Suite *s = suite_create("meta_data");
  TCase *tc = tcase_create("meta_data");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_types_and_getters);
  tcase_add_test(tc, test_as_string);
  tcase_add_test(tc, test_replace_delete_case);
  tcase_add_test(tc, test_clone_and_merge);
  tcase_add_test(tc, test_bad_arguments);
  tcase_add_test(tc, test_concurrent_use);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(meta_data_suite());
}
