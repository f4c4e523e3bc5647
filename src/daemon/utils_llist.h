/* A singly linked list of (string key, value) entries. Plugins walk it
 * through the entries' fields directly, so struct llentry_s matches
 * collectd 5.12 field for field. The list never copies or frees keys and
 * values; it is not thread-safe. */
#ifndef UTILS_LLIST_H
#define UTILS_LLIST_H 1

struct llentry_s {
  char *key;
  void *value;
  struct llentry_s *next;
};
typedef struct llentry_s llentry_t;

struct llist_s;
typedef struct llist_s llist_t;

llist_t *llist_create(void);
/* Frees the list and its entries (not their keys and values). */
void llist_destroy(llist_t *l);

/* An unlinked entry holding `key` and `value` as given. */
llentry_t *llentry_create(char *key, void *value);
void llentry_destroy(llentry_t *e);

void llist_append(llist_t *l, llentry_t *e);
void llist_prepend(llist_t *l, llentry_t *e);
/* Unlinks `e` without freeing it. */
void llist_remove(llist_t *l, llentry_t *e);

int llist_size(llist_t *l);

/* First entry whose key equals `key` (strcmp), or NULL. */
llentry_t *llist_search(llist_t *l, const char *key);
/* First entry for which compare(entry, user_data) returns 0, or NULL. */
llentry_t *llist_search_custom(llist_t *l, int (*compare)(llentry_t *, void *),
                               void *user_data);

llentry_t *llist_head(llist_t *l);
llentry_t *llist_tail(llist_t *l);

#endif /* UTILS_LLIST_H */
