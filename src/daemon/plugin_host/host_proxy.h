/* The daemon's side of an isolated plugin: its host process, and the
 * callbacks that stand in for the plugin's in the daemon. */
#ifndef PLUGIN_HOST_HOST_PROXY_H
#define PLUGIN_HOST_HOST_PROXY_H

#include "plugin_internal.h"

/* Starts the host of `p` (loading), sends it the configuration (p->conf
 * with the daemon's global options) and waits until its plugin is opened,
 * registered and configured there; then registers, as `p`, the callbacks
 * that forward to the host (init, read, shutdown). On failure the host is
 * gone, *step says which step of the plugin failed ("open", "register",
 * "config", or "host" for the host itself) and errbuf why. */
int host_proxy_load(plugin_t *p, const char **step, char *errbuf,
                    size_t errlen);

/* Why the calling thread's last call into a host failed ("host process
 * died: signal 6 (Aborted)"), for a failure report that would otherwise
 * only have the stand-in callback's status; empty after a success. */
const char *host_proxy_last_reason(void);

#endif /* PLUGIN_HOST_HOST_PROXY_H */
