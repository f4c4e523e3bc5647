/* The plugin lifecycle: the one path by which a plugin is opened,
 * registered, configured and initialised, and the one by which it is
 * drained, shut down and closed again. Start-up goes through it for every
 * LoadPlugin and the control commands (plugin_control.c) for LOAD, UNLOAD
 * and RELOAD; there is no second way in or out. */
#ifndef PLUGIN_DYNAMIC_H
#define PLUGIN_DYNAMIC_H

#include "plugin_internal.h"

/* Loads, configures and initialises one plugin; the record keeps a copy of
 * `conf`. On failure, the record stays in the failed state (its callbacks
 * skipped), errbuf says "<plugin>: <step>: <reason>", and the return value
 * is a negative errno; -EEXIST: a plugin of that name is loaded already
 * (no record is touched then). */
int plugin_dynamic_load(const plugin_conf_t *conf, char *errbuf, size_t errlen);

/* The second half of a load whose configuration had check_only set: runs
 * the init callbacks of `p` (in the configuring state) and makes it ready,
 * or leaves it failed as plugin_dynamic_load() would. The daemon's start-up
 * configures every plugin first, builds the filter chains, then
 * initialises them, as collectd 5.12 does, so that no value a plugin
 * dispatches goes past the chains. */
int plugin_dynamic_init(plugin_t *p, char *errbuf, size_t errlen);

/* May `p` be unloaded at runtime? True for a plugin that called
 * plugin_register_unloadable(), and for one none of whose code ever ran
 * (its object could not be opened or had no module_register()). */
bool plugin_dynamic_unloadable(const plugin_t *p);

/* Unloads a ready or failed plugin: waits until the values queued for its
 * write callbacks are delivered and its calls in flight return, runs its
 * shutdown callbacks, unregisters everything it registered (freeing user
 * data while the object is mapped), removes its data sets, and closes the
 * object once none of its threads is left. The caller serializes commands
 * for this plugin and checked plugin_dynamic_unloadable().
 *
 * Returns 0 when the record is gone, or a negative errno with errbuf
 * saying "<plugin>: <step>: <reason>":
 *  -ETIMEDOUT  queued values or a call in flight did not finish within the
 *              unload timeout; the plugin is back in the state it had
 *  -EDEADLK    the plugin is stuck: it was shut down, but a thread of it
 *              still runs (or a callback of it is still held); the object
 *              stays mapped and the plugin failed */
int plugin_dynamic_unload(plugin_t *p, char *errbuf, size_t errlen);

/* How long an unload waits for queued values, calls in flight and the
 * plugin's threads (UnloadTimeout). */
void plugin_dynamic_set_unload_timeout(cdtime_t timeout);
cdtime_t plugin_dynamic_unload_timeout(void);

/* If a thread is inside the dynamic linker for a plugin (its open, lookup
 * or close), says which and since when in buf ("the open of x, for 12 s")
 * and returns true. */
bool plugin_dynamic_linker_holder(char *buf, size_t len);

/* True if `name` is a plain plugin name: letters, digits, '_' and '-'. */
bool plugin_name_valid(const char *name);

/* Shuts every plugin down at exit, each as an unload would (out of ready
 * first, so that no callback of a plugin runs once its shutdown began;
 * then its calls under way, its shutdown callbacks, everything it
 * registered, its threads), and closes the objects. Plugins that only
 * read go first, then those that take values, notifications or events
 * (after `between`, if not NULL: the core delivers what is queued and
 * frees the chains there), the log plugins last; each group in the
 * reverse of the order of loading. A plugin whose LOAD or UNLOAD still
 * runs, or whose call or thread does not end, is reported and stays
 * mapped. Returns -1 if anything failed. */
int plugin_dynamic_shutdown_all(void (*between)(void));

/* The directory plugins are loaded from. */
const char *plugin_get_dir(void);

/* plugin_conf_t values owned by their holder: a deep copy (the name stays
 * borrowed), its release, and equality of everything a plugin is
 * configured with (file positions aside). */
int plugin_conf_copy(plugin_conf_t *dst, const plugin_conf_t *src);
/* Gives record p its copy of `conf` and what follows from it (its context's
 * intervals, its restart policy): the first step of a load, and of a plugin
 * host prepared beside a running instance. -ENOMEM. */
int plugin_conf_take(plugin_t *p, const plugin_conf_t *conf);
void plugin_conf_free(plugin_conf_t *conf);
bool plugin_conf_equal(const plugin_conf_t *a, const plugin_conf_t *b);

#endif /* PLUGIN_DYNAMIC_H */
