/* LISTPLUGINS
 *
 * Every plugin the core knows, in the order they were loaded, one line
 * each: "<name> <state> <kind>", where kind is unloadable, legacy or
 * "isolated pid=<pid>" ("pid=-" while no host runs), followed by
 * "restarts=<n>" if its OnPluginFailure is Restart; for a failed plugin,
 * the step and reason of its failure after that. The count line has LISTVAL's
 * form.
 *
 * Only offered with "PluginControl true" (CMD_PLUGIN_CONTROL in cmds.c).
 *
 * Replies:
 *   2 Plugins loaded
 *   cpu ready legacy
 *   test_config_fail failed unloadable config: /tmp/x/collectd.conf:14: ...
 *   cpu ready isolated pid=4711 restarts=2
 *   1 Plugin loaded / ...
 *   0 Plugins loaded
 *  -1 Garbage after end of command: `<first argument>'.
 *  -1 Listing the plugins failed: <reason> */
#include "utils/cmds/cmds.h"

#include "plugin_control.h"
#include "utils/common/common.h"

int cmd_handle_listplugins(cmd_writer_t *w, cmd_args_t *args,
                           const cmd_options_t *opts) {
  if (args->argc > 0)
    return cmd_error(w, -EINVAL, "Garbage after end of command: `%s'.",
                     args->argv[0]);

  plugin_info_t *plugins = NULL;
  size_t num = 0;
  int status = plugin_control_list(&plugins, &num);
  if (status != 0)
    return cmd_error(w, status < 0 ? status : -EIO,
                     "Listing the plugins failed: %s",
                     STRERROR(status < 0 ? -status : EIO));

  cmd_reply(w, (int)num, "Plugin%s loaded", num == 1 ? "" : "s");
  for (size_t i = 0; i < num; i++) {
    plugin_info_t *p = plugins + i;
    /* "isolated pid=4711" (pid=- once its host has ended) */
    char kind[64];
    if (p->isolated && p->host_pid > 0)
      snprintf(kind, sizeof(kind), "isolated pid=%d", p->host_pid);
    else if (p->isolated)
      snprintf(kind, sizeof(kind), "isolated pid=-");
    else
      sstrncpy(kind, p->unloadable ? "unloadable" : "legacy", sizeof(kind));
    /* "restarts=2" for a plugin under OnPluginFailure Restart */
    if (p->restart) {
      size_t used = strlen(kind);
      snprintf(kind + used, sizeof(kind) - used, " restarts=%u", p->restarts);
    }
    if (strcmp(p->state, "failed") != 0 || p->failed_step[0] == '\0') {
      cmd_reply_line(w, "%s %s %s", p->name, p->state, kind);
    } else {
      cmd_one_line(p->failed_reason, sizeof(p->failed_reason));
      cmd_reply_line(w, "%s %s %s %s: %s", p->name, p->state, kind,
                     p->failed_step, p->failed_reason);
    }
  }
  free(plugins);
  return 0;
}
