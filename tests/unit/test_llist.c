/* The linked list: order, head/tail upkeep, search and removal. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils_llist.h"

#include "check_main.h"
#include <check.h>

/* Keys of the list joined with ',', walking the entries directly as
 * plugins do. */
static void keys_of(llist_t *l, char *buf, size_t size) {
  buf[0] = '\0';
  for (llentry_t *e = llist_head(l); e != NULL; e = e->next) {
    if (buf[0] != '\0')
      strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, e->key, size - strlen(buf) - 1);
  }
}

START_TEST(test_append_prepend) {
  llist_t *l = llist_create();
  char buf[64];
  ck_assert_int_eq(llist_size(l), 0);
  ck_assert_ptr_null(llist_head(l));
  ck_assert_ptr_null(llist_tail(l));

  llist_append(l, llentry_create("b", NULL));
  llist_prepend(l, llentry_create("a", NULL));
  llist_append(l, llentry_create("c", NULL));
  keys_of(l, buf, sizeof(buf));
  ck_assert_str_eq(buf, "a,b,c");
  ck_assert_int_eq(llist_size(l), 3);
  ck_assert_str_eq(llist_head(l)->key, "a");
  ck_assert_str_eq(llist_tail(l)->key, "c");

  llist_t *p = llist_create();
  llist_prepend(p, llentry_create("x", NULL)); /* prepend to empty */
  ck_assert_ptr_eq(llist_head(p), llist_tail(p));
  llist_destroy(p);
  llist_destroy(l);
}
END_TEST

START_TEST(test_remove) {
  llist_t *l = llist_create();
  char buf[64];
  llentry_t *e[4];
  const char *names[] = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; i++) {
    e[i] = llentry_create((char *)names[i], NULL);
    llist_append(l, e[i]);
  }

  llist_remove(l, e[3]); /* tail */
  ck_assert_ptr_eq(llist_tail(l), e[2]);
  ck_assert_ptr_null(e[3]->next);
  llist_remove(l, e[0]); /* head */
  ck_assert_ptr_eq(llist_head(l), e[1]);
  keys_of(l, buf, sizeof(buf));
  ck_assert_str_eq(buf, "b,c");
  ck_assert_int_eq(llist_size(l), 2);

  /* An entry that is not in the list changes nothing (5.12 miscounted). */
  llist_remove(l, e[0]);
  ck_assert_int_eq(llist_size(l), 2);

  llist_remove(l, e[2]);
  llist_remove(l, e[1]);
  ck_assert_int_eq(llist_size(l), 0);
  ck_assert_ptr_null(llist_head(l));
  ck_assert_ptr_null(llist_tail(l));

  /* Removed entries can be appended again. */
  llist_append(l, e[3]);
  llist_append(l, e[0]);
  keys_of(l, buf, sizeof(buf));
  ck_assert_str_eq(buf, "d,a");
  llentry_destroy(e[1]);
  llentry_destroy(e[2]);
  llist_destroy(l); /* frees e[3] and e[0] */
}
END_TEST

static int value_is(llentry_t *e, void *ud) {
  return (*(int *)e->value == *(int *)ud) ? 0 : 1;
}

START_TEST(test_search) {
  llist_t *l = llist_create();
  static int values[] = {10, 20, 30, 20};
  const char *names[] = {"ten", "twenty", "thirty", "twenty"};
  for (int i = 0; i < 4; i++)
    llist_append(l, llentry_create((char *)names[i], &values[i]));

  llentry_t *e = llist_search(l, "twenty");
  ck_assert_ptr_nonnull(e);
  ck_assert_ptr_eq(e->value, &values[1]); /* the first match */
  ck_assert_ptr_null(llist_search(l, "forty"));

  int want = 30;
  e = llist_search_custom(l, value_is, &want);
  ck_assert_str_eq(e->key, "thirty");
  want = 99;
  ck_assert_ptr_null(llist_search_custom(l, value_is, &want));

  /* Entries with a NULL key are skipped by a search for a name. */
  llist_prepend(l, llentry_create(NULL, NULL));
  ck_assert_ptr_eq(llist_search(l, "ten")->value, &values[0]);
  llist_destroy(l);

  ck_assert_int_eq(llist_size(NULL), 0);
  ck_assert_ptr_null(llist_head(NULL));
  ck_assert_ptr_null(llist_tail(NULL));
  ck_assert_ptr_null(llist_search(NULL, "x"));
  llist_destroy(NULL);
}
END_TEST

START_TEST(test_layout) {
  /* Plugins compiled against 5.12 read these fields directly. */
  ck_assert_uint_eq(offsetof(llentry_t, key), 0);
  ck_assert_uint_eq(offsetof(llentry_t, value), sizeof(void *));
  ck_assert_uint_eq(offsetof(llentry_t, next), 2 * sizeof(void *));
  ck_assert_uint_eq(sizeof(llentry_t), 3 * sizeof(void *));
}
END_TEST

static Suite *llist_suite(void) {
  Suite *s = suite_create("llist");
  TCase *tc = tcase_create("llist");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_append_prepend);
  tcase_add_test(tc, test_remove);
  tcase_add_test(tc, test_search);
  tcase_add_test(tc, test_layout);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(llist_suite());
}
