/* Running values through the chains, and the set of chains in use.
 *
 * The set in use is one pointer, published whole. A thread that runs a
 * value through it counts itself in `users` first and reads the pointer
 * second; fc__publish() swaps the pointer first and waits for `users` to
 * drop to zero second (both sequentially consistent), so a set is never
 * freed under a thread that reads it. Without chains, a value costs one
 * relaxed load. */
#include "filter_chain/fc_internal.h"
#include "utils/common/common.h"

static _Atomic(fc_set_t *) active;
static _Atomic long users;

static fc_set_t *set_acquire(void) {
  if (atomic_load_explicit(&active, memory_order_relaxed) == NULL)
    return NULL;
  atomic_fetch_add(&users, 1);
  fc_set_t *set = atomic_load(&active);
  if (set == NULL)
    atomic_fetch_sub(&users, 1);
  return set;
}

void fc__release(fc_set_t *set) {
  if (set != NULL)
    atomic_fetch_sub_explicit(&users, 1, memory_order_release);
}

int fc__publish(fc_set_t *set, cdtime_t timeout) {
  fc_set_t *old = atomic_exchange(&active, set);
  if (old == NULL)
    return 0;
  cdtime_t deadline = cdtime() + timeout;
  const struct timespec pause = {.tv_nsec = 200 * 1000};
  while (atomic_load(&users) > 0) {
    if (cdtime() >= deadline) {
      ERROR("filter chains: a thread still runs a value through the old "
            "chains after %.3g s; they are left allocated",
            CDTIME_T_TO_DOUBLE(timeout));
      return -ETIMEDOUT;
    }
    nanosleep(&pause, NULL);
  }
  fc__set_free(old);
  return 0;
}

/* ---- one chain -------------------------------------------------------------- */

/* Logs the 1st, 2nd, 4th, 8th... failure of the same kind. */
static bool worth_logging(_Atomic long *count) {
  long n = atomic_fetch_add(count, 1) + 1;
  return (n & (n - 1)) == 0;
}
static _Atomic long match_failures, target_failures;

static int call_match(const fc_elem_t *e, const data_set_t *ds,
                      const value_list_t *vl, notification_meta_t **meta) {
  plugin_t *owner = e->impl->owner;
  void *ud = e->user_data;
  int status;
  if (owner == NULL) {
    status = e->impl->match.match(ds, vl, meta, &ud);
  } else {
    plugin_thread_ctx_t saved = plugin__enter(owner, owner->ctx);
    status = e->impl->match.match(ds, vl, meta, &ud);
    plugin__leave(saved);
  }
  if (status < 0 && worth_logging(&match_failures))
    WARNING("filter chains: %s: match \"%s\" failed with status %d; taken "
            "as no match (%ld failures so far)",
            e->where, e->impl->name, status, atomic_load(&match_failures));
  return status;
}

/* user_data is passed by address, as in collectd; the element itself is
 * shared by every thread, so a callback gets a copy of the pointer. */
static int call_target(const fc_elem_t *e, const data_set_t *ds,
                       value_list_t *vl, notification_meta_t **meta) {
  plugin_t *owner = e->impl->owner;
  void *ud = e->user_data;
  int status;
  if (owner == NULL) {
    status = e->impl->target.invoke(ds, vl, meta, &ud);
  } else {
    plugin_thread_ctx_t saved = plugin__enter(owner, owner->ctx);
    status = e->impl->target.invoke(ds, vl, meta, &ud);
    plugin__leave(saved);
  }
  if (status < 0 && worth_logging(&target_failures))
    WARNING("filter chains: %s: target \"%s\" failed with status %d; going "
            "on with the next (%ld failures so far)",
            e->where, e->impl->name, status, atomic_load(&target_failures));
  return status;
}

/* Runs a list of targets: FC_TARGET_CONTINUE once they are all done, or
 * the first STOP or RETURN. */
static int run_targets(const fc_elem_t *t, size_t num, const data_set_t *ds,
                       value_list_t *vl, notification_meta_t **meta,
                       bool check_ready) {
  for (size_t i = 0; i < num; i++) {
    plugin_t *owner = t[i].impl->owner;
    /* A default target of a plugin that is not ready is skipped; in a
     * rule, the rule checked all of its plugins at once. */
    if (check_ready && !plugin__call_begin(owner))
      continue;
    int status = call_target(&t[i], ds, vl, meta);
    if (check_ready)
      plugin__call_end(owner);
    if (status == FC_TARGET_STOP || status == FC_TARGET_RETURN)
      return status;
  }
  return FC_TARGET_CONTINUE;
}

/* Takes a call on every plugin the rule needs; false (and nothing taken)
 * if one of them is not ready: then the rule does not match. */
static bool rule_begin(const fc_rule_t *r) {
  for (size_t i = 0; i < r->owners_num; i++) {
    if (!plugin__call_begin(r->owners[i])) {
      while (i-- > 0)
        plugin__call_end(r->owners[i]);
      return false;
    }
  }
  return true;
}

static void rule_end(const fc_rule_t *r) {
  for (size_t i = 0; i < r->owners_num; i++)
    plugin__call_end(r->owners[i]);
}

/* FC_MATCH_NO_MATCH, or what the rule's targets ended with. */
static int run_rule(const fc_rule_t *r, const data_set_t *ds,
                    value_list_t *vl) {
  if (!rule_begin(r))
    return -1;
  notification_meta_t *meta = NULL;
  int status = FC_TARGET_CONTINUE;
  for (size_t i = 0; i < r->matches_num; i++) {
    if (call_match(&r->matches[i], ds, vl, &meta) != FC_MATCH_MATCHES) {
      status = -1;
      break;
    }
  }
  if (status != -1)
    status = run_targets(r->targets, r->targets_num, ds, vl, &meta, false);
  rule_end(r);
  plugin_notification_meta_free(meta);
  return status;
}

int fc__run_chain(const fc_chain_t *c, const data_set_t *ds,
                  value_list_t *vl) {
  for (size_t i = 0; i < c->rules_num; i++) {
    int status = run_rule(&c->rules[i], ds, vl);
    /* A return ends this chain, default targets included; the chain
     * that jumped here, if any, goes on. */
    if (status == FC_TARGET_STOP)
      return FC_TARGET_STOP;
    if (status == FC_TARGET_RETURN)
      return FC_TARGET_CONTINUE;
  }
  notification_meta_t *meta = NULL;
  int status = run_targets(c->targets, c->targets_num, ds, vl, &meta, true);
  plugin_notification_meta_free(meta);
  return status == FC_TARGET_STOP ? FC_TARGET_STOP : FC_TARGET_CONTINUE;
}

/* ---- the core's entry points -------------------------------------------------- */

/* The set, if it has a pre-cache (or post-cache) chain; NULL otherwise. */
static fc_set_t *acquire_with(bool pre_cache) {
  fc_set_t *set = set_acquire();
  if (set != NULL &&
      (pre_cache ? set->pre_cache : set->post_cache) == NULL) {
    fc__release(set);
    return NULL;
  }
  return set;
}

fc_set_t *fc__pre_cache_acquire(void) {
  return acquire_with(true);
}

fc_set_t *fc__post_cache_acquire(void) {
  return acquire_with(false);
}

bool fc__pre_cache(fc_set_t *set, const data_set_t *ds, value_list_t *vl) {
  return fc__run_chain(set->pre_cache, ds, vl) != FC_TARGET_STOP;
}

void fc__post_cache(fc_set_t *set, const data_set_t *ds, value_list_t *vl) {
  fc__run_chain(set->post_cache, ds, vl);
}

/* ---- the plugin interface ----------------------------------------------------- */

fc_chain_t *fc_chain_get_by_name(const char *chain_name) {
  if (chain_name == NULL)
    return NULL;
  /* Chains are built once at start-up and live until exit. */
  return fc__set_find(atomic_load(&active), chain_name);
}

int fc_process_chain(const data_set_t *ds, value_list_t *vl,
                     fc_chain_t *chain) {
  if (chain == NULL || ds == NULL || vl == NULL)
    return -EINVAL;
  return fc__run_chain(chain, ds, vl);
}

int fc_default_action(const data_set_t *ds, value_list_t *vl) {
  return plugin_write(NULL, ds, vl);
}

/* ---- who uses what ---------------------------------------------------------- */

static void uses_in(name_list_t *l, const fc_chain_t *c, size_t rule,
                    const fc_elem_t *e, size_t num, plugin_t *owner) {
  for (size_t i = 0; i < num; i++) {
    if (e[i].impl->owner != owner)
      continue;
    char label[3 * DATA_MAX_NAME_LEN];
    if (rule == SIZE_MAX)
      snprintf(label, sizeof(label), "chain \"%s\" (default target)",
               c->name);
    else
      fc__rule_label(c, rule, label, sizeof(label));
    name_list_add(l, "%s (%s) uses its %s \"%s\"", label, e[i].where,
                  e[i].impl->kind == FC_MATCH ? "match" : "target",
                  e[i].impl->name);
  }
}

size_t fc__owner_uses(plugin_t *owner, char *buf, size_t len) {
  name_list_t l = name_list_init(buf, len);
  fc_set_t *set = set_acquire();
  for (size_t i = 0; set != NULL && i < set->chains_num; i++) {
    const fc_chain_t *c = &set->chains[i];
    for (size_t r = 0; r < c->rules_num; r++) {
      uses_in(&l, c, r, c->rules[r].matches, c->rules[r].matches_num, owner);
      uses_in(&l, c, r, c->rules[r].targets, c->rules[r].targets_num, owner);
    }
    uses_in(&l, c, SIZE_MAX, c->targets, c->targets_num, owner);
  }
  fc__release(set);
  return l.num;
}
