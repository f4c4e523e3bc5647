/* syslog plugin: sends log messages and, optionally, notifications to the
 * system logger.
 *
 * Behaviour observed on collectd 5.12 (Debian) and matched here:
 *
 *  - The connection is opened when the plugin registers, with ident
 *    "collectd", the process id and facility daemon (LOG_CONS | LOG_PID,
 *    LOG_DAEMON), so a record reads "<30>Nov 24 20:27:36 collectd[8460]:
 *    message". The message goes out as it is, at its own severity.
 *  - LogLevel (default info) drops less severe messages; an unknown level
 *    falls back to info with a warning.
 *  - Notifications are not sent unless NotifyLevel is set (FAILURE, WARNING
 *    or OKAY, parsed by the core); a notification less severe than it is
 *    dropped. The rest are sent as
 *    "Notification: severity = FAILURE, host = h, plugin = p,
 *    plugin_instance = pi, type = t, type_instance = ti, message = m",
 *    each ", key = value" part only when the field is set, at priority err
 *    for FAILURE (and unknown severities, shown as UNKNOWN), warning for
 *    WARNING and notice for OKAY; LogLevel applies to them as well.
 *  - An unknown NotifyLevel is a configuration error. */

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <syslog.h>

/* Room for every notification field with its label (about 1000 bytes). */
#define SYSLOG_NOTIF_SIZE 1024

/* The options. Plain ints: written by the config and shutdown callbacks
 * only, which run while the plugin is not ready, so log and notification
 * callbacks never see a change. */
static int syslog_level = LOG_INFO;
static int syslog_notif_level = -1; /* < 0: no notifications */

static const char *syslog_config_keys[] = {"LogLevel", "NotifyLevel"};

/* ---- configuration ------------------------------------------------------ */

static int syslog_set_level(const char *value) {
  int level = parse_log_severity(value);
  if (level < 0) {
    level = LOG_INFO;
    WARNING("syslog plugin: unknown LogLevel \"%s\"; using \"info\".", value);
  }
  syslog_level = level;
  return 0;
}

static int syslog_set_notif_level(const char *value) {
  int level = parse_notif_severity(value);
  if (level < 0) {
    ERROR("syslog plugin: unknown NotifyLevel \"%s\" (use FAILURE, WARNING "
          "or OKAY).",
          value);
    return -EINVAL;
  }
  syslog_notif_level = level;
  return 0;
}

static int syslog_config(const char *key, const char *value) {
  if (strcasecmp(key, "LogLevel") == 0)
    return syslog_set_level(value);
  if (strcasecmp(key, "NotifyLevel") == 0)
    return syslog_set_notif_level(value);
  ERROR("syslog plugin: unknown option \"%s\".", key);
  return -EINVAL;
}

/* ---- notifications ------------------------------------------------------- */

static const char *syslog_notif_severity_name(int severity) {
  switch (severity) {
  case NOTIF_FAILURE:
    return "FAILURE";
  case NOTIF_WARNING:
    return "WARNING";
  case NOTIF_OKAY:
    return "OKAY";
  }
  return "UNKNOWN";
}

static int syslog_notif_priority(int severity) {
  switch (severity) {
  case NOTIF_WARNING:
    return LOG_WARNING;
  case NOTIF_OKAY:
    return LOG_NOTICE;
  }
  return LOG_ERR; /* failures, and anything we do not know */
}

/* The fields printed after the severity, in this order, when not empty.
 * (logfile.c has the same table: plugins do not share code with each
 * other.) */
static const struct {
  const char *label;
  size_t offset;
} syslog_notif_fields[] = {
    {"host", offsetof(notification_t, host)},
    {"plugin", offsetof(notification_t, plugin)},
    {"plugin_instance", offsetof(notification_t, plugin_instance)},
    {"type", offsetof(notification_t, type)},
    {"type_instance", offsetof(notification_t, type_instance)},
    {"message", offsetof(notification_t, message)},
};

static void syslog_format_notification(char *buf, size_t size,
                                       const notification_t *n) {
  int len = snprintf(buf, size, "Notification: severity = %s",
                     syslog_notif_severity_name(n->severity));

  for (size_t i = 0; i < STATIC_ARRAY_SIZE(syslog_notif_fields); i++) {
    if (len < 0 || (size_t)len >= size)
      return; /* full: keep the truncated, terminated text */
    const char *value = (const char *)n + syslog_notif_fields[i].offset;
    if (value[0] == '\0')
      continue;
    int added = snprintf(buf + len, size - (size_t)len, ", %s = %s",
                         syslog_notif_fields[i].label, value);
    len = added < 0 ? added : len + added;
  }
}

/* ---- callbacks ----------------------------------------------------------- */

static void syslog_log(int severity, const char *msg,
                       user_data_t __attribute__((unused)) * ud) {
  if (severity > syslog_level)
    return;
  syslog(severity, "%s", msg);
}

static int syslog_notification(const notification_t *n,
                               user_data_t __attribute__((unused)) * ud) {
  if (syslog_notif_level < 0 || n->severity > syslog_notif_level)
    return 0;

  char msg[SYSLOG_NOTIF_SIZE];
  syslog_format_notification(msg, sizeof(msg), n);
  syslog_log(syslog_notif_priority(n->severity), msg, NULL);
  return 0;
}

/* Back to the state of a fresh load. closelog() also matters for unloading:
 * the C library keeps a pointer to the ident string, which lives in this
 * object and goes away with it. */
static int syslog_shutdown(void) {
  closelog();
  syslog_level = LOG_INFO;
  syslog_notif_level = -1;
  return 0;
}

void module_register(void) {
  openlog("collectd", LOG_CONS | LOG_PID, LOG_DAEMON);

  plugin_register_config("syslog", syslog_config, syslog_config_keys,
                         STATIC_ARRAY_SIZE(syslog_config_keys));
  plugin_register_log("syslog", syslog_log, /* user_data = */ NULL);
  plugin_register_notification("syslog", syslog_notification,
                               /* user_data = */ NULL);
  plugin_register_shutdown("syslog", syslog_shutdown);
  plugin_register_unloadable("syslog");
}
