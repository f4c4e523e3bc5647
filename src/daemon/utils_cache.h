/* The value cache: the last value, rate and bookkeeping of every identifier
 * the daemon has seen recently.
 *
 * Every dispatched value list passes through uc_update(), from many threads
 * at once; the readers (unixsock GETVAL/LISTVAL, thresholds, write plugins
 * asking for rates) come through the getters below. The names, signatures,
 * return conventions and STATE_* numbers are collectd 5.12's: plugin binaries
 * built for 5.12 call these functions, so they may not change.
 *
 * An identifier's name is "host/plugin[-plugin_instance]/type[-type_instance]".
 * Rates are in units per second: a gauge's rate is its value; a derive's or
 * counter's is the difference to the previous value over the time between
 * them (NAN after the first value); an absolute's is the value over that
 * time (over the interval for the first value). A rate outside the data
 * source's [min, max] reads as NAN. */
#ifndef UTILS_CACHE_H
#define UTILS_CACHE_H 1

#include "plugin.h"

/* Threshold states kept per identifier (uc_get_state / uc_set_state). */
#define STATE_UNKNOWN 0
#define STATE_OKAY 1
#define STATE_WARNING 2
#define STATE_ERROR 3
#define STATE_MISSING 15

/* ---- life cycle ---------------------------------------------------------- */

/* Ready the cache; 0. Safe to call more than once. */
int uc_init(void);
/* Drop every entry and free all memory. No other uc_* call may run
 * concurrently; the cache is usable (empty) afterwards. */
void uc_shutdown(void);

/* Removes every identifier not updated for timeout_g of its intervals.
 * Before removal each one is announced with plugin_dispatch_missing() and,
 * when a cache-event callback asked for it, CE_VALUE_EXPIRED; neither is
 * called with a cache lock held. Returns 0. */
int uc_check_timeout(void);

/* ---- the hot path -------------------------------------------------------- */

/* Records `vl` (whose values follow `ds`). Returns 0, or -1 when the value is
 * not newer than the cached one (logged) or the arguments do not fit the
 * entry. A new identifier is announced with CE_VALUE_NEW; an update with
 * CE_VALUE_UPDATE when a callback asked for it. */
int uc_update(const data_set_t *ds, const value_list_t *vl);

/* The core's own (plugins do not call these). The cache is updated when a
 * value is dispatched, but its write callbacks run later, in a write
 * thread; a callback that asks uc_get_rate() for the value's rates must get
 * them as this value left them, not as a later value of the same
 * identifier did (collectd 5.12 updates the cache in the write thread,
 * just before the callbacks). So uc__update_rates() is uc_update() that also
 * copies the rates after the update into `rates` (ds->ds_num of them;
 * *have_rates false when there are none), the write queue keeps them with
 * the value, and a write thread names the value it is delivering with
 * uc__delivering(): uc_get_rate() for that identifier answers from it. */
int uc__update_rates(const data_set_t *ds, const value_list_t *vl,
                     gauge_t *rates, bool *have_rates);
typedef struct {
  const value_list_t *vl; /* the identifier, as dispatched */
  const gauge_t *rates;
  size_t num;
} uc_delivery_t;
/* Sets (NULL: clears) the calling thread's value being delivered. */
void uc__delivering(const uc_delivery_t *d);

/* ---- cache-event masks (the core's own) ---------------------------------
 * Each cache-event callback has a slot, a bit number no other callback has
 * while it exists; bit i of an entry's mask says that the callback in slot
 * i asked, when it heard CE_VALUE_NEW of the entry, for its updates and
 * expiry. A slot is given to another callback once its callback is freed,
 * so the bit leaves every mask first (uc__callbacks_mask_clear()), and
 * each clearing raises the mask epoch: a mask read under an older epoch
 * may hold a bit that now belongs to someone else. The cache reads the
 * epoch with the mask, under the entry's lock, and hands both to the
 * dispatcher, which reads the mask again if the epoch has moved. */

/* Defined by the dispatcher (plugin_dispatch.c): plugin_dispatch_cache_event()
 * for a mask read under `epoch`. */
void plugin__dispatch_cache_event(enum cache_event_type_e event_type,
                                  unsigned long callbacks_mask, uint64_t epoch,
                                  const char *name, const value_list_t *vl);
uint64_t uc__callbacks_mask_epoch(void);
/* Adds bits to the entry's mask: 0, or -1 when it is not cached. */
int uc__callbacks_mask_add(const char *name, unsigned long bits);
/* The entry's mask as it is now; 0 when it is not cached. */
unsigned long uc__callbacks_mask_get(const char *name);
/* Clears `bits` from the mask of every entry, then raises the epoch. Takes
 * each shard lock in turn: the caller holds none. */
void uc__callbacks_mask_clear(unsigned long bits);

/* Calls fn with the name and a value list of every entry (identifier, last
 * raw values, their time, the interval, a clone of the entry's meta data),
 * holding no lock: the entries of one shard are copied under its lock, then
 * handed out, so fn may use the cache. An entry added or removed during the
 * walk may or may not be seen. Stops at fn's first non-zero and returns it;
 * -ENOMEM when some entries could not be copied. */
int uc__foreach_copy(int (*fn)(const char *name, const value_list_t *vl,
                               void *ctx),
                     void *ctx);

/* ---- readers --------------------------------------------------------------
 * The *_by_name functions take the name above; the others the identifier
 * fields of `vl`. Returned arrays are malloc'ed copies the caller frees. */

/* 0 with *ret_values (one rate per data source), or -1 when unknown. */
int uc_get_rate_by_name(const char *name, gauge_t **ret_values,
                        size_t *ret_values_num);
/* The rates, or NULL when unknown or ds does not match the entry. */
gauge_t *uc_get_rate(const data_set_t *ds, const value_list_t *vl);
/* As above, with the last raw values. */
int uc_get_value_by_name(const char *name, value_t **ret_values,
                         size_t *ret_values_num);
value_t *uc_get_value(const data_set_t *ds, const value_list_t *vl);

/* The number of identifiers in the cache. */
size_t uc_get_size(void);
/* Every name (and, if ret_times is not NULL, its last value time), sorted by
 * name; identifiers in STATE_MISSING are left out. The caller frees each name
 * and both arrays. 0, -1 on a NULL argument, ENOMEM. */
int uc_get_names(char ***ret_names, cdtime_t **ret_times, size_t *ret_number);

/* The state, or STATE_ERROR when the identifier is unknown. */
int uc_get_state(const data_set_t *ds, const value_list_t *vl);
/* Sets the state and returns the previous one; -1 when unknown. */
int uc_set_state(const data_set_t *ds, const value_list_t *vl, int state);
/* The hit counter, or STATE_ERROR when unknown (as 5.12). */
int uc_get_hits(const data_set_t *ds, const value_list_t *vl);
/* Set it, or add `step` to it; both return the previous count, -1 when
 * unknown. */
int uc_set_hits(const data_set_t *ds, const value_list_t *vl, int hits);
int uc_inc_hits(const data_set_t *ds, const value_list_t *vl, int step);

/* Which cache-event callbacks (bit i: the one in slot i, see above) want
 * CE_VALUE_UPDATE and CE_VALUE_EXPIRED of `name`. 0, or -1 when unknown. */
int uc_set_callbacks_mask(const char *name, unsigned long callbacks_mask);

/* Copies the last `num_steps` rates of each of `num_ds` data sources into
 * ret_history, newest first: ret_history[step * num_ds + ds]. History is
 * kept only from the first request on and grows to the longest request;
 * steps not yet seen are NAN. 0, -ENOENT (unknown), -EINVAL (num_ds does not
 * match), -ENOMEM. */
int uc_get_history(const data_set_t *ds, const value_list_t *vl,
                   gauge_t *ret_history, size_t num_steps, size_t num_ds);
int uc_get_history_by_name(const char *name, gauge_t *ret_history,
                           size_t num_steps, size_t num_ds);

/* ---- iteration -------------------------------------------------------------
 * An iterator walks a snapshot of the cache taken by uc_get_iterator(),
 * sorted by name and without STATE_MISSING entries; it holds no lock, so
 * updates go on while it is used. It starts before the first entry. */
struct uc_iter_s;
typedef struct uc_iter_s uc_iter_t;

/* NULL when out of memory. */
uc_iter_t *uc_get_iterator(void);
/* Moves to the next entry: 0, or -1 at the end (or for NULL). *ret_name, if
 * ret_name is not NULL, points into the iterator (do not free it; as 5.12)
 * and stays valid until uc_iterator_destroy(). */
int uc_iterator_next(uc_iter_t *iter, char **ret_name);
void uc_iterator_destroy(uc_iter_t *iter);

/* Facts of the current entry, as of the snapshot; -1 when there is none.
 * get_values hands out a malloc'ed copy of the raw values; get_meta a clone
 * of the entry's meta data as it is now (NULL if it has none), which the
 * caller destroys. */
int uc_iterator_get_time(uc_iter_t *iter, cdtime_t *ret_time);
int uc_iterator_get_values(uc_iter_t *iter, value_t **ret_values,
                           size_t *ret_num);
int uc_iterator_get_interval(uc_iter_t *iter, cdtime_t *ret_interval);
int uc_iterator_get_meta(uc_iter_t *iter, meta_data_t **ret_meta);

/* ---- per-identifier meta data ---------------------------------------------
 * The meta data a plugin keeps with an identifier (it starts as a copy of
 * the first value list's meta). Each call behaves as the meta_data_*
 * function of the same name on it, and returns -1 when the identifier is not
 * in the cache. */
int uc_meta_data_exists(const value_list_t *vl, const char *key);
int uc_meta_data_delete(const value_list_t *vl, const char *key);
int uc_meta_data_toc(const value_list_t *vl, char ***toc);

int uc_meta_data_add_string(const value_list_t *vl, const char *key,
                            const char *value);
int uc_meta_data_add_signed_int(const value_list_t *vl, const char *key,
                                int64_t value);
int uc_meta_data_add_unsigned_int(const value_list_t *vl, const char *key,
                                  uint64_t value);
int uc_meta_data_add_double(const value_list_t *vl, const char *key,
                            double value);
int uc_meta_data_add_boolean(const value_list_t *vl, const char *key,
                             bool value);

int uc_meta_data_get_string(const value_list_t *vl, const char *key,
                            char **value);
int uc_meta_data_get_signed_int(const value_list_t *vl, const char *key,
                                int64_t *value);
int uc_meta_data_get_unsigned_int(const value_list_t *vl, const char *key,
                                  uint64_t *value);
int uc_meta_data_get_double(const value_list_t *vl, const char *key,
                            double *value);
int uc_meta_data_get_boolean(const value_list_t *vl, const char *key,
                             bool *value);

/* In a plugin host, whose cache sees what the daemon's saw: a value no
 * newer than the cached one is not logged (the daemon has said so). */
void uc__quiet_too_old(void);

#endif /* UTILS_CACHE_H */
