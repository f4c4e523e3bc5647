/* Thresholds: the table the threshold plugin fills in and other plugins
 * (exec, unixsock, write_riemann, ...) look values up in.
 *
 * The layout of threshold_t and the names below are collectd 5.12's ABI:
 * its threshold plugin creates `threshold_tree` itself (an AVL tree keyed
 * by format_name() strings, compared with strcmp) and inserts into it under
 * `threshold_lock`; plugins read threshold_t fields directly. */
#ifndef UTILS_THRESHOLD_H
#define UTILS_THRESHOLD_H 1

#include "plugin.h"
#include "utils/avltree/avltree.h"

#include <pthread.h>

#define UT_FLAG_INVERT 0x01
#define UT_FLAG_PERSIST 0x02
#define UT_FLAG_PERCENTAGE 0x04
#define UT_FLAG_INTERESTING 0x08
#define UT_FLAG_PERSIST_OK 0x10

typedef struct threshold_s {
  /* What the threshold applies to; an empty field matches any value. */
  char host[DATA_MAX_NAME_LEN];
  char plugin[DATA_MAX_NAME_LEN];
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  char data_source[DATA_MAX_NAME_LEN]; /* empty: every data source */
  gauge_t warning_min;
  gauge_t warning_max;
  gauge_t failure_min;
  gauge_t failure_max;
  gauge_t hysteresis;
  unsigned int flags; /* UT_FLAG_* */
  int hits;           /* consecutive hits needed before a notification */
  struct threshold_s *next; /* more thresholds under the same name */
} threshold_t;

/* NULL until the threshold plugin creates it. Readers and writers hold
 * threshold_lock. */
extern c_avl_tree_t *threshold_tree;
extern pthread_mutex_t threshold_lock;

/* The threshold configured for exactly these names (NULL fields are
 * empty), or NULL. The caller holds threshold_lock. */
threshold_t *threshold_get(const char *hostname, const char *plugin,
                           const char *plugin_instance, const char *type,
                           const char *type_instance);

/* The most specific threshold that applies to vl, or NULL. The caller
 * holds threshold_lock. */
threshold_t *threshold_search(const value_list_t *vl);

/* Copies the threshold that applies to vl into *ret (its `next` cleared).
 * Returns 0, ENOENT if none applies, EINVAL without vl: positive, as the
 * plugins built for collectd 5.12 that call it expect. Takes the lock. */
int ut_search_threshold(const value_list_t *vl, threshold_t *ret);

#endif /* UTILS_THRESHOLD_H */
