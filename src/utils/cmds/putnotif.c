/* PUTNOTIF <option>=<value> ...
 *
 * Dispatches one notification. Options (names case-insensitive; a later
 * one overrides an earlier one):
 *   severity=failure|warning|okay   required (case-insensitive)
 *   time=<epoch seconds>            required, not 0 (strtod syntax)
 *   message=<text>                  required, not empty
 *   host= plugin= plugin_instance= type= type_instance=
 *   s:<name>=<string>               string meta data (the only meta type
 *                                   5.12 accepts here)
 * The options use the raw syntax of parse_option(): a value with blanks
 * must be quoted, and the message does not take the rest of the line
 * (collectd-unixsock(5) says it does; 5.12 answers "Malformed option."
 * and so do we). Long values are cut to the notification's field sizes.
 *
 * Replies, as 5.12:
 *   0 Success
 *  -1 Malformed option.
 *  -1 Error parsing option `<key>'          (unknown key or bad value)
 *  -1 Option `severity' missing.
 *  -1 Option `time' missing.
 *  -1 No message or message of length 0 given.
 *
 * 5.12 takes a negative time and turns it into a date some 500 years
 * ahead; we refuse times that do not fit (Error parsing option `time'). */
#include "utils/cmds/cmds.h"

#include "utils/common/common.h"

static int parse_severity(const char *value) {
  /* Only the three words: 5.12 refuses "warn" here. */
  if (strcasecmp(value, "failure") == 0)
    return NOTIF_FAILURE;
  if (strcasecmp(value, "warning") == 0)
    return NOTIF_WARNING;
  if (strcasecmp(value, "okay") == 0)
    return NOTIF_OKAY;
  return -1;
}

static int parse_time(const char *value, cdtime_t *ret) {
  char *end = NULL;
  errno = 0;
  double seconds = strtod(value, &end);
  if (errno != 0 || end == value || *end != '\0')
    return -EINVAL;
  if (!(seconds >= 0 && seconds < CMD_SECONDS_MAX))
    return -ERANGE;
  *ret = DOUBLE_TO_CDTIME_T(seconds);
  return 0;
}

/* The text fields an option may set, by option name. */
#define NOTIF_TEXT_FIELD(f)                                                    \
  {                                                                            \
    .key = #f, .offset = offsetof(notification_t, f),                          \
    .size = sizeof(((notification_t *)0)->f)                                   \
  }
static const struct {
  const char *key;
  size_t offset;
  size_t size;
} text_fields[] = {
    NOTIF_TEXT_FIELD(message), NOTIF_TEXT_FIELD(host),
    NOTIF_TEXT_FIELD(plugin),  NOTIF_TEXT_FIELD(plugin_instance),
    NOTIF_TEXT_FIELD(type),    NOTIF_TEXT_FIELD(type_instance),
};

static int set_option(notification_t *n, const char *key, const char *value) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(text_fields); i++)
    if (strcasecmp(key, text_fields[i].key) == 0) {
      sstrncpy((char *)n + text_fields[i].offset, value, text_fields[i].size);
      return 0;
    }
  if (strcasecmp(key, "severity") == 0) {
    int severity = parse_severity(value);
    if (severity < 0)
      return -EINVAL;
    n->severity = severity;
    return 0;
  }
  if (strcasecmp(key, "time") == 0)
    return parse_time(value, &n->time);
  if (strncasecmp(key, "s:", 2) == 0 && key[2] != '\0')
    return plugin_notification_meta_add_string(n, key + 2, value) == 0
               ? 0
               : -ENOMEM;
  return -EINVAL;
}

int cmd_handle_putnotif(cmd_writer_t *w, cmd_args_t *args,
                        const cmd_options_t *opts) {
  notification_t n = {0};
  int status = 0;
  char *buffer = args->raw;

  for (;;) {
    char *key, *value;
    int parsed = parse_option(&buffer, &key, &value);
    if (parsed == -ENOENT)
      break;
    if (parsed != 0) {
      status = cmd_error(w, -EINVAL, "Malformed option.");
      goto out;
    }
    if (set_option(&n, key, value) != 0) {
      status = cmd_error(w, -EINVAL, "Error parsing option `%s'", key);
      goto out;
    }
  }

  if (n.severity == 0)
    status = cmd_error(w, -EINVAL, "Option `severity' missing.");
  else if (n.time == 0)
    status = cmd_error(w, -EINVAL, "Option `time' missing.");
  else if (n.message[0] == '\0')
    status = cmd_error(w, -EINVAL, "No message or message of length 0 given.");
  else if ((status = plugin_dispatch_notification(&n)) != 0)
    status = cmd_error(w, status < 0 ? status : -EIO,
                       "Dispatching the notification failed.");
  else
    cmd_reply(w, 0, "Success");

out:
  plugin_notification_meta_free(n.meta);
  return status;
}
