/* Whole-tree operations: free, clone, and the in-place splice that Include
 * expansion needs. Every one keeps the location table in step with the
 * items, since the table is keyed by item address. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void values_free(oconfig_value_t *values, int num) {
  for (int i = 0; i < num; i++)
    if (values[i].type == OCONFIG_TYPE_STRING)
      free(values[i].value.string);
  free(values);
}

void oc_item_clear(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++)
    oc_item_clear(&ci->children[i]);
  free(ci->children);
  values_free(ci->values, ci->values_num);
  free(ci->key);
  oc_source_remove(ci);
  *ci = (oconfig_item_t){0};
}

void oconfig_free(oconfig_item_t *ci) {
  if (ci == NULL)
    return;
  oc_item_clear(ci);
  free(ci);
}

void oc_item_adopt_children(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++)
    ci->children[i].parent = ci;
}

static int values_copy(oconfig_item_t *dst, const oconfig_item_t *src) {
  if (src->values_num <= 0)
    return 0;
  dst->values = calloc((size_t)src->values_num, sizeof(*dst->values));
  if (dst->values == NULL)
    return -ENOMEM;
  /* Zeroed entries are strings set to NULL, which values_free() accepts,
   * so a copy that stops half-way is still safe to free. */
  dst->values_num = src->values_num;
  for (int i = 0; i < src->values_num; i++) {
    dst->values[i] = src->values[i];
    if (src->values[i].type != OCONFIG_TYPE_STRING)
      continue;
    const char *s = src->values[i].value.string;
    dst->values[i].value.string = strdup(s != NULL ? s : "");
    if (dst->values[i].value.string == NULL)
      return -ENOMEM;
  }
  return 0;
}

/* Fills the zeroed `dst` with a copy of `src`. On failure `dst` holds a
 * partial copy that oc_item_clear() can free. */
static int item_copy(oconfig_item_t *dst, const oconfig_item_t *src) {
  if (src->key != NULL && (dst->key = strdup(src->key)) == NULL)
    return -ENOMEM;
  int status = values_copy(dst, src);
  if (status != 0)
    return status;

  const char *file;
  int line;
  if (oconfig_item_source(src, &file, &line) == 0 &&
      oc_source_add(dst, file, line) != 0)
    return -ENOMEM;

  if (src->children_num <= 0)
    return 0;
  dst->children = calloc((size_t)src->children_num, sizeof(*dst->children));
  if (dst->children == NULL)
    return -ENOMEM;
  dst->children_num = src->children_num;
  for (int i = 0; i < src->children_num; i++) {
    dst->children[i].parent = dst;
    status = item_copy(&dst->children[i], &src->children[i]);
    if (status != 0)
      return status;
  }
  return 0;
}

oconfig_item_t *oconfig_clone(const oconfig_item_t *ci) {
  if (ci == NULL)
    return NULL;
  oconfig_item_t *copy = calloc(1, sizeof(*copy));
  if (copy == NULL)
    return NULL;
  if (item_copy(copy, ci) != 0) {
    oconfig_free(copy);
    return NULL;
  }
  return copy;
}

static bool value_equal(const oconfig_value_t *a, const oconfig_value_t *b) {
  if (a->type != b->type)
    return false;
  switch (a->type) {
  case OCONFIG_TYPE_STRING:
    return strcmp(a->value.string != NULL ? a->value.string : "",
                  b->value.string != NULL ? b->value.string : "") == 0;
  case OCONFIG_TYPE_NUMBER:
    return a->value.number == b->value.number;
  case OCONFIG_TYPE_BOOLEAN:
    return !a->value.boolean == !b->value.boolean;
  }
  return false;
}

bool oconfig_equal(const oconfig_item_t *a, const oconfig_item_t *b) {
  if (a == NULL || b == NULL)
    return a == b;
  if ((a->key == NULL) != (b->key == NULL) ||
      (a->key != NULL && strcasecmp(a->key, b->key) != 0) ||
      a->values_num != b->values_num || a->children_num != b->children_num)
    return false;
  for (int i = 0; i < a->values_num; i++)
    if (!value_equal(&a->values[i], &b->values[i]))
      return false;
  for (int i = 0; i < a->children_num; i++)
    if (!oconfig_equal(&a->children[i], &b->children[i]))
      return false;
  return true;
}

/* Moves *from to *to (a fresh slot), with its location and its children's
 * parent pointers. */
static void item_move(oconfig_item_t *to, oconfig_item_t *from,
                      oconfig_item_t *parent) {
  *to = *from;
  to->parent = parent;
  oc_item_adopt_children(to);
  oc_source_move(from, to);
}

int oconfig_children_splice(oconfig_item_t *parent, int index, int remove,
                            oconfig_item_t *src) {
  if (parent == NULL || src == NULL || index < 0 || remove < 0 ||
      index > parent->children_num || remove > parent->children_num - index)
    return -EINVAL;
  long long total =
      (long long)parent->children_num - remove + src->children_num;
  if (total > INT_MAX)
    return -EINVAL;

  oconfig_item_t *fresh = NULL;
  if (total > 0 && (fresh = calloc((size_t)total, sizeof(*fresh))) == NULL)
    return -ENOMEM;

  /* Nothing can fail from here on. */
  for (int i = index; i < index + remove; i++)
    oc_item_clear(&parent->children[i]);

  int n = 0;
  for (int i = 0; i < index; i++)
    item_move(&fresh[n++], &parent->children[i], parent);
  for (int i = 0; i < src->children_num; i++)
    item_move(&fresh[n++], &src->children[i], parent);
  for (int i = index + remove; i < parent->children_num; i++)
    item_move(&fresh[n++], &parent->children[i], parent);

  free(parent->children);
  parent->children = fresh;
  parent->children_num = n;

  free(src->children);
  src->children = NULL;
  src->children_num = 0;
  oconfig_free(src);
  return 0;
}
