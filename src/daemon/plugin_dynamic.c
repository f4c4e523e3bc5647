/* The plugin lifecycle (see plugin_dynamic.h). */
#include "plugin_dynamic.h"
#include "exit_watch.h"
#include "plugin_carry.h"
#include "filter_chain/fc.h"
#include "plugin_host/host_proxy.h"
#include "types_list.h"
#include "utils/common/common.h"

#include <dlfcn.h>
#include <pthread.h>

/* The loader gate: serializes opening and closing objects, so that the
 * constructors and destructors of plugins never run concurrently, and
 * keeps dlerror() with the dlopen() it belongs to. An object whose
 * constructor never returns holds the dynamic linker's own lock for ever,
 * and with it every later dlopen() and dlclose() in the process; so no one
 * waits at the gate longer than an unload may take, and whoever gives up
 * is told who holds it, and since when (dl_who_lock protects that). */
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t dl_who_lock = PTHREAD_MUTEX_INITIALIZER;
static char dl_who[DATA_MAX_NAME_LEN + 32];
static cdtime_t dl_since;

/* The longest an unload waits for a plugin (UnloadTimeout), and for the
 * gate. */
static cdtime_t unload_timeout = TIME_T_TO_CDTIME_T_STATIC(10);

/* Passes the gate for `verb` ("open", "lookup", "close") of `p` within
 * `wait`; if it cannot, says why in errbuf and returns false. */
static bool dl_enter(const plugin_t *p, const char *verb, cdtime_t wait,
                     char *errbuf, size_t errlen) {
  struct timespec until = CDTIME_T_TO_TIMESPEC(cdtime() + wait);
  int status = pthread_mutex_timedlock(&dl_lock, &until);
  pthread_mutex_lock(&dl_who_lock);
  if (status == 0) {
    snprintf(dl_who, sizeof(dl_who), "the %s of %s", verb, p->name);
    dl_since = cdtime();
  } else {
    snprintf(errbuf, errlen,
             "the dynamic linker is busy: %s has not returned for %.0f s",
             dl_who, CDTIME_T_TO_DOUBLE(cdtime() - dl_since));
  }
  pthread_mutex_unlock(&dl_who_lock);
  return status == 0;
}

static void dl_leave(void) { pthread_mutex_unlock(&dl_lock); }

bool plugin_dynamic_linker_holder(char *buf, size_t len) {
  if (pthread_mutex_trylock(&dl_lock) == 0) {
    pthread_mutex_unlock(&dl_lock);
    return false;
  }
  pthread_mutex_lock(&dl_who_lock);
  snprintf(buf, len, "%s, for %.0f s", dl_who,
           CDTIME_T_TO_DOUBLE(cdtime() - dl_since));
  pthread_mutex_unlock(&dl_who_lock);
  return true;
}

static char *plugin_dir;

/* Protects `exiting` and every record's `busy`: the exit and a load or
 * unload still under way (the control commands waited for them as long as
 * they could) agree on who may touch a record. */
static pthread_mutex_t lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;
static bool exiting;

/* Marks `p` as being loaded or unloaded; false once the exit has begun. */
static bool busy_begin(plugin_t *p) {
  pthread_mutex_lock(&lifecycle_lock);
  bool ok = !exiting;
  if (ok)
    p->busy = true;
  pthread_mutex_unlock(&lifecycle_lock);
  return ok;
}

static void busy_end(plugin_t *p) {
  pthread_mutex_lock(&lifecycle_lock);
  p->busy = false;
  pthread_mutex_unlock(&lifecycle_lock);
}

void plugin_set_dir(const char *dir) {
  free(plugin_dir);
  plugin_dir = dir != NULL ? strdup(dir) : NULL;
}

const char *plugin_get_dir(void) {
  return plugin_dir != NULL ? plugin_dir : PLUGINDIR;
}

bool plugin_name_valid(const char *name) {
  if (name == NULL || name[0] == '\0' || strlen(name) >= DATA_MAX_NAME_LEN)
    return false;
  for (const char *c = name; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
      return false;
  return true;
}

bool plugin_is_loaded(char const *name) {
  return plugin__record_find(name) != NULL;
}

/* Opens <dir>/<name>.so, resolving every symbol now: an object that
 * needs a symbol the daemon does not export, or a library that is not
 * installed, fails here with the dynamic linker's own words rather than
 * later, in the middle of a call. */
static int object_open(plugin_t *p, char *errbuf, size_t errlen) {
  char path[PATH_MAX];
  size_t len = (size_t)snprintf(path, sizeof(path), "%s/%s.so",
                                plugin_get_dir(), p->name);
  if (len >= sizeof(path)) {
    snprintf(errbuf, errlen,
             "the path of the plugin (PluginDir/%s.so) is %zu bytes long; at "
             "most %zu fit",
             p->name, len, sizeof(path) - 1);
    return -ENAMETOOLONG;
  }
  char shown[OCONFIG_EXCERPT_SIZE];
  oconfig_excerpt(path, true, shown, sizeof(shown));
  struct stat st;
  if (stat(path, &st) != 0) {
    int err = errno;
    snprintf(errbuf, errlen, "cannot open %s: %s", shown, strerror(err));
    return -err;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(errbuf, errlen, "cannot open %s: not a regular file", shown);
    return -ENOEXEC;
  }

  if (!dl_enter(p, "open", unload_timeout, errbuf, errlen))
    return -EBUSY;
  int mode = RTLD_NOW | (p->conf.global ? RTLD_GLOBAL : RTLD_LOCAL);
  p->handle = dlopen(path, mode);
  if (p->handle == NULL) {
    const char *why = dlerror();
    if (why == NULL)
      why = "unknown error";
    /* dlerror() often starts with the path we name already. */
    if (strncmp(why, path, len) == 0 && strncmp(why + len, ": ", 2) == 0)
      why += len + 2;
    snprintf(errbuf, errlen, "cannot open %s: %s", shown, why);
  }
  dl_leave();
  return p->handle != NULL ? 0 : -ELIBBAD;
}

/* Closes `p`'s object; if the gate stays shut, leaves it mapped (which
 * closing never promised to undo) and says so. At exit nobody waits: the
 * process is about to unmap everything anyway. */
static void object_close(plugin_t *p, bool at_exit) {
  if (p->handle == NULL)
    return;
  char why[DATA_MAX_NAME_LEN + 128];
  if (dl_enter(p, "close", at_exit ? 0 : unload_timeout, why, sizeof(why))) {
    dlclose(p->handle);
    dl_leave();
  } else if (!at_exit) {
    WARNING("%s: its object stays mapped: %s", p->name, why);
  }
  p->handle = NULL;
}

/* Runs module_register() in the plugin's context, so that everything it
 * registers is owned by it. */
static int object_register(plugin_t *p, char *errbuf, size_t errlen) {
  /* dlsym() on a handle waits for the dynamic linker's lock too. */
  if (!dl_enter(p, "lookup", unload_timeout, errbuf, errlen))
    return -EBUSY;
  void (*reg)(void) = (void (*)(void))dlsym(p->handle, "module_register");
  dl_leave();
  if (reg == NULL) {
    snprintf(errbuf, errlen, "the object has no module_register()");
    return -ENOENT;
  }
  atomic_store(&p->registered, true);
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  reg();
  plugin__leave(saved);
  return 0;
}

/* Hands each <Plugin> block to the plugin: whole to a complex callback,
 * option by option to a simple one. */
static int config_block(plugin_t *p, oconfig_item_t *block, char *errbuf,
                        size_t errlen) {
  const char *where_file = "?";
  int where_line = 0;
  oconfig_item_source(block, &where_file, &where_line);

  int status = plugin__config_complex(p, block);
  if (status != -ENOENT) {
    if (status != 0)
      snprintf(errbuf, errlen,
               "the <Plugin %s> block at %s:%d was rejected by the plugin",
               p->name, where_file, where_line);
    return status;
  }

  for (int i = 0; i < block->children_num; i++) {
    oconfig_item_t *opt = block->children + i;
    const char *file = where_file;
    int line = where_line;
    oconfig_item_source(opt, &file, &line);
    char key[OCONFIG_EXCERPT_SIZE];
    oconfig_excerpt(opt->key, true, key, sizeof(key));
    if (opt->children_num > 0) {
      snprintf(errbuf, errlen,
               "%s:%d: option %s is a block, but the plugin only takes "
               "simple options (Key value)",
               file, line, key);
      return -EINVAL;
    }
    char *value = cf_util_values_to_string(opt);
    if (value == NULL) {
      snprintf(errbuf, errlen, "%s:%d: option %s: out of memory", file, line,
               key);
      return -ENOMEM;
    }
    status = plugin__config_simple(p, opt->key, value);
    free(value);
    if (status == -ENOENT) {
      snprintf(errbuf, errlen,
               "%s:%d: the plugin has no configuration callback for its "
               "<Plugin %s> block",
               where_file, where_line, p->name);
      return status;
    }
    if (status != 0) {
      snprintf(errbuf, errlen, "%s:%d: option %s was rejected", file, line,
               key);
      return status;
    }
  }
  return 0;
}

/* Calls every init callback `p` registered, in order, and then those its
 * init callbacks registered, as collectd 5.12 does (its init loop walks a
 * list that grows). The snapshots are kept until the end, so that a
 * callback is never freed and its address never reused while we remember
 * that it ran. */
static int init_callbacks(plugin_t *p, char *errbuf, size_t errlen) {
  cb_snapshot_t *snaps[16];
  size_t snaps_num = 0;
  callback_t **done = NULL;
  size_t done_num = 0;
  int status = 0;
  bool ran = true;
  while (status == 0 && ran && snaps_num < STATIC_ARRAY_SIZE(snaps)) {
    cb_snapshot_t *s = cb_list_acquire(CB_INIT);
    snaps[snaps_num++] = s;
    ran = false;
    for (size_t i = 0; s != NULL && i < s->num && status == 0; i++) {
      callback_t *cb = s->cb[i];
      bool seen = cb->owner != p;
      for (size_t j = 0; j < done_num && !seen; j++)
        seen = done[j] == cb;
      if (seen)
        continue;
      callback_t **d = realloc(done, (done_num + 1) * sizeof(*d));
      if (d == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        status = -ENOMEM;
        break;
      }
      done = d;
      done[done_num++] = cb;
      ran = true;
      status = CB_CALL(cb, init);
      if (status != 0 && p->isolated)
        snprintf(errbuf, errlen, "%s", host_proxy_last_reason());
      else if (status != 0)
        snprintf(errbuf, errlen, "init callback \"%s\" returned %d",
                 cb->name, status);
      if (status != 0)
        status = -EIO;
    }
  }
  if (status == 0 && ran) {
    snprintf(errbuf, errlen, "init callbacks kept registering init callbacks "
                             "(%zu rounds)",
             snaps_num);
    status = -ELOOP;
  }
  for (size_t i = 0; i < snaps_num; i++)
    cb_list_release(snaps[i]);
  free(done);
  return status;
}

static void forget_callbacks(plugin_t *p) {
  fc__remove_owner(p);
  plugin__read_remove_owner(p);
  cb_list_remove_owner(p);
  plugin__config_remove_owner(p);
  types_remove_owner(p);
}

static int fail(plugin_t *p, const char *step, const char *reason, int status,
                char *errbuf, size_t errlen) {
  plugin__set_failure(p, step, "%s", reason);
  plugin__set_state(p, PLUGIN_FAILED);
  snprintf(errbuf, errlen, "%s: %s: %s", p->name, step, reason);
  /* In a plugin host, the daemon logs it. */
  if (plugin__forward == NULL)
    ERROR("%s", errbuf);
  return status;
}

static int load_steps(plugin_t *p, const plugin_conf_t *conf, char *errbuf,
                      size_t errlen);

int plugin_dynamic_load(const plugin_conf_t *conf, char *errbuf,
                        size_t errlen) {
  if (!plugin_name_valid(conf->name)) {
    snprintf(errbuf, errlen, "\"%s\": name: not a plugin name (letters, "
                             "digits, '_' and '-' only)",
             conf->name != NULL ? conf->name : "");
    return -EINVAL;
  }

  /* Reserve the name first: a second load of it now sees the record. */
  plugin_t *p;
  int status = plugin__record_create(conf->name, &p);
  if (status == -EEXIST) {
    snprintf(errbuf, errlen, "%s: load: the plugin is loaded already",
             conf->name);
    return status;
  }
  if (status != 0) {
    snprintf(errbuf, errlen, "%s: load: %s", conf->name, strerror(-status));
    return status;
  }
  if (!busy_begin(p)) {
    snprintf(errbuf, errlen, "%s: load: the daemon is shutting down",
             conf->name);
    plugin__record_destroy(p);
    return -ESHUTDOWN;
  }
  status = load_steps(p, conf, errbuf, errlen);
  busy_end(p);
  return status;
}

/* Puts where the configuration loads the plugin before `why`, when that
 * is known: the open and register steps have no line of their own to
 * name. */
static const char *located(const plugin_conf_t *conf, char *why, size_t len) {
  if (conf->where == NULL)
    return why;
  char *copy = strdup(why);
  if (copy != NULL) {
    snprintf(why, len, "%s: %s", conf->where, copy);
    free(copy);
  }
  return why;
}

static int load_steps(plugin_t *p, const plugin_conf_t *conf, char *errbuf,
                      size_t errlen) {
  int status;
  char why[512] = "";
  if (plugin_conf_take(p, conf) != 0)
    return fail(p, "config", "out of memory", -ENOMEM, errbuf, errlen);

  if (conf->isolate) {
    /* Its host opens, registers and configures it. */
    const char *step = "host";
    if (conf->adopt != NULL && *conf->adopt != NULL) {
      struct host_s *h = *conf->adopt;
      *conf->adopt = NULL; /* ours now, even if it fails */
      status = host_proxy_adopt(p, h, why, sizeof(why));
    } else {
      status = host_proxy_load(p, &step, why, sizeof(why));
    }
    if (status != 0)
      return fail(p, step, located(conf, why, sizeof(why)), status, errbuf,
                  errlen);
    plugin__set_state(p, PLUGIN_CONFIGURING);
    if (conf->check_only)
      return 0;
    return plugin_dynamic_init(p, errbuf, errlen);
  }

  if ((status = object_open(p, why, sizeof(why))) != 0)
    return fail(p, "open", located(conf, why, sizeof(why)), status, errbuf,
                errlen);
  if ((status = object_register(p, why, sizeof(why))) != 0)
    return fail(p, "register", located(conf, why, sizeof(why)), status, errbuf,
                errlen);

  plugin__set_state(p, PLUGIN_CONFIGURING);
  for (size_t i = 0; i < conf->blocks_num; i++)
    if ((status = config_block(p, conf->blocks[i], why, sizeof(why))) != 0)
      return fail(p, "config", why, status, errbuf, errlen);
  if (conf->check_only)
    return 0;
  return plugin_dynamic_init(p, errbuf, errlen);
}

/* A load that the exit stopped waiting for does not make the plugin ready
 * behind its back. (If the exit begins just after the check, it finds the
 * record busy and reports that its load did not finish.) */
static bool make_ready(plugin_t *p) {
  pthread_mutex_lock(&lifecycle_lock);
  bool ok = !exiting;
  pthread_mutex_unlock(&lifecycle_lock);
  if (!ok)
    return false;
  plugin__set_state(p, PLUGIN_READY);
  return true;
}

int plugin_dynamic_init(plugin_t *p, char *errbuf, size_t errlen) {
  char why[512] = "";
  /* From here on the plugin is a whole one: a RELOAD that rolls back to
   * this configuration initialises it too. */
  p->conf.check_only = false;
  int status = init_callbacks(p, why, sizeof(why));
  if (status != 0)
    return fail(p, "init", why, status, errbuf, errlen);

  /* A reloaded plugin first gets what was meant for it meanwhile. */
  bool phased = false;
  if (!plugin__carry_ready(p, make_ready, &phased))
    return fail(p, "init", "the daemon began to shut down while the plugin "
                           "was initialised",
                -ESHUTDOWN, errbuf, errlen);
  /* Its reads were skipped while it loaded: the first one is due now,
   * unless a reload put them back on their old phase. */
  if (!phased)
    plugin__read_now(p);
  /* A cache event callback hears of the values cached before it was
   * ready. */
  plugin__cache_event_catch_up(p);
  return 0;
}

/* ---- unloading ----------------------------------------------------------- */

void plugin_dynamic_set_unload_timeout(cdtime_t timeout) {
  unload_timeout = timeout;
}

cdtime_t plugin_dynamic_unload_timeout(void) { return unload_timeout; }

/* Did module_register() run? Then the plugin may hold state that only its
 * shutdown callback releases. */
static bool registered(const plugin_t *p) {
  return atomic_load(&p->registered);
}

bool plugin_dynamic_unloadable(const plugin_t *p) {
  return atomic_load(&p->unloadable) || !registered(p);
}

/* Polls `done` until it holds or `deadline` passes: every 50 us at first
 * (what is waited for usually ends within microseconds), then less often,
 * up to every 5 ms. */
static bool wait_until(bool (*done)(plugin_t *), plugin_t *p,
                       cdtime_t deadline) {
  long pause_ns = 50 * 1000;
  while (!done(p)) {
    if (cdtime() >= deadline)
      return done(p);
    nanosleep(&(struct timespec){.tv_nsec = pause_ns}, NULL);
    if (pause_ns < 5 * 1000 * 1000)
      pause_ns *= 2;
  }
  return true;
}

static bool no_calls(plugin_t *p) { return atomic_load(&p->calls) == 0; }

/* Nothing of the plugin is left but its object: no callback or read entry
 * (whose user data its code frees) and no thread. */
static bool nothing_left(plugin_t *p) {
  return atomic_load(&p->callbacks) == 0 &&
         plugin__threads_alive(p, NULL, 0) == 0;
}

/* Runs the shutdown callbacks of `p`, in the order they were registered.
 * Their failure does not stop the unload (the plugin is going either way)
 * but is logged; the number of failures is returned. At exit each one is
 * a step of the exit watch. */
static int shutdown_callbacks(plugin_t *p, bool watched) {
  int failed = 0;
  cb_snapshot_t *s = cb_list_acquire(CB_SHUTDOWN);
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (cb->owner != p)
      continue;
    if (watched)
      exit_watch_step(unload_timeout, "shutdown callback \"%s\" of %s",
                      cb->name, p != NULL ? p->name : "the core");
    int status = CB_CALL(cb, shutdown);
    if (status != 0) {
      WARNING("%s: shutdown: shutdown callback \"%s\" returned %d",
              p != NULL ? p->name : "the core", cb->name, status);
      failed++;
    }
  }
  cb_list_release(s);
  return failed;
}

static double seconds(cdtime_t t) { return CDTIME_T_TO_DOUBLE(t); }

/* What is still running in `p`'s code, for a report. */
static void running_calls(plugin_t *p, char *buf, size_t len) {
  size_t n = plugin__read_running(p, buf, len);
  if (n == 0)
    n = cb_list_running(p, buf, len);
  if (n == 0)
    n = plugin__config_running(p, buf, len);
  if (n == 0)
    snprintf(buf, len, "a callback");
}

/* The steps an unload and the exit share, once no new call can start:
 * wait for the calls under way, run the shutdown callbacks (if `shut`),
 * forget everything the plugin registered, and wait until nothing of it
 * is left. Returns 0, -ETIMEDOUT (a call did not return: nothing was
 * undone) or -EDEADLK (shut down, but a thread or callback is left: the
 * object must stay mapped); errbuf says why. */
static int take_down(plugin_t *p, bool shut, bool watched, cdtime_t deadline,
                     int *failed, char *errbuf, size_t errlen) {
  /* At exit each wait is a step of its own, with a deadline of its own and
   * a watch that leaves the wait the time to end and report. */
  if (watched)
    exit_watch_step(2 * unload_timeout, "waiting for the calls into %s",
                    p->name);
  if (!wait_until(no_calls, p, deadline)) {
    char running[256];
    running_calls(p, running, sizeof(running));
    snprintf(errbuf, errlen, "%s: drain: %s still running after %.3g s",
             p->name, running, seconds(unload_timeout));
    return -ETIMEDOUT;
  }
  if (shut && registered(p))
    *failed += shutdown_callbacks(p, watched);
  /* User data is freed here, or by whoever drops the last snapshot that
   * holds a callback -- in both cases while the object is mapped. */
  forget_callbacks(p);

  if (watched) {
    exit_watch_step(2 * unload_timeout, "waiting for the threads of %s",
                    p->name);
    /* A plugin that never promised to stop its threads is not waited
     * for. */
    deadline = cdtime() + (plugin_dynamic_unloadable(p) ? unload_timeout : 0);
  }
  if (!wait_until(nothing_left, p, deadline)) {
    char threads[256];
    size_t n = plugin__threads_alive(p, threads, sizeof(threads));
    if (n > 0)
      plugin__set_failure(p, "shutdown",
                          "thread%s %s still running after its shutdown; "
                          "stuck: the object stays loaded",
                          n > 1 ? "s" : "", threads);
    else
      plugin__set_failure(p, "shutdown",
                          "%ld of its callbacks still held after %.3g s; "
                          "stuck: the object stays loaded",
                          atomic_load(&p->callbacks), seconds(unload_timeout));
    snprintf(errbuf, errlen, "%s: %s: %s", p->name, p->failed_step,
             p->failed_reason);
    return -EDEADLK;
  }
  return 0;
}

static bool still_ready(plugin_t *p) {
  (void)p;
  return true;
}

int plugin_dynamic_unload(plugin_t *p, char *errbuf, size_t errlen) {
  if (!busy_begin(p)) {
    snprintf(errbuf, errlen, "%s: unload: the daemon is shutting down",
             p->name);
    return -ESHUTDOWN;
  }
  plugin_state_t from = atomic_load(&p->state);
  cdtime_t deadline = cdtime() + unload_timeout;

  /* Values already queued reach the plugin's write callbacks first. */
  if (from == PLUGIN_READY && cb_list_has_owner(CB_WRITE, p) &&
      plugin__write_drain(unload_timeout) != 0) {
    snprintf(errbuf, errlen,
             "%s: drain: the values queued for it were not delivered within "
             "%.3g s (%ld value lists queued); nothing changed",
             p->name, seconds(unload_timeout), plugin__write_queued());
    WARNING("%s", errbuf);
    busy_end(p);
    return -ETIMEDOUT;
  }

  /* From here no new call starts. */
  plugin__set_state(p, PLUGIN_UNLOADING);
  int failed = 0;
  int status = take_down(p, true, false, deadline, &failed, errbuf, errlen);
  if (status == -ETIMEDOUT) {
    size_t used = strnlen(errbuf, errlen);
    snprintf(errbuf + used, errlen - used, "; nothing changed");
    WARNING("%s", errbuf);
    plugin__set_state(p, from);
    /* A reload's carry, if any, goes back to the instance it came from. */
    bool phased;
    if (from == PLUGIN_READY) {
      plugin__carry_ready(p, still_ready, &phased);
      plugin__cache_event_catch_up(p);
    }
    busy_end(p);
    return status;
  }
  if (status != 0) {
    plugin__set_state(p, PLUGIN_FAILED);
    ERROR("%s", errbuf);
    busy_end(p);
    return status;
  }
  object_close(p, false);
  plugin__notify_unloaded(p);
  plugin__record_destroy(p);
  return 0;
}

/* ---- exit ------------------------------------------------------------------ */

typedef struct {
  plugin_t **all;
  size_t num;
} record_list_t;

static void collect_record(plugin_t *p, void *arg) {
  record_list_t *l = arg;
  plugin_t **all = realloc(l->all, (l->num + 1) * sizeof(*all));
  if (all == NULL)
    return;
  l->all = all;
  l->all[l->num++] = p;
}

/* Whose shutdown callbacks run at exit: those of ready plugins, those of
 * plugins that failed after module_register() ran (as collectd does: they
 * may hold what their config callback allocated), and those of unloadable
 * plugins that were only configured (-t), which promised that shutdown
 * releases everything. */
static bool shuts_down_at_exit(const plugin_t *p) {
  switch (atomic_load(&p->state)) {
  case PLUGIN_READY:
    return true;
  case PLUGIN_FAILED:
    return registered(p);
  case PLUGIN_CONFIGURING:
    return p->unloadable;
  default:
    return false;
  }
}

/* The order of the exit: plugins that only read go first, so that the
 * values and words of their shutdown still reach the plugins that write
 * and log them; then those that take values, notifications or events
 * (and the matches and targets of the chains); the log plugins last. */
typedef enum { EXIT_READERS, EXIT_WRITERS, EXIT_LOGGERS } exit_group_t;

static exit_group_t exit_group(plugin_t *p) {
  if (cb_list_has_owner(CB_LOG, p))
    return EXIT_LOGGERS;
  static const cb_kind_t takers[] = {CB_WRITE, CB_NOTIFICATION, CB_FLUSH,
                                     CB_MISSING, CB_CACHE_EVENT};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(takers); i++)
    if (cb_list_has_owner(takers[i], p))
      return EXIT_WRITERS;
  return fc__owner_uses(p, NULL, 0) > 0 ? EXIT_WRITERS : EXIT_READERS;
}

/* Takes one plugin down at exit the way an unload does: out of ready
 * first, so that none of its callbacks runs once its shutdown has begun.
 * A plugin a load or unload still works on (the commands were waited for
 * as long as the exit allows) is left alone, mapped. Returns the number of
 * failures. */
static int exit_one(plugin_t *p) {
  pthread_mutex_lock(&lifecycle_lock);
  bool busy = p->busy;
  pthread_mutex_unlock(&lifecycle_lock);
  if (busy) {
    ERROR("%s: a LOAD, UNLOAD or RELOAD of it still has not finished; it "
          "stays loaded and its shutdown is not run",
          p->name);
    return 1;
  }

  plugin_state_t state = atomic_load(&p->state);
  /* An unload that found a thread of it still running after its shutdown
   * has done all there is to do; the thread keeps the object mapped. */
  if (state == PLUGIN_FAILED && strcmp(p->failed_step, "shutdown") == 0)
    return 0;
  bool shut = shuts_down_at_exit(p);
  if (state != PLUGIN_UNLOADING)
    plugin__set_state(p, PLUGIN_UNLOADING);
  cdtime_t deadline = cdtime() + unload_timeout;
  char why[512];
  int failed = 0;
  int status = take_down(p, shut, true, deadline, &failed, why, sizeof(why));
  /* A plugin that never promised to stop its threads is not held to it:
   * what it left running keeps its object mapped until the process ends,
   * as under collectd. */
  if (status == -EDEADLK && !plugin_dynamic_unloadable(p))
    return failed;
  if (status != 0) {
    ERROR("%s; it stays loaded", why);
    return failed + 1;
  }
  object_close(p, true);
  plugin__record_destroy(p);
  return failed;
}

int plugin_dynamic_shutdown_all(void (*between)(void)) {
  pthread_mutex_lock(&lifecycle_lock);
  exiting = true;
  pthread_mutex_unlock(&lifecycle_lock);
  plugin__states_quiet(true);

  /* Whatever the core registered itself shuts down first. */
  int failed = shutdown_callbacks(NULL, true);

  record_list_t l = {0};
  plugin__record_foreach(collect_record, &l);
  exit_group_t *group = calloc(l.num + 1, sizeof(*group));
  for (size_t i = 0; group != NULL && i < l.num; i++)
    group[i] = exit_group(l.all[i]);
  for (exit_group_t g = EXIT_READERS; g <= EXIT_LOGGERS; g++) {
    if (g == EXIT_WRITERS && between != NULL)
      between();
    /* Each group in the reverse of the order of loading. */
    for (size_t i = l.num; i-- > 0;)
      if ((group != NULL ? group[i] : EXIT_READERS) == g)
        failed += exit_one(l.all[i]);
  }
  free(group);
  free(l.all);

  /* Logs go to stderr from here on: no log plugin is left. */
  plugin__log_enable(false);
  exit_watch_step(unload_timeout, "freeing the core's callbacks");
  forget_callbacks(NULL);
  plugin__read_destroy();
  cb_list_destroy_all();
  free(plugin_dir);
  plugin_dir = NULL;
  /* Everything is gone; a test harness may start over. */
  plugin__states_quiet(false);
  pthread_mutex_lock(&lifecycle_lock);
  exiting = false;
  pthread_mutex_unlock(&lifecycle_lock);
  return failed ? -1 : 0;
}

int plugin_shutdown_all(void) { return plugin_dynamic_shutdown_all(NULL); }

/* collectd 5.12 ran every init callback here; ours run as each plugin is
 * loaded, so there is nothing left to do. */
int plugin_init_all(void) { return 0; }

/* ---- configurations ------------------------------------------------------- */

int plugin_conf_copy(plugin_conf_t *dst, const plugin_conf_t *src) {
  *dst = *src;
  dst->adopt = NULL;
  dst->blocks = NULL;
  dst->blocks_num = 0;
  dst->where = NULL;
  if (src->blocks_num == 0)
    return 0;
  dst->blocks = calloc(src->blocks_num, sizeof(*dst->blocks));
  if (dst->blocks == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < src->blocks_num; i++) {
    if ((dst->blocks[i] = oconfig_clone(src->blocks[i])) == NULL) {
      plugin_conf_free(dst);
      return -ENOMEM;
    }
    dst->blocks_num++;
  }
  return 0;
}

int plugin_conf_take(plugin_t *p, const plugin_conf_t *conf) {
  if (plugin_conf_copy(&p->conf, conf) != 0)
    return -ENOMEM;
  p->conf.name = p->name;
  p->restart_policy = conf->on_failure == PLUGIN_ON_FAILURE_RESTART;
  p->ctx.interval = conf->interval;
  p->ctx.flush_interval = conf->flush_interval;
  p->ctx.flush_timeout = conf->flush_timeout;
  return 0;
}

void plugin_conf_free(plugin_conf_t *conf) {
  for (size_t i = 0; i < conf->blocks_num; i++)
    oconfig_free(conf->blocks[i]);
  free(conf->blocks);
  conf->blocks = NULL;
  conf->blocks_num = 0;
}

bool plugin_conf_equal(const plugin_conf_t *a, const plugin_conf_t *b) {
  if (a->global != b->global || a->isolate != b->isolate ||
      a->memory_limit != b->memory_limit ||
      a->interval != b->interval ||
      a->flush_interval != b->flush_interval ||
      a->flush_timeout != b->flush_timeout || a->on_failure != b->on_failure ||
      a->blocks_num != b->blocks_num)
    return false;
  for (size_t i = 0; i < a->blocks_num; i++)
    if (!oconfig_equal(a->blocks[i], b->blocks[i]))
      return false;
  return true;
}
