/* The core's side of configfile.c, beyond what plugins see. */
#ifndef CONFIGFILE_INTERNAL_H
#define CONFIGFILE_INTERNAL_H

#include "configfile.h"
#include "plugin_internal.h"

/* Start-up, in collectd 5.12's order: cf_load_plugins() opens, registers
 * and configures every plugin the file loads, in file order, leaving them
 * configuring (but a log plugin, which it initialises at once unless
 * check_only, -t, is set); then cf_configure_chains() builds the filter
 * chains; then cf_init_plugins() initialises the others, in file order,
 * and each becomes ready (-t stops before it). Each returns -1 if any
 * plugin failed; *shutdown is set when a failure's policy is Shutdown. */
int cf_load_plugins(bool check_only, bool *shutdown);
int cf_init_plugins(bool *shutdown);

/* Builds the filter chains from the <Chain> blocks and the PreCacheChain
 * and PostCacheChain options, once the plugins that provide matches and
 * targets are loaded, and puts them to use. A mistake refuses the whole
 * configuration (logged with file and line): returns a negative errno. */
int cf_configure_chains(void);

/* ---- global options (configfile_options.c) ---- */

/* Takes a global option from the file: checks its value against what the
 * option takes and sets it, remembering where. Returns 0, -ENOENT if `ci`
 * is no global option (nothing logged), -EINVAL after logging "file:line:
 * Key: reason", or -ENOMEM. */
int cf_option_take(const oconfig_item_t *ci);
/* Did the file or the command line set the option? */
bool cf_option_is_set(const char *key);
/* "file:line: " where the file set the option, "command line: " or "" (the
 * default), in buf; for messages about the value later. */
const char *cf_option_where(const char *key, char *buf, size_t len);
/* Back to the defaults (cf_free()). */
void cf_options_reset(void);

/* The global OnPluginFailure. */
plugin_failure_policy_t cf_default_failure_policy(void);

/* Registers the core's own read callback if CollectInternalStats is on. */
int internal_stats_register(void);

/* Reads the configuration files again and fills *conf (to be freed with
 * plugin_conf_free(); the name is borrowed) with what they now say about
 * plugin `name`. Global options are not applied again. Returns 0, -ENOENT
 * if the files do not load the plugin (*conf is filled all the same, with
 * its <Plugin> blocks if any), or -EINVAL with "file:line: reason" in
 * errbuf if the files cannot be read. */
int cf_plugin_conf(const char *name, plugin_conf_t *conf, char *errbuf,
                   size_t errlen);

/* The whole configuration read again, for a reload of all of it: every
 * plugin the files mention, in the order they first do, each with what
 * cf_plugin_conf() would say of it (status 0, -ENOENT for <Plugin> blocks
 * of a plugin nothing loads, or another error; the reason in why), and the
 * global options, TypesDB files and <Chain> blocks that differ from those
 * the daemon runs with ("Interval, TypesDB"), which only a restart
 * applies. Returns 0, or -EINVAL with "file:line: reason; nothing changed"
 * in errbuf for files that cannot be read. */
typedef struct {
  char *name;
  plugin_conf_t conf;
  int status;
  char why[512];
} cf_reread_plugin_t;
typedef struct {
  cf_reread_plugin_t *plugins;
  size_t num;
  char restart[512];
  int restart_num; /* how many names restart lists */
} cf_reread_t;
int cf_reread(cf_reread_t *r, char *errbuf, size_t errlen);
void cf_reread_free(cf_reread_t *r);
/* The same list of changed global options, alone, into buf: how many. */
int cf_globals_changed(char *buf, size_t len);
/* The global options of `root` whose value differs from the running one
 * (options set on the command line aside), appended to the list in buf;
 * *num counts them. */
void cf_options_changed(const oconfig_item_t *root, char *buf, size_t len,
                        int *num);
/* Appends `key` to the list in buf ("Interval, TypesDB"), counted in
 * *num even when buf is full. */
void cf_list_add(char *buf, size_t len, const char *key, int *num);

/* Frees the parsed configuration and resets the global options. */
void cf_free(void);

/* Why plugin `name` cannot run in a plugin host (a sentence), or NULL if
 * it can. */
const char *cf_isolation_refusal(const char *name);
bool cf_isolatable(const char *name);

/* The configuration a plugin host applies for an isolated plugin: the
 * daemon's global options as they are in force (host name, intervals,
 * types, plugin directory...), its <LoadPlugin> options and its <Plugin>
 * blocks, as one tree (see plugin_host/host_main.c). */
int cf_host_tree(const plugin_conf_t *conf, oconfig_item_t **ret, char *errbuf,
                 size_t errlen);
/* In a plugin host: applies such a tree as cf_read() applies a file
 * (taking it over), so that cf_load_plugins() loads its one plugin. */
int cf_read_tree(oconfig_item_t *root);

#endif /* CONFIGFILE_INTERNAL_H */
