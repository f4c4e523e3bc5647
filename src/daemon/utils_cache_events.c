/* What the cache keeps for the cache-event callbacks: each entry's mask of
 * the callbacks that want its updates and expiry, the clearing of a
 * departed callback's bit, and a walk over copies of every entry for a
 * callback that arrives while values are cached.
 *
 * A callback's bit is its slot (plugin_callbacks.c), which the next
 * callback gets once this one is gone. So before a slot is given again its
 * bit leaves every mask (uc__callbacks_mask_clear()), and each clearing
 * raises an epoch: a dispatcher that read a mask under an older epoch may
 * hold a bit that has been given away since, and reads the mask again. */
#include "collectd.h"

#include "utils/metadata/meta_data.h"
#include "utils_cache_internal.h"

#include <stdatomic.h>

/* Raised after every clearing; read under a shard lock together with a
 * mask (see uc__callbacks_mask_epoch()). */
static _Atomic uint64_t mask_epoch;

uint64_t uc__callbacks_mask_epoch(void) { return atomic_load(&mask_epoch); }

int uc_set_callbacks_mask(const char *name, unsigned long callbacks_mask) {
  if (name == NULL)
    return -1;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(name, &s);
  if (e == NULL) {
    /* It expired between its creation and the end of CE_VALUE_NEW. */
    ERROR("uc_set_callbacks_mask: Couldn't find %s entry!", name);
    return -1;
  }
  e->callbacks_mask = callbacks_mask;
  uc__unlock(s);
  return 0;
}

/* Adds rather than sets: what another dispatch recorded for the entry
 * meanwhile stays. */
int uc__callbacks_mask_add(const char *name, unsigned long bits) {
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(name, &s);
  if (e == NULL)
    return -1; /* expired meanwhile: nothing to be interested in */
  e->callbacks_mask |= bits;
  uc__unlock(s);
  return 0;
}

unsigned long uc__callbacks_mask_get(const char *name) {
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(name, &s);
  if (e == NULL)
    return 0;
  unsigned long mask = e->callbacks_mask;
  uc__unlock(s);
  return mask;
}

/* uc__walk_shard() callback. */
static int clear_bits(uc_entry_t *e, void *bits) {
  e->callbacks_mask &= ~*(unsigned long *)bits;
  return 0;
}

void uc__callbacks_mask_clear(unsigned long bits) {
  for (size_t i = 0; i < UC_SHARDS; i++)
    uc__walk_shard(i, clear_bits, &bits);
  /* After the last shard: whoever sees the new epoch sees clean masks. */
  atomic_fetch_add(&mask_epoch, 1);
}

/* ---- a walk over copies of the entries ----------------------------------- */

/* One entry as a value list: identifier, last values, their time, the
 * interval, and a clone of the entry's meta data. One block. */
typedef struct {
  value_list_t vl;
  char *name; /* in the block */
  value_t values[];
} entry_copy_t;

typedef struct {
  entry_copy_t **items;
  size_t num;
  size_t size;
} copies_t;

static void copy_free(entry_copy_t *c) {
  if (c == NULL)
    return;
  meta_data_destroy(c->vl.meta);
  free(c);
}

/* uc__walk_shard() callback. */
static int copy_entry(uc_entry_t *e, void *ctx) {
  copies_t *l = ctx;
  if (l->num == l->size) {
    size_t size = (l->size == 0) ? 16 : 2 * l->size;
    entry_copy_t **items = realloc(l->items, size * sizeof(*items));
    if (items == NULL)
      return -ENOMEM;
    l->items = items;
    l->size = size;
  }

  size_t values_size = e->values_num * sizeof(value_t);
  size_t name_size = strlen(e->name) + 1;
  entry_copy_t *c = calloc(1, sizeof(*c) + values_size + name_size);
  if (c == NULL)
    return -ENOMEM;
  memcpy(c->values, e->values_raw, values_size);
  c->name = (char *)c->values + values_size;
  memcpy(c->name, e->name, name_size);
  uc__entry_to_vl(e, &c->vl);
  c->vl.values = c->values;
  c->vl.values_len = e->values_num;
  c->vl.time = e->last_time;
  c->vl.interval = e->interval;
  if (e->meta != NULL && (c->vl.meta = meta_data_clone(e->meta)) == NULL) {
    free(c);
    return -ENOMEM;
  }
  l->items[l->num++] = c;
  return 0;
}

int uc__foreach_copy(int (*fn)(const char *name, const value_list_t *vl,
                               void *ctx),
                     void *ctx) {
  int status = 0;
  /* Shard by shard: the copies of one shard at a time, not of the cache. */
  for (size_t i = 0; i < UC_SHARDS && status == 0; i++) {
    copies_t l = {0};
    /* Out of memory: what was copied is still handed out, then the walk
     * stops. */
    int copied = uc__walk_shard(i, copy_entry, &l);
    for (size_t j = 0; j < l.num; j++) {
      if (status == 0)
        status = fn(l.items[j]->name, &l.items[j]->vl, ctx);
      copy_free(l.items[j]);
    }
    free(l.items);
    if (status == 0)
      status = copied;
  }
  return status;
}
