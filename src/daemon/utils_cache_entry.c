/* One cache entry: its memory, its first values and the rate arithmetic of
 * every later update. The caller holds the entry's shard lock (or owns an
 * entry not yet in the table). */
#include "collectd.h"

#include "utils/common/common.h"
#include "utils_cache_internal.h"

/* ---- memory ----------------------------------------------------------------
 * One block per entry: the struct, the raw values, the rates, the name and
 * the five fields. One allocation keeps creation cheap and an update's data
 * on few cache lines. */

/* Copies the identifier into the block at p: the formatted name first, then
 * each field NUL-terminated. */
static void entry_set_strings(uc_entry_t *e, char *p, const value_list_t *vl) {
  uc__format_name(p, vl);
  e->name = p;
  p += strlen(p) + 1;
  for (int i = 0; i < UC_FIELDS; i++) {
    memcpy(p, uc__vl_field(vl, i), e->field_len[i]);
    p[e->field_len[i]] = '\0';
    e->field[i] = p;
    p += e->field_len[i] + 1;
  }
}

static uc_entry_t *entry_alloc(const value_list_t *vl, size_t values_num) {
  uint16_t len[UC_FIELDS];
  size_t strings = 0;
  for (int i = 0; i < UC_FIELDS; i++) {
    len[i] = (uint16_t)strnlen(uc__vl_field(vl, i), DATA_MAX_NAME_LEN);
    /* Each field twice (in the name and alone), a separator or NUL each. */
    strings += 2 * ((size_t)len[i] + 1);
  }

  size_t values_size = values_num * (sizeof(value_t) + sizeof(gauge_t));
  uc_entry_t *e = calloc(1, sizeof(*e) + values_size + strings);
  if (e == NULL)
    return NULL;

  memcpy(e->field_len, len, sizeof(len));
  e->values_num = values_num;
  e->values_raw = (value_t *)(e + 1);
  e->values_gauge = (gauge_t *)(e->values_raw + values_num);
  entry_set_strings(e, (char *)(e->values_gauge + values_num), vl);
  return e;
}

void uc__entry_free(uc_entry_t *e) {
  if (e == NULL)
    return;
  free(e->history);
  meta_data_destroy(e->meta);
  free(e);
}

/* ---- rates ------------------------------------------------------------------
 */

/* A rate outside the data source's [min, max] is not to be believed; NAN
 * bounds do not limit. */
static void prune_rates(uc_entry_t *e, const data_set_t *ds) {
  for (size_t i = 0; i < e->values_num; i++) {
    gauge_t r = e->values_gauge[i];
    if (isnan(r))
      continue;
    if (ds->ds[i].min > r || r > ds->ds[i].max)
      e->values_gauge[i] = NAN;
  }
}

/* The first value of an identifier: only gauges and absolutes have a rate
 * yet (an absolute counts events over its interval). */
static gauge_t first_rate(int type, value_t v, cdtime_t interval) {
  switch (type) {
  case DS_TYPE_GAUGE:
    return v.gauge;
  case DS_TYPE_ABSOLUTE:
    if (interval == 0)
      return NAN;
    return (gauge_t)v.absolute / CDTIME_T_TO_DOUBLE(interval);
  default:
    return NAN;
  }
}

static gauge_t next_rate(int type, value_t old, value_t v, double seconds) {
  switch (type) {
  case DS_TYPE_GAUGE:
    return v.gauge;
  case DS_TYPE_COUNTER:
    return (gauge_t)counter_diff(old.counter, v.counter) / seconds;
  case DS_TYPE_DERIVE: {
    /* Unsigned subtraction: wraps instead of overflowing (undefined). */
    derive_t diff = (derive_t)((uint64_t)v.derive - (uint64_t)old.derive);
    return (gauge_t)diff / seconds;
  }
  case DS_TYPE_ABSOLUTE:
    return (gauge_t)v.absolute / seconds;
  default:
    return NAN;
  }
}

/* Writes the current rates into the next row of the history ring. */
static void record_history(uc_entry_t *e) {
  if (e->history == NULL)
    return;
  assert(e->history_index < e->history_length);
  memcpy(e->history + e->history_index * e->values_num, e->values_gauge,
         e->values_num * sizeof(gauge_t));
  e->history_index = (e->history_index + 1) % e->history_length;
}

/* ---- the entry's life ---------------------------------------------------- */

uc_entry_t *uc__entry_create(const data_set_t *ds, const value_list_t *vl,
                             uint64_t hash, cdtime_t now) {
  uc_entry_t *e = entry_alloc(vl, ds->ds_num);
  if (e == NULL)
    return NULL;

  e->hash = hash;
  for (size_t i = 0; i < e->values_num; i++) {
    e->values_raw[i] = vl->values[i];
    e->values_gauge[i] =
        first_rate(ds->ds[i].type, vl->values[i], vl->interval);
  }
  prune_rates(e, ds);

  e->last_time = vl->time;
  e->last_update = now;
  e->interval = vl->interval;
  e->state = STATE_UNKNOWN;
  /* The entry keeps what the first value list carried; a failed clone only
   * loses that annotation, not the value. */
  if (vl->meta != NULL)
    e->meta = meta_data_clone(vl->meta);
  return e;
}

void uc__entry_update(uc_entry_t *e, const data_set_t *ds,
                      const value_list_t *vl, cdtime_t now) {
  assert(vl->time > e->last_time);
  double seconds = CDTIME_T_TO_DOUBLE(vl->time - e->last_time);

  for (size_t i = 0; i < e->values_num; i++) {
    int type = ds->ds[i].type;
    e->values_gauge[i] =
        next_rate(type, e->values_raw[i], vl->values[i], seconds);
    e->values_raw[i] = vl->values[i];
  }
  /* 5.12 records the history before pruning; readers of the history (e.g.
   * check_uptime) see the same numbers as with 5.12. */
  record_history(e);
  prune_rates(e, ds);

  e->last_time = vl->time;
  e->last_update = now;
  e->interval = vl->interval;
}

void uc__entry_to_vl(const uc_entry_t *e, value_list_t *vl) {
  char *dst[UC_FIELDS] = {vl->host, vl->plugin, vl->plugin_instance, vl->type,
                          vl->type_instance};
  for (int i = 0; i < UC_FIELDS; i++) {
    /* A field may be DATA_MAX_NAME_LEN bytes long when its value list left
     * it unterminated; the copy is cut to stay a string. */
    size_t len = e->field_len[i];
    if (len >= DATA_MAX_NAME_LEN)
      len = DATA_MAX_NAME_LEN - 1;
    memcpy(dst[i], e->field[i], len);
    dst[i][len] = '\0';
  }
}
