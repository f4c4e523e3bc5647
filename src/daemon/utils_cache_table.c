/* The value cache's hash table: shards, their locks, lookup, insertion and
 * removal. Hashing identifiers is utils_cache_ident.c's business, what an
 * entry holds and how an update changes it utils_cache_entry.c's. */
#include "collectd.h"

#include "utils_cache_internal.h"

#include <pthread.h>

/* Buckets a shard starts with once it holds its first entry. */
#define UC_BUCKETS_MIN 16

/* Static so that the cache works (empty) before uc_init() and after
 * uc_shutdown(); the mutexes never need creating or destroying. */
static uc_shard_t shards[UC_SHARDS] = {
    [0 ... UC_SHARDS - 1] = {.lock = PTHREAD_MUTEX_INITIALIZER}};

/* ---- shards and locks ---------------------------------------------------- */

uc_shard_t *uc__shard_of(uint64_t hash) {
  return &shards[hash >> (64 - UC_SHARD_BITS)];
}

uc_shard_t *uc__shard_at(size_t index) {
  assert(index < UC_SHARDS);
  return &shards[index];
}

void uc__lock(uc_shard_t *s) {
  int status = pthread_mutex_lock(&s->lock);
  if (status != 0) {
    fprintf(stderr, "utils_cache: pthread_mutex_lock failed: %s\n",
            strerror(status));
    abort();
  }
#ifndef NDEBUG
  s->owner = pthread_self();
  s->held = true;
#endif
}

void uc__unlock(uc_shard_t *s) {
#ifndef NDEBUG
  uc__assert_held(s);
  s->held = false;
#endif
  int status = pthread_mutex_unlock(&s->lock);
  if (status != 0) {
    fprintf(stderr, "utils_cache: pthread_mutex_unlock failed: %s\n",
            strerror(status));
    abort();
  }
}

#ifndef NDEBUG
void uc__assert_held(const uc_shard_t *s) {
  assert(s->held && pthread_equal(s->owner, pthread_self()));
}
#endif

/* ---- lookup ----------------------------------------------------------------
 */

/* Exact comparison of the five fields; a field may fill its array without
 * a terminating NUL. */
static bool entry_is_vl(const uc_entry_t *e, const value_list_t *vl) {
  for (int i = 0; i < UC_FIELDS; i++) {
    const char *f = uc__vl_field(vl, i);
    size_t len = e->field_len[i];
    if (memcmp(f, e->field[i], len) != 0)
      return false;
    if (len < DATA_MAX_NAME_LEN && f[len] != '\0')
      return false;
  }
  return true;
}

static uc_entry_t **bucket_of(uc_shard_t *s, uint64_t hash) {
  return &s->buckets[hash & (s->buckets_num - 1)];
}

uc_entry_t *uc__find_vl(uc_shard_t *s, uint64_t hash, const value_list_t *vl) {
  uc__assert_held(s);
  if (s->buckets == NULL)
    return NULL;
  for (uc_entry_t *e = *bucket_of(s, hash); e != NULL; e = e->next)
    if (e->hash == hash && entry_is_vl(e, vl))
      return e;
  return NULL;
}

uc_entry_t *uc__find_name(uc_shard_t *s, uint64_t hash, const char *name) {
  uc__assert_held(s);
  if (s->buckets == NULL)
    return NULL;
  for (uc_entry_t *e = *bucket_of(s, hash); e != NULL; e = e->next)
    if (e->hash == hash && strcmp(e->name, name) == 0)
      return e;
  return NULL;
}

uc_entry_t *uc__find_entry(uc_shard_t *s, uint64_t hash, const uc_entry_t *e) {
  uc__assert_held(s);
  if (s->buckets == NULL)
    return NULL;
  for (uc_entry_t *p = *bucket_of(s, hash); p != NULL; p = p->next)
    if (p == e)
      return p;
  return NULL;
}

uc_entry_t *uc__lock_vl(const value_list_t *vl, uc_shard_t **ret_shard) {
  uint64_t hash = uc__hash_vl(vl);
  uc_shard_t *s = uc__shard_of(hash);
  uc__lock(s);
  uc_entry_t *e = uc__find_vl(s, hash, vl);
  if (e == NULL) {
    uc__unlock(s);
    return NULL;
  }
  *ret_shard = s;
  return e;
}

uc_entry_t *uc__lock_name(const char *name, uc_shard_t **ret_shard) {
  uint64_t hash = uc__hash_name(name);
  uc_shard_t *s = uc__shard_of(hash);
  uc__lock(s);
  uc_entry_t *e = uc__find_name(s, hash, name);
  if (e == NULL) {
    uc__unlock(s);
    return NULL;
  }
  *ret_shard = s;
  return e;
}

/* ---- insertion and removal ------------------------------------------------
 */

/* Doubles the bucket array (or creates it); keeps a load factor <= 1 so
 * that chains stay about one entry long. */
static int grow(uc_shard_t *s) {
  size_t num = (s->buckets_num == 0) ? UC_BUCKETS_MIN : 2 * s->buckets_num;
  uc_entry_t **buckets = calloc(num, sizeof(*buckets));
  if (buckets == NULL)
    return -ENOMEM;

  for (size_t i = 0; i < s->buckets_num; i++) {
    uc_entry_t *e = s->buckets[i];
    while (e != NULL) {
      uc_entry_t *next = e->next;
      uc_entry_t **b = &buckets[e->hash & (num - 1)];
      e->next = *b;
      *b = e;
      e = next;
    }
  }
  free(s->buckets);
  s->buckets = buckets;
  s->buckets_num = num;
  return 0;
}

int uc__insert(uc_shard_t *s, uc_entry_t *e) {
  uc__assert_held(s);
  if (s->entries_num >= s->buckets_num) {
    int status = grow(s);
    /* A full but existing table still works; only a missing one does not. */
    if (status != 0 && s->buckets == NULL)
      return status;
  }
  uc_entry_t **b = bucket_of(s, e->hash);
  e->next = *b;
  *b = e;
  s->entries_num++;
  return 0;
}

void uc__unlink(uc_shard_t *s, uc_entry_t *e) {
  uc__assert_held(s);
  for (uc_entry_t **p = bucket_of(s, e->hash); *p != NULL; p = &(*p)->next) {
    if (*p == e) {
      *p = e->next;
      e->next = NULL;
      s->entries_num--;
      return;
    }
  }
  assert(0 && "uc__unlink: entry not in its shard");
}

/* ---- whole-table operations ------------------------------------------------
 */

int uc__walk_shard(size_t index, int (*cb)(uc_entry_t *e, void *ctx),
                   void *ctx) {
  uc_shard_t *s = uc__shard_at(index);
  int status = 0;

  uc__lock(s);
  for (size_t i = 0; status == 0 && i < s->buckets_num; i++)
    for (uc_entry_t *e = s->buckets[i]; status == 0 && e != NULL; e = e->next)
      status = cb(e, ctx);
  uc__unlock(s);
  return status;
}

void uc__clear(void) {
  for (size_t i = 0; i < UC_SHARDS; i++) {
    uc_shard_t *s = &shards[i];
    uc__lock(s);
    for (size_t j = 0; j < s->buckets_num; j++) {
      uc_entry_t *e = s->buckets[j];
      while (e != NULL) {
        uc_entry_t *next = e->next;
        uc__entry_free(e);
        e = next;
      }
    }
    free(s->buckets);
    s->buckets = NULL;
    s->buckets_num = 0;
    s->entries_num = 0;
    uc__unlock(s);
  }
}
