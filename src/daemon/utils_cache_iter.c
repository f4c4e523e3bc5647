/* Iteration over the cache (the grpc plugin lists values this way).
 *
 * 5.12's iterator holds the one cache lock until it is destroyed, which
 * stops every dispatch meanwhile. Ours copies what the iterator can hand
 * out (name, time, interval, raw values) shard by shard, sorts it by name as
 * 5.12's tree walk would, and holds no lock afterwards. Meta data is read
 * from the live entry when asked for, since it is cloned anyway. */
#include "collectd.h"

#include "utils_cache_internal.h"

typedef struct {
  char *name; /* points into the item's own block */
  cdtime_t time;
  cdtime_t interval;
  size_t values_num;
  value_t values[];
} iter_item_t;

struct uc_iter_s {
  iter_item_t **items;
  size_t num;
  size_t size;
  size_t next;          /* the index uc_iterator_next() moves to */
  iter_item_t *current; /* NULL before the first and after the last */
};

static iter_item_t *item_create(const uc_entry_t *e) {
  size_t values_size = e->values_num * sizeof(value_t);
  size_t name_size = strlen(e->name) + 1;
  iter_item_t *it = malloc(sizeof(*it) + values_size + name_size);
  if (it == NULL)
    return NULL;
  it->time = e->last_time;
  it->interval = e->interval;
  it->values_num = e->values_num;
  memcpy(it->values, e->values_raw, values_size);
  it->name = (char *)it->values + values_size;
  memcpy(it->name, e->name, name_size);
  return it;
}

/* uc__walk_shard() callback. */
static int collect_item(uc_entry_t *e, void *ctx) {
  uc_iter_t *iter = ctx;
  if (e->state == STATE_MISSING)
    return 0;
  if (iter->num == iter->size) {
    size_t size = (iter->size == 0) ? 64 : 2 * iter->size;
    iter_item_t **items = realloc(iter->items, size * sizeof(*items));
    if (items == NULL)
      return -ENOMEM;
    iter->items = items;
    iter->size = size;
  }
  iter_item_t *it = item_create(e);
  if (it == NULL)
    return -ENOMEM;
  iter->items[iter->num++] = it;
  return 0;
}

static int cmp_item(const void *a, const void *b) {
  const iter_item_t *x = *(iter_item_t *const *)a;
  const iter_item_t *y = *(iter_item_t *const *)b;
  return strcmp(x->name, y->name);
}

uc_iter_t *uc_get_iterator(void) {
  uc_iter_t *iter = calloc(1, sizeof(*iter));
  if (iter == NULL)
    return NULL;
  for (size_t i = 0; i < UC_SHARDS; i++) {
    if (uc__walk_shard(i, collect_item, iter) != 0) {
      ERROR("uc_get_iterator: out of memory");
      uc_iterator_destroy(iter);
      return NULL;
    }
  }
  if (iter->num > 1)
    qsort(iter->items, iter->num, sizeof(*iter->items), cmp_item);
  return iter;
}

int uc_iterator_next(uc_iter_t *iter, char **ret_name) {
  if (iter == NULL)
    return -1;
  if (iter->next >= iter->num) {
    iter->current = NULL;
    return -1;
  }
  iter->current = iter->items[iter->next++];
  if (ret_name != NULL)
    *ret_name = iter->current->name;
  return 0;
}

void uc_iterator_destroy(uc_iter_t *iter) {
  if (iter == NULL)
    return;
  for (size_t i = 0; i < iter->num; i++)
    free(iter->items[i]);
  free(iter->items);
  free(iter);
}

int uc_iterator_get_time(uc_iter_t *iter, cdtime_t *ret_time) {
  if (iter == NULL || iter->current == NULL || ret_time == NULL)
    return -1;
  *ret_time = iter->current->time;
  return 0;
}

int uc_iterator_get_values(uc_iter_t *iter, value_t **ret_values,
                           size_t *ret_num) {
  if (iter == NULL || iter->current == NULL || ret_values == NULL ||
      ret_num == NULL)
    return -1;
  const iter_item_t *it = iter->current;
  value_t *values =
      calloc(it->values_num > 0 ? it->values_num : 1, sizeof(*values));
  if (values == NULL)
    return -1;
  memcpy(values, it->values, it->values_num * sizeof(*values));
  *ret_values = values;
  *ret_num = it->values_num;
  return 0;
}

int uc_iterator_get_interval(uc_iter_t *iter, cdtime_t *ret_interval) {
  if (iter == NULL || iter->current == NULL || ret_interval == NULL)
    return -1;
  *ret_interval = iter->current->interval;
  return 0;
}

int uc_iterator_get_meta(uc_iter_t *iter, meta_data_t **ret_meta) {
  if (iter == NULL || iter->current == NULL || ret_meta == NULL)
    return -1;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(iter->current->name, &s);
  /* Expired since the snapshot: it has no meta data any more. */
  if (e == NULL) {
    *ret_meta = NULL;
    return 0;
  }
  *ret_meta = meta_data_clone(e->meta);
  uc__unlock(s);
  return 0;
}
