/* Typed key/value annotations attached to value lists and notifications.
 *
 * The API and the MD_TYPE_* numbers match collectd 5.12 exactly: plugin
 * binaries built for 5.12 call these functions and compare the result of
 * meta_data_type() against these constants. The structure itself is opaque,
 * so its layout is ours. Every meta_data_t carries its own lock; concurrent
 * calls on one object are safe. */
#ifndef UTILS_METADATA_META_DATA_H
#define UTILS_METADATA_META_DATA_H

#include "collectd.h"

#include <stdbool.h>
#include <stdint.h>

/* Value types, as returned by meta_data_type(). */
#define MD_TYPE_STRING 1
#define MD_TYPE_SIGNED_INT 2
#define MD_TYPE_UNSIGNED_INT 3
#define MD_TYPE_DOUBLE 4
#define MD_TYPE_BOOLEAN 5

struct meta_data_s;
typedef struct meta_data_s meta_data_t;

/* Lifetime. clone() returns NULL for a NULL argument. clone_merge() copies
 * every entry of orig into *dest (creating *dest if it is NULL); entries of
 * orig replace entries of *dest with the same key. */
meta_data_t *meta_data_create(void);
meta_data_t *meta_data_clone(meta_data_t *orig);
int meta_data_clone_merge(meta_data_t **dest, meta_data_t *orig);
void meta_data_destroy(meta_data_t *md);

/* Queries. exists() returns 1 or 0; type() returns an MD_TYPE_* value, or 0
 * when the key is absent; toc() stores a malloc'ed array of malloc'ed keys
 * in *toc and returns how many there are (negative on error). */
int meta_data_exists(meta_data_t *md, const char *key);
int meta_data_type(meta_data_t *md, const char *key);
int meta_data_toc(meta_data_t *md, char ***toc);
int meta_data_delete(meta_data_t *md, const char *key);

/* Setters replace any existing entry with the same key, whatever its type. */
int meta_data_add_string(meta_data_t *md, const char *key, const char *value);
int meta_data_add_signed_int(meta_data_t *md, const char *key, int64_t value);
int meta_data_add_unsigned_int(meta_data_t *md, const char *key,
                               uint64_t value);
int meta_data_add_double(meta_data_t *md, const char *key, double value);
int meta_data_add_boolean(meta_data_t *md, const char *key, bool value);

/* Getters fail (negative) when the key is absent or has another type.
 * get_string() hands out a copy the caller frees. */
int meta_data_get_string(meta_data_t *md, const char *key, char **value);
int meta_data_get_signed_int(meta_data_t *md, const char *key, int64_t *value);
int meta_data_get_unsigned_int(meta_data_t *md, const char *key,
                               uint64_t *value);
int meta_data_get_double(meta_data_t *md, const char *key, double *value);
int meta_data_get_boolean(meta_data_t *md, const char *key, bool *value);

/* Any entry rendered as text, in a copy the caller frees. */
int meta_data_as_string(meta_data_t *md, const char *key, char **value);

#endif /* UTILS_METADATA_META_DATA_H */
