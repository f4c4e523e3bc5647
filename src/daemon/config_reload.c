/* The reload of the whole configuration (see config_reload.h): the files
 * are read once, compared with what runs, and each difference is applied
 * by the lifecycle commands, so that every plugin it touches gets what a
 * LOAD, UNLOAD or RELOAD of it gives (the carry of queued values, the read
 * phase, the rollback). A plugin whose configuration did not change is not
 * touched at all. */
#include "config_reload.h"
#include "configfile_internal.h"
#include "daemon_signals.h"
#include "plugin_control.h"
#include "service_notify.h"
#include "utils/common/common.h"

#include <pthread.h>

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const outcome_names[CONFIG_OUTCOMES] = {
    [CONFIG_UNCHANGED] = "unchanged",     [CONFIG_LOADED] = "loaded",
    [CONFIG_UNLOADED] = "unloaded",       [CONFIG_RELOADED] = "reloaded",
    [CONFIG_ROLLED_BACK] = "rolled back", [CONFIG_REFUSED] = "refused",
    [CONFIG_FAILED] = "failed",
};

const char *config_outcome_name(config_outcome_t o) {
  return (unsigned)o < CONFIG_OUTCOMES ? outcome_names[o] : "unknown";
}

static int record(config_reload_t *r, const char *name, config_outcome_t o,
                  const char *msg) {
  config_change_t *more = realloc(r->changes, (r->num + 1) * sizeof(*more));
  if (more == NULL)
    return -ENOMEM;
  r->changes = more;
  config_change_t *c = &r->changes[r->num++];
  sstrncpy(c->name, name, sizeof(c->name));
  c->outcome = o;
  sstrncpy(c->msg, o == CONFIG_UNCHANGED ? "" : msg, sizeof(c->msg));
  r->counts[o]++;
  if (o == CONFIG_UNCHANGED)
    return 0;
  if (o == CONFIG_FAILED || o == CONFIG_ROLLED_BACK || o == CONFIG_REFUSED)
    WARNING("configuration reload: %s %s: %s", name, outcome_names[o], msg);
  else
    INFO("configuration reload: %s %s", name, outcome_names[o]);
  return 0;
}

/* The outcome of a command from its status and message: a refusal leaves
 * the plugin as it ran (legacy, busy, the new configuration refused beside
 * the running instance), a rollback restored it. */
static config_outcome_t judged(int status, const char *msg,
                               config_outcome_t success) {
  if (status == 0)
    return success;
  if (strstr(msg, "(rolled back)") != NULL)
    return CONFIG_ROLLED_BACK;
  if (status == -EPERM || status == -EBUSY ||
      strstr(msg, "the running instance was not touched") != NULL)
    return CONFIG_REFUSED;
  return CONFIG_FAILED;
}

static const cf_reread_plugin_t *named(const cf_reread_t *files,
                                       const char *name) {
  for (size_t i = 0; i < files->num; i++)
    if (strcasecmp(files->plugins[i].name, name) == 0)
      return &files->plugins[i];
  return NULL;
}

static bool is_running(const plugin_info_t *running, size_t num,
                       const char *name) {
  for (size_t i = 0; i < num; i++)
    if (strcasecmp(running[i].name, name) == 0)
      return true;
  return false;
}

/* Applies the difference; stops early if the daemon is told to stop. */
static int apply(config_reload_t *r, const cf_reread_t *files,
                 const plugin_info_t *running, size_t running_num) {
  char msg[1024];
  int status = 0;
  /* No longer named: unloaded, the last loaded first. */
  for (size_t i = running_num; i-- > 0 && status == 0;) {
    const char *name = running[i].name;
    const cf_reread_plugin_t *f = named(files, name);
    if (f != NULL && f->status != -ENOENT)
      continue;
    if (signals_stop_requested())
      return -ESHUTDOWN;
    msg[0] = '\0';
    int s = plugin_control_unload(name, msg, sizeof(msg));
    status = record(r, name, judged(s, msg, CONFIG_UNLOADED), msg);
  }
  /* Named: reloaded if changed, loaded if new, in file order. */
  for (size_t i = 0; i < files->num && status == 0; i++) {
    const cf_reread_plugin_t *f = &files->plugins[i];
    /* A <Plugin> block nothing loads: unloaded above if it ran. */
    if (f->status == -ENOENT)
      continue;
    if (signals_stop_requested())
      return -ESHUTDOWN;
    if (f->status != 0) {
      status = record(r, f->name, CONFIG_REFUSED, f->why);
      continue;
    }
    msg[0] = '\0';
    if (is_running(running, running_num, f->name)) {
      bool unchanged = false;
      int s =
          plugin_control_reload_conf(&f->conf, &unchanged, msg, sizeof(msg));
      status = record(
          r, f->name,
          unchanged ? CONFIG_UNCHANGED : judged(s, msg, CONFIG_RELOADED), msg);
    } else {
      int s = plugin_control_load_conf(&f->conf, msg, sizeof(msg));
      status = record(r, f->name, judged(s, msg, CONFIG_LOADED), msg);
    }
  }
  return status;
}

void config_reload_summary(const config_reload_t *r, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (int o = CONFIG_LOADED; o < CONFIG_OUTCOMES && used < len; o++) {
    used += snprintf(buf + used, len - used, "%zu %s, ", r->counts[o],
                     outcome_names[o]);
  }
  if (used < len)
    used += snprintf(buf + used, len - used, "%zu unchanged",
                     r->counts[CONFIG_UNCHANGED]);
  if (r->restart[0] != '\0' && used < len)
    snprintf(buf + used, len - used,
             "; changed global options need a restart: %s", r->restart);
}

static void notify(const config_reload_t *r, int status) {
  char summary[NOTIF_MAX_MSG_LEN - 32];
  config_reload_summary(r, summary, sizeof(summary));
  bool trouble = status != 0 || r->counts[CONFIG_FAILED] > 0 ||
                 r->counts[CONFIG_ROLLED_BACK] > 0 ||
                 r->counts[CONFIG_REFUSED] > 0 || r->restart[0] != '\0';
  notification_t n = {.severity = trouble ? NOTIF_WARNING : NOTIF_OKAY,
                      .time = cdtime()};
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, "collectd", sizeof(n.plugin));
  sstrncpy(n.type, "config_reload", sizeof(n.type));
  sstrncpy(n.type_instance, status == 0 ? "done" : "failed",
           sizeof(n.type_instance));
  if (status == 0)
    snprintf(n.message, sizeof(n.message), "configuration reloaded: %s",
             summary);
  else
    snprintf(n.message, sizeof(n.message), "configuration not reloaded: %s",
             r->error);
  /* Every plugin's outcome, as meta data: "<plugin>" = "<outcome>". */
  for (size_t i = 0; i < r->num; i++)
    plugin_notification_meta_add_string(
        &n, r->changes[i].name, outcome_names[r->changes[i].outcome]);
  if (r->restart[0] != '\0')
    plugin_notification_meta_add_string(&n, "NeedsRestart", r->restart);
  plugin_dispatch_notification(&n);
  plugin_notification_meta_free(n.meta);
}

/* The plugins left as they were, in one line of the log. */
static void log_unchanged(const config_reload_t *r) {
  char names[1024] = "";
  size_t used = 0;
  for (size_t i = 0; i < r->num && used < sizeof(names); i++)
    if (r->changes[i].outcome == CONFIG_UNCHANGED)
      used += snprintf(names + used, sizeof(names) - used, "%s%s",
                       used > 0 ? ", " : "", r->changes[i].name);
  if (used > 0)
    INFO("configuration reload: unchanged: %s", names);
}

int config_reload_all(config_reload_t *r) {
  *r = (config_reload_t){0};
  if (pthread_mutex_trylock(&reload_lock) != 0) {
    snprintf(r->error, sizeof(r->error),
             "busy: another reload of the configuration is in progress");
    WARNING("configuration reload: %s", r->error);
    return -EBUSY;
  }
  INFO("configuration reload: reading the files again");
  service_notify_reloading();
  cf_reread_t files;
  int status = cf_reread(&files, r->error, sizeof(r->error));
  plugin_info_t *running = NULL;
  size_t running_num = 0;
  if (status == 0 &&
      (status = plugin_control_list(&running, &running_num)) != 0)
    snprintf(r->error, sizeof(r->error), "listing the plugins failed: %s",
             STRERROR(-status));
  if (status == 0) {
    sstrncpy(r->restart, files.restart, sizeof(r->restart));
    r->restart_num = (size_t)files.restart_num;
    status = apply(r, &files, running, running_num);
    if (status == -ESHUTDOWN)
      snprintf(r->error, sizeof(r->error),
               "the daemon is stopping; %zu plugins were dealt with, the "
               "rest not",
               r->num);
    else if (status != 0)
      snprintf(r->error, sizeof(r->error), "out of memory");
  }
  free(running);
  cf_reread_free(&files);

  char summary[1024];
  config_reload_summary(r, summary, sizeof(summary));
  log_unchanged(r);
  if (status == 0 && (r->restart[0] != '\0'))
    WARNING("configuration reload: done: %s", summary);
  else if (status == 0)
    INFO("configuration reload: done: %s", summary);
  else
    ERROR("configuration reload: %s", r->error);
  notify(r, status);
  service_notify_reloaded();
  pthread_mutex_unlock(&reload_lock);
  return status;
}

void config_reload_free(config_reload_t *r) {
  free(r->changes);
  *r = (config_reload_t){0};
}

/* ---- SIGHUP ----------------------------------------------------------------
 */

/* A reload SIGHUP asked for runs on a thread of its own, so that the main
 * loop still sees SIGTERM while a plugin's init takes its time. */
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cond = PTHREAD_COND_INITIALIZER;
static bool thread_running;

static void *reload_thread(void *unused) {
  (void)unused;
  pthread_setname_np(pthread_self(), "reload");
  config_reload_t r;
  config_reload_all(&r); /* logged and notified there */
  config_reload_free(&r);
  pthread_mutex_lock(&thread_lock);
  thread_running = false;
  pthread_cond_broadcast(&thread_cond);
  pthread_mutex_unlock(&thread_lock);
  return NULL;
}

void config_reload_signal(void) {
  pthread_mutex_lock(&thread_lock);
  if (thread_running) {
    pthread_mutex_unlock(&thread_lock);
    WARNING("configuration reload: busy: another reload of the "
            "configuration is in progress");
    return;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int err = pthread_create(&t, &attr, reload_thread, NULL);
  pthread_attr_destroy(&attr);
  if (err == 0)
    thread_running = true;
  pthread_mutex_unlock(&thread_lock);
  if (err != 0)
    ERROR("configuration reload: cannot start its thread: %s", STRERROR(err));
}

bool config_reload_stop(cdtime_t timeout) {
  struct timespec deadline = CDTIME_T_TO_TIMESPEC(cdtime() + timeout);
  pthread_mutex_lock(&thread_lock);
  while (thread_running)
    if (pthread_cond_timedwait(&thread_cond, &thread_lock, &deadline) ==
        ETIMEDOUT)
      break;
  bool done = !thread_running;
  pthread_mutex_unlock(&thread_lock);
  if (!done)
    ERROR("configuration reload: the reload SIGHUP started has not "
          "finished; the exit fails");
  return done;
}
