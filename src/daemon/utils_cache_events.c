/* What the cache keeps for the cache-event callbacks: each entry's mask of
 * the callbacks that want its updates and expiry, and the clearing of a
 * departed callback's bit.
 *
 * A callback's bit is its slot (plugin_callbacks.c), which the next
 * callback gets once this one is gone. So before a slot is given again its
 * bit leaves every mask (uc__callbacks_mask_clear()), and each clearing
 * raises an epoch: a dispatcher that read a mask under an older epoch may
 * hold a bit that has been given away since, and reads the mask again. */
#include "collectd.h"

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
