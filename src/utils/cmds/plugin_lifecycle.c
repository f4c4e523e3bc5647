/* LOAD <plugin>, UNLOAD <plugin>, RELOAD <plugin>
 *
 * Hand one plugin name to the core (plugin_control.h) and answer with the
 * one line the core wrote. The name is not checked here: the core refuses
 * anything that is not a plain plugin name, and saying why is its job, so
 * that every client sees the same reasons. The three commands differ only
 * in the core function they call.
 *
 * Only offered with "PluginControl true" (CMD_PLUGIN_CONTROL in cmds.c).
 *
 * Replies:
 *   0 <message>   e.g. "0 cpu: ready"
 *  -1 <message>   e.g. "-1 cpu: config: /etc/collectd.conf:12: option
 *                 \"X\" was rejected"
 *  -1 LOAD takes exactly one argument. Usage: LOAD <plugin>
 *
 * RELOAD without a name reloads the whole configuration (config_reload.h):
 *   3 Configuration reloaded: 1 loaded, 0 unloaded, 1 reloaded, ...
 *   cpu reloaded: cpu: reloaded, ready
 *   df loaded: df: loaded, ready
 *   Interval needs a restart
 *  -1 Configuration not reloaded: /etc/collectd.conf:3: ...; nothing changed */
#include "utils/cmds/cmds.h"

#include "config_reload.h"
#include "plugin_control.h"
#include "utils/common/common.h"

typedef int plugin_control_fn(const char *name, char *msg, size_t msg_len);

static int lifecycle_run(cmd_writer_t *w, const cmd_args_t *args,
                         const char *verb, plugin_control_fn *run) {
  if (args->argc != 1) {
    const cmd_def_t *def = cmd_lookup(verb);
    return cmd_error(w, -EINVAL, "%s takes exactly one argument. Usage: %s",
                     verb, def != NULL ? def->help : verb);
  }

  const char *name = args->argv[0];
  char msg[CMD_MESSAGE_MAX + 1] = "";
  int status = run(name, msg, sizeof(msg));
  cmd_one_line(msg, sizeof(msg));

  if (status == 0 && msg[0] != '\0')
    return cmd_reply(w, 0, "%s", msg);
  if (status == 0)
    return cmd_reply(w, 0, "%s: %s done.", name, verb);
  /* 0 or a negative errno is the core's contract; anything else is a
   * failure all the same. */
  if (status > 0)
    status = -EIO;
  if (msg[0] != '\0')
    return cmd_error(w, status, "%s", msg);
  return cmd_error(w, status, "%s: %s failed: %s", name, verb,
                   STRERROR(-status));
}

int cmd_handle_load(cmd_writer_t *w, cmd_args_t *args,
                    const cmd_options_t *opts) {
  return lifecycle_run(w, args, "LOAD", plugin_control_load);
}

int cmd_handle_unload(cmd_writer_t *w, cmd_args_t *args,
                      const cmd_options_t *opts) {
  return lifecycle_run(w, args, "UNLOAD", plugin_control_unload);
}

/* RELOAD without a name: the whole configuration. The reply comes once
 * the work is done: the summary, then a line per plugin,
 * "<name> <outcome>[: <message>]", and "<option> needs a restart" per
 * changed global option. */
static int reload_all(cmd_writer_t *w) {
  config_reload_t r;
  int status = config_reload_all(&r);
  if (status != 0) {
    int rc = cmd_error(w, status, "Configuration not reloaded: %s", r.error);
    config_reload_free(&r);
    return rc;
  }
  char summary[1024];
  config_reload_summary(&r, summary, sizeof(summary));
  cmd_reply(w, (int)(r.num + r.restart_num), "Configuration reloaded: %s",
            summary);
  for (size_t i = 0; i < r.num; i++) {
    config_change_t *c = &r.changes[i];
    cmd_one_line(c->msg, sizeof(c->msg));
    if (c->msg[0] == '\0')
      cmd_reply_line(w, "%s %s", c->name, config_outcome_name(c->outcome));
    else
      cmd_reply_line(w, "%s %s: %s", c->name, config_outcome_name(c->outcome),
                     c->msg);
  }
  char changed[sizeof(r.restart)], *save = NULL;
  sstrncpy(changed, r.restart, sizeof(changed));
  for (char *k = strtok_r(changed, ", ", &save); k != NULL;
       k = strtok_r(NULL, ", ", &save))
    cmd_reply_line(w, "%s needs a restart", k);
  config_reload_free(&r);
  return 0;
}

int cmd_handle_reload(cmd_writer_t *w, cmd_args_t *args,
                      const cmd_options_t *opts) {
  if (args->argc == 0)
    return reload_all(w);
  if (args->argc > 1)
    return cmd_error(w, -EINVAL,
                     "RELOAD takes one plugin name, or none for the whole "
                     "configuration. Usage: RELOAD [<plugin>]");
  return lifecycle_run(w, args, "RELOAD", plugin_control_reload);
}
