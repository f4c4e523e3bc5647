/* Meta data that plugins keep per identifier (network keeps which server a
 * value came from, target_scale its previous values, ...). Each function
 * locks the identifier's shard, creates the entry's meta_data_t on first
 * use, and calls the meta_data_* function of the same name on it. The shard
 * lock is held across that call because expiry frees the meta data with
 * the entry. */
#include "collectd.h"

#include "utils_cache_internal.h"

/* The meta data of vl's entry, shard locked in *ret_shard; NULL (nothing
 * locked) when vl is not cached or out of memory. */
static meta_data_t *meta_lock(const value_list_t *vl, uc_shard_t **ret_shard) {
  if (vl == NULL)
    return NULL;
  uc_shard_t *s;
  uc_entry_t *e = uc__lock_vl(vl, &s);
  if (e == NULL)
    return NULL;
  if (e->meta == NULL)
    e->meta = meta_data_create();
  if (e->meta == NULL) {
    uc__unlock(s);
    return NULL;
  }
  *ret_shard = s;
  return e->meta;
}

/* Evaluates `call`, in which `md` is the entry's meta data, and returns
 * its result; -1 when vl is not cached. One macro instead of thirteen
 * copies of the same lock-call-unlock. */
#define UC_META_CALL(vl, call)                                                 \
  do {                                                                         \
    uc_shard_t *s_;                                                            \
    meta_data_t *md = meta_lock((vl), &s_);                                    \
    if (md == NULL)                                                            \
      return -1;                                                               \
    int status_ = (call);                                                      \
    uc__unlock(s_);                                                            \
    return status_;                                                            \
  } while (0)

int uc_meta_data_exists(const value_list_t *vl, const char *key) {
  UC_META_CALL(vl, meta_data_exists(md, key));
}

int uc_meta_data_delete(const value_list_t *vl, const char *key) {
  UC_META_CALL(vl, meta_data_delete(md, key));
}

int uc_meta_data_toc(const value_list_t *vl, char ***toc) {
  UC_META_CALL(vl, meta_data_toc(md, toc));
}

int uc_meta_data_add_string(const value_list_t *vl, const char *key,
                            const char *value) {
  UC_META_CALL(vl, meta_data_add_string(md, key, value));
}

int uc_meta_data_add_signed_int(const value_list_t *vl, const char *key,
                                int64_t value) {
  UC_META_CALL(vl, meta_data_add_signed_int(md, key, value));
}

int uc_meta_data_add_unsigned_int(const value_list_t *vl, const char *key,
                                  uint64_t value) {
  UC_META_CALL(vl, meta_data_add_unsigned_int(md, key, value));
}

int uc_meta_data_add_double(const value_list_t *vl, const char *key,
                            double value) {
  UC_META_CALL(vl, meta_data_add_double(md, key, value));
}

int uc_meta_data_add_boolean(const value_list_t *vl, const char *key,
                             bool value) {
  UC_META_CALL(vl, meta_data_add_boolean(md, key, value));
}

int uc_meta_data_get_string(const value_list_t *vl, const char *key,
                            char **value) {
  UC_META_CALL(vl, meta_data_get_string(md, key, value));
}

int uc_meta_data_get_signed_int(const value_list_t *vl, const char *key,
                                int64_t *value) {
  UC_META_CALL(vl, meta_data_get_signed_int(md, key, value));
}

int uc_meta_data_get_unsigned_int(const value_list_t *vl, const char *key,
                                  uint64_t *value) {
  UC_META_CALL(vl, meta_data_get_unsigned_int(md, key, value));
}

int uc_meta_data_get_double(const value_list_t *vl, const char *key,
                            double *value) {
  UC_META_CALL(vl, meta_data_get_double(md, key, value));
}

int uc_meta_data_get_boolean(const value_list_t *vl, const char *key,
                             bool *value) {
  UC_META_CALL(vl, meta_data_get_boolean(md, key, value));
}
