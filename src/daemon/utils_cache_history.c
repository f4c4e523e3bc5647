/* Rate history: the last N rates of an identifier, kept only once a reader
 * (e.g. the barometer or check_uptime plugin) asks for them. The ring is
 * written by uc__entry_update() (utils_cache_entry.c) and grown here. */
#include "collectd.h"

#include "utils_cache_internal.h"

/* Makes the ring hold at least `steps` rows. The rows already there keep
 * their order (5.12's realloc scrambles it when the ring has wrapped): they
 * move to the front, oldest first, and the new rows are NAN, counting as
 * older than anything seen. */
static int history_reserve(uc_entry_t *e, size_t steps) {
  if (e->history_length >= steps)
    return 0;

  size_t n = e->values_num;
  gauge_t *h = malloc(steps * n * sizeof(*h));
  if (h == NULL)
    return -ENOMEM;

  size_t old = e->history_length;
  for (size_t r = 0; r < old; r++)
    memcpy(h + r * n, e->history + ((e->history_index + r) % old) * n,
           n * sizeof(*h));
  for (size_t i = old * n; i < steps * n; i++)
    h[i] = NAN;

  free(e->history);
  e->history = h;
  e->history_length = steps;
  e->history_index = old; /* the oldest (NAN) row is overwritten next */
  return 0;
}

/* Runs under the shard lock. */
static int history_copy(uc_entry_t *e, gauge_t *ret, size_t steps,
                        size_t num_ds) {
  if (e->values_num != num_ds)
    return -EINVAL;
  if (steps == 0 || num_ds == 0)
    return 0;

  int status = history_reserve(e, steps);
  if (status != 0)
    return status;

  /* Newest first: row history_index - 1, then further back. */
  size_t len = e->history_length;
  for (size_t i = 0; i < steps; i++) {
    size_t row = (e->history_index + len - 1 - i) % len;
    memcpy(ret + i * num_ds, e->history + row * num_ds, num_ds * sizeof(*ret));
  }
  return 0;
}

int uc_get_history_by_name(const char *name, gauge_t *ret_history,
                           size_t num_steps, size_t num_ds) {
  if (name == NULL || (ret_history == NULL && num_steps * num_ds > 0))
    return -EINVAL;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_name(name, &s);
  if (e == NULL)
    return -ENOENT;
  int status = history_copy(e, ret_history, num_steps, num_ds);
  uc__unlock(s);
  return status;
}

int uc_get_history(const data_set_t *ds, const value_list_t *vl,
                   gauge_t *ret_history, size_t num_steps, size_t num_ds) {
  if (vl == NULL || (ret_history == NULL && num_steps * num_ds > 0))
    return -EINVAL;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_vl(vl, &s);
  if (e == NULL)
    return -ENOENT;
  int status = history_copy(e, ret_history, num_steps, num_ds);
  uc__unlock(s);
  return status;
}
