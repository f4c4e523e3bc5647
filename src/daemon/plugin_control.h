/* The lifecycle commands as a control channel offers them: LOAD, UNLOAD,
 * RELOAD and LISTPLUGINS. The unixsock plugin calls these (the daemon
 * exports them); they are not part of the 5.12 plugin interface.
 *
 * The commands take a plugin *name* only. The configuration a plugin gets
 * always comes from the daemon's own configuration files, read again for
 * each LOAD and RELOAD, so no client can hand the daemon a path or
 * configuration text.
 *
 * Every command writes one line into `msg`. On success it says what
 * happened ("cpu: ready"); on failure it names the plugin, the step and the
 * reason ("cpu: config: /etc/collectd.conf:12: option \"X\" was rejected").
 * The steps are: name, busy, open, register, config, init, drain, shutdown,
 * unload, reload. */
#ifndef PLUGIN_CONTROL_H
#define PLUGIN_CONTROL_H

#include "utils_time.h"

#include <stdbool.h>
#include <stddef.h>

/* Each returns 0 on success or a negative errno:
 *  -EINVAL  the name is not a plain plugin name (letters, digits, '_', '-')
 *  -EBUSY   another command for this plugin is in progress
 *  -EEXIST  LOAD: the plugin is loaded already
 *  -ENOENT  UNLOAD, RELOAD: the plugin is not loaded
 *  -EPERM   UNLOAD, RELOAD: the plugin is not unloadable, or serves the
 *           connection the command came on
 *  -ETIMEDOUT  UNLOAD, RELOAD: queued values or a call into the plugin
 *           did not finish within UnloadTimeout; nothing changed
 *  -EDEADLK UNLOAD, RELOAD: the plugin was shut down but a thread of it
 *           still runs; it stays mapped, in the failed state (stuck)
 *  -ESHUTDOWN  the daemon is shutting down
 *  other    the step named in msg failed */
int plugin_control_load(const char *name, char *msg, size_t msg_len);
int plugin_control_unload(const char *name, char *msg, size_t msg_len);
int plugin_control_reload(const char *name, char *msg, size_t msg_len);
/* LOAD and RELOAD with a configuration read already, for the reload of
 * the whole configuration (config_reload.c), which reads the files once.
 * *unchanged says whether RELOAD found it was the running one (and did
 * nothing). */
struct plugin_conf_s;
int plugin_control_load_conf(const struct plugin_conf_s *conf, char *msg,
                             size_t msg_len);
int plugin_control_reload_conf(const struct plugin_conf_s *conf,
                               bool *unchanged, char *msg, size_t msg_len);
/* For the restart thread (plugin_restart.c): unloads a failed plugin and
 * loads it with the configuration it had, as restart `number`, after a
 * back-off of `delay` from its failure at `failed_at`. -ENOENT: it is
 * gone; -EALREADY: it is no longer failed (a command dealt with it);
 * otherwise as RELOAD. */
int plugin_control_restart(const char *name, unsigned number, cdtime_t delay,
                           cdtime_t failed_at, char *msg, size_t msg_len);

/* What LISTPLUGINS shows of one plugin. */
typedef struct {
  char name[128];
  char state[16]; /* loading, configuring, ready, unloading, failed */
  bool unloadable;
  bool isolated;  /* it runs in a plugin host */
  int host_pid;   /* that host's, while it runs; else 0 */
  bool restart;      /* its OnPluginFailure is Restart */
  unsigned restarts; /* restarts since the last command for it */
  /* For a failed plugin, the step and reason of its last failure;
   * otherwise empty. */
  char failed_step[16];
  char failed_reason[256];
} plugin_info_t;

/* Every plugin, in the order they were loaded. On success *ret is an array
 * of *ret_num entries for the caller to free(). */
int plugin_control_list(plugin_info_t **ret, size_t *ret_num);

/* For a plugin whose init finds another daemon in its place (unixsock: a
 * process listens on its socket): during the daemon's start-up, the
 * start-up stops and the daemon exits with status 1, as when another
 * daemon holds the PID file; at run time (a LOAD) the plugin only fails.
 * `why` is logged. main() says when the start-up is over, and asks
 * whether a plugin refused it. */
void plugin_control_refuse_start(const char *name, const char *why);
void plugin_control_started(void);
bool plugin_control_start_refused(void);

/* For the daemon's main(): refuses every further command and waits for
 * those under way (at shutdown, before plugins are shut down), at most
 * `timeout`: a plugin whose shutdown callback hangs does not hang the
 * daemon's exit. False if a command was still under way then (the exit
 * leaves its plugin mapped and fails). */
bool plugin_control_stop(cdtime_t timeout);
/* If `name` is failed and its OnPluginFailure is Shutdown, stops the
 * daemon (as a SIGTERM does), with a failure status. */
void plugin_control_failure_policy(const char *name);
/* True once a command's failure stopped the daemon (OnPluginFailure
 * Shutdown); it then exits with a failure status. */
bool plugin_control_failure_shutdown(void);

#endif /* PLUGIN_CONTROL_H */
