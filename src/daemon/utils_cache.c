/* The value cache's life cycle and its hot path, uc_update().
 *
 * uc_update() takes one shard lock, never formats the identifier unless it
 * has to log or announce something, and calls no other subsystem while it
 * holds the lock. */
#include "collectd.h"

#include "utils_cache_internal.h"

#include <stdatomic.h>

/* The time stamp for an entry's last_update. It only feeds expiry, which
 * counts in intervals (seconds), so the coarse clock's few milliseconds of
 * resolution are plenty, and reading it costs a quarter of the precise one:
 * 4 ns instead of 16 here, on a path of about 55 ns. It can only lag
 * the precise clock, which makes an entry look older, never newer, than it
 * is to uc_check_timeout(). */
static cdtime_t update_clock(void) {
#ifdef CLOCK_REALTIME_COARSE
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
    return TIMESPEC_TO_CDTIME_T(&ts);
#endif
  return cdtime();
}

int uc_init(void) {
  /* The shards are static and initialised at compile time. */
  return 0;
}

void uc_shutdown(void) { uc__clear(); }

/* What 5.12 asserts, checked so that a bad caller gets -1 instead of an
 * abort or a read past the values. */
static int check_update_args(const data_set_t *ds, const value_list_t *vl) {
  if (ds == NULL || vl == NULL) {
    ERROR("uc_update: invalid argument");
    return -1;
  }
  if (vl->values_len != ds->ds_num || (ds->ds_num > 0 && vl->values == NULL)) {
    ERROR("uc_update: type \"%s\" has %" PRIsz " data sources, the value "
          "list has %" PRIsz " values",
          ds->type, ds->ds_num, vl->values_len);
    return -1;
  }
  for (size_t i = 0; i < ds->ds_num; i++) {
    int type = ds->ds[i].type;
    if (type != DS_TYPE_COUNTER && type != DS_TYPE_GAUGE &&
        type != DS_TYPE_DERIVE && type != DS_TYPE_ABSOLUTE) {
      ERROR("uc_update: Don't know how to handle data source type %i.", type);
      return -1;
    }
  }
  return 0;
}

/* Where uc__update_rates() puts the rates of the entry as the update left
 * it; NULL: nobody asked. Runs under the shard lock. */
typedef struct {
  gauge_t *rates;
  bool *have;
} rates_out_t;

static void copy_rates(const uc_entry_t *e, rates_out_t out) {
  if (out.rates == NULL)
    return;
  /* An identifier a threshold declared missing has no rates for
   * uc_get_rate() either. */
  *out.have = e->state != STATE_MISSING;
  if (*out.have)
    memcpy(out.rates, e->values_gauge, e->values_num * sizeof(gauge_t));
}

/* Adds the first value of an identifier. Called with s locked; unlocks. */
static int update_new(uc_shard_t *s, uint64_t hash, const data_set_t *ds,
                      const value_list_t *vl, cdtime_t now,
                      rates_out_t out) {
  uc_entry_t *e = uc__entry_create(ds, vl, hash, now);
  int status = (e == NULL) ? -ENOMEM : uc__insert(s, e);
  if (status == 0)
    copy_rates(e, out);
  uc__unlock(s);

  char name[UC_NAME_MAX];
  uc__format_name(name, vl);
  if (status != 0) {
    uc__entry_free(e);
    ERROR("uc_update: cannot cache \"%s\": out of memory", name);
    return -1;
  }

  /* Outside the lock: the callbacks may read the cache. The core adds
   * the interested callbacks to the mask with uc__callbacks_mask_add(). */
  plugin__dispatch_cache_event(CE_VALUE_NEW, 0, 0, name, vl);
  return 0;
}

static _Atomic bool too_old_quiet;

void uc__quiet_too_old(void) { atomic_store(&too_old_quiet, true); }

static void log_too_old(const value_list_t *vl, cdtime_t last_time) {
  if (atomic_load(&too_old_quiet))
    return;
  char name[UC_NAME_MAX];
  uc__format_name(name, vl);
  /* Same words and level as 5.12, so that log watchers keep working. */
  NOTICE("uc_update: Value too old: name = %s; value time = %.3f; "
         "last cache update = %.3f;",
         name, CDTIME_T_TO_DOUBLE(vl->time), CDTIME_T_TO_DOUBLE(last_time));
}

static int update(const data_set_t *ds, const value_list_t *vl,
                  rates_out_t out) {
  if (out.have != NULL)
    *out.have = false;
  if (check_update_args(ds, vl) != 0)
    return -1;

  /* Read the clock before locking: the critical section stays short. */
  cdtime_t now = update_clock();
  uint64_t hash = uc__hash_vl(vl);
  uc_shard_t *s = uc__shard_of(hash);

  uc__lock(s);
  uc_entry_t *e = uc__find_vl(s, hash, vl);
  if (e == NULL)
    return update_new(s, hash, ds, vl, now, out);

  if (e->values_num != ds->ds_num) {
    size_t cached = e->values_num;
    uc__unlock(s);
    ERROR("uc_update: type \"%s\" has %" PRIsz " data sources, the cached "
          "identifier has %" PRIsz,
          ds->type, ds->ds_num, cached);
    return -1;
  }
  if (vl->time <= e->last_time) {
    cdtime_t last_time = e->last_time;
    /* Written all the same; its writers see the rates the cache has. */
    copy_rates(e, out);
    uc__unlock(s);
    log_too_old(vl, last_time);
    return -1;
  }

  uc__entry_update(e, ds, vl, now);
  copy_rates(e, out);
  unsigned long mask = e->callbacks_mask;
  /* Read under the lock, with the mask (see uc__callbacks_mask_clear()). */
  uint64_t epoch = (mask != 0) ? uc__callbacks_mask_epoch() : 0;
  uc__unlock(s);

  if (mask != 0) {
    char name[UC_NAME_MAX];
    uc__format_name(name, vl);
    plugin__dispatch_cache_event(CE_VALUE_UPDATE, mask, epoch, name, vl);
  }
  return 0;
}

int uc_update(const data_set_t *ds, const value_list_t *vl) {
  return update(ds, vl, (rates_out_t){0});
}

int uc__update_rates(const data_set_t *ds, const value_list_t *vl,
                     gauge_t *rates, bool *have_rates) {
  return update(ds, vl, (rates_out_t){.rates = rates, .have = have_rates});
}
