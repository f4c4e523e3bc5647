/* Filter chains, as plugins see them: match and target plugins register
 * their implementations here (collectd 5.12's ABI: the structs below are
 * passed by value, so their layout must not change).
 *
 * A match decides whether a value list is of interest; a target acts on it
 * (changes it, writes it, drops it). The daemon builds chains of rules
 * from the <Chain> blocks of the configuration and runs the pre-cache
 * chain before a value enters the cache and the post-cache chain before it
 * reaches the write plugins (see collectd.conf(5), FILTER CONFIGURATION). */
#ifndef FILTER_CHAIN_H
#define FILTER_CHAIN_H 1

#include "collectd.h"
#include "plugin.h"

/* What a match callback returns. */
#define FC_MATCH_NO_MATCH 0
#define FC_MATCH_MATCHES 1

/* What a target callback returns (a negative value is an error). */
#define FC_TARGET_CONTINUE 0 /* go on with the next target or rule */
#define FC_TARGET_STOP 1     /* drop the value: no further processing */
#define FC_TARGET_RETURN 2   /* leave this chain; its caller goes on */

/* create() gets the <Match> block and stores what it needs in *user_data;
 * destroy() frees it. match() returns FC_MATCH_*, or negative on error. */
struct match_proc_s {
  int (*create)(const oconfig_item_t *ci, void **user_data);
  int (*destroy)(void **user_data);
  int (*match)(const data_set_t *ds, const value_list_t *vl,
               notification_meta_t **meta, void **user_data);
};
typedef struct match_proc_s match_proc_t;

/* The same for targets; invoke() may change vl and returns FC_TARGET_*. */
struct target_proc_s {
  int (*create)(const oconfig_item_t *ci, void **user_data);
  int (*destroy)(void **user_data);
  int (*invoke)(const data_set_t *ds, value_list_t *vl,
                notification_meta_t **meta, void **user_data);
};
typedef struct target_proc_s target_proc_t;

struct fc_chain_s;
typedef struct fc_chain_s fc_chain_t;

/* Called from module_register(): the match or target belongs to the plugin
 * being loaded, and goes away with it. Returns 0, or a negative errno
 * (-EEXIST: the name is taken). */
int fc_register_match(const char *name, match_proc_t proc);
int fc_register_target(const char *name, target_proc_t proc);

/* The configured chain of that name, or NULL. */
fc_chain_t *fc_chain_get_by_name(const char *chain_name);

/* Runs vl through `chain`; returns FC_TARGET_STOP if the value was dropped,
 * FC_TARGET_CONTINUE otherwise, negative on error. */
int fc_process_chain(const data_set_t *ds, value_list_t *vl,
                     fc_chain_t *chain);

/* What happens to a value when there is no post-cache chain: it is written
 * to every write plugin. */
int fc_default_action(const data_set_t *ds, value_list_t *vl);

#endif /* FILTER_CHAIN_H */
