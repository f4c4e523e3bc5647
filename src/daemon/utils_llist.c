/* Singly linked list with head and tail pointers, so that appending (the
 * common case when building a list in order) is O(1). */
#include "collectd.h"

#include "utils_llist.h"

struct llist_s {
  llentry_t *head;
  llentry_t *tail;
  int size;
};

llist_t *llist_create(void) { return calloc(1, sizeof(llist_t)); }

void llist_destroy(llist_t *l) {
  if (l == NULL)
    return;
  llentry_t *e = l->head;
  while (e != NULL) {
    llentry_t *next = e->next;
    llentry_destroy(e);
    e = next;
  }
  free(l);
}

llentry_t *llentry_create(char *key, void *value) {
  llentry_t *e = malloc(sizeof(*e));
  if (e == NULL)
    return NULL;
  e->key = key;
  e->value = value;
  e->next = NULL;
  return e;
}

void llentry_destroy(llentry_t *e) { free(e); }

void llist_append(llist_t *l, llentry_t *e) {
  if (l == NULL || e == NULL)
    return;
  e->next = NULL;
  if (l->tail == NULL)
    l->head = e;
  else
    l->tail->next = e;
  l->tail = e;
  l->size++;
}

void llist_prepend(llist_t *l, llentry_t *e) {
  if (l == NULL || e == NULL)
    return;
  e->next = l->head;
  l->head = e;
  if (l->tail == NULL)
    l->tail = e;
  l->size++;
}

void llist_remove(llist_t *l, llentry_t *e) {
  if (l == NULL || e == NULL)
    return;

  llentry_t *prev = NULL;
  llentry_t *cur = l->head;
  while (cur != NULL && cur != e) {
    prev = cur;
    cur = cur->next;
  }
  if (cur == NULL) /* not in this list */
    return;

  if (prev == NULL)
    l->head = e->next;
  else
    prev->next = e->next;
  if (l->tail == e)
    l->tail = prev;
  e->next = NULL;
  l->size--;
}

int llist_size(llist_t *l) { return (l != NULL) ? l->size : 0; }

static int key_differs(llentry_t *e, void *key) {
  if (e->key == NULL || key == NULL)
    return (e->key == key) ? 0 : 1;
  return strcmp(e->key, (const char *)key);
}

llentry_t *llist_search(llist_t *l, const char *key) {
  return llist_search_custom(l, key_differs, (void *)key);
}

llentry_t *llist_search_custom(llist_t *l, int (*compare)(llentry_t *, void *),
                               void *user_data) {
  if (l == NULL || compare == NULL)
    return NULL;
  for (llentry_t *e = l->head; e != NULL; e = e->next)
    if (compare(e, user_data) == 0)
      return e;
  return NULL;
}

llentry_t *llist_head(llist_t *l) { return (l != NULL) ? l->head : NULL; }

llentry_t *llist_tail(llist_t *l) { return (l != NULL) ? l->tail : NULL; }
