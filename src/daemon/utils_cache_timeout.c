/* Expiry: identifiers that stopped being updated leave the cache.
 *
 * Three phases, as in 5.12: collect the expired entries shard by shard,
 * announce them with no lock held (the missing and cache-event callbacks may
 * read the cache, including the entry's meta data and rates), then remove
 * them. They are announced in name order (strcmp), as 5.12 walks its tree,
 * so that e.g. the threshold plugin's "missing" notifications of one check
 * come in the same order. Unlike 5.12, an entry updated while it was being
 * announced stays. */
#include "collectd.h"

#include "utils_cache_internal.h"

typedef struct {
  value_list_t vl; /* identifier, last value time and interval */
  char *name;
  uc_entry_t *entry; /* only compared in phase 3, never dereferenced */
  uint64_t hash;
  cdtime_t last_time; /* each accepted update raises it: "updated since?" */
  unsigned long callbacks_mask;
  uint64_t mask_epoch; /* read with callbacks_mask */
} expired_t;

typedef struct {
  cdtime_t now;
  expired_t *items;
  size_t num;
  size_t size;
} expiry_t;

static bool is_expired(const uc_entry_t *e, cdtime_t now) {
  /* An update stamped after `now` (the wall clock stepped back, or it came
   * in while we walked) is fresh. */
  if (e->last_update > now)
    return false;
  return (now - e->last_update) >= e->interval * (cdtime_t)timeout_g;
}

static int grow_items(expiry_t *x) {
  size_t size = (x->size == 0) ? 16 : 2 * x->size;
  expired_t *items = realloc(x->items, size * sizeof(*items));
  if (items == NULL)
    return -ENOMEM;
  x->items = items;
  x->size = size;
  return 0;
}

/* uc__walk_shard() callback; runs with the shard locked. */
static int collect(uc_entry_t *e, void *ctx) {
  expiry_t *x = ctx;
  if (!is_expired(e, x->now))
    return 0;
  if (x->num == x->size && grow_items(x) != 0)
    return -ENOMEM; /* handle what we have; the rest expires next time */

  char *name = strdup(e->name);
  if (name == NULL)
    return -ENOMEM;

  expired_t *it = &x->items[x->num++];
  memset(&it->vl, 0, sizeof(it->vl));
  uc__entry_to_vl(e, &it->vl);
  it->vl.time = e->last_time;
  it->vl.interval = e->interval;
  it->name = name;
  it->entry = e;
  it->hash = e->hash;
  it->last_time = e->last_time;
  it->callbacks_mask = e->callbacks_mask;
  it->mask_epoch = (it->callbacks_mask != 0) ? uc__callbacks_mask_epoch() : 0;
  return 0;
}

static void announce(const expired_t *it) {
  plugin_dispatch_missing(&it->vl);
  if (it->callbacks_mask != 0)
    plugin__dispatch_cache_event(CE_VALUE_EXPIRED, it->callbacks_mask,
                                 it->mask_epoch, it->name, &it->vl);
}

/* Removes the entry unless it was updated (or already removed) since it was
 * collected. */
static void remove_if_unchanged(const expired_t *it) {
  uc_shard_t *s = uc__shard_of(it->hash);
  uc__lock(s);
  uc_entry_t *e = uc__find_entry(s, it->hash, it->entry);
  if (e != NULL && e->last_time == it->last_time)
    uc__unlink(s, e);
  else
    e = NULL;
  uc__unlock(s);
  uc__entry_free(e);
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(((const expired_t *)a)->name, ((const expired_t *)b)->name);
}

int uc_check_timeout(void) {
  expiry_t x = {.now = cdtime()};

  for (size_t i = 0; i < UC_SHARDS; i++)
    if (uc__walk_shard(i, collect, &x) != 0) {
      ERROR("uc_check_timeout: out of memory; %" PRIsz " expired values "
            "wait for the next check",
            x.num);
      break;
    }

  if (x.num > 1)
    qsort(x.items, x.num, sizeof(*x.items), cmp_name);
  for (size_t i = 0; i < x.num; i++)
    announce(&x.items[i]);

  for (size_t i = 0; i < x.num; i++) {
    remove_if_unchanged(&x.items[i]);
    free(x.items[i].name);
  }
  free(x.items);
  return 0;
}
