/* plugin_log(): messages go to every ready log callback, or to stderr
 * while there is none (start-up, shutdown, a daemon without log plugins). */
#include "plugin_carry.h"
#include "plugin_internal.h"

static _Atomic bool log_enabled;
/* Set while this thread is inside a log callback, so that a log callback
 * that logs cannot recurse forever. */
static __thread bool in_log_callback;

void plugin__log_enable(bool enabled) { atomic_store(&log_enabled, enabled); }

static void log_to_stderr(int level, const char *msg) {
  if (level > LOG_INFO)
    return;
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

static void log_dispatch(int level, const char *msg) {
  /* A log callback that logs, in a host too: its message would come back
   * to it through the daemon. */
  if (in_log_callback) {
    log_to_stderr(level, msg);
    return;
  }
  /* In a plugin host, the message goes to the daemon, and to the host's
   * own log callbacks here: in process its plugin would get it too, and the
   * daemon does not send a host back what it sent. */
  if (plugin__forward != NULL)
    plugin__forward->log(level, msg);
  plugin__log_local(level, msg);
}

void plugin__log_local(int level, const char *msg) {
  if (!atomic_load(&log_enabled) || in_log_callback) {
    log_to_stderr(level, msg);
    return;
  }

  /* A log plugin that is reloading gets it later (see plugin_carry.h). */
  bool carrying = plugin__carry_enter();
  cb_snapshot_t *s = cb_list_acquire(CB_LOG);
  size_t delivered = 0;
  size_t num = s != NULL ? s->num : 0;
  CARRY_TOOK(took, carrying, num);
  in_log_callback = true;
  for (size_t i = 0; i < num; i++) {
    callback_t *cb = s->cb[i];
    if (!cb_begin_took(cb, took, i))
      continue;
    plugin_thread_ctx_t saved = plugin__enter(cb->owner, cb->ctx);
    cb->fn.log(level, msg, &cb->ud);
    plugin__leave(saved);
    cb_end(cb);
    delivered++;
  }
  in_log_callback = false;
  if (took != NULL)
    plugin__carry_log(s, took, level, msg);
  cb_list_release(s);
  plugin__carry_leave();

  if (delivered == 0)
    log_to_stderr(level, msg);
}

void plugin_log(int level, const char *format, ...) {
#if !COLLECT_DEBUG
  if (level >= LOG_DEBUG)
    return;
#endif
  char msg[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);
  log_dispatch(level, msg);
}

void daemon_log(int level, const char *format, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);

  plugin_ctx_t ctx = plugin_get_ctx();
  if (ctx.name != NULL)
    plugin_log(level, "%s plugin: %s", ctx.name, msg);
  else
    plugin_log(level, "%s", msg);
}

int parse_log_severity(const char *severity) {
  static const struct {
    const char *name;
    int level;
  } levels[] = {
      {"emerg", LOG_ERR},     {"alert", LOG_ERR},   {"crit", LOG_ERR},
      {"err", LOG_ERR},       {"error", LOG_ERR},   {"warning", LOG_WARNING},
      {"warn", LOG_WARNING},  {"notice", LOG_NOTICE}, {"info", LOG_INFO},
      {"debug", LOG_DEBUG},
  };
  if (severity == NULL)
    return -1;
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(levels); i++)
    if (strcasecmp(severity, levels[i].name) == 0)
      return levels[i].level;
  return -1;
}

int parse_notif_severity(const char *severity) {
  if (severity == NULL)
    return -1;
  if (strcasecmp(severity, "FAILURE") == 0)
    return NOTIF_FAILURE;
  if (strcasecmp(severity, "OKAY") == 0)
    return NOTIF_OKAY;
  if (strcasecmp(severity, "WARNING") == 0 ||
      strcasecmp(severity, "WARN") == 0)
    return NOTIF_WARNING;
  return -1;
}
