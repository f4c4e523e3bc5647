/* What the core's plugin files share and plugins must not see.
 *
 * The centre of the core is the per-plugin record, plugin_t: every callback
 * points at the record of the plugin that registered it (its owner), and
 * every dispatcher asks the owner's state before calling a callback. */
#ifndef PLUGIN_INTERNAL_H
#define PLUGIN_INTERNAL_H

#include "plugin.h"

#include <stdatomic.h>

/* ---- plugin records ------------------------------------------------------ */

/* The lifecycle states, defined once: the enum and the names in logs and
 * socket replies are generated from this list. */
#define PLUGIN_STATE_LIST(X)                                                   \
  X(LOADING, "loading")                                                        \
  X(CONFIGURING, "configuring")                                                \
  X(READY, "ready")                                                            \
  X(UNLOADING, "unloading")                                                    \
  X(FAILED, "failed")

typedef enum {
#define PLUGIN__STATE_ENUM(id, str) PLUGIN_##id,
  PLUGIN_STATE_LIST(PLUGIN__STATE_ENUM)
#undef PLUGIN__STATE_ENUM
      PLUGIN_STATE_COUNT
} plugin_state_t;

const char *plugin_state_name(plugin_state_t state);

/* How a load, configuration or init failure is handled. */
typedef enum {
  PLUGIN_ON_FAILURE_SKIP = 0, /* keep running, the plugin stays failed */
  PLUGIN_ON_FAILURE_SHUTDOWN, /* stop the daemon */
  PLUGIN_ON_FAILURE_RESTART,  /* load it again, with back-off
                                 (plugin_restart.h) */
} plugin_failure_policy_t;

/* What the configuration files say about one plugin: its <LoadPlugin>
 * options and its <Plugin> blocks. */
typedef struct plugin_conf_s {
  const char *name;
  bool global;
  cdtime_t interval;       /* 0: the global interval */
  cdtime_t flush_interval; /* 0: no periodic flush */
  cdtime_t flush_timeout;
  plugin_failure_policy_t on_failure;
  bool check_only; /* -t: stop after configuring, before init */
  bool isolate;    /* run it in a plugin host process (plugin_host/) */
  uint64_t memory_limit; /* isolated: its host's RSS limit in bytes; 0: none */
  /* A load only (never copied): a host prepared beside the running
   * instance, for the load to adopt instead of starting one; the load
   * sets *adopt to NULL when it takes it. */
  struct host_s **adopt;
  oconfig_item_t **blocks;
  size_t blocks_num;
  /* Where the files load the plugin ("collectd.conf:12"), so that a
   * failure to open it names that line. Borrowed for the load call only:
   * NULL in copies. */
  const char *where;
} plugin_conf_t;

typedef struct plugin_thread_s plugin_thread_t;

typedef struct plugin_s plugin_t;
struct plugin_s {
  char name[DATA_MAX_NAME_LEN];
  /* Written only by plugin__set_state(); read lock-free by dispatchers. */
  _Atomic int state;
  /* The context callbacks of this plugin run in; ctx.name points at name. */
  plugin_ctx_t ctx;
  void *handle; /* dlopen()'s; NULL for the core's pseudo-plugin */
  /* Set by plugin_register_unloadable() during module_register(). */
  _Atomic bool unloadable;
  /* Set when its module_register() is called: from then on its code may
   * hold state that only its shutdown callback releases. */
  _Atomic bool registered;
  /* The step and reason of the last failure, for logs and LISTPLUGINS;
   * written and read under the registry lock. */
  char failed_step[16];
  char failed_reason[256];

  /* What keeps the object mapped. An unload closes it only when all three
   * are zero; each is counted where it starts and ends, never guessed. */
  _Atomic long calls;     /* dispatcher calls into its code under way */
  _Atomic long callbacks; /* its callbacks and read entries not yet freed */
  plugin_thread_t *threads; /* started by plugin_thread_create(), alive;
                               protected by the thread list lock */
  /* A load or unload of this record is under way (see plugin_dynamic.c's
   * lifecycle_lock, which protects it): the exit leaves such a record
   * alone rather than close it under the code that runs it. */
  bool busy;

  /* An isolated plugin runs in a host process (plugin_host/); its record
   * here holds the callbacks that stand in for the plugin's. host_pid is
   * that process while it runs, else 0. */
  _Atomic bool isolated; /* atomic: LISTPLUGINS reads it during the load */
  _Atomic int host_pid;
  /* Its OnPluginFailure is Restart (for LISTPLUGINS, as isolated). */
  _Atomic bool restart_policy;
  struct host_s *host; /* the daemon's side of it (host_proxy.c) */

  /* The configuration it was loaded with (Globals, OnPluginFailure, its
   * blocks...): a private copy, so that RELOAD can compare it with the
   * files and bring it back after a failure. */
  plugin_conf_t conf;
  plugin_t *next; /* registry list; protected by the registry lock */
};

/* Creates the record of `name` in state loading. Fails with -EEXIST if a
 * record by that name exists. */
int plugin__record_create(const char *name, plugin_t **ret);
/* Fills a zeroed record as plugin__record_create() does, without putting
 * it in the registry (a plugin host's stand-in record). */
void plugin__record_init(plugin_t *p, const char *name);
/* Removes and frees a record (and its configuration copy); its callbacks
 * must be gone already. */
void plugin__record_destroy(plugin_t *p);
/* The record named `name`, or NULL. The pointer stays valid until the
 * record is destroyed, which only the lifecycle code does. */
plugin_t *plugin__record_find(const char *name);
/* Calls fn for every record, in creation order, under the registry lock;
 * fn must not call back into the registry. */
void plugin__record_foreach(void (*fn)(plugin_t *, void *), void *arg);

/* The only writer of p->state. Refuses (returns -EINVAL and logs) an edge
 * that the lifecycle table does not allow. */
int plugin__set_state(plugin_t *p, plugin_state_t to);
/* One atomic load: may this plugin's callbacks run? */
static inline bool plugin__is_ready(const plugin_t *p) {
  return p == NULL || atomic_load_explicit(&p->state, memory_order_acquire) ==
                          PLUGIN_READY;
}

/* A dispatcher brackets every call into a plugin's code with these. The
 * call is counted first and the state checked second, and an unload sets
 * the state first and reads the count second (both sequentially
 * consistent), so either the dispatcher sees the plugin is no longer
 * ready, or the unload sees its call and waits for it. A plugin that is
 * not ready costs the dispatcher one atomic load. */
static inline bool plugin__call_begin(plugin_t *p) {
#ifdef COLLECTD_BENCH_NO_READY_CHECK
  /* Only for bench/: measures what the check itself costs. */
  (void)p;
  return true;
#else
  if (p == NULL)
    return true;
  if (!plugin__is_ready(p))
    return false;
  atomic_fetch_add(&p->calls, 1);
  if (atomic_load(&p->state) == PLUGIN_READY)
    return true;
  atomic_fetch_sub(&p->calls, 1);
  return false;
#endif
}
/* The same bracket for calls that are not kept to ready plugins
 * (configuration callbacks): anything but an unloading plugin. */
static inline bool plugin__call_begin_any(plugin_t *p) {
#ifdef COLLECTD_BENCH_NO_READY_CHECK
  (void)p;
  return true;
#endif
  if (p == NULL)
    return true;
  atomic_fetch_add(&p->calls, 1);
  if (atomic_load(&p->state) != PLUGIN_UNLOADING)
    return true;
  atomic_fetch_sub(&p->calls, 1);
  return false;
}
static inline void plugin__call_end(plugin_t *p) {
#ifndef COLLECTD_BENCH_NO_READY_CHECK
  if (p != NULL)
    atomic_fetch_sub_explicit(&p->calls, 1, memory_order_release);
#endif
}

/* Like plugin__set_state(), only if the state is `from` when it changes
 * (one atomic exchange): -EAGAIN if it was not. For a change that another
 * thread than the plugin's load or unload makes (its host died). */
int plugin__set_state_if(plugin_t *p, plugin_state_t from, plugin_state_t to);
/* From now on (true), state changes other than failures are neither
 * logged nor notified: the exit takes every plugin through them. */
void plugin__states_quiet(bool quiet);
/* Is from -> to an edge of the lifecycle? */
bool plugin__state_change_allowed(plugin_state_t from, plugin_state_t to);
/* Tells whoever listens for notifications about plugin `name`: plugin
 * "collectd", plugin instance `name`, type "plugin_state", type instance
 * `event` (a state, "unloaded", "refused" or "rolled_back"). */
void plugin__notify(const char *name, int severity, const char *event,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void plugin__notify_unloaded(plugin_t *p);
/* Records why and where `p` failed (logged by the caller). */
void plugin__set_failure(plugin_t *p, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- thread context ------------------------------------------------------ */

/* The calling thread works for `owner` (NULL: the core) with `ctx`. Returns
 * the previous owner so the caller can restore it with the previous ctx. */
typedef struct {
  plugin_t *owner;
  plugin_ctx_t ctx;
} plugin_thread_ctx_t;
plugin_thread_ctx_t plugin__enter(plugin_t *owner, plugin_ctx_t ctx);
void plugin__leave(plugin_thread_ctx_t saved);
/* The plugin the calling thread currently works for, or NULL. */
plugin_t *plugin__current_owner(void);

/* ---- reports ------------------------------------------------------------- */

/* "a, b, c": names added one by one into a caller's buffer (cut at its
 * end; a NULL buffer of length 0 only counts them). */
typedef struct {
  char *buf;
  size_t len, used;
  size_t num; /* names added, cut or not */
} name_list_t;
name_list_t name_list_init(char *buf, size_t len);
void name_list_add(name_list_t *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- threads of plugins -------------------------------------------------- */

/* The threads `p` started through plugin_thread_create() that are still
 * running: their number, and their names quoted in `names`. */
size_t plugin__threads_alive(plugin_t *p, char *names, size_t len);
/* The calling thread, which the plugin started itself, says it works for
 * `owner` (plugin_set_ctx()): it is listed like the threads of
 * plugin_thread_create() until it has exited. False if `owner` is being
 * unloaded (or memory ran out): the thread stays the core's. The caller
 * holds the registry lock (see plugin__record_adopt()). */
bool plugin__thread_adopt(plugin_t *owner);
/* Finds the record named `name` and adopts the calling thread for it, under
 * the registry lock so that the record cannot go meanwhile; returns it, or
 * NULL. */
plugin_t *plugin__record_adopt(const char *name);

/* ---- callbacks ----------------------------------------------------------- */

/* Every kind of callback but read (the read schedule is in plugin_read.c)
 * lives in one of these lists. */
typedef enum {
  CB_INIT,
  CB_SHUTDOWN,
  CB_WRITE,
  CB_FLUSH,
  CB_MISSING,
  CB_CACHE_EVENT,
  CB_LOG,
  CB_NOTIFICATION,
  CB_KIND_COUNT
} cb_kind_t;

typedef struct callback_s callback_t;
struct callback_s {
  char *name;
  plugin_t *owner; /* the plugin that registered it; NULL: the core */
  plugin_ctx_t ctx; /* context to call it in (the owner's, at registration) */
  union {
    void (*any)(void);
    plugin_init_cb init;
    plugin_shutdown_cb shutdown;
    plugin_write_cb write;
    plugin_flush_cb flush;
    plugin_missing_cb missing;
    plugin_cache_event_cb cache_event;
    plugin_log_cb log;
    plugin_notification_cb notification;
  } fn;
  user_data_t ud;
  _Atomic int refs;  /* one per snapshot holding it */
  _Atomic int calls; /* dispatcher calls under way, to name them */
  /* Cache-event callbacks only (-1 for the others, and when CB_SLOTS of
   * them exist): a number no other one has until this one is freed, its
   * bit in the value cache's callback masks. It does not move when
   * another callback leaves, and is given to a newcomer only once its bit
   * has left every mask (plugin_callbacks.c). */
  int slot;
};
#define CB_SLOTS ((int)(sizeof(unsigned long) * CHAR_BIT))

/* An immutable array of callbacks. Dispatchers take a reference, call
 * through it without any lock, then release it; a callback removed from
 * the list is freed (user data included) when the last snapshot holding it
 * is released, so a thread never calls freed memory. */
typedef struct {
  _Atomic int refs;
  size_t num;
  callback_t *cb[];
} cb_snapshot_t;

cb_snapshot_t *cb_list_acquire(cb_kind_t kind);
void cb_list_release(cb_snapshot_t *snap);
/* Adds `cb` (name, fn, ud filled in); owner and ctx are taken from the
 * calling thread. A callback of the same name and owner replaces the old
 * one, as in collectd; another plugin's of that name stays (names are per
 * plugin, so that no plugin can take another's place). On failure ud's
 * free_func has been called. */
int cb_list_add(cb_kind_t kind, const char *name, void (*fn)(void),
                user_data_t const *ud);
/* Removes the calling plugin's callback of that name (anyone's, if the
 * core calls). */
int cb_list_remove(cb_kind_t kind, const char *name);
/* Removes every callback owned by `owner` from every list. */
void cb_list_remove_owner(plugin_t *owner);
/* Frees every list (at exit). */
void cb_list_destroy_all(void);

/* A dispatcher's bracket around calls of `cb` (see plugin__call_begin):
 * false if its plugin is not ready, and then cb must not be called. */
static inline bool cb_begin(callback_t *cb) {
  if (!plugin__call_begin(cb->owner))
    return false;
  atomic_fetch_add_explicit(&cb->calls, 1, memory_order_relaxed);
  return true;
}
static inline void cb_end(callback_t *cb) {
  atomic_fetch_sub_explicit(&cb->calls, 1, memory_order_relaxed);
  plugin__call_end(cb->owner);
}
/* The names of `owner`'s callbacks with calls under way, quoted, with
 * their kind ("write callback \"csv\""); the number of them. */
size_t cb_list_running(plugin_t *owner, char *names, size_t len);
/* True if `owner` has a callback of this kind. */
bool cb_list_has_owner(cb_kind_t kind, plugin_t *owner);

/* Calls a callback in its context. The caller checked readiness. */
#define CB_CALL(cb, member, ...)                                               \
  ({                                                                           \
    plugin_thread_ctx_t cb__saved = plugin__enter((cb)->owner, (cb)->ctx);     \
    __auto_type cb__ret = (cb)->fn.member(__VA_ARGS__);                        \
    plugin__leave(cb__saved);                                                  \
    cb__ret;                                                                   \
  })

/* Tells the cache-event callbacks of `p` (NULL: the core's) of every value
 * already in the cache with CE_VALUE_NEW, and records which of them they
 * ask to hear more of, as if they had been there when each value arrived.
 * Called once `p` is ready (its callbacks are listed before that): a value
 * that arrives meanwhile is told by its own CE_VALUE_NEW or by this walk,
 * and may be told by both. Stops when `p` is no longer ready. */
void plugin__cache_event_catch_up(plugin_t *p);

/* Frees user data through its free_func (if any) in the owner's context. */
void plugin__free_user_data(plugin_t *owner, user_data_t *ud);

/* ---- configuration callbacks -------------------------------------------- */

int plugin__config_simple(plugin_t *p, const char *key, const char *value);
int plugin__config_complex(plugin_t *p, oconfig_item_t *ci);
void plugin__config_remove_owner(plugin_t *owner);
/* Like cb_list_running() for `owner`'s configuration callbacks. */
size_t plugin__config_running(plugin_t *owner, char *names, size_t len);
/* The values of a simple option joined into one new string, the way simple
 * config callbacks receive them (numbers as "%lf"), however long; NULL when
 * out of memory. */
char *cf_util_values_to_string(const oconfig_item_t *ci);

/* ---- reading, writing ---------------------------------------------------- */

int plugin__read_start(int threads);
void plugin__read_stop(void);
void plugin__read_remove_owner(plugin_t *owner);
/* The read callbacks of `owner` are due now (it has just become ready). */
void plugin__read_now(plugin_t *owner);
/* Like cb_list_running() for the read callbacks of `owner` being called. */
size_t plugin__read_running(plugin_t *owner, char *names, size_t len);
void plugin__read_destroy(void);

int plugin__write_start(int threads);
/* Stops accepting values, delivers what is queued (up to `timeout`), then
 * stops the threads. Returns the number of value lists dropped. */
long plugin__write_stop(cdtime_t timeout);
/* Queues a copy of vl for the write threads, with the rates its cache
 * update left (NULL: none; see uc__update_rates()). */
int plugin__write_enqueue(const data_set_t *ds, const value_list_t *vl,
                          const gauge_t *rates);
void plugin__write_set_limits(long high, long low);
long plugin__write_dropped(void);
/* WriteQueueLimitHigh (0: none). */
long plugin__write_limit_high(void);
long plugin__write_queued(void);
/* Waits until every value list queued before the call has been handed to
 * the write callbacks, or `timeout` passed (-ETIMEDOUT). */
int plugin__write_drain(cdtime_t timeout);

/* ---- logging ------------------------------------------------------------- */

/* Log callbacks are not used until this is called (start-up logs go to
 * stderr), and not after the second call with false. */
void plugin__log_enable(bool enabled);

/* ---- the plugin host's side ---------------------------------------------- */

/* In a plugin host (plugin_host/host_main.c), what its plugin dispatches
 * and logs goes to the daemon instead of the host's own cache, writers and
 * log callbacks. Set once, before any plugin code runs; NULL in the
 * daemon. `values` gets a value list with its time, interval and host
 * filled in and checked against its data set. */
typedef struct {
  int (*values)(const value_list_t *vl);
  int (*notification)(const notification_t *n);
  void (*log)(int level, const char *msg);
} plugin_forward_t;
extern const plugin_forward_t *plugin__forward;
/* Delivery to this process's own notification and log callbacks, past
 * plugin__forward: a host gives its plugin what the daemon sends it. */
int plugin__notification_local(const notification_t *notif);
void plugin__log_local(int level, const char *msg);

#endif /* PLUGIN_INTERNAL_H */
