/* The core's side of configfile.c, beyond what plugins see. */
#ifndef CONFIGFILE_INTERNAL_H
#define CONFIGFILE_INTERNAL_H

#include "configfile.h"
#include "plugin_internal.h"

/* Takes every plugin the file loads through the lifecycle, in file order.
 * check_only (-t): open, register and configure, but do not initialise.
 * Returns -1 if any plugin failed; *shutdown is set when a failure's policy
 * is Shutdown. */
int cf_load_plugins(bool check_only, bool *shutdown);

/* The global OnPluginFailure. */
plugin_failure_policy_t cf_default_failure_policy(void);

/* Registers the core's own read callback if CollectInternalStats is on. */
int internal_stats_register(void);

/* Frees the parsed configuration and resets the global options. */
void cf_free(void);

#endif /* CONFIGFILE_INTERNAL_H */
