/* Building the chains from the <Chain> blocks, and taking them apart.
 *
 * The whole set is built and checked before any of it is used: a mistake
 * anywhere refuses all of it, with the file and line, and what was created
 * so far is destroyed again. */
#include "filter_chain/fc_internal.h"
#include "utils/common/common.h"

static char *where_of(const oconfig_item_t *ci) {
  const char *file = "(unknown)";
  int line = 0;
  oconfig_item_source(ci, &file, &line);
  char buf[PATH_MAX + 16];
  snprintf(buf, sizeof(buf), "%s:%d", file, line);
  return strdup(buf);
}

/* The one string value of a block or option, or NULL. */
static const char *string_value(const oconfig_item_t *ci) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
    return NULL;
  return ci->values[0].value.string;
}

/* Names of chains and rules are kept in DATA_MAX_NAME_LEN bytes: a longer
 * one is refused rather than cut (two cut names could become one). */
static int check_name(const char *where, const char *what, const char *name,
                      char *err, size_t errlen) {
  size_t len = strlen(name);
  if (len < DATA_MAX_NAME_LEN)
    return 0;
  snprintf(err, errlen, "%s: the %s name is %zu bytes long; at most %d fit",
           where, what, len, DATA_MAX_NAME_LEN - 1);
  return -EINVAL;
}

/* ---- elements ----------------------------------------------------------- */

static void elem_destroy(fc_elem_t *e) {
  if (e->impl != NULL) {
    int (*destroy)(void **) = e->impl->kind == FC_MATCH
                                  ? e->impl->match.destroy
                                  : e->impl->target.destroy;
    if (destroy != NULL) {
      plugin_t *owner = e->impl->owner;
      plugin_thread_ctx_t saved =
          plugin__enter(owner, owner != NULL ? owner->ctx : plugin_get_ctx());
      destroy(&e->user_data);
      plugin__leave(saved);
    }
  }
  free(e->where);
  *e = (fc_elem_t){0};
}

/* Creates the match or target a <Match> / <Target> block (or a plain
 * "Match name" option) describes. `ctx` names the rule for messages. */
static int elem_create(fc_kind_t kind, const oconfig_item_t *ci,
                       const char *ctx, fc_elem_t *e, char *err,
                       size_t errlen) {
  const char *what = kind == FC_MATCH ? "match" : "target";
  *e = (fc_elem_t){.where = where_of(ci)};
  if (e->where == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  const char *name = string_value(ci);
  if (name == NULL) {
    snprintf(err, errlen, "%s: %s: <%s> needs the name of a %s", e->where,
             ctx, ci->key, what);
    return -EINVAL;
  }
  fc_impl_t *impl = fc__impl_find(kind, name);
  if (impl == NULL) {
    char q[OCONFIG_EXCERPT_SIZE], n[OCONFIG_EXCERPT_SIZE];
    snprintf(err, errlen,
             "%s: %s: there is no %s named %s (is the plugin that "
             "provides it loaded? e.g. LoadPlugin %s_%s)",
             e->where, ctx, what, oconfig_excerpt(name, true, q, sizeof(q)),
             what, oconfig_excerpt(name, false, n, sizeof(n)));
    return -ENOENT;
  }
  int (*create)(const oconfig_item_t *, void **) =
      kind == FC_MATCH ? impl->match.create : impl->target.create;
  if (create != NULL) {
    plugin_t *owner = impl->owner;
    plugin_thread_ctx_t saved =
        plugin__enter(owner, owner != NULL ? owner->ctx : plugin_get_ctx());
    int status = create(ci, &e->user_data);
    plugin__leave(saved);
    if (status != 0) {
      snprintf(err, errlen,
               "%s: %s: the %s \"%s\" rejected its configuration (status %d; "
               "see the log for why)",
               e->where, ctx, what, impl->name, status);
      return -EINVAL;
    }
  }
  e->impl = impl;
  return 0;
}

static int elem_append(fc_elem_t **list, size_t *num, fc_kind_t kind,
                       const oconfig_item_t *ci, const char *ctx, char *err,
                       size_t errlen) {
  fc_elem_t *l = realloc(*list, (*num + 1) * sizeof(*l));
  if (l == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  *list = l;
  int status = elem_create(kind, ci, ctx, &l[*num], err, errlen);
  if (status != 0) {
    elem_destroy(&l[*num]);
    return status;
  }
  (*num)++;
  return 0;
}

/* ---- rules and chains --------------------------------------------------- */

static void rule_free(fc_rule_t *r) {
  for (size_t i = 0; i < r->matches_num; i++)
    elem_destroy(&r->matches[i]);
  for (size_t i = 0; i < r->targets_num; i++)
    elem_destroy(&r->targets[i]);
  free(r->matches);
  free(r->targets);
  free(r->owners);
  free(r->where);
}

/* The plugins a rule needs ready, each once. */
static int rule_collect_owners(fc_rule_t *r) {
  size_t max = r->matches_num + r->targets_num;
  r->owners = calloc(max > 0 ? max : 1, sizeof(*r->owners));
  if (r->owners == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < max; i++) {
    fc_elem_t *e = i < r->matches_num ? &r->matches[i]
                                      : &r->targets[i - r->matches_num];
    plugin_t *owner = e->impl->owner;
    bool seen = owner == NULL;
    for (size_t j = 0; j < r->owners_num && !seen; j++)
      seen = r->owners[j] == owner;
    if (!seen)
      r->owners[r->owners_num++] = owner;
  }
  return 0;
}

/* "chain "c" rule "r"" (or rule #n for a rule without a name). */
void fc__rule_label(const fc_chain_t *c, size_t index, char *buf,
                    size_t len) {
  const fc_rule_t *r = &c->rules[index];
  if (r->name[0] != '\0')
    snprintf(buf, len, "chain \"%s\" rule \"%s\"", c->name, r->name);
  else
    snprintf(buf, len, "chain \"%s\" rule #%zu", c->name, index + 1);
}

static int rule_build(fc_chain_t *c, const oconfig_item_t *ci, char *err,
                      size_t errlen) {
  fc_rule_t *rules = realloc(c->rules, (c->rules_num + 1) * sizeof(*rules));
  if (rules == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  c->rules = rules;
  fc_rule_t *r = &rules[c->rules_num];
  *r = (fc_rule_t){.where = where_of(ci)};
  c->rules_num++; /* counted now, so that a failure frees it with the chain */
  if (r->where == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  if (ci->values_num > 1 ||
      (ci->values_num == 1 && ci->values[0].type != OCONFIG_TYPE_STRING)) {
    snprintf(err, errlen, "%s: chain \"%s\": <Rule> takes at most a name",
             r->where, c->name);
    return -EINVAL;
  }
  if (ci->values_num == 1) {
    int status =
        check_name(r->where, "rule", ci->values[0].value.string, err, errlen);
    if (status != 0)
      return status;
    sstrncpy(r->name, ci->values[0].value.string, sizeof(r->name));
  }
  char label[3 * DATA_MAX_NAME_LEN];
  fc__rule_label(c, c->rules_num - 1, label, sizeof(label));

  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *opt = ci->children + i;
    int status;
    if (strcasecmp(opt->key, "Match") == 0)
      status = elem_append(&r->matches, &r->matches_num, FC_MATCH, opt, label,
                           err, errlen);
    else if (strcasecmp(opt->key, "Target") == 0)
      status = elem_append(&r->targets, &r->targets_num, FC_TARGET, opt,
                           label, err, errlen);
    else {
      char *w = where_of(opt);
      char key[OCONFIG_EXCERPT_SIZE];
      snprintf(err, errlen,
               "%s: %s: option %s is not allowed inside a "
               "<Rule> block (only <Match> and <Target>)",
               w != NULL ? w : r->where, label,
               oconfig_excerpt(opt->key, true, key, sizeof(key)));
      free(w);
      status = -EINVAL;
    }
    if (status != 0)
      return status;
  }
  if (r->targets_num == 0) {
    snprintf(err, errlen, "%s: %s has no target (a rule needs at least one "
                          "<Target>)",
             r->where, label);
    return -EINVAL;
  }
  if (rule_collect_owners(r) != 0) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  return 0;
}

static void chain_free(fc_chain_t *c) {
  for (size_t i = 0; i < c->rules_num; i++)
    rule_free(&c->rules[i]);
  for (size_t i = 0; i < c->targets_num; i++)
    elem_destroy(&c->targets[i]);
  free(c->rules);
  free(c->targets);
  free(c->where);
}

static int chain_build(fc_chain_t *c, const oconfig_item_t *ci, char *err,
                       size_t errlen) {
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *opt = ci->children + i;
    int status;
    if (strcasecmp(opt->key, "Rule") == 0)
      status = rule_build(c, opt, err, errlen);
    else if (strcasecmp(opt->key, "Target") == 0) {
      char ctx[2 * DATA_MAX_NAME_LEN];
      snprintf(ctx, sizeof(ctx), "chain \"%s\" (default target)", c->name);
      status = elem_append(&c->targets, &c->targets_num, FC_TARGET, opt, ctx,
                           err, errlen);
    } else {
      char *w = where_of(opt);
      char key[OCONFIG_EXCERPT_SIZE];
      snprintf(err, errlen,
               "%s: chain \"%s\": option %s is not allowed "
               "inside a <Chain> block (only <Rule> and "
               "<Target>)",
               w != NULL ? w : c->where, c->name,
               oconfig_excerpt(opt->key, true, key, sizeof(key)));
      free(w);
      status = -EINVAL;
    }
    if (status != 0)
      return status;
  }
  return 0;
}

/* ---- the set -------------------------------------------------------------- */

fc_chain_t *fc__set_find(fc_set_t *set, const char *name) {
  for (size_t i = 0; set != NULL && i < set->chains_num; i++)
    if (strcasecmp(set->chains[i].name, name) == 0)
      return &set->chains[i];
  return NULL;
}

void fc__set_free(fc_set_t *set) {
  if (set == NULL)
    return;
  for (size_t i = 0; i < set->chains_num; i++)
    chain_free(&set->chains[i]);
  free(set->chains);
  free(set);
}

/* Calls fn for every jump of chain c, rules first, then default targets;
 * stops at the first non-zero return. */
static int foreach_jump(fc_chain_t *c, int (*fn)(fc_elem_t *, void *),
                        void *arg) {
  for (size_t i = 0; i < c->rules_num; i++)
    for (size_t j = 0; j < c->rules[i].targets_num; j++)
      if (fc__is_jump(&c->rules[i].targets[j])) {
        int status = fn(&c->rules[i].targets[j], arg);
        if (status != 0)
          return status;
      }
  for (size_t j = 0; j < c->targets_num; j++)
    if (fc__is_jump(&c->targets[j])) {
      int status = fn(&c->targets[j], arg);
      if (status != 0)
        return status;
    }
  return 0;
}

typedef struct {
  fc_set_t *set;
  char *err;
  size_t errlen;
  /* loop search: per chain 0 unvisited, 1 on the current path, 2 done */
  unsigned char *mark;
  const fc_chain_t *from;
} jump_walk_t;

static int resolve_one(fc_elem_t *e, void *arg) {
  jump_walk_t *w = arg;
  if (fc__jump_resolve(e, w->set) == 0)
    return 0;
  snprintf(w->err, w->errlen,
           "%s: chain \"%s\": target \"jump\" to chain \"%s\", which does not "
           "exist",
           e->where, w->from->name, fc__jump_name(e));
  return -ENOENT;
}

static int visit(fc_chain_t *c, jump_walk_t *w);

static int visit_jump(fc_elem_t *e, void *arg) {
  jump_walk_t *w = arg;
  fc_chain_t *to = fc__set_find(w->set, fc__jump_name(e));
  size_t i = (size_t)(to - w->set->chains);
  if (w->mark[i] == 1) {
    snprintf(w->err, w->errlen,
             "%s: target \"jump\" to chain \"%s\" makes a loop: a value "
             "would jump from chain to chain forever",
             e->where, to->name);
    return -ELOOP;
  }
  return w->mark[i] == 0 ? visit(to, w) : 0;
}

static int visit(fc_chain_t *c, jump_walk_t *w) {
  size_t i = (size_t)(c - w->set->chains);
  w->mark[i] = 1;
  int status = foreach_jump(c, visit_jump, w);
  w->mark[i] = 2;
  return status;
}

/* Every jump goes to a chain that exists, and no jumps go round in a
 * circle. */
static int check_jumps(fc_set_t *set, char *err, size_t errlen) {
  jump_walk_t w = {.set = set, .err = err, .errlen = errlen};
  for (size_t i = 0; i < set->chains_num; i++) {
    w.from = &set->chains[i];
    int status = foreach_jump(&set->chains[i], resolve_one, &w);
    if (status != 0)
      return status;
  }
  w.mark = calloc(set->chains_num + 1, 1);
  if (w.mark == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  int status = 0;
  for (size_t i = 0; i < set->chains_num && status == 0; i++)
    if (w.mark[i] == 0)
      status = visit(&set->chains[i], &w);
  free(w.mark);
  return status;
}

/* The chain PreCacheChain or PostCacheChain names, or NULL. As in
 * collectd, a chain that is missing or empty means "no chain"; one named
 * explicitly is worth a warning then. `where` is the option's "file:line: "
 * or NULL. */
static fc_chain_t *entry_chain(fc_set_t *set, const char *option,
                               const char *name, bool explicit,
                               const char *where) {
  if (name == NULL || name[0] == '\0')
    return NULL;
  if (where == NULL)
    where = "";
  fc_chain_t *c = fc__set_find(set, name);
  if (c == NULL) {
    if (explicit)
      WARNING("%s%s \"%s\": there is no such chain; values go on as if "
              "there were none",
              where, option, name);
    return NULL;
  }
  if (c->rules_num == 0 && c->targets_num == 0) {
    WARNING("%s%s: chain \"%s\" (%s) is empty, so it is ignored, as "
            "collectd 5.12 ignores it: values go on as if there were no chain",
            where, option, c->name, c->where);
    return NULL;
  }
  return c;
}

int fc__build(const fc_conf_t *conf, fc_set_t **ret, char *err,
              size_t errlen) {
  fc__builtin_register();
  *ret = NULL;
  err[0] = '\0';
  fc_set_t *set = calloc(1, sizeof(*set));
  if (set == NULL ||
      (conf->blocks_num > 0 &&
       (set->chains = calloc(conf->blocks_num, sizeof(*set->chains))) ==
           NULL)) {
    free(set);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }

  int status = 0;
  for (size_t i = 0; i < conf->blocks_num && status == 0; i++) {
    const oconfig_item_t *ci = conf->blocks[i];
    fc_chain_t *c = &set->chains[set->chains_num];
    c->where = where_of(ci);
    set->chains_num++;
    const char *name = string_value(ci);
    if (c->where == NULL) {
      snprintf(err, errlen, "out of memory");
      status = -ENOMEM;
    } else if (name == NULL || name[0] == '\0') {
      snprintf(err, errlen, "%s: <Chain> needs exactly one name", c->where);
      status = -EINVAL;
    } else if ((status = check_name(c->where, "chain", name, err, errlen)) ==
               0) {
      /* collectd 5.12 takes both and uses the first; so do we, and say so. */
      const fc_chain_t *first = fc__set_find(set, name);
      if (first != NULL)
        WARNING("%s: there is already a chain named \"%s\" (%s); this one "
                "is never used, as in collectd 5.12",
                c->where, name, first->where);
      sstrncpy(c->name, name, sizeof(c->name));
      status = chain_build(c, ci, err, errlen);
    }
  }
  if (status == 0)
    status = check_jumps(set, err, errlen);
  if (status != 0) {
    fc__set_free(set);
    return status;
  }
  set->pre_cache = entry_chain(set, "PreCacheChain", conf->pre_cache,
                               conf->pre_cache_set, conf->pre_cache_where);
  set->post_cache = entry_chain(set, "PostCacheChain", conf->post_cache,
                                conf->post_cache_set, conf->post_cache_where);
  *ret = set;
  return 0;
}
