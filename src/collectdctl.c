/* collectdctl: the command-line client of the daemon's control socket.
 *
 * Speaks to the unixsock plugin through libcollectdclient and prints what
 * collectd 5.12's collectdctl prints, so that scripts written for it keep
 * working; load, unload, reload and listplugins are ours. Exit status: 0
 * on success, 1 for a usage error or when the socket cannot be reached, 255
 * when a command fails.
 *
 * A command is one row of the table below and one handler: adding one
 * touches nothing else. */
#include "config.h"

#include "collectd/client.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CTL_EXIT_USAGE 1
#define CTL_EXIT_FAILED 255

/* What every handler gets besides its arguments. */
typedef struct {
  cdc_conn_t *conn;
  /* The host of an identifier written without one. */
  const char *hostname;
} ctl_t;

/* argv[0] is the command's name; returns 0 or a negative errno, having
 * printed why. */
typedef int (*ctl_handler_t)(ctl_t *ctl, int argc, char **argv);

typedef struct {
  const char *name;
  ctl_handler_t handler;
  const char *usage; /* its arguments, for the help */
} ctl_command_t;

static int cmd_getval(ctl_t *ctl, int argc, char **argv);
static int cmd_flush(ctl_t *ctl, int argc, char **argv);
static int cmd_listval(ctl_t *ctl, int argc, char **argv);
static int cmd_putval(ctl_t *ctl, int argc, char **argv);
static int cmd_load(ctl_t *ctl, int argc, char **argv);
static int cmd_unload(ctl_t *ctl, int argc, char **argv);
static int cmd_reload(ctl_t *ctl, int argc, char **argv);
static int cmd_listplugins(ctl_t *ctl, int argc, char **argv);

static const ctl_command_t ctl_commands[] = {
    {.name = "getval", .handler = cmd_getval, .usage = "<identifier>"},
    {.name = "flush",
     .handler = cmd_flush,
     .usage = "[timeout=<seconds>] [plugin=<name>] [identifier=<id>]"},
    {.name = "listval", .handler = cmd_listval, .usage = ""},
    {.name = "putval",
     .handler = cmd_putval,
     .usage = "<identifier> [interval=<seconds>] <value-list(s)>"},
    {.name = "load", .handler = cmd_load, .usage = "<plugin>"},
    {.name = "unload", .handler = cmd_unload, .usage = "<plugin>"},
    {.name = "reload", .handler = cmd_reload, .usage = "[<plugin>]"},
    {.name = "listplugins", .handler = cmd_listplugins, .usage = ""},
};

#define CTL_COMMANDS_NUM (sizeof(ctl_commands) / sizeof(ctl_commands[0]))

static void usage(const char *prog, FILE *out) {
  fprintf(out,
          "Usage: %s [options] <command> [cmd options]\n"
          "\n"
          "Options:\n"
          "  -s <path>  The daemon's control socket (the unixsock plugin's\n"
          "             SocketFile). Default: %s\n"
          "  -h         Print this help and exit.\n"
          "\n"
          "Commands:\n"
          "\n",
          prog, CDC_DEFAULT_SOCKET);
  for (size_t i = 0; i < CTL_COMMANDS_NUM; i++)
    fprintf(out, " * %s%s%s\n", ctl_commands[i].name,
            ctl_commands[i].usage[0] ? " " : "", ctl_commands[i].usage);
  fprintf(out,
          "\n"
          "An identifier names one value list:\n"
          "\n"
          "  [<hostname>/]<plugin>[-<plugin_instance>]/<type>[-<type_instance>]"
          "\n\n"
          "The host name defaults to this machine's, so that uptime/uptime\n"
          "names this machine's uptime. See collectdctl(1) for value lists\n"
          "and the exit status.\n"
          "\n"
          "load, unload, reload and listplugins need \"PluginControl true\"\n"
          "in the daemon's <Plugin unixsock> block; the daemon reads the\n"
          "plugin's configuration from its own files. reload without a\n"
          "plugin reloads the whole configuration: what changed in the\n"
          "files is applied, plugin by plugin.\n"
          "\n"
          "%s\n",
          PACKAGE_STRING);
}

/* Prints "ERROR: <message>\n" on stderr and returns status. */
__attribute__((format(printf, 2, 3))) static int ctl_error(int status,
                                                          const char *fmt,
                                                          ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ERROR: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return status;
}

static int parse_identifier(ctl_t *ctl, const char *str, cdc_identifier_t *id) {
  char err[256];
  int status = cdc_identifier_parse(str, ctl->hostname, id, err, sizeof(err));
  if (status != 0)
    return ctl_error(status, "Failed to parse identifier ``%s'': %s.", str,
                     err);
  return 0;
}

/* A number of seconds for option name: an integer (decimal, 0x hex, 0
 * octal); anything after it is ignored with a warning, as collectd 5.12's
 * collectdctl does. */
static int parse_seconds(const char *name, const char *str, long *ret) {
  errno = 0;
  char *end;
  long n = strtol(str, &end, 0);
  if (end == str || errno == ERANGE)
    return ctl_error(-EINVAL, "Failed to parse %s as number: %s.", name, str);
  if (*end != '\0')
    fprintf(stderr, "WARNING: Ignoring trailing garbage after %s: %s.\n", name,
            end);
  *ret = n;
  return 0;
}

static int cmd_getval(ctl_t *ctl, int argc, char **argv) {
  if (argc != 2)
    return ctl_error(-EINVAL, "getval: Missing identifier.");
  cdc_identifier_t id;
  int status = parse_identifier(ctl, argv[1], &id);
  if (status != 0)
    return status;

  char err[256];
  cdc_ds_value_t *values;
  size_t values_num;
  status = cdc_getval(ctl->conn, &id, &values, &values_num, err, sizeof(err));
  if (status != 0)
    return ctl_error(status, "%s", err);
  for (size_t i = 0; i < values_num; i++)
    printf("%s=%e\n", values[i].name, values[i].value);
  free(values);
  return 0;
}

/* Flushes every combination of the plugins and identifiers given (all when
 * none are); a failure is reported and the rest are still flushed. */
static int cmd_flush(ctl_t *ctl, int argc, char **argv) {
  long timeout = 0;
  const char **plugins = calloc((size_t)argc, sizeof(*plugins));
  cdc_identifier_t *ids = calloc((size_t)argc, sizeof(*ids));
  size_t plugins_num = 0, ids_num = 0;
  int status = 0;
  if (plugins == NULL || ids == NULL)
    status = ctl_error(-ENOMEM, "Out of memory.");

  for (int i = 1; status == 0 && i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL) {
      status = ctl_error(-EINVAL, "flush: Invalid option ``%s''.", argv[i]);
      break;
    }
    size_t key_len = (size_t)(eq - argv[i]);
    const char *value = eq + 1;
    if (key_len == 7 && strncasecmp(argv[i], "timeout", 7) == 0) {
      status = parse_seconds("timeout", value, &timeout);
    } else if (key_len == 6 && strncasecmp(argv[i], "plugin", 6) == 0) {
      plugins[plugins_num++] = value;
    } else if (key_len == 10 && strncasecmp(argv[i], "identifier", 10) == 0) {
      status = parse_identifier(ctl, value, &ids[ids_num++]);
    } else {
      status = ctl_error(-EINVAL, "flush: Unknown option `%.*s'.",
                         (int)key_len, argv[i]);
    }
  }

  /* One pass with "no plugin" / "no identifier" when none were given. */
  size_t plugin_passes = plugins_num ? plugins_num : 1;
  size_t id_passes = ids_num ? ids_num : 1;
  int failed = 0;
  for (size_t p = 0; status == 0 && p < plugin_passes; p++) {
    for (size_t i = 0; i < id_passes; i++) {
      const char *plugin = plugins_num ? plugins[p] : NULL;
      const cdc_identifier_t *id = ids_num ? &ids[i] : NULL;
      char err[256];
      int s = cdc_flush(ctl->conn, plugin, id, timeout > 0 ? timeout : 0,
                        err, sizeof(err));
      if (s == 0)
        continue;
      failed = s;
      if (id == NULL) {
        ctl_error(s, "Failed to flush plugin `%s': %s.",
                  plugin ? plugin : "(all)", err);
      } else {
        char id_str[5 * CDC_NAME_LEN];
        cdc_identifier_format(id, id_str, sizeof(id_str), NULL, 0);
        ctl_error(s, "Failed to flush plugin `%s', identifier `%s': %s.",
                  plugin ? plugin : "(all)", id_str, err);
      }
    }
  }
  free(plugins);
  free(ids);
  return status != 0 ? status : failed;
}

static int cmd_listval(ctl_t *ctl, int argc, char **argv) {
  if (argc != 1)
    return ctl_error(-EINVAL, "listval: Does not accept any arguments.");
  char err[256];
  cdc_listval_entry_t *entries;
  size_t entries_num;
  int status = cdc_listval(ctl->conn, &entries, &entries_num, err,
                           sizeof(err));
  if (status != 0)
    return ctl_error(status, "%s", err);
  for (size_t i = 0; i < entries_num; i++) {
    char id[5 * CDC_NAME_LEN];
    cdc_identifier_format(&entries[i].id, id, sizeof(id), NULL, 0);
    printf("%s\n", id);
  }
  free(entries);
  return 0;
}

/* Sends each value list as it comes, with the options given before it;
 * stops at the first error. */
static int cmd_putval(ctl_t *ctl, int argc, char **argv) {
  if (argc < 3)
    return ctl_error(-EINVAL, "putval: Missing identifier and/or value list.");
  cdc_identifier_t id;
  int status = parse_identifier(ctl, argv[1], &id);
  if (status != 0)
    return status;

  cdc_value_list_t vl = {0};
  int sent = 0;
  for (int i = 2; i < argc; i++) {
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    char err[256];
    if (eq != NULL) {
      size_t key_len = (size_t)(eq - arg);
      if (key_len != 8 || strncasecmp(arg, "interval", 8) != 0)
        return ctl_error(-EINVAL, "putval: Unknown option `%.*s'.",
                         (int)key_len, arg);
      long interval;
      status = parse_seconds("interval", eq + 1, &interval);
      if (status != 0)
        return status;
      vl.interval = interval > 0 ? (double)interval : 0;
    } else if (strchr(arg, ':') != NULL) {
      status = cdc_value_list_parse(arg, &vl, err, sizeof(err));
      if (status != 0)
        return ctl_error(status, "%s.", err);
      status = cdc_putval(ctl->conn, &id, &vl, err, sizeof(err));
      cdc_value_list_free(&vl);
      if (status != 0)
        return ctl_error(status, "%s", err);
      sent++;
    } else {
      return ctl_error(-EINVAL, "putval: Invalid value list: %s.", arg);
    }
  }
  if (sent == 0)
    return ctl_error(-EINVAL, "putval: Missing value list(s).");
  return 0;
}

/* The signature cdc_plugin_load, _unload and _reload share. */
typedef int (*ctl_plugin_fn)(cdc_conn_t *c, const char *plugin, char *msg,
                             size_t msglen, char *err, size_t errlen);

/* load, unload, reload: one plugin name; prints the daemon's message. */
static int plugin_command(ctl_t *ctl, int argc, char **argv, const char *name,
                          ctl_plugin_fn fn) {
  if (argc != 2)
    return ctl_error(-EINVAL, "%s: Expects exactly one plugin name.", name);
  char msg[1024];
  char err[1024];
  int status = fn(ctl->conn, argv[1], msg, sizeof(msg), err, sizeof(err));
  if (status != 0)
    return ctl_error(status, "%s", err);
  printf("%s\n", msg);
  return 0;
}

static int cmd_load(ctl_t *ctl, int argc, char **argv) {
  return plugin_command(ctl, argc, argv, "load", cdc_plugin_load);
}

static int cmd_unload(ctl_t *ctl, int argc, char **argv) {
  return plugin_command(ctl, argc, argv, "unload", cdc_plugin_unload);
}

/* reload without a name: the whole configuration; prints the daemon's
 * summary and its line per plugin. Fails (exit status 255) if the reload
 * could not be done or any plugin's change failed or was rolled back. */
static int cmd_reload(ctl_t *ctl, int argc, char **argv) {
  if (argc != 1)
    return plugin_command(ctl, argc, argv, "reload", cdc_plugin_reload);
  char err[1024];
  cdc_reply_t reply;
  int status = cdc_config_reload(ctl->conn, &reply, err, sizeof(err));
  if (status != 0)
    return ctl_error(status, "reload: %s", err);
  printf("%s\n", reply.message);
  bool trouble = false;
  for (size_t i = 0; i < reply.lines_num; i++) {
    printf("%s\n", reply.lines[i]);
    const char *outcome = strchr(reply.lines[i], ' ');
    if (outcome != NULL && (strncmp(outcome, " failed", 7) == 0 ||
                            strncmp(outcome, " rolled back", 12) == 0))
      trouble = true;
  }
  cdc_reply_free(&reply);
  return trouble ? -EIO : 0;
}

/* One line per plugin, as the daemon words it. */
static int cmd_listplugins(ctl_t *ctl, int argc, char **argv) {
  if (argc != 1)
    return ctl_error(-EINVAL, "listplugins: Does not accept any arguments.");
  char err[1024];
  cdc_plugin_info_t *plugins;
  size_t plugins_num;
  int status =
      cdc_listplugins(ctl->conn, &plugins, &plugins_num, err, sizeof(err));
  if (status != 0)
    return ctl_error(status, "%s", err);
  for (size_t i = 0; i < plugins_num; i++) {
    char kind[64];
    if (plugins[i].isolated && plugins[i].host_pid > 0)
      snprintf(kind, sizeof(kind), "isolated pid=%d", plugins[i].host_pid);
    else if (plugins[i].isolated)
      snprintf(kind, sizeof(kind), "isolated pid=-");
    else
      snprintf(kind, sizeof(kind), "%s",
               plugins[i].unloadable ? "unloadable" : "legacy");
    if (plugins[i].restarts >= 0) {
      size_t used = strlen(kind);
      snprintf(kind + used, sizeof(kind) - used, " restarts=%d",
               plugins[i].restarts);
    }
    printf("%s %s %s%s%s\n", plugins[i].name, plugins[i].state, kind,
           plugins[i].failure[0] != '\0' ? " " : "", plugins[i].failure);
  }
  free(plugins);
  return 0;
}

static const ctl_command_t *ctl_command_find(const char *name) {
  for (size_t i = 0; i < CTL_COMMANDS_NUM; i++)
    if (strcasecmp(ctl_commands[i].name, name) == 0)
      return &ctl_commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  const char *socket_path = CDC_DEFAULT_SOCKET;
  int opt;
  while ((opt = getopt(argc, argv, "s:h")) != -1) {
    switch (opt) {
    case 's':
      socket_path = optarg;
      break;
    case 'h':
      usage(argv[0], stdout);
      return 0;
    default:
      usage(argv[0], stderr);
      return CTL_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    fprintf(stderr, "%s: missing command\n", argv[0]);
    usage(argv[0], stderr);
    return CTL_EXIT_USAGE;
  }

  /* An identifier's host defaults to this machine's short name. */
  char hostname[CDC_NAME_LEN];
  if (gethostname(hostname, sizeof(hostname)) != 0)
    hostname[0] = '\0';
  hostname[sizeof(hostname) - 1] = '\0';

  /* Connect before looking at the command, as collectd 5.12's collectdctl
   * does: without a daemon, every invocation fails the same way. */
  char err[256];
  ctl_t ctl = {.hostname = hostname};
  if (cdc_connect(socket_path, &ctl.conn, err, sizeof(err)) != 0) {
    ctl_error(-1, "%s.", err);
    return CTL_EXIT_USAGE;
  }

  const ctl_command_t *cmd = ctl_command_find(argv[optind]);
  int status;
  if (cmd == NULL) {
    fprintf(stderr, "%s: invalid command: %s\n", argv[0], argv[optind]);
    status = CTL_EXIT_USAGE;
  } else {
    status = cmd->handler(&ctl, argc - optind, argv + optind) == 0
                 ? 0
                 : CTL_EXIT_FAILED;
  }
  cdc_disconnect(ctl.conn);

  /* Output that never reached its reader is a failure too. */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "%s: writing the output failed: %s\n", argv[0],
            strerror(errno));
    status = CTL_EXIT_FAILED;
  }
  return status;
}
