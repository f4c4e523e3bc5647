/* What the value cache's files share; nothing outside utils_cache*.c
 * includes this.
 *
 * The cache is a hash table split into UC_SHARDS shards, each with its own
 * mutex, so that threads dispatching different identifiers rarely meet on a
 * lock. An identifier's hash is that of its formatted name, computed from
 * the five fields without formatting them: a value list and a name of the
 * same identifier land in the same bucket, so one index serves uc_update()
 * and the *_by_name readers. */
#ifndef UTILS_CACHE_INTERNAL_H
#define UTILS_CACHE_INTERNAL_H 1

#include "utils_cache.h"

#include <pthread.h>

/* host, plugin, plugin_instance, type, type_instance, in that order. */
#define UC_FIELDS 5
/* A power of two; the top bits of the hash choose the shard. */
#define UC_SHARD_BITS 6
#define UC_SHARDS (1u << UC_SHARD_BITS)
/* Room for any formatted name: five fields, four separators, the NUL. */
#define UC_NAME_MAX (UC_FIELDS * (DATA_MAX_NAME_LEN + 1))

typedef struct uc_entry_s uc_entry_t;
struct uc_entry_s {
  uc_entry_t *next; /* in its bucket's chain */
  uint64_t hash;
  /* Never changed after creation; they point into the entry's own block. */
  const char *name; /* "host/plugin[-pi]/type[-ti]" */
  const char *field[UC_FIELDS];
  uint16_t field_len[UC_FIELDS];
  size_t values_num;

  value_t *values_raw;   /* the last accepted values */
  gauge_t *values_gauge; /* their rates */
  cdtime_t last_time;    /* vl->time of the last accepted update */
  cdtime_t last_update;  /* wall clock (coarse) of that update; for expiry */
  cdtime_t interval;
  int state; /* STATE_* */
  int hits;
  unsigned long callbacks_mask;

  /* A ring of history_length rows of values_num rates; history_index is the
   * row written next. NULL until uc_get_history() first asks for it. */
  gauge_t *history;
  size_t history_length;
  size_t history_index;

  meta_data_t *meta; /* NULL until the first value with meta or uc_meta_* */
};

typedef struct uc_shard_s {
  /* Protects the bucket array, every chain, entries_num, and every mutable
   * field of every entry in this shard (the meta_data_t an entry points to
   * has its own lock, but the pointer is the shard's). Taken alone: no code
   * holds two shard locks, so there is no lock order to respect. */
  pthread_mutex_t lock;
  uc_entry_t **buckets; /* NULL until the first insertion */
  size_t buckets_num;   /* 0 or a power of two */
  size_t entries_num;
#ifndef NDEBUG
  pthread_t owner; /* for uc__assert_held(); written only by the holder */
  bool held;
#endif
} __attribute__((aligned(64))) uc_shard_t; /* no two share a cache line */

/* Field i (0..UC_FIELDS-1) of vl's identifier. */
static inline const char *uc__vl_field(const value_list_t *vl, int i) {
  switch (i) {
  case 0:
    return vl->host;
  case 1:
    return vl->plugin;
  case 2:
    return vl->plugin_instance;
  case 3:
    return vl->type;
  default:
    return vl->type_instance;
  }
}

/* ---- shards and locking (utils_cache_table.c) ---------------------------- */

uc_shard_t *uc__shard_of(uint64_t hash);
uc_shard_t *uc__shard_at(size_t index);
/* Abort on a pthread error: a cache with a broken lock cannot go on. */
void uc__lock(uc_shard_t *s);
void uc__unlock(uc_shard_t *s);
#ifndef NDEBUG
void uc__assert_held(const uc_shard_t *s);
#else
#define uc__assert_held(s) ((void)0)
#endif

/* ---- identifiers (utils_cache_ident.c) ------------------------------------
 */

/* The hash of the name of vl's identifier, or of a formatted name; equal for
 * the same identifier. */
uint64_t uc__hash_vl(const value_list_t *vl);
uint64_t uc__hash_name(const char *name);
/* Writes vl's formatted name; buffer of UC_NAME_MAX bytes. */
void uc__format_name(char *buffer, const value_list_t *vl);

/* ---- the table (utils_cache_table.c) ------------------------------------- */

/* These five: the caller holds the shard's lock. */
uc_entry_t *uc__find_vl(uc_shard_t *s, uint64_t hash, const value_list_t *vl);
uc_entry_t *uc__find_name(uc_shard_t *s, uint64_t hash, const char *name);
/* 0, or -ENOMEM when the table had to grow and could not (e not added). */
int uc__insert(uc_shard_t *s, uc_entry_t *e);
void uc__unlink(uc_shard_t *s, uc_entry_t *e);
/* e itself if it is (still) in the table under `hash`, else NULL; e is only
 * compared, never read, so it may point to freed memory. */
uc_entry_t *uc__find_entry(uc_shard_t *s, uint64_t hash, const uc_entry_t *e);

/* Lock the shard of the identifier and return its entry, shard locked in
 * *ret_shard; NULL (and nothing locked) when it is not cached. */
uc_entry_t *uc__lock_vl(const value_list_t *vl, uc_shard_t **ret_shard);
uc_entry_t *uc__lock_name(const char *name, uc_shard_t **ret_shard);

/* Calls cb on every entry of shard `index` with its lock held; cb must not
 * add or remove entries. Stops at, and returns, cb's first non-zero. */
int uc__walk_shard(size_t index, int (*cb)(uc_entry_t *e, void *ctx),
                   void *ctx);

/* Removes and frees every entry of every shard. */
void uc__clear(void);

/* ---- entries (utils_cache_entry.c) ----------------------------------------
 */

/* A new entry for vl holding its first values; NULL when out of memory. It
 * belongs to no shard yet. */
uc_entry_t *uc__entry_create(const data_set_t *ds, const value_list_t *vl,
                             uint64_t hash, cdtime_t now);
void uc__entry_free(uc_entry_t *e);
/* Records an update already checked to be newer (see uc_update()). */
void uc__entry_update(uc_entry_t *e, const data_set_t *ds,
                      const value_list_t *vl, cdtime_t now);
/* Fills the identifier fields of *vl from e (values and meta left alone). */
void uc__entry_to_vl(const uc_entry_t *e, value_list_t *vl);

#endif /* UTILS_CACHE_INTERNAL_H */
