/* Readers and per-identifier bookkeeping: rates, raw values, the list of
 * names, threshold state and hits (the cache-event masks are in
 * utils_cache_events.c). Each call locks the one shard of its identifier
 * and copies out what it returns. */
#include "collectd.h"

#include "utils_cache_internal.h"

/* ---- rates and raw values --------------------------------------------------
 */

/* A copy of the entry's rates (raw == false) or raw values; -1 when the
 * entry is marked missing, -ENOMEM. Runs under the shard lock. */
static int copy_values(const uc_entry_t *e, bool raw, void **ret,
                       size_t *ret_num) {
  /* 5.12 hides identifiers that a threshold declared missing. */
  if (e->state == STATE_MISSING)
    return -1;

  size_t size = raw ? sizeof(value_t) : sizeof(gauge_t);
  const void *src = raw ? (const void *)e->values_raw : e->values_gauge;
  void *dst = calloc(e->values_num > 0 ? e->values_num : 1, size);
  if (dst == NULL)
    return -ENOMEM;
  memcpy(dst, src, e->values_num * size);
  *ret = dst;
  *ret_num = e->values_num;
  return 0;
}

static int get_by_name(const char *name, bool raw, void **ret,
                       size_t *ret_num) {
  if (name == NULL || ret == NULL || ret_num == NULL)
    return -1;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(name, &s);
  if (e == NULL)
    return -1;
  int status = copy_values(e, raw, ret, ret_num);
  uc__unlock(s);
  if (status == -ENOMEM)
    ERROR("utils_cache: out of memory copying the values of \"%s\"", name);
  return (status == 0) ? 0 : -1;
}

/* The values of vl's identifier, checked against ds; NULL when unknown. */
static void *get_by_vl(const char *caller, const data_set_t *ds,
                       const value_list_t *vl, bool raw) {
  if (ds == NULL || vl == NULL)
    return NULL;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_vl(vl, &s);
  if (e == NULL)
    return NULL;
  void *ret = NULL;
  size_t num = 0;
  int status = copy_values(e, raw, &ret, &num);
  uc__unlock(s);
  if (status != 0)
    return NULL;

  if (num != ds->ds_num) {
    ERROR("%s: ds[%s] has %" PRIsz " values, but the cache holds %" PRIsz
          " for this identifier.",
          caller, ds->type, ds->ds_num, num);
    free(ret);
    return NULL;
  }
  return ret;
}

int uc_get_rate_by_name(const char *name, gauge_t **ret_values,
                        size_t *ret_values_num) {
  return get_by_name(name, false, (void **)ret_values, ret_values_num);
}

static __thread const uc_delivery_t *delivering;

void uc__delivering(const uc_delivery_t *d) { delivering = d; }

static bool same_identifier(const value_list_t *a, const value_list_t *b) {
  return a == b || (strcmp(a->type_instance, b->type_instance) == 0 &&
                    strcmp(a->plugin_instance, b->plugin_instance) == 0 &&
                    strcmp(a->type, b->type) == 0 &&
                    strcmp(a->plugin, b->plugin) == 0 &&
                    strcmp(a->host, b->host) == 0);
}

gauge_t *uc_get_rate(const data_set_t *ds, const value_list_t *vl) {
  const uc_delivery_t *d = delivering;
  if (d != NULL && ds != NULL && vl != NULL && same_identifier(d->vl, vl) &&
      d->num == ds->ds_num) {
    gauge_t *ret = calloc(d->num > 0 ? d->num : 1, sizeof(*ret));
    if (ret != NULL)
      memcpy(ret, d->rates, d->num * sizeof(*ret));
    return ret;
  }
  return get_by_vl("uc_get_rate", ds, vl, false);
}

int uc_get_value_by_name(const char *name, value_t **ret_values,
                         size_t *ret_values_num) {
  return get_by_name(name, true, (void **)ret_values, ret_values_num);
}

value_t *uc_get_value(const data_set_t *ds, const value_list_t *vl) {
  return get_by_vl("uc_get_value", ds, vl, true);
}

/* ---- the whole cache -------------------------------------------------------
 */

size_t uc_get_size(void) {
  size_t size = 0;
  for (size_t i = 0; i < UC_SHARDS; i++) {
    uc_shard_t *s = uc__shard_at(i);
    uc__lock(s);
    size += s->entries_num;
    uc__unlock(s);
  }
  return size;
}

typedef struct {
  char *name;
  cdtime_t time;
} name_time_t;

typedef struct {
  name_time_t *items;
  size_t num;
  size_t size;
} name_list_t;

/* uc__walk_shard() callback. */
static int collect_name(uc_entry_t *e, void *ctx) {
  name_list_t *l = ctx;
  if (e->state == STATE_MISSING)
    return 0;
  if (l->num == l->size) {
    size_t size = (l->size == 0) ? 64 : 2 * l->size;
    name_time_t *items = realloc(l->items, size * sizeof(*items));
    if (items == NULL)
      return -ENOMEM;
    l->items = items;
    l->size = size;
  }
  char *name = strdup(e->name);
  if (name == NULL)
    return -ENOMEM;
  l->items[l->num++] = (name_time_t){.name = name, .time = e->last_time};
  return 0;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(((const name_time_t *)a)->name, ((const name_time_t *)b)->name);
}

static void free_name_list(name_list_t *l) {
  for (size_t i = 0; i < l->num; i++)
    free(l->items[i].name);
  free(l->items);
}

/* Splits the sorted list into the two arrays of the API; frees l->items. */
static int split_names(name_list_t *l, char ***ret_names,
                       cdtime_t **ret_times) {
  char **names = calloc(l->num, sizeof(*names));
  cdtime_t *times = calloc(l->num, sizeof(*times));
  if (names == NULL || times == NULL) {
    free(names);
    free(times);
    return ENOMEM;
  }
  for (size_t i = 0; i < l->num; i++) {
    names[i] = l->items[i].name;
    times[i] = l->items[i].time;
  }
  free(l->items);
  *ret_names = names;
  if (ret_times != NULL)
    *ret_times = times;
  else
    free(times);
  return 0;
}

int uc_get_names(char ***ret_names, cdtime_t **ret_times, size_t *ret_number) {
  if (ret_names == NULL || ret_number == NULL)
    return -1;

  name_list_t l = {0};
  for (size_t i = 0; i < UC_SHARDS; i++)
    if (uc__walk_shard(i, collect_name, &l) != 0)
      goto nomem;

  *ret_names = NULL;
  if (ret_times != NULL)
    *ret_times = NULL;
  *ret_number = 0;
  if (l.num == 0) {
    free(l.items);
    return 0;
  }

  /* Shards scatter names; 5.12 lists them in name order (LISTVAL shows it). */
  qsort(l.items, l.num, sizeof(*l.items), cmp_name);
  size_t num = l.num;
  if (split_names(&l, ret_names, ret_times) != 0)
    goto nomem;
  *ret_number = num;
  return 0;

nomem:
  ERROR("uc_get_names: out of memory");
  free_name_list(&l);
  return ENOMEM;
}

/* ---- threshold state and hits
 * ------------------------------------------------ */

typedef enum { FIELD_STATE, FIELD_HITS } int_field_t;

static int *int_field(uc_entry_t *e, int_field_t f) {
  return (f == FIELD_STATE) ? &e->state : &e->hits;
}

/* Reads the field, or returns `unknown` when vl is not cached. */
static int get_int(const value_list_t *vl, int_field_t f, int unknown) {
  if (vl == NULL)
    return unknown;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_vl(vl, &s);
  if (e == NULL)
    return unknown;
  int ret = *int_field(e, f);
  uc__unlock(s);
  return ret;
}

/* Sets the field to value (or adds value) and returns its previous value;
 * -1 when vl is not cached. */
static int put_int(const value_list_t *vl, int_field_t f, int value, bool add) {
  if (vl == NULL)
    return -1;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_vl(vl, &s);
  if (e == NULL)
    return -1;
  int *field = int_field(e, f);
  int ret = *field;
  *field = add ? ret + value : value;
  uc__unlock(s);
  return ret;
}

int uc_get_state(const data_set_t *ds, const value_list_t *vl) {
  return get_int(vl, FIELD_STATE, STATE_ERROR);
}

int uc_set_state(const data_set_t *ds, const value_list_t *vl, int state) {
  return put_int(vl, FIELD_STATE, state, false);
}

/* STATE_ERROR for an unknown identifier is 5.12's answer too. */
int uc_get_hits(const data_set_t *ds, const value_list_t *vl) {
  return get_int(vl, FIELD_HITS, STATE_ERROR);
}

int uc_set_hits(const data_set_t *ds, const value_list_t *vl, int hits) {
  return put_int(vl, FIELD_HITS, hits, false);
}

int uc_inc_hits(const data_set_t *ds, const value_list_t *vl, int step) {
  return put_int(vl, FIELD_HITS, step, true);
}
