/* Filter chains, as the rest of the core uses them: building the chains
 * from the configuration, running the pre-cache chain in the dispatching
 * thread and the post-cache chain in the write threads, and keeping the
 * plugins that provide matches and targets loaded while a chain uses
 * them. */
#ifndef FC_H
#define FC_H

#include "plugin_internal.h"

typedef struct fc_set_s fc_set_t;

/* Registers the built-in targets (return, stop, write, jump) before any
 * plugin can take their names. */
void fc__init(void);

/* The configuration of the filter chains: the <Chain> blocks in file order
 * and the PreCacheChain / PostCacheChain options (`*_set`: named in the
 * file rather than left at their defaults; `*_where`: "file:line: " where,
 * for messages, or NULL). */
typedef struct {
  oconfig_item_t **blocks;
  size_t blocks_num;
  const char *pre_cache;
  bool pre_cache_set;
  const char *pre_cache_where;
  const char *post_cache;
  bool post_cache_set;
  const char *post_cache_where;
} fc_conf_t;

/* Builds every chain (calling the create() of each match and target) and
 * checks them: an unknown match or target, a rule without a target, a jump
 * to a chain that does not exist or a loop of jumps is refused with the
 * file and line in errbuf, and nothing is built. Returns 0 or a negative
 * errno. On success *ret is the new set, not yet in use. */
int fc__build(const fc_conf_t *conf, fc_set_t **ret, char *errbuf,
              size_t errlen);

/* Makes `set` the one values run through (NULL: none) and frees the one it
 * replaces once no thread runs a value through it any more (bounded by
 * `timeout`; a set still in use after that is leaked, and -ETIMEDOUT
 * returned, rather than freed under a thread). */
int fc__publish(fc_set_t *set, cdtime_t timeout);

/* Frees a set that was never published. */
void fc__set_free(fc_set_t *set);

/* The chains a value runs through. A dispatching thread takes the set
 * with fc__pre_cache_acquire() (NULL: no pre-cache chain) and runs its own
 * copy of the value list through fc__pre_cache(), which may change its
 * names, values and meta data and returns false if the value is to be
 * dropped. A write thread takes the set once per batch with
 * fc__post_cache_acquire() (NULL: no post-cache chain, every write plugin
 * gets every value) and runs each value through fc__post_cache(). Both
 * let go with fc__release(). Without chains, acquiring costs one relaxed
 * atomic load. */
fc_set_t *fc__pre_cache_acquire(void);
bool fc__pre_cache(fc_set_t *set, const data_set_t *ds, value_list_t *vl);
fc_set_t *fc__post_cache_acquire(void);
void fc__post_cache(fc_set_t *set, const data_set_t *ds, value_list_t *vl);
void fc__release(fc_set_t *set);

/* The chains and rules that use a match or target of `owner`, for the
 * reply to an UNLOAD or RELOAD of it ("chain \"c\" rule \"r\" (file:line)
 * uses its match \"m\""); the number of uses. */
size_t fc__owner_uses(plugin_t *owner, char *buf, size_t len);

/* Forgets the matches and targets `owner` registered (it is going away,
 * and fc__owner_uses() said no chain uses them). */
void fc__remove_owner(plugin_t *owner);

#endif /* FC_H */
