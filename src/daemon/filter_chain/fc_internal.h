/* What the filter chain files share (see filter_chain.h for the plugins'
 * side and fc.h for the rest of the core's).
 *
 * A chain is built once from the configuration and never changed while it
 * is in use: a set of chains (fc_set_t) is published as a whole, read
 * without locks by the threads that run values through it, and freed only
 * after every such thread has let go of it. */
#ifndef FC_INTERNAL_H
#define FC_INTERNAL_H

#include "filter_chain.h"
#include "filter_chain/fc.h"
#include "plugin_internal.h"

/* A registered match or target: a plugin's, or one built into the core
 * (owner NULL). Registrations are kept on a list until their plugin goes
 * away; a chain element points at its registration, so the list entry
 * lives as long as any chain that uses it (unloading the plugin is refused
 * until then). */
typedef enum { FC_MATCH, FC_TARGET } fc_kind_t;

typedef struct fc_impl_s fc_impl_t;
struct fc_impl_s {
  fc_kind_t kind;
  char name[DATA_MAX_NAME_LEN];
  plugin_t *owner;
  match_proc_t match;   /* kind FC_MATCH */
  target_proc_t target; /* kind FC_TARGET */
  fc_impl_t *next;
};

/* The implementation registered as `name`, or NULL. */
fc_impl_t *fc__impl_find(fc_kind_t kind, const char *name);

/* One match or target in a rule, or a default target of a chain: the
 * implementation and what its create() made of the configuration. */
typedef struct {
  fc_impl_t *impl;
  void *user_data;
  char *where; /* "file:line" of its configuration, for messages */
} fc_elem_t;

typedef struct {
  char name[DATA_MAX_NAME_LEN]; /* optional: empty */
  char *where;
  fc_elem_t *matches; /* all must match */
  size_t matches_num;
  fc_elem_t *targets; /* at least one */
  size_t targets_num;
  plugin_t **owners; /* the distinct plugins the rule needs ready */
  size_t owners_num;
} fc_rule_t;

struct fc_chain_s {
  char name[DATA_MAX_NAME_LEN];
  char *where;
  fc_rule_t *rules;
  size_t rules_num;
  fc_elem_t *targets; /* the default targets, run at the end of the chain */
  size_t targets_num;
};

struct fc_set_s {
  fc_chain_t *chains;
  size_t chains_num;
  fc_chain_t *pre_cache;  /* NULL: values go straight to the cache */
  fc_chain_t *post_cache; /* NULL: values go to every write plugin */
  _Atomic long users;     /* threads running values through it */
};

/* ---- built-in targets ------------------------------------------------- */

/* Registers return, stop, write and jump (owner NULL); idempotent. */
void fc__builtin_register(void);
/* The jump target's user data is the name of the chain to jump to until
 * the set is complete; this resolves it to the chain. Returns -ENOENT if
 * there is no such chain. */
int fc__jump_resolve(fc_elem_t *jump, fc_set_t *set);
/* The chain a resolved jump element jumps to. */
fc_chain_t *fc__jump_chain(const fc_elem_t *jump);
/* The name of the chain a jump element jumps to. */
const char *fc__jump_name(const fc_elem_t *jump);
bool fc__is_jump(const fc_elem_t *e);

/* ---- running ---------------------------------------------------------- */

/* Runs a chain: FC_TARGET_STOP or FC_TARGET_CONTINUE. */
int fc__run_chain(const fc_chain_t *chain, const data_set_t *ds,
                  value_list_t *vl);

/* "chain \"c\" rule \"r\"", or "rule #n" for a rule without a name. */
void fc__rule_label(const fc_chain_t *c, size_t index, char *buf, size_t len);

/* Looks a chain up in a set. */
fc_chain_t *fc__set_find(fc_set_t *set, const char *name);

#endif /* FC_INTERNAL_H */
