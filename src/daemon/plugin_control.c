/* The lifecycle commands (see plugin_control.h): what a LOAD, UNLOAD or
 * RELOAD may do and in which state, their serialization per plugin, and
 * the rollback of a failed reconfiguration. The work itself is done by the
 * lifecycle in plugin_dynamic.c. */
#include "plugin_control.h"
#include "filter_chain/fc.h"
#include "configfile_internal.h"
#include "plugin_carry.h"
#include "plugin_dynamic.h"
#include "plugin_host/host_proxy.h"
#include "plugin_restart.h"
#include "utils/common/common.h"

#include <pthread.h>
#include <signal.h>

/* ---- one command per plugin at a time ------------------------------------ */

/* A command under way, for the plugin named `name`. */
typedef struct claim_s claim_t;
struct claim_s {
  char name[DATA_MAX_NAME_LEN];
  const char *verb;
  claim_t *next;
};

/* Protects claims and stopping; idle_cond is signalled when the last claim
 * goes. */
static pthread_mutex_t claims_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static claim_t *claims;
static bool stopping;
static _Atomic bool failure_shutdown;

/* A refused command changes nothing, but whoever watches notifications
 * learns that someone tried. */
static int refuse(const char *name, int status, const char *msg) {
  WARNING("%s", msg);
  plugin__notify(name, NOTIF_WARNING, "refused", "%s", msg);
  return status;
}

/* Claims `name` for `c`, or says who has it: -EBUSY. */
static int claim(claim_t *c, const char *name, const char *verb, char *msg,
                 size_t len) {
  pthread_mutex_lock(&claims_lock);
  if (stopping) {
    pthread_mutex_unlock(&claims_lock);
    snprintf(msg, len, "%s: busy: the daemon is shutting down", name);
    return -ESHUTDOWN;
  }
  for (claim_t *o = claims; o != NULL; o = o->next) {
    if (strcasecmp(o->name, name) == 0) {
      snprintf(msg, len,
               "%s: busy: a %s of this plugin is in progress; try again "
               "when it has finished",
               name, o->verb);
      pthread_mutex_unlock(&claims_lock);
      return refuse(name, -EBUSY, msg);
    }
  }
  sstrncpy(c->name, name, sizeof(c->name));
  c->verb = verb;
  c->next = claims;
  claims = c;
  pthread_mutex_unlock(&claims_lock);
  return 0;
}

static void unclaim(claim_t *c) {
  pthread_mutex_lock(&claims_lock);
  for (claim_t **pp = &claims; *pp != NULL; pp = &(*pp)->next) {
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  }
  if (claims == NULL)
    pthread_cond_broadcast(&idle_cond);
  pthread_mutex_unlock(&claims_lock);
}

bool plugin_control_stop(cdtime_t timeout) {
  struct timespec deadline = CDTIME_T_TO_TIMESPEC(cdtime() + timeout);
  pthread_mutex_lock(&claims_lock);
  stopping = true;
  while (claims != NULL)
    if (pthread_cond_timedwait(&idle_cond, &claims_lock, &deadline) ==
        ETIMEDOUT)
      break;
  bool idle = claims == NULL;
  for (claim_t *c = claims; c != NULL; c = c->next)
    ERROR("%s: a %s still has not finished; the plugin is left as it is, "
          "and the exit fails",
          c->name, c->verb);
  pthread_mutex_unlock(&claims_lock);
  return idle;
}

bool plugin_control_failure_shutdown(void) {
  return atomic_load(&failure_shutdown);
}

static _Atomic bool started;
static _Atomic bool start_refused;

void plugin_control_refuse_start(const char *name, const char *why) {
  if (atomic_load(&started))
    return;
  ERROR("%s: %s; not starting a second daemon", name, why);
  atomic_store(&start_refused, true);
}

void plugin_control_started(void) { atomic_store(&started, true); }

bool plugin_control_start_refused(void) {
  return atomic_load(&start_refused);
}

/* ---- checks shared by the commands ------------------------------------------ */

static int check_name(const char *name, char *msg, size_t len) {
  if (plugin_name_valid(name))
    return 0;
  snprintf(msg, len,
           "\"%s\": name: not a plugin name (a plain name of letters, "
           "digits, '_' and '-' is needed)",
           name != NULL ? name : "");
  WARNING("%s", msg);
  return -EINVAL;
}

/* The record of a plugin that UNLOAD or RELOAD may take apart, or NULL
 * with the reason in msg and *status. */
static plugin_t *changeable(const char *name, const char *verb,
                            const char *step, char *msg, size_t len,
                            int *status) {
  plugin_t *p = plugin__record_find(name);
  if (p == NULL) {
    snprintf(msg, len, "%s: %s: the plugin is not loaded", name, step);
    *status = refuse(name, -ENOENT, msg);
    return NULL;
  }
  plugin_state_t state = atomic_load(&p->state);
  if (state != PLUGIN_READY && state != PLUGIN_FAILED) {
    snprintf(msg, len, "%s: busy: the plugin is %s; try again later", name,
             plugin_state_name(state));
    *status = refuse(name, -EBUSY, msg);
    return NULL;
  }
  if (plugin__current_owner() == p) {
    snprintf(msg, len,
             "%s: %s: refused: this command came through the %s plugin's "
             "own socket, which %s would close under it",
             name, step, name, verb);
    *status = refuse(name, -EPERM, msg);
    return NULL;
  }
  if (!plugin_dynamic_unloadable(p)) {
    snprintf(msg, len,
             "%s: %s: refused: a legacy plugin (it does not call "
             "plugin_register_unloadable()) stays loaded until the daemon "
             "exits; nothing changed",
             name, step);
    *status = refuse(name, -EPERM, msg);
    return NULL;
  }
  /* A chain holds what the plugin's match or target made of its
   * configuration, and would be left without it. */
  char uses[512];
  if (fc__owner_uses(p, uses, sizeof(uses)) > 0) {
    snprintf(msg, len,
             "%s: %s: refused: %s; change the chains and restart first; "
             "nothing changed",
             name, step, uses);
    *status = refuse(name, -EBUSY, msg);
    return NULL;
  }
  return p;
}

/* A load that failed under OnPluginFailure Shutdown stops the daemon, at
 * run time as at start-up, and so does an isolated plugin whose host
 * ended. A plugin stuck in its unload does not: the daemon keeps it mapped
 * and stays up. */
void plugin_control_failure_policy(const char *name) {
  plugin_t *p = plugin__record_find(name);
  if (p == NULL || atomic_load(&p->state) != PLUGIN_FAILED ||
      p->conf.on_failure != PLUGIN_ON_FAILURE_SHUTDOWN ||
      strcmp(p->failed_step, "shutdown") == 0)
    return;
  ERROR("%s: %s failed and OnPluginFailure is Shutdown; shutting the daemon "
        "down",
        name, p->failed_step);
  atomic_store(&failure_shutdown, true);
  kill(getpid(), SIGTERM);
}

/* ---- LOAD ---------------------------------------------------------------- */

static int load(const char *name, const plugin_conf_t *given, char *msg,
                size_t len);

int plugin_control_load(const char *name, char *msg, size_t len) {
  return load(name, NULL, msg, len);
}

int plugin_control_load_conf(const plugin_conf_t *conf, char *msg,
                             size_t len) {
  return load(conf->name, conf, msg, len);
}

/* LOAD, with the configuration `given` (read already), or read now. */
static int load(const char *name, const plugin_conf_t *given, char *msg,
                size_t len) {
  int status = check_name(name, msg, len);
  claim_t c;
  if (status != 0 || (status = claim(&c, name, "LOAD", msg, len)) != 0)
    return status;
  plugin__restart_forget(name);

  plugin_t *p = plugin__record_find(name);
  if (p != NULL) {
    snprintf(msg, len,
             "%s: load: the plugin is loaded already (%s); use RELOAD to "
             "apply a changed configuration",
             name, plugin_state_name(atomic_load(&p->state)));
    status = refuse(name, -EEXIST, msg);
    unclaim(&c);
    return status;
  }

  /* A plugin the files do not name is loaded as "LoadPlugin <name>"
   * would load it, and the reply says that a restart will not bring it
   * back: the daemon and its files do not drift apart silently. */
  plugin_conf_t conf = {0};
  char why[1024] = "out of memory";
  int named = given != NULL ? plugin_conf_copy(&conf, given)
                            : cf_plugin_conf(name, &conf, why, sizeof(why));
  conf.name = name;
  if (named != 0 && named != -ENOENT) {
    snprintf(msg, len, "%s: config: %s", name, why);
    status = named;
    WARNING("%s", msg);
  } else if ((status = plugin_dynamic_load(&conf, msg, len)) != 0) {
    plugin_control_failure_policy(name);
  } else if (named == -ENOENT) {
    snprintf(msg, len,
             "%s: loaded, ready; the configuration files do not load it, so "
             "it will not be loaded after a restart",
             name);
    WARNING("%s", msg);
  } else {
    snprintf(msg, len, "%s: loaded, ready", name);
  }
  plugin_conf_free(&conf);
  unclaim(&c);
  return status;
}

/* The plugin interface's plugin_load(), which a plugin may call to load
 * another: serialized with the commands like a LOAD, so that it never
 * races an UNLOAD or RELOAD of the same plugin. Loaded already is success,
 * as in collectd. */
int plugin_load(const char *name, bool global) {
  char msg[512];
  claim_t c;
  int status = check_name(name, msg, sizeof(msg));
  if (status != 0 ||
      (status = claim(&c, name, "LOAD", msg, sizeof(msg))) != 0)
    return status;
  plugin_conf_t conf = {.name = name, .global = global};
  status = plugin__record_find(name) != NULL
               ? 0
               : plugin_dynamic_load(&conf, msg, sizeof(msg));
  unclaim(&c);
  return status;
}

/* ---- UNLOAD -------------------------------------------------------------- */

int plugin_control_unload(const char *name, char *msg, size_t len) {
  int status = check_name(name, msg, len);
  claim_t c;
  if (status != 0 || (status = claim(&c, name, "UNLOAD", msg, len)) != 0)
    return status;
  plugin__restart_forget(name);

  plugin_t *p = changeable(name, "UNLOAD", "unload", msg, len, &status);
  if (p != NULL) {
    status = plugin_dynamic_unload(p, msg, len);
    if (status == 0)
      snprintf(msg, len, "%s: unloaded", name);
  }
  unclaim(&c);
  return status;
}

/* ---- RELOAD -------------------------------------------------------------- */

/* Unloads `p` and loads it with `conf`; if that fails and `fallback` is
 * given, loads it with that instead. msg says what happened. */
static int replace_steps(plugin_t *p, const char *name,
                         const plugin_conf_t *conf,
                         const plugin_conf_t *fallback, char *msg,
                         size_t len);

/* What is meant for a ready plugin while it is between instances is kept
 * for the instance that ends up ready (see plugin_carry.h), and its reads
 * keep their phase. */
static int replace(plugin_t *p, const char *name, const plugin_conf_t *conf,
                   const plugin_conf_t *fallback, char *msg, size_t len) {
  bool carry = atomic_load(&p->state) == PLUGIN_READY &&
               plugin__carry_begin(p) == 0;
  int status = replace_steps(p, name, conf, fallback, msg, len);
  /* An unload that gave up left the old instance ready: the carry went to
   * it. Otherwise, if nothing became ready, what was kept is lost. */
  if (carry)
    plugin__carry_drop(name);
  return status;
}

static int replace_steps(plugin_t *p, const char *name,
                         const plugin_conf_t *conf,
                         const plugin_conf_t *fallback, char *msg,
                         size_t len) {
  int status = plugin_dynamic_unload(p, msg, len);
  if (status != 0)
    return status;

  char failure[1024];
  status = plugin_dynamic_load(conf, failure, sizeof(failure));
  if (status == 0) {
    snprintf(msg, len, "%s: reloaded, ready", name);
    return 0;
  }
  if (fallback == NULL) {
    snprintf(msg, len, "%s", failure);
    return status;
  }

  /* Roll back: the previous configuration worked. */
  char why[1024] = "";
  plugin_t *failed = plugin__record_find(name);
  int back = failed != NULL ? plugin_dynamic_unload(failed, why, sizeof(why))
                            : 0;
  if (back == 0)
    back = plugin_dynamic_load(fallback, why, sizeof(why));
  if (back == 0) {
    snprintf(msg, len,
             "%s; the reload failed and the previous configuration was "
             "restored (rolled back)",
             failure);
    WARNING("%s", msg);
    plugin__notify(name, NOTIF_WARNING, "rolled_back", "%s", msg);
  } else {
    snprintf(msg, len,
             "%s; the reload failed, and restoring the previous "
             "configuration failed too: %s",
             failure, why);
    ERROR("%s", msg);
  }
  return status;
}

static int reload(const char *name, const plugin_conf_t *given,
                  bool *unchanged, char *msg, size_t len);

int plugin_control_reload(const char *name, char *msg, size_t len) {
  int status = reload(name, NULL, NULL, msg, len);
  /* A changed global option is not applied by the reload of one plugin;
   * the reply says so rather than ignore it. */
  char changed[256] = "";
  if (cf_globals_changed(changed, sizeof(changed)) > 0) {
    size_t used = strlen(msg);
    snprintf(msg + used, len - used,
             "; global options changed in the files need a restart: %s",
             changed);
  }
  return status;
}

int plugin_control_reload_conf(const plugin_conf_t *conf, bool *unchanged,
                               char *msg, size_t len) {
  return reload(conf->name, conf, unchanged, msg, len);
}

/* RELOAD with the configuration `given` (read already), or read now;
 * *unchanged (if given) says whether it was the running one. */
static int reload(const char *name, const plugin_conf_t *given,
                  bool *unchanged, char *msg, size_t len) {
  if (unchanged != NULL)
    *unchanged = false;
  int status = check_name(name, msg, len);
  claim_t c;
  if (status != 0 || (status = claim(&c, name, "RELOAD", msg, len)) != 0)
    return status;
  /* In a reload of the whole configuration, a plugin whose configuration
   * is the one it runs with is not touched, whatever its state and kind
   * (a failed one waits for its restart, a legacy one is no refusal). */
  plugin_t *found = plugin__record_find(name);
  if (given != NULL && unchanged != NULL && found != NULL &&
      plugin_conf_equal(&found->conf, given)) {
    snprintf(msg, len, "%s: the configuration is unchanged; nothing to do",
             name);
    *unchanged = true;
    unclaim(&c);
    return 0;
  }
  plugin__restart_forget(name);

  plugin_t *p = changeable(name, "RELOAD", "reload", msg, len, &status);
  plugin_conf_t conf = {0}, previous = {0};
  char why[1024];
  if (p == NULL)
    goto out;

  /* A file that cannot be read changes nothing. */
  if (given != NULL && (status = plugin_conf_copy(&conf, given)) != 0)
    snprintf(why, sizeof(why), "out of memory; nothing changed");
  else if (given == NULL)
    status = cf_plugin_conf(name, &conf, why, sizeof(why));
  conf.name = name;
  if (status != 0) {
    snprintf(msg, len, "%s: config: %s", name, why);
    if (status == -ENOENT)
      snprintf(msg, len, "%s: config: %s; use UNLOAD to remove it", name, why);
    status = refuse(name, status, msg);
    goto out;
  }

  bool was_ready = atomic_load(&p->state) == PLUGIN_READY;
  if (was_ready && plugin_conf_equal(&p->conf, &conf)) {
    snprintf(msg, len, "%s: the configuration is unchanged; nothing to do",
             name);
    if (unchanged != NULL)
      *unchanged = true;
    goto out;
  }
  /* A working configuration is kept to come back to. */
  if (was_ready && (status = plugin_conf_copy(&previous, &p->conf)) != 0) {
    snprintf(msg, len, "%s: reload: out of memory; nothing changed", name);
    goto out;
  }
  previous.name = name;

  /* An isolated plugin's new host is brought to ready beside the running
   * one (configured and initialised); only then is the old one stopped,
   * and the new one reads on its schedule. */
  struct host_s *prepared = NULL;
  if (was_ready && p->isolated && conf.isolate) {
    bool conflict;
    const char *step;
    status = host_proxy_prepare(&conf, &prepared, &conflict, &step, why,
                                sizeof(why));
    if (status != 0 && !conflict) {
      snprintf(msg, len,
               "%s: %s: %s; the new configuration was refused, and the "
               "running instance was not touched",
               name, step, why);
      status = refuse(name, status, msg);
      goto out;
    }
    if (status != 0)
      WARNING("%s: reload: the new instance failed beside the running one "
              "(%s: %s), which may hold what it needs; stopping the running "
              "one first",
              name, step, why);
    conf.adopt = &prepared;
  }
  status = replace(p, name, &conf, was_ready ? &previous : NULL, msg, len);
  host_proxy_discard(prepared); /* NULL once the new record took it */
  if (status != 0 && status != -ETIMEDOUT)
    plugin_control_failure_policy(name);

out:
  plugin_conf_free(&conf);
  plugin_conf_free(&previous);
  unclaim(&c);
  return status;
}

/* ---- restart (OnPluginFailure Restart) ----------------------------------- */

int plugin_control_restart(const char *name, unsigned number, cdtime_t delay,
                           cdtime_t failed_at, char *msg, size_t len) {
  claim_t c;
  int status = claim(&c, name, "restart", msg, len);
  if (status != 0)
    return status;
  plugin_t *p = plugin__record_find(name);
  if (p == NULL || atomic_load(&p->state) != PLUGIN_FAILED) {
    unclaim(&c);
    return p == NULL ? -ENOENT : -EALREADY;
  }
  p = changeable(name, "restart", "restart", msg, len, &status);
  plugin_conf_t conf = {0};
  if (p != NULL && (status = plugin_conf_copy(&conf, &p->conf)) != 0)
    snprintf(msg, len, "%s: restart: out of memory", name);
  if (p != NULL && status == 0) {
    conf.name = name;
    snprintf(msg, len,
             "%s: OnPluginFailure Restart: restart %u, %.3f s after its "
             "failure (back-off %.3f s)",
             name, number, CDTIME_T_TO_DOUBLE(cdtime() - failed_at),
             CDTIME_T_TO_DOUBLE(delay));
    WARNING("%s", msg);
    plugin__notify(name, NOTIF_WARNING, "restarting", "%s", msg);
    status = replace(p, name, &conf, NULL, msg, len);
    if (status == 0)
      snprintf(msg, len, "%s: restarted (restart %u), ready", name, number);
    INFO("%s", msg);
  }
  plugin_conf_free(&conf);
  unclaim(&c);
  return status;
}

/* ---- LISTPLUGINS ------------------------------------------------------------ */

typedef struct {
  plugin_info_t *all;
  size_t num, cap;
  int status;
} info_list_t;

static void collect_info(plugin_t *p, void *arg) {
  info_list_t *l = arg;
  if (l->num == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    plugin_info_t *all = realloc(l->all, cap * sizeof(*all));
    if (all == NULL) {
      l->status = -ENOMEM;
      return;
    }
    l->all = all;
    l->cap = cap;
  }
  plugin_info_t *i = &l->all[l->num++];
  plugin_state_t state = atomic_load(&p->state);
  *i = (plugin_info_t){
      .unloadable = plugin_dynamic_unloadable(p),
      .isolated = p->isolated,
      .host_pid = atomic_load(&p->host_pid),
      .restart = p->restart_policy,
      .restarts = plugin__restart_count(p->name)};
  sstrncpy(i->name, p->name, sizeof(i->name));
  sstrncpy(i->state, plugin_state_name(state), sizeof(i->state));
  if (state == PLUGIN_FAILED) {
    sstrncpy(i->failed_step, p->failed_step, sizeof(i->failed_step));
    sstrncpy(i->failed_reason, p->failed_reason, sizeof(i->failed_reason));
  }
}

int plugin_control_list(plugin_info_t **ret, size_t *ret_num) {
  info_list_t l = {0};
  plugin__record_foreach(collect_info, &l);
  if (l.status != 0) {
    free(l.all);
    return l.status;
  }
  *ret = l.all;
  *ret_num = l.num;
  return 0;
}
