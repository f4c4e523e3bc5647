/* logfile plugin: writes log messages and notifications to a file, stdout
 * or stderr.
 *
 * Line format, as observed on collectd 5.12 (Debian) and matched here:
 *
 *    [2026-11-24 20:27:36] [warning] message text
 *
 *  - "[YYYY-MM-DD HH:MM:SS] " in local time, unless Timestamp is false. The
 *    time is the current time for log messages and the notification's own
 *    time (the current one if it has none) for notifications, rounded to
 *    the nearest second.
 *  - "[error] ", "[warning] ", "[notice] ", "[info] " or "[debug] " when
 *    PrintSeverity is true; severities above error (emerg, alert, crit) get
 *    no tag.
 *  - The message as given (an embedded newline is written as it is).
 *  - Messages less severe than LogLevel are dropped; notifications are not
 *    filtered, and are written with the "info" tag as
 *    "Notification: severity = WARNING, host = h, plugin = p,
 *    plugin_instance = pi, type = t, type_instance = ti, message = m",
 *    where each ", key = value" part appears only if the field is set, and
 *    the severity is FAILURE, WARNING, OKAY or UNKNOWN.
 *  - Defaults: File stderr, LogLevel info, Timestamp true, PrintSeverity
 *    false. Timestamp and PrintSeverity are true unless set to a false word
 *    (false/no/off); an unknown LogLevel falls back to info with a warning.
 *  - A named file is opened for every line, so it can be rotated away
 *    without telling the daemon.
 *
 * Nothing here may log through plugin_log() while holding logfile_lock: the
 * message would come back to logfile_log() and wait for the lock forever.
 * Trouble writing the log itself is reported on stderr. */

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

/* Room for every notification field with its label (about 1000 bytes). */
#define LOGFILE_NOTIF_SIZE 1024

/* Serializes lines from concurrent loggers and protects the options below,
 * which the config callback may change while other threads log. */
static pthread_mutex_t logfile_lock = PTHREAD_MUTEX_INITIALIZER;
static int logfile_level = LOG_INFO;
static char *logfile_file; /* NULL: stderr */
static bool logfile_timestamp = true;
static bool logfile_severity;

static const char *logfile_config_keys[] = {"LogLevel", "File", "Timestamp",
                                            "PrintSeverity"};

/* ---- configuration ------------------------------------------------------ */

static int logfile_set_level(const char *value) {
  int level = parse_log_severity(value);
  bool valid = level >= 0;
  if (!valid)
    level = LOG_INFO;

  pthread_mutex_lock(&logfile_lock);
  logfile_level = level;
  pthread_mutex_unlock(&logfile_lock);

  if (!valid)
    WARNING("logfile plugin: unknown LogLevel \"%s\"; using \"info\".", value);
  return 0;
}

static int logfile_set_file(const char *value) {
  char *copy = strdup(value);
  if (copy == NULL) {
    ERROR("logfile plugin: File: out of memory.");
    return -ENOMEM;
  }

  pthread_mutex_lock(&logfile_lock);
  free(logfile_file);
  logfile_file = copy;
  pthread_mutex_unlock(&logfile_lock);
  return 0;
}

static void logfile_set_flag(bool *flag, const char *value) {
  pthread_mutex_lock(&logfile_lock);
  *flag = !IS_FALSE(value);
  pthread_mutex_unlock(&logfile_lock);
}

static int logfile_config(const char *key, const char *value) {
  if (strcasecmp(key, "LogLevel") == 0)
    return logfile_set_level(value);
  if (strcasecmp(key, "File") == 0)
    return logfile_set_file(value);
  if (strcasecmp(key, "Timestamp") == 0) {
    logfile_set_flag(&logfile_timestamp, value);
    return 0;
  }
  if (strcasecmp(key, "PrintSeverity") == 0) {
    logfile_set_flag(&logfile_severity, value);
    return 0;
  }
  ERROR("logfile plugin: unknown option \"%s\".", key);
  return -EINVAL;
}

/* ---- writing a line ------------------------------------------------------ */

static const char *logfile_severity_tag(int severity) {
  switch (severity) {
  case LOG_ERR:
    return "[error] ";
  case LOG_WARNING:
    return "[warning] ";
  case LOG_NOTICE:
    return "[notice] ";
  case LOG_INFO:
    return "[info] ";
  case LOG_DEBUG:
    return "[debug] ";
  }
  return "";
}

/* "[YYYY-MM-DD HH:MM:SS] " for `t`, or "" if it cannot be formatted. */
static void logfile_format_time(char *buf, size_t size, cdtime_t t) {
  time_t tt = CDTIME_T_TO_TIME_T(t);
  struct tm tm;
  if (localtime_r(&tt, &tm) == NULL ||
      strftime(buf, size, "[%Y-%m-%d %H:%M:%S] ", &tm) == 0)
    buf[0] = '\0';
}

/* The stream for the configured file. A named file is opened here and must
 * be closed by the caller (*opened is set). Called with logfile_lock held. */
static FILE *logfile_open(bool *opened) {
  *opened = false;
  if (logfile_file == NULL || strcasecmp(logfile_file, "stderr") == 0)
    return stderr;
  if (strcasecmp(logfile_file, "stdout") == 0)
    return stdout;

  FILE *fh = fopen(logfile_file, "a");
  if (fh == NULL) {
    fprintf(stderr, "logfile plugin: cannot open %s: %s\n", logfile_file,
            STRERRNO);
    return NULL;
  }
  *opened = true;
  return fh;
}

/* Writes one line. `filter` drops messages less severe than LogLevel (log
 * messages are filtered, notifications are not). */
static void logfile_print(int severity, cdtime_t t, const char *msg,
                          bool filter) {
  pthread_mutex_lock(&logfile_lock);
  if (filter && severity > logfile_level) {
    pthread_mutex_unlock(&logfile_lock);
    return;
  }

  char stamp[64] = "";
  if (logfile_timestamp)
    logfile_format_time(stamp, sizeof(stamp), t);
  const char *tag = logfile_severity ? logfile_severity_tag(severity) : "";

  bool opened;
  FILE *fh = logfile_open(&opened);
  if (fh != NULL) {
    fprintf(fh, "%s%s%s\n", stamp, tag, msg);
    if (opened)
      fclose(fh);
    else
      fflush(fh);
  }
  pthread_mutex_unlock(&logfile_lock);
}

/* ---- notifications ------------------------------------------------------- */

static const char *logfile_notif_severity_name(int severity) {
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

/* The fields printed after the severity, in this order, when not empty.
 * (syslog.c has the same table: plugins do not share code with each other.) */
static const struct {
  const char *label;
  size_t offset;
} logfile_notif_fields[] = {
    {"host", offsetof(notification_t, host)},
    {"plugin", offsetof(notification_t, plugin)},
    {"plugin_instance", offsetof(notification_t, plugin_instance)},
    {"type", offsetof(notification_t, type)},
    {"type_instance", offsetof(notification_t, type_instance)},
    {"message", offsetof(notification_t, message)},
};

static void logfile_format_notification(char *buf, size_t size,
                                        const notification_t *n) {
  int len = snprintf(buf, size, "Notification: severity = %s",
                     logfile_notif_severity_name(n->severity));

  for (size_t i = 0; i < STATIC_ARRAY_SIZE(logfile_notif_fields); i++) {
    if (len < 0 || (size_t)len >= size)
      return; /* full: keep the truncated, terminated text */
    const char *value = (const char *)n + logfile_notif_fields[i].offset;
    if (value[0] == '\0')
      continue;
    int n_added = snprintf(buf + len, size - (size_t)len, ", %s = %s",
                           logfile_notif_fields[i].label, value);
    len = n_added < 0 ? n_added : len + n_added;
  }
}

/* ---- callbacks ----------------------------------------------------------- */

static void logfile_log(int severity, const char *msg,
                        user_data_t __attribute__((unused)) * ud) {
  logfile_print(severity, cdtime(), msg, /* filter = */ true);
}

static int logfile_notification(const notification_t *n,
                                user_data_t __attribute__((unused)) * ud) {
  char msg[LOGFILE_NOTIF_SIZE];
  logfile_format_notification(msg, sizeof(msg), n);
  /* A notification without a time is stamped with the current one. */
  cdtime_t t = n->time != 0 ? n->time : cdtime();
  logfile_print(LOG_INFO, t, msg, /* filter = */ false);
  return 0;
}

/* Back to the state of a fresh load, so the plugin can be loaded again. */
static int logfile_shutdown(void) {
  pthread_mutex_lock(&logfile_lock);
  sfree(logfile_file);
  logfile_level = LOG_INFO;
  logfile_timestamp = true;
  logfile_severity = false;
  pthread_mutex_unlock(&logfile_lock);
  return 0;
}

void module_register(void) {
  plugin_register_config("logfile", logfile_config, logfile_config_keys,
                         STATIC_ARRAY_SIZE(logfile_config_keys));
  plugin_register_log("logfile", logfile_log, /* user_data = */ NULL);
  plugin_register_notification("logfile", logfile_notification,
                               /* user_data = */ NULL);
  plugin_register_shutdown("logfile", logfile_shutdown);
  plugin_register_unloadable("logfile");
}
