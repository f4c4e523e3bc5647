/* The callback lists: registration, removal and lock-free snapshots for the
 * dispatchers.
 *
 * Each list is an immutable, reference-counted array. Changing a list builds
 * a new array and swaps it in; a dispatcher holding the old one keeps
 * calling through it safely. A callback is freed (and its user data with it)
 * when no array refers to it any more. */
#include "plugin_internal.h"
#include "utils_cache.h"

#include <pthread.h>

typedef struct {
  /* Protects `current` (the pointer and the swap), never held while a
   * callback runs. */
  pthread_mutex_t lock;
  cb_snapshot_t *current;
} cb_list_t;

static cb_list_t lists[CB_KIND_COUNT] = {
#define CB__LIST_INIT(k) [k] = {.lock = PTHREAD_MUTEX_INITIALIZER}
    CB__LIST_INIT(CB_INIT),         CB__LIST_INIT(CB_SHUTDOWN),
    CB__LIST_INIT(CB_WRITE),        CB__LIST_INIT(CB_FLUSH),
    CB__LIST_INIT(CB_MISSING),      CB__LIST_INIT(CB_CACHE_EVENT),
    CB__LIST_INIT(CB_LOG),          CB__LIST_INIT(CB_NOTIFICATION),
#undef CB__LIST_INIT
};

/* The slots of the cache-event callbacks that exist: those listed, and
 * those that left the list but are still held by a snapshot (a dispatcher
 * may still call one and record its interest in an entry). A slot is
 * given back only when its callback is freed and its bit has left every
 * cache mask, so that a newcomer never inherits another callback's
 * interest. Protected by the cache-event list's lock. */
static unsigned long ce_slots;

static const char *const kind_names[CB_KIND_COUNT] = {
    [CB_INIT] = "init",
    [CB_SHUTDOWN] = "shutdown",
    [CB_WRITE] = "write",
    [CB_FLUSH] = "flush",
    [CB_MISSING] = "missing",
    [CB_CACHE_EVENT] = "cache_event",
    [CB_LOG] = "log",
    [CB_NOTIFICATION] = "notification",
};

void plugin__free_user_data(plugin_t *owner, user_data_t *ud) {
  if (ud == NULL || ud->free_func == NULL)
    return;
  plugin_ctx_t ctx = owner != NULL ? owner->ctx : (plugin_ctx_t){0};
  plugin_thread_ctx_t saved = plugin__enter(owner, ctx);
  ud->free_func(ud->data);
  plugin__leave(saved);
  ud->data = NULL;
  ud->free_func = NULL;
}

/* The lowest free cache-event slot, now taken; -1 when all are. The
 * cache-event list is locked. */
static int ce_slot_take(void) {
  for (int b = 0; b < CB_SLOTS; b++) {
    if (!(ce_slots & (1UL << b))) {
      ce_slots |= 1UL << b;
      return b;
    }
  }
  return -1;
}

/* Its callback is freed: nobody can call it or record its interest any
 * more. Its bit leaves the cache, then the slot is free. The caller holds
 * no lock of the cache or of the cache-event list. */
static void ce_slot_give_back(int slot) {
  uc__callbacks_mask_clear(1UL << slot);
  cb_list_t *l = &lists[CB_CACHE_EVENT];
  pthread_mutex_lock(&l->lock);
  ce_slots &= ~(1UL << slot);
  pthread_mutex_unlock(&l->lock);
}

static void callback_put(callback_t *cb) {
  if (atomic_fetch_sub(&cb->refs, 1) != 1)
    return;
  plugin_t *owner = cb->owner;
  plugin__free_user_data(owner, &cb->ud);
  /* Before the owner's count drops: an unload that waits for it finds the
   * bits gone. */
  if (cb->slot >= 0)
    ce_slot_give_back(cb->slot);
  free(cb->name);
  free(cb);
  /* Last: the count keeps the owner's record and object alive. */
  if (owner != NULL)
    atomic_fetch_sub(&owner->callbacks, 1);
}

static cb_snapshot_t *snapshot_new(size_t num) {
  cb_snapshot_t *s = calloc(1, sizeof(*s) + num * sizeof(s->cb[0]));
  if (s == NULL)
    return NULL;
  atomic_init(&s->refs, 1); /* the list's own reference */
  s->num = num;
  return s;
}

void cb_list_release(cb_snapshot_t *snap) {
  if (snap == NULL || atomic_fetch_sub(&snap->refs, 1) != 1)
    return;
  for (size_t i = 0; i < snap->num; i++)
    callback_put(snap->cb[i]);
  free(snap);
}

cb_snapshot_t *cb_list_acquire(cb_kind_t kind) {
  cb_list_t *l = &lists[kind];
  pthread_mutex_lock(&l->lock);
  cb_snapshot_t *s = l->current;
  if (s != NULL)
    atomic_fetch_add(&s->refs, 1);
  pthread_mutex_unlock(&l->lock);
  return s;
}

/* Builds the list without the entries `drop` selects, plus `add` (may be
 * NULL; its slot, if it gets one, in *add_slot), and swaps it in. Returns
 * the number of entries dropped, or -ENOMEM (the list is unchanged then).
 * Once listed, `add` may be removed and freed by another thread at any
 * time. */
static int list_rebuild(cb_list_t *l, bool (*drop)(const callback_t *,
                                                   const void *),
                        const void *arg, callback_t *add, int *add_slot) {
  pthread_mutex_lock(&l->lock);
  cb_snapshot_t *old = l->current;
  size_t old_num = old != NULL ? old->num : 0;
  cb_snapshot_t *s = snapshot_new(old_num + (add != NULL));
  if (s == NULL) {
    pthread_mutex_unlock(&l->lock);
    return -ENOMEM;
  }

  size_t n = 0;
  int dropped = 0;
  for (size_t i = 0; i < old_num; i++) {
    callback_t *cb = old->cb[i];
    if (drop(cb, arg)) {
      dropped++;
      continue;
    }
    atomic_fetch_add(&cb->refs, 1);
    s->cb[n++] = cb;
  }
  if (add != NULL) {
    if (l == &lists[CB_CACHE_EVENT])
      add->slot = ce_slot_take();
    *add_slot = add->slot;
    s->cb[n++] = add; /* takes over the creator's reference */
  }
  s->num = n;

  l->current = s;
  pthread_mutex_unlock(&l->lock);
  cb_list_release(old);
  return dropped;
}

/* Callback names are per plugin: a plugin's callback replaces only its own
 * callback of the same name (as in collectd), never another plugin's, and
 * unregistering by name takes only the caller's own -- or anyone's when the
 * core asks, as collectd's unregistration did. */
typedef struct {
  const char *name;
  const plugin_t *owner;
  bool any_owner;
} owned_name_t;

static bool match_name(const callback_t *cb, const void *arg) {
  const owned_name_t *n = arg;
  return (n->any_owner || cb->owner == n->owner) &&
         strcasecmp(cb->name, n->name) == 0;
}

/* The owner of another plugin's callback named `name`, for a warning. */
static bool other_owner_of(cb_kind_t kind, const char *name,
                           const plugin_t *owner, char *buf, size_t len) {
  cb_snapshot_t *s = cb_list_acquire(kind);
  bool found = false;
  for (size_t i = 0; s != NULL && i < s->num && !found; i++) {
    const callback_t *cb = s->cb[i];
    if (cb->owner != owner && strcasecmp(cb->name, name) == 0) {
      snprintf(buf, len, "%s", cb->owner != NULL ? cb->owner->name
                                                 : "the core");
      found = true;
    }
  }
  cb_list_release(s);
  return found;
}

static bool match_owner(const callback_t *cb, const void *owner) {
  return cb->owner == owner;
}

int cb_list_add(cb_kind_t kind, const char *name, void (*fn)(void),
                user_data_t const *ud) {
  user_data_t data = ud != NULL ? *ud : (user_data_t){0};
  plugin_t *owner = plugin__current_owner();

  if (name == NULL || fn == NULL) {
    ERROR("plugin_register_%s: a callback needs a name and a function",
          kind_names[kind]);
    plugin__free_user_data(owner, &data);
    return -EINVAL;
  }

  callback_t *cb = calloc(1, sizeof(*cb));
  if (cb == NULL || (cb->name = strdup(name)) == NULL) {
    ERROR("plugin_register_%s: out of memory registering \"%s\"",
          kind_names[kind], name);
    free(cb);
    plugin__free_user_data(owner, &data);
    return -ENOMEM;
  }
  cb->owner = owner;
  if (owner != NULL)
    atomic_fetch_add(&owner->callbacks, 1);
  cb->ctx = plugin_get_ctx();
  if (owner != NULL)
    cb->ctx = owner->ctx;
  cb->fn.any = fn;
  cb->ud = data;
  cb->slot = -1; /* a cache-event callback gets one when it is listed */
  atomic_init(&cb->refs, 1);

  char other[DATA_MAX_NAME_LEN];
  if (other_owner_of(kind, name, owner, other, sizeof(other)))
    WARNING("plugin_register_%s: %s and %s both have a %s callback named "
            "\"%s\"; each keeps its own",
            kind_names[kind], other, owner != NULL ? owner->name : "the core",
            kind_names[kind], name);
  int slot;
  int status = list_rebuild(&lists[kind], match_name,
                            &(owned_name_t){.name = name, .owner = owner}, cb,
                            &slot);
  if (status < 0) {
    callback_put(cb);
    return status;
  }
  if (status > 0)
    WARNING("plugin_register_%s: %s's callback named \"%s\" existed "
            "already and was replaced",
            kind_names[kind], owner != NULL ? owner->name : "the core", name);
  if (kind == CB_CACHE_EVENT && slot < 0)
    WARNING("plugin_register_cache_event: \"%s\" is never called: %d cache "
            "event callbacks exist already",
            name, CB_SLOTS);
  return 0;
}

int cb_list_remove(cb_kind_t kind, const char *name) {
  if (name == NULL)
    return -EINVAL;
  plugin_t *owner = plugin__current_owner();
  int status = list_rebuild(
      &lists[kind], match_name,
      &(owned_name_t){.name = name, .owner = owner, .any_owner = owner == NULL},
      NULL, NULL);
  if (status < 0)
    return status;
  return status > 0 ? 0 : -ENOENT;
}

void cb_list_remove_owner(plugin_t *owner) {
  for (int k = 0; k < CB_KIND_COUNT; k++)
    list_rebuild(&lists[k], match_owner, owner, NULL, NULL);
}

bool cb_list_has_owner(cb_kind_t kind, plugin_t *owner) {
  cb_snapshot_t *s = cb_list_acquire(kind);
  bool found = false;
  for (size_t i = 0; s != NULL && i < s->num && !found; i++)
    found = s->cb[i]->owner == owner;
  cb_list_release(s);
  return found;
}

size_t cb_list_running(plugin_t *owner, char *names, size_t len) {
  name_list_t l = name_list_init(names, len);
  for (int k = 0; k < CB_KIND_COUNT; k++) {
    cb_snapshot_t *s = cb_list_acquire(k);
    for (size_t i = 0; s != NULL && i < s->num; i++) {
      callback_t *cb = s->cb[i];
      if (cb->owner == owner && atomic_load(&cb->calls) > 0)
        name_list_add(&l, "%s callback \"%s\"", kind_names[k], cb->name);
    }
    cb_list_release(s);
  }
  return l.num;
}

void cb_list_destroy_all(void) {
  for (int k = 0; k < CB_KIND_COUNT; k++) {
    pthread_mutex_lock(&lists[k].lock);
    cb_snapshot_t *s = lists[k].current;
    lists[k].current = NULL;
    pthread_mutex_unlock(&lists[k].lock);
    cb_list_release(s);
  }
}

/* ---- the plugin interface ------------------------------------------------ */

#define CB__FN(f) ((void (*)(void))(f))

int plugin_register_init(const char *name, plugin_init_cb callback) {
  return cb_list_add(CB_INIT, name, CB__FN(callback), NULL);
}
int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback) {
  return cb_list_add(CB_SHUTDOWN, name, CB__FN(callback), NULL);
}
int plugin_register_write(const char *name, plugin_write_cb callback,
                          user_data_t const *ud) {
  return cb_list_add(CB_WRITE, name, CB__FN(callback), ud);
}
/* FlushInterval: a read callback that flushes the plugin periodically,
 * named "flush-<name>" as in collectd. */
typedef struct {
  char *name;
  cdtime_t timeout;
} periodic_flush_t;

static void periodic_flush_free(void *arg) {
  periodic_flush_t *pf = arg;
  free(pf->name);
  free(pf);
}

static int periodic_flush(user_data_t *ud) {
  periodic_flush_t *pf = ud->data;
  return plugin_flush(pf->name, pf->timeout, NULL);
}

static int register_periodic_flush(const char *name, plugin_ctx_t ctx) {
  periodic_flush_t *pf = calloc(1, sizeof(*pf));
  if (pf == NULL || (pf->name = strdup(name)) == NULL) {
    free(pf);
    return -ENOMEM;
  }
  pf->timeout = ctx.flush_timeout;
  char read_name[DATA_MAX_NAME_LEN + 8];
  snprintf(read_name, sizeof(read_name), "flush-%s", name);
  user_data_t ud = {.data = pf, .free_func = periodic_flush_free};
  return plugin_register_complex_read(NULL, read_name, periodic_flush,
                                      ctx.flush_interval, &ud);
}

int plugin_register_flush(const char *name, plugin_flush_cb callback,
                          user_data_t const *ud) {
  int status = cb_list_add(CB_FLUSH, name, CB__FN(callback), ud);
  plugin_ctx_t ctx = plugin_get_ctx();
  if (status == 0 && name != NULL && ctx.flush_interval > 0)
    status = register_periodic_flush(name, ctx);
  return status;
}
int plugin_register_missing(const char *name, plugin_missing_cb callback,
                            user_data_t const *ud) {
  return cb_list_add(CB_MISSING, name, CB__FN(callback), ud);
}
int plugin_register_cache_event(const char *name,
                                plugin_cache_event_cb callback,
                                user_data_t const *ud) {
  return cb_list_add(CB_CACHE_EVENT, name, CB__FN(callback), ud);
}
int plugin_register_log(const char *name, plugin_log_cb callback,
                        user_data_t const *ud) {
  return cb_list_add(CB_LOG, name, CB__FN(callback), ud);
}
int plugin_register_notification(const char *name,
                                 plugin_notification_cb callback,
                                 user_data_t const *ud) {
  return cb_list_add(CB_NOTIFICATION, name, CB__FN(callback), ud);
}

int plugin_unregister_init(const char *name) {
  return cb_list_remove(CB_INIT, name);
}
int plugin_unregister_shutdown(const char *name) {
  return cb_list_remove(CB_SHUTDOWN, name);
}
int plugin_unregister_write(const char *name) {
  return cb_list_remove(CB_WRITE, name);
}
int plugin_unregister_flush(const char *name) {
  if (name != NULL) {
    char read_name[DATA_MAX_NAME_LEN + 8];
    snprintf(read_name, sizeof(read_name), "flush-%s", name);
    plugin_unregister_read(read_name); /* there may be none */
  }
  return cb_list_remove(CB_FLUSH, name);
}
int plugin_unregister_missing(const char *name) {
  return cb_list_remove(CB_MISSING, name);
}
int plugin_unregister_cache_event(const char *name) {
  return cb_list_remove(CB_CACHE_EVENT, name);
}
int plugin_unregister_log(const char *name) {
  return cb_list_remove(CB_LOG, name);
}
int plugin_unregister_notification(const char *name) {
  return cb_list_remove(CB_NOTIFICATION, name);
}

void plugin_log_available_writers(void) {
  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  if (s == NULL || s->num == 0) {
    WARNING("No write callbacks are registered.");
  } else {
    for (size_t i = 0; i < s->num; i++)
      INFO("Available write target: %s", s->cb[i]->name);
  }
  cb_list_release(s);
}
