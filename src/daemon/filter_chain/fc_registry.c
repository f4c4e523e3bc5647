/* The matches and targets that plugins (and the core) register, each
 * owned by the plugin that was being loaded when it registered. */
#include "filter_chain/fc_internal.h"
#include "utils/common/common.h"

#include <pthread.h>

/* Protects the list. Chain elements point into it: an entry is only
 * removed with its owner, once no chain uses it. */
static pthread_mutex_t impls_lock = PTHREAD_MUTEX_INITIALIZER;
static fc_impl_t *impls;

static int impl_add(fc_kind_t kind, const char *name, const match_proc_t *m,
                    const target_proc_t *t) {
  const char *what = kind == FC_MATCH ? "match" : "target";
  if (name == NULL || name[0] == '\0' || strlen(name) >= DATA_MAX_NAME_LEN) {
    ERROR("filter chains: registering a %s: bad name", what);
    return -EINVAL;
  }
  if (kind == FC_TARGET && (t->invoke == NULL)) {
    ERROR("filter chains: target \"%s\" has no invoke callback", name);
    return -EINVAL;
  }
  if (kind == FC_MATCH && (m->match == NULL)) {
    ERROR("filter chains: match \"%s\" has no match callback", name);
    return -EINVAL;
  }
  fc_impl_t *impl = calloc(1, sizeof(*impl));
  if (impl == NULL)
    return -ENOMEM;
  impl->kind = kind;
  sstrncpy(impl->name, name, sizeof(impl->name));
  impl->owner = plugin__current_owner();
  if (m != NULL)
    impl->match = *m;
  if (t != NULL)
    impl->target = *t;

  pthread_mutex_lock(&impls_lock);
  for (fc_impl_t *i = impls; i != NULL; i = i->next) {
    if (i->kind == kind && strcasecmp(i->name, name) == 0) {
      pthread_mutex_unlock(&impls_lock);
      ERROR("filter chains: a %s named \"%s\" is registered already (by "
            "%s)",
            what, name, i->owner != NULL ? i->owner->name : "the core");
      free(impl);
      return -EEXIST;
    }
  }
  /* Appended: the built-in targets stay first. */
  fc_impl_t **tail = &impls;
  while (*tail != NULL)
    tail = &(*tail)->next;
  *tail = impl;
  pthread_mutex_unlock(&impls_lock);
  if (impl->owner != NULL)
    atomic_fetch_add(&impl->owner->callbacks, 1);
  return 0;
}

int fc_register_match(const char *name, match_proc_t proc) {
  return impl_add(FC_MATCH, name, &proc, NULL);
}

int fc_register_target(const char *name, target_proc_t proc) {
  return impl_add(FC_TARGET, name, NULL, &proc);
}

fc_impl_t *fc__impl_find(fc_kind_t kind, const char *name) {
  fc_impl_t *found = NULL;
  pthread_mutex_lock(&impls_lock);
  for (fc_impl_t *i = impls; i != NULL && found == NULL; i = i->next)
    if (i->kind == kind && strcasecmp(i->name, name) == 0)
      found = i;
  pthread_mutex_unlock(&impls_lock);
  return found;
}

void fc__remove_owner(plugin_t *owner) {
  pthread_mutex_lock(&impls_lock);
  fc_impl_t **pp = &impls;
  while (*pp != NULL) {
    fc_impl_t *i = *pp;
    if (i->owner != owner) {
      pp = &i->next;
      continue;
    }
    *pp = i->next;
    if (owner != NULL)
      atomic_fetch_sub(&owner->callbacks, 1);
    free(i);
  }
  pthread_mutex_unlock(&impls_lock);
}
