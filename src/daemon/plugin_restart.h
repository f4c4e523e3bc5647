/* OnPluginFailure Restart: a plugin that fails is loaded again, with the
 * configuration it ran with, after a delay that doubles with each failure
 * in a row (RestartDelay, at most RestartMaxDelay). One thread does the
 * restarts, as lifecycle commands (plugin_control_restart()), so that they
 * are serialized with LOAD, UNLOAD and RELOAD of the same plugin.
 *
 * What can be restarted: an isolated plugin (its host is a process of its
 * own), and an in-process plugin that may be unloaded (it called
 * plugin_register_unloadable(), or failed before its module_register()
 * ran). A plugin stuck in its shutdown, or a legacy one in process, stays
 * failed, and the log says why. */
#ifndef PLUGIN_RESTART_H
#define PLUGIN_RESTART_H

#include "plugin_internal.h"

/* Called by the registry when `p` has just become failed: schedules its
 * restart if its policy is Restart and it can be restarted. Takes only
 * this module's lock. */
void plugin__restart_failed(plugin_t *p);

/* A lifecycle command for `name` (LOAD, UNLOAD, RELOAD) has begun: the
 * operator has taken over, so a pending restart is cancelled and the
 * counts start again. */
void plugin__restart_forget(const char *name);

/* The restarts done since the last command for `name`. */
unsigned plugin__restart_count(const char *name);

/* Starts the restart thread, once the start-up is over (failures before
 * it are restarted from then on). Stops it at exit, after
 * plugin_control_stop() has refused further commands and waited for those
 * under way, a restart among them; `commands_done` is what that returned
 * (false: a restart may still be under way, and is not waited for). */
int plugin__restart_start(void);
void plugin__restart_stop(bool commands_done);

#endif /* PLUGIN_RESTART_H */
