/* Where each item came from (file and line).
 *
 * oconfig_item_t is ABI and cannot grow a field, so locations live in a
 * side table keyed by the item's address: a chained hash table whose nodes
 * are re-linked, not reallocated, when an item moves (oc_source_move), so
 * that moving items during Include expansion cannot fail. File names are
 * interned and reference-counted: a big tree holds one copy of each name,
 * and the name goes away with the last item read from that file. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct oc_name_s {
  struct oc_name_s *next;
  size_t refs;
  char name[];
} oc_name_t;

typedef struct oc_loc_s {
  struct oc_loc_s *next;
  const oconfig_item_t *item;
  oc_name_t *file;
  int line;
} oc_loc_t;

/* Protects everything below. Parsing, freeing and look-ups may happen in
 * different threads (a plugin reload re-reads the files while the daemon
 * runs). */
static pthread_mutex_t source_lock = PTHREAD_MUTEX_INITIALIZER;
static oc_loc_t **buckets;
static size_t buckets_num; /* a power of two, or 0 when the table is empty */
static size_t locs_num;
static oc_name_t *names;

static size_t bucket_of(const oconfig_item_t *ci, size_t num) {
  uint64_t h = (uint64_t)(uintptr_t)ci;
  h ^= h >> 29;
  h *= UINT64_C(0x9e3779b97f4a7c15);
  return (size_t)(h >> 32) & (num - 1);
}

static oc_loc_t **find_slot(const oconfig_item_t *ci) {
  if (buckets_num == 0)
    return NULL;
  oc_loc_t **slot = &buckets[bucket_of(ci, buckets_num)];
  while (*slot != NULL && (*slot)->item != ci)
    slot = &(*slot)->next;
  return (*slot != NULL) ? slot : NULL;
}

static void insert(oc_loc_t *loc) {
  size_t b = bucket_of(loc->item, buckets_num);
  loc->next = buckets[b];
  buckets[b] = loc;
}

/* Grows the table when chains get long. Failing to grow only costs speed. */
static int grow(void) {
  if (buckets_num > 0 && locs_num < buckets_num * 2)
    return 0;
  size_t num = buckets_num ? buckets_num * 4 : 256;
  oc_loc_t **fresh = calloc(num, sizeof(*fresh));
  if (fresh == NULL)
    return buckets_num > 0 ? 0 : -ENOMEM;

  oc_loc_t **old = buckets;
  size_t old_num = buckets_num;
  buckets = fresh;
  buckets_num = num;
  for (size_t i = 0; i < old_num; i++) {
    while (old[i] != NULL) {
      oc_loc_t *loc = old[i];
      old[i] = loc->next;
      insert(loc);
    }
  }
  free(old);
  return 0;
}

static oc_name_t *name_get(const char *file) {
  for (oc_name_t *n = names; n != NULL; n = n->next) {
    if (strcmp(n->name, file) == 0) {
      n->refs++;
      return n;
    }
  }
  size_t len = strlen(file);
  oc_name_t *n = malloc(sizeof(*n) + len + 1);
  if (n == NULL)
    return NULL;
  memcpy(n->name, file, len + 1);
  n->refs = 1;
  n->next = names;
  names = n;
  return n;
}

static void name_put(oc_name_t *name) {
  if (--name->refs > 0)
    return;
  for (oc_name_t **p = &names; *p != NULL; p = &(*p)->next) {
    if (*p == name) {
      *p = name->next;
      break;
    }
  }
  free(name);
}

static void unlink_and_free(oc_loc_t **slot) {
  oc_loc_t *loc = *slot;
  *slot = loc->next;
  name_put(loc->file);
  free(loc);
  locs_num--;
  if (locs_num == 0) { /* leave nothing behind for leak checkers */
    free(buckets);
    buckets = NULL;
    buckets_num = 0;
  }
}

static int add_locked(const oconfig_item_t *ci, const char *file, int line) {
  oc_loc_t **slot = find_slot(ci);
  if (slot != NULL) /* a stale entry would be a bug elsewhere; replace it */
    unlink_and_free(slot);

  if (grow() != 0)
    return -ENOMEM;
  oc_loc_t *loc = malloc(sizeof(*loc));
  if (loc == NULL)
    return -ENOMEM;
  loc->file = name_get(file);
  if (loc->file == NULL) {
    free(loc);
    return -ENOMEM;
  }
  loc->item = ci;
  loc->line = line;
  insert(loc);
  locs_num++;
  return 0;
}

int oc_source_add(const oconfig_item_t *ci, const char *file, int line) {
  if (ci == NULL || file == NULL)
    return -EINVAL;
  pthread_mutex_lock(&source_lock);
  int status = add_locked(ci, file, line);
  if (status != 0 && locs_num == 0) { /* grow() may have left an empty table */
    free(buckets);
    buckets = NULL;
    buckets_num = 0;
  }
  pthread_mutex_unlock(&source_lock);
  return status;
}

void oc_source_remove(const oconfig_item_t *ci) {
  pthread_mutex_lock(&source_lock);
  oc_loc_t **slot = find_slot(ci);
  if (slot != NULL)
    unlink_and_free(slot);
  pthread_mutex_unlock(&source_lock);
}

void oc_source_move(const oconfig_item_t *from, const oconfig_item_t *to) {
  if (from == to)
    return;
  pthread_mutex_lock(&source_lock);
  oc_loc_t **dst = find_slot(to);
  if (dst != NULL)
    unlink_and_free(dst);
  oc_loc_t **slot = find_slot(from);
  if (slot != NULL) {
    oc_loc_t *loc = *slot;
    *slot = loc->next;
    loc->item = to;
    insert(loc);
  }
  pthread_mutex_unlock(&source_lock);
}

int oconfig_item_set_source(const oconfig_item_t *ci, const char *file,
                            int line) {
  return oc_source_add(ci, file, line);
}

int oconfig_item_source(const oconfig_item_t *ci, const char **file,
                        int *line) {
  int status = -ENOENT;
  pthread_mutex_lock(&source_lock);
  oc_loc_t **slot = (ci != NULL) ? find_slot(ci) : NULL;
  if (slot != NULL) {
    if (file != NULL)
      *file = (*slot)->file->name;
    if (line != NULL)
      *line = (*slot)->line;
    status = 0;
  }
  pthread_mutex_unlock(&source_lock);
  return status;
}
