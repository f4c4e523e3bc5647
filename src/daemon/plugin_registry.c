/* The per-plugin records, their state and the calling thread's plugin
 * context. */
#include "plugin_dynamic.h"
#include "plugin_restart.h"
#include "utils/common/common.h"

#include <pthread.h>

/* Protects the record list (records, the_list), not the records' fields:
 * state is atomic and the rest is written only by the lifecycle code, which
 * serializes its commands per plugin. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static plugin_t *records;

static const char *const state_names[] = {
#define PLUGIN__STATE_NAME(id, str) [PLUGIN_##id] = str,
    PLUGIN_STATE_LIST(PLUGIN__STATE_NAME)
#undef PLUGIN__STATE_NAME
};

const char *plugin_state_name(plugin_state_t state) {
  if ((unsigned)state >= PLUGIN_STATE_COUNT)
    return "invalid";
  return state_names[state];
}

/* Legal edges of the lifecycle: allowed[from][to]. Anything else is a bug
 * in the caller and is refused. An unload that gives up before anything
 * was undone (a call did not return in time) goes back to where it came
 * from; one that cannot finish (a thread still runs) ends in failed. */
static const bool allowed[PLUGIN_STATE_COUNT][PLUGIN_STATE_COUNT] = {
    [PLUGIN_LOADING] = {[PLUGIN_CONFIGURING] = true, [PLUGIN_FAILED] = true},
    [PLUGIN_CONFIGURING] = {[PLUGIN_READY] = true, [PLUGIN_FAILED] = true,
                            [PLUGIN_UNLOADING] = true},
    /* ready -> failed: an isolated plugin's host died. */
    [PLUGIN_READY] = {[PLUGIN_UNLOADING] = true, [PLUGIN_FAILED] = true},
    [PLUGIN_UNLOADING] = {[PLUGIN_READY] = true, [PLUGIN_FAILED] = true},
    [PLUGIN_FAILED] = {[PLUGIN_UNLOADING] = true},
};

bool plugin__state_change_allowed(plugin_state_t from, plugin_state_t to) {
  return (unsigned)from < PLUGIN_STATE_COUNT &&
         (unsigned)to < PLUGIN_STATE_COUNT && allowed[from][to];
}

/* At exit every plugin goes through unloading; saying so for each of them
 * would only flood the log and whoever listens for notifications. */
static _Atomic bool states_quiet;

void plugin__states_quiet(bool quiet) { atomic_store(&states_quiet, quiet); }

/* Logs and tells of a state change that has been made. */
static void state_changed(plugin_t *p, plugin_state_t from, plugin_state_t to);

static int illegal_change(plugin_t *p, plugin_state_t from, plugin_state_t to) {
  ERROR("%s plugin: refusing illegal state change %s -> %s", p->name,
        plugin_state_name(from), plugin_state_name(to));
#if COLLECT_DEBUG
  assert(!"illegal plugin state change");
#endif
  return -EINVAL;
}

int plugin__set_state(plugin_t *p, plugin_state_t to) {
  plugin_state_t from = atomic_load(&p->state);
  if (!plugin__state_change_allowed(from, to))
    return illegal_change(p, from, to);
  atomic_store(&p->state, to);
  state_changed(p, from, to);
  return 0;
}

int plugin__set_state_if(plugin_t *p, plugin_state_t from, plugin_state_t to) {
  if (!plugin__state_change_allowed(from, to))
    return illegal_change(p, from, to);
  int expected = (int)from;
  if (!atomic_compare_exchange_strong(&p->state, &expected, (int)to))
    return -EAGAIN;
  state_changed(p, from, to);
  return 0;
}

static void state_changed(plugin_t *p, plugin_state_t from, plugin_state_t to) {
  if (to != PLUGIN_FAILED && atomic_load(&states_quiet))
    return;
  /* In a plugin host, the daemon tells of its plugin's states. */
  if (plugin__forward != NULL)
    return;
  INFO("%s plugin: %s -> %s", p->name, plugin_state_name(from),
       plugin_state_name(to));
  if (to == PLUGIN_FAILED) {
    plugin__notify(p->name, NOTIF_FAILURE, plugin_state_name(to),
                   "plugin %s: %s -> %s: %s: %s", p->name,
                   plugin_state_name(from), plugin_state_name(to),
                   p->failed_step, p->failed_reason);
    plugin__restart_failed(p);
  } else
    plugin__notify(p->name, NOTIF_OKAY, plugin_state_name(to),
                   "plugin %s: %s -> %s", p->name, plugin_state_name(from),
                   plugin_state_name(to));
}

void plugin__notify(const char *name, int severity, const char *event,
                    const char *fmt, ...) {
  notification_t n = {.severity = severity, .time = cdtime()};
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, "collectd", sizeof(n.plugin));
  sstrncpy(n.plugin_instance, name, sizeof(n.plugin_instance));
  sstrncpy(n.type, "plugin_state", sizeof(n.type));
  sstrncpy(n.type_instance, event, sizeof(n.type_instance));
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(n.message, sizeof(n.message), fmt, ap);
  va_end(ap);
  plugin_dispatch_notification(&n);
}

void plugin__notify_unloaded(plugin_t *p) {
  INFO("%s plugin: unloaded", p->name);
  plugin__notify(p->name, NOTIF_OKAY, "unloaded", "plugin %s: unloaded",
                 p->name);
}

void plugin__set_failure(plugin_t *p, const char *step, const char *fmt,
                         ...) {
  va_list ap;
  pthread_mutex_lock(&registry_lock);
  snprintf(p->failed_step, sizeof(p->failed_step), "%s", step);
  va_start(ap, fmt);
  vsnprintf(p->failed_reason, sizeof(p->failed_reason), fmt, ap);
  va_end(ap);
  pthread_mutex_unlock(&registry_lock);
}

void plugin__record_init(plugin_t *p, const char *name) {
  snprintf(p->name, sizeof(p->name), "%s", name);
  p->ctx.name = p->name;
  atomic_init(&p->state, PLUGIN_LOADING);
}

int plugin__record_create(const char *name, plugin_t **ret) {
  if (name == NULL || name[0] == '\0' || strlen(name) >= DATA_MAX_NAME_LEN)
    return -EINVAL;

  plugin_t *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  plugin__record_init(p, name);

  pthread_mutex_lock(&registry_lock);
  for (plugin_t *q = records; q != NULL; q = q->next) {
    if (strcasecmp(q->name, name) == 0) {
      pthread_mutex_unlock(&registry_lock);
      free(p);
      return -EEXIST;
    }
  }
  /* Append, so that iteration follows the order of loading. */
  plugin_t **tail = &records;
  while (*tail != NULL)
    tail = &(*tail)->next;
  *tail = p;
  pthread_mutex_unlock(&registry_lock);

  *ret = p;
  return 0;
}

void plugin__record_destroy(plugin_t *p) {
  if (p == NULL)
    return;
  pthread_mutex_lock(&registry_lock);
  for (plugin_t **pp = &records; *pp != NULL; pp = &(*pp)->next) {
    if (*pp == p) {
      *pp = p->next;
      break;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  plugin_conf_free(&p->conf);
  free(p);
}

plugin_t *plugin__record_find(const char *name) {
  plugin_t *found = NULL;
  if (name == NULL)
    return NULL;
  pthread_mutex_lock(&registry_lock);
  for (plugin_t *p = records; p != NULL; p = p->next) {
    if (strcasecmp(p->name, name) == 0) {
      found = p;
      break;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  return found;
}

plugin_t *plugin__record_adopt(const char *name) {
  plugin_t *found = NULL;
  pthread_mutex_lock(&registry_lock);
  for (plugin_t *p = records; p != NULL && found == NULL; p = p->next)
    if (strcasecmp(p->name, name) == 0)
      found = p;
  if (found != NULL && !plugin__thread_adopt(found))
    found = NULL;
  pthread_mutex_unlock(&registry_lock);
  return found;
}

void plugin__record_foreach(void (*fn)(plugin_t *, void *), void *arg) {
  pthread_mutex_lock(&registry_lock);
  for (plugin_t *p = records; p != NULL; p = p->next)
    fn(p, arg);
  pthread_mutex_unlock(&registry_lock);
}

/* ---- reports ------------------------------------------------------------- */

name_list_t name_list_init(char *buf, size_t len) {
  if (len > 0)
    buf[0] = '\0';
  return (name_list_t){.buf = buf, .len = len};
}

void name_list_add(name_list_t *l, const char *fmt, ...) {
  if (l->used < l->len && l->num > 0) {
    int w = snprintf(l->buf + l->used, l->len - l->used, ", ");
    l->used += w > 0 ? (size_t)w : 0;
  }
  if (l->used < l->len) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
    va_end(ap);
    l->used += w > 0 ? (size_t)w : 0;
  }
  l->num++;
}

/* ---- thread context ------------------------------------------------------ */

static __thread plugin_t *current_owner;
static __thread plugin_ctx_t current_ctx;
static __thread bool ctx_initialized;

plugin_thread_ctx_t plugin__enter(plugin_t *owner, plugin_ctx_t ctx) {
  plugin_thread_ctx_t saved = {.owner = current_owner, .ctx = current_ctx};
  current_owner = owner;
  current_ctx = ctx;
  ctx_initialized = true;
  return saved;
}

void plugin__leave(plugin_thread_ctx_t saved) {
  current_owner = saved.owner;
  current_ctx = saved.ctx;
}

plugin_t *plugin__current_owner(void) { return current_owner; }

void plugin_init_ctx(void) {
  current_owner = NULL;
  current_ctx = (plugin_ctx_t){0};
  ctx_initialized = true;
}

plugin_ctx_t plugin_get_ctx(void) {
  if (!ctx_initialized)
    plugin_init_ctx();
  return current_ctx;
}

/* Plugins call this in threads of their own, and in callbacks. A thread
 * that works for a plugin already (a callback, a thread of
 * plugin_thread_create(), one adopted before) keeps its owner: naming
 * another plugin in the context does not make its registrations that
 * plugin's. A thread the lifecycle knows nothing of is adopted by the
 * plugin its context names, and listed on that plugin's record until it
 * exits, so that an unload waits for it like for any thread of the
 * plugin, and the record is never freed under it. */
plugin_ctx_t plugin_set_ctx(plugin_ctx_t ctx) {
  plugin_ctx_t old = plugin_get_ctx();
  current_ctx = ctx;
  if (current_owner == NULL && ctx.name != NULL)
    current_owner = plugin__record_adopt(ctx.name);
  return old;
}

cdtime_t plugin_get_interval(void) {
  cdtime_t interval = plugin_get_ctx().interval;
  if (interval > 0)
    return interval;
  return cf_get_default_interval();
}

int plugin_register_unloadable(const char *name) {
  plugin_t *p = plugin__current_owner();
  if (p == NULL || atomic_load(&p->state) != PLUGIN_LOADING) {
    ERROR("plugin_register_unloadable(\"%s\"): only a plugin's "
          "module_register() may call this",
          name != NULL ? name : "");
    return -EINVAL;
  }
  if (name == NULL || strcasecmp(name, p->name) != 0) {
    ERROR("%s plugin: plugin_register_unloadable(\"%s\"): a plugin may "
          "only declare itself unloadable",
          p->name, name != NULL ? name : "");
    return -EPERM;
  }
  p->unloadable = true;
  return 0;
}
