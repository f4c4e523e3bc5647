/* The AVL tree: ordering, balance and the iterator under thousands of
 * random insertions and removals, checked against a plain sorted array. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/avltree/avltree.h"

#include "check_main.h"
#include <check.h>

/* Keys are ints stored in a table; the tree holds pointers to them. */
static int compare_int(const void *a, const void *b) {
  int x = *(const int *)a;
  int y = *(const int *)b;
  return (x > y) - (x < y);
}

static int compare_int_desc(const void *a, const void *b) {
  return compare_int(b, a);
}

#define NKEYS 5000
static int keys[NKEYS];
static bool present[NKEYS]; /* keys[i] is in the tree */

/* Shuffled distinct keys: i * 7919 mod a prime is a permutation. */
static void make_keys(unsigned seed) {
  srand(seed);
  for (int i = 0; i < NKEYS; i++)
    keys[i] = (int)(((long)i * 7919) % 10007);
  for (int i = NKEYS - 1; i > 0; i--) {
    int j = rand() % (i + 1);
    int tmp = keys[i];
    keys[i] = keys[j];
    keys[j] = tmp;
  }
  memset(present, 0, sizeof(present));
}

/* The tree is balanced: height <= 1.44 log2(n + 2). */
static void check_shape(c_avl_tree_t *t, int n) {
  int height = c_avl__check(t);
  ck_assert_int_ge(height, 0);
  ck_assert_int_eq(c_avl_size(t), n);
  ck_assert(height <= 1.4405 * log2(n + 2.0));
}

static int compare_int_values(const void *a, const void *b) {
  return compare_int(a, b);
}

/* Iterating forwards and backwards yields exactly the present keys in
 * order, each with its value. */
static void check_iteration(c_avl_tree_t *t) {
  int expect[NKEYS] = {0};
  int n = 0;
  for (int i = 0; i < NKEYS; i++)
    if (present[i])
      expect[n++] = keys[i];
  qsort(expect, (size_t)n, sizeof(int), compare_int_values);

  c_avl_iterator_t *iter = c_avl_get_iterator(t);
  ck_assert_ptr_nonnull(iter);
  void *k, *v;
  int seen = 0;
  while (c_avl_iterator_next(iter, &k, &v) == 0) {
    ck_assert_int_lt(seen, n);
    ck_assert_int_eq(*(int *)k, expect[seen]);
    ck_assert_ptr_eq(v, k); /* each value is its own key pointer */
    seen++;
  }
  ck_assert_int_eq(seen, n);
  c_avl_iterator_destroy(iter);

  iter = c_avl_get_iterator(t);
  while (c_avl_iterator_prev(iter, &k, &v) == 0) {
    seen--;
    ck_assert_int_eq(*(int *)k, expect[seen]);
  }
  ck_assert_int_eq(seen, 0);
  c_avl_iterator_destroy(iter);
}

START_TEST(test_random_insert_remove) {
  make_keys(42u + (unsigned)_i);
  c_avl_tree_t *t = c_avl_create(compare_int);
  ck_assert_ptr_nonnull(t);
  int n = 0;

  for (int i = 0; i < NKEYS; i++) {
    ck_assert_int_eq(c_avl_insert(t, &keys[i], &keys[i]), 0);
    present[i] = true;
    n++;
    if (i % 500 == 0)
      check_shape(t, n);
  }
  check_shape(t, n);
  check_iteration(t);

  /* Remove a random half, checking the invariants as we go. */
  for (int i = 0; i < NKEYS; i++) {
    if (rand() % 2)
      continue;
    void *rk = NULL, *rv = NULL;
    ck_assert_int_eq(c_avl_remove(t, &keys[i], &rk, &rv), 0);
    ck_assert_ptr_eq(rk, &keys[i]);
    ck_assert_ptr_eq(rv, &keys[i]);
    present[i] = false;
    n--;
    if (i % 250 == 0)
      check_shape(t, n);
  }
  check_shape(t, n);
  check_iteration(t);

  for (int i = 0; i < NKEYS; i++) {
    void *v = NULL;
    int probe = keys[i]; /* a different pointer, same key */
    ck_assert_int_eq(c_avl_get(t, &probe, &v) == 0, present[i]);
    ck_assert_int_eq(c_avl_exists(t, &probe), present[i]);
    if (present[i])
      ck_assert_ptr_eq(v, &keys[i]);
  }

  /* Insert the removed ones again, then empty with pick. */
  for (int i = 0; i < NKEYS; i++)
    if (!present[i]) {
      ck_assert_int_eq(c_avl_insert(t, &keys[i], &keys[i]), 0);
      present[i] = true;
      n++;
    }
  check_shape(t, n);
  check_iteration(t);

  void *k, *v;
  while (c_avl_pick(t, &k, &v) == 0) {
    int idx = (int)((int *)k - keys);
    ck_assert(present[idx]);
    present[idx] = false;
    n--;
    if (n % 400 == 0)
      check_shape(t, n);
  }
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(c_avl_size(t), 0);
  c_avl_destroy(t);
}
END_TEST

START_TEST(test_sequential_keys_stay_balanced) {
  /* Sorted input is the worst case for an unbalanced tree. */
  static int seq[4096];
  c_avl_tree_t *t = c_avl_create(compare_int);
  for (int i = 0; i < 4096; i++) {
    seq[i] = i;
    ck_assert_int_eq(c_avl_insert(t, &seq[i], NULL), 0);
  }
  ck_assert_int_le(c_avl__check(t), 13); /* perfect would be 12 */
  for (int i = 0; i < 4000; i++)
    ck_assert_int_eq(c_avl_remove(t, &seq[i], NULL, NULL), 0);
  ck_assert_int_ge(c_avl__check(t), 0);
  ck_assert_int_eq(c_avl_size(t), 96);
  c_avl_destroy(t);
}
END_TEST

START_TEST(test_duplicates_and_missing) {
  c_avl_tree_t *t = c_avl_create(compare_int);
  int a = 1, a2 = 1, b = 2;
  ck_assert_int_eq(c_avl_insert(t, &a, "first"), 0);
  ck_assert_int_gt(c_avl_insert(t, &a2, "second"), 0);
  void *v;
  ck_assert_int_eq(c_avl_get(t, &a2, &v), 0);
  ck_assert_str_eq(v, "first"); /* not replaced */
  ck_assert_int_eq(c_avl_get(t, &a, NULL), 0);
  ck_assert_int_ne(c_avl_get(t, &b, &v), 0);
  ck_assert_int_ne(c_avl_remove(t, &b, NULL, NULL), 0);
  ck_assert_int_eq(c_avl_remove(t, &a, NULL, NULL), 0);
  ck_assert_int_ne(c_avl_remove(t, &a, NULL, NULL), 0);
  ck_assert_int_eq(c_avl_size(t), 0);

  void *k;
  ck_assert_int_ne(c_avl_pick(t, &k, &v), 0); /* empty */
  ck_assert_int_eq(c_avl_insert(t, &b, NULL), 0);
  ck_assert_int_ne(c_avl_pick(t, NULL, &v), 0);
  ck_assert_int_ne(c_avl_pick(t, &k, NULL), 0);
  c_avl_destroy(t);

  ck_assert_int_eq(c_avl_size(NULL), 0);
  ck_assert_ptr_null(c_avl_create(NULL));
  c_avl_destroy(NULL);
}
END_TEST

START_TEST(test_iterator_ends) {
  c_avl_tree_t *t = c_avl_create(compare_int);
  static int v[5] = {1, 2, 3, 4, 5};
  for (int i = 4; i >= 0; i--)
    c_avl_insert(t, &v[i], &v[i]);

  void *k, *val;
  c_avl_iterator_t *iter = c_avl_get_iterator(t);
  for (int i = 0; i < 5; i++) {
    ck_assert_int_eq(c_avl_iterator_next(iter, &k, &val), 0);
    ck_assert_int_eq(*(int *)k, i + 1);
  }
  /* At the end it fails and stays on the last entry (as 5.12 does). */
  ck_assert_int_ne(c_avl_iterator_next(iter, &k, &val), 0);
  ck_assert_int_ne(c_avl_iterator_next(iter, &k, &val), 0);
  ck_assert_int_eq(c_avl_iterator_prev(iter, &k, &val), 0);
  ck_assert_int_eq(*(int *)k, 4);
  ck_assert_int_ne(c_avl_iterator_next(iter, NULL, NULL), 0);
  c_avl_iterator_destroy(iter);

  iter = c_avl_get_iterator(t);
  ck_assert_int_eq(c_avl_iterator_prev(iter, &k, &val), 0);
  ck_assert_int_eq(*(int *)k, 5);
  c_avl_iterator_destroy(iter);
  c_avl_destroy(t);

  /* An empty tree, and a custom order. */
  t = c_avl_create(compare_int_desc);
  iter = c_avl_get_iterator(t);
  ck_assert_int_ne(c_avl_iterator_next(iter, &k, &val), 0);
  ck_assert_int_ne(c_avl_iterator_prev(iter, &k, &val), 0);
  c_avl_iterator_destroy(iter);
  for (int i = 0; i < 5; i++)
    c_avl_insert(t, &v[i], &v[i]);
  iter = c_avl_get_iterator(t);
  ck_assert_int_eq(c_avl_iterator_next(iter, &k, &val), 0);
  ck_assert_int_eq(*(int *)k, 5);
  c_avl_iterator_destroy(iter);
  c_avl_destroy(t);
  ck_assert_ptr_null(c_avl_get_iterator(NULL));
}
END_TEST

static int compare_str(const void *a, const void *b) { return strcmp(a, b); }

START_TEST(test_string_keys) {
  c_avl_tree_t *t = c_avl_create(compare_str);
  const char *names[] = {"host/cpu-0/cpu-idle", "a", "host/cpu-0/cpu-user",
                         "b", ""};
  for (size_t i = 0; i < 5; i++)
    ck_assert_int_eq(c_avl_insert(t, strdup(names[i]), (void *)names[i]), 0);

  void *k, *v;
  c_avl_iterator_t *iter = c_avl_get_iterator(t);
  const char *want[] = {"", "a", "b", "host/cpu-0/cpu-idle",
                        "host/cpu-0/cpu-user"};
  for (size_t i = 0; c_avl_iterator_next(iter, &k, &v) == 0; i++)
    ck_assert_str_eq(k, want[i]);
  c_avl_iterator_destroy(iter);

  /* The usual teardown: pick everything and free the keys. */
  while (c_avl_pick(t, &k, &v) == 0)
    free(k);
  c_avl_destroy(t);
}
END_TEST

static Suite *avltree_suite(void) {
  Suite *s = suite_create("avltree");
  TCase *tc = tcase_create("avltree");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_random_insert_remove, 0, 4);
  tcase_add_test(tc, test_sequential_keys_stay_balanced);
  tcase_add_test(tc, test_duplicates_and_missing);
  tcase_add_test(tc, test_iterator_ends);
  tcase_add_test(tc, test_string_keys);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(avltree_suite());
}
