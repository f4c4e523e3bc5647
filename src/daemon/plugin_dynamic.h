/* The plugin lifecycle: the one path by which a plugin is opened,
 * registered, configured, initialised -- and, at exit, shut down and
 * closed. Start-up goes through it for every LoadPlugin. */
#ifndef PLUGIN_DYNAMIC_H
#define PLUGIN_DYNAMIC_H

#include "plugin_internal.h"

/* What the configuration files say about one plugin: its <LoadPlugin>
 * options and its <Plugin> blocks (borrowed, not owned). */
typedef struct {
  const char *name;
  bool global;
  cdtime_t interval;       /* 0: the global interval */
  cdtime_t flush_interval; /* 0: no periodic flush */
  cdtime_t flush_timeout;
  plugin_failure_policy_t on_failure;
  bool check_only; /* -t: stop after configuring, before init */
  oconfig_item_t **blocks;
  size_t blocks_num;
} plugin_conf_t;

/* Loads, configures and initialises one plugin. On failure, the record
 * stays in the failed state (its callbacks skipped), errbuf says
 * "<plugin>: <step>: <reason>", and the return value is a negative errno;
 * -EEXIST: a plugin of that name is loaded already. */
int plugin_dynamic_load(const plugin_conf_t *conf, char *errbuf,
                        size_t errlen);

/* True if `name` is a plain plugin name: letters, digits, '_' and '-'. */
bool plugin_name_valid(const char *name);

/* Shuts every plugin down (shutdown callbacks of ready plugins, in the
 * order they were registered), unregisters everything and closes the
 * objects. */
int plugin_dynamic_shutdown_all(void);

/* The directory plugins are loaded from. */
const char *plugin_get_dir(void);

#endif /* PLUGIN_DYNAMIC_H */
