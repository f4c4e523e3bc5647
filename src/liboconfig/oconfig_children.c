/* The children of one block while the parser reads it.
 *
 * They grow in an array that may move, so parent pointers and locations
 * (keyed by address) can only be set once the block is complete and the
 * array final. Until then each child's line waits in a parallel array. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

void oc_children_discard(oc_children_t *c) {
  for (int i = 0; i < c->num; i++)
    oc_item_clear(&c->items[i]);
  free(c->items);
  free(c->lines);
  *c = (oc_children_t){0};
}

oconfig_item_t *oc_children_push(oc_children_t *c, int line) {
  if (c->num == c->cap) {
    if (c->cap > INT_MAX / 2)
      return NULL;
    int cap = c->cap ? c->cap * 2 : 8;
    oconfig_item_t *items = realloc(c->items, (size_t)cap * sizeof(*items));
    if (items == NULL)
      return NULL;
    c->items = items;
    int *lines = realloc(c->lines, (size_t)cap * sizeof(*lines));
    if (lines == NULL)
      return NULL;
    c->lines = lines;
    c->cap = cap;
  }
  c->lines[c->num] = line;
  c->items[c->num] = (oconfig_item_t){0};
  return &c->items[c->num++];
}

void oc_children_pop(oc_children_t *c) {
  if (c->num == 0)
    return;
  oc_item_clear(&c->items[--c->num]);
}

int oc_children_finish(oc_children_t *c, oconfig_item_t *item,
                       const char *file) {
  if (c->num == 0) {
    free(c->items);
    c->items = NULL;
  } else if (c->num < c->cap) { /* give back the slack; failing is harmless */
    oconfig_item_t *items = realloc(c->items, (size_t)c->num * sizeof(*items));
    if (items != NULL)
      c->items = items;
  }
  item->children = c->items;
  item->children_num = c->num;
  oc_item_adopt_children(item);

  int status = 0;
  for (int i = 0; i < c->num; i++) {
    oc_item_adopt_children(&item->children[i]); /* it may have moved */
    if (status == 0)
      status = oc_source_add(&item->children[i], file, c->lines[i]);
  }
  free(c->lines);
  *c = (oc_children_t){0};
  return status;
}
