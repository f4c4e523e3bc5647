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

/* RELOAD of a ready isolated plugin starts the new host beside the old
 * one: host_proxy_prepare() starts a host for `conf` and has its plugin
 * configured and initialised there (reads not started), while the
 * running instance goes on untouched. On failure (a negative status;
 * *ret is NULL), *step and
 * errbuf saying why, and *conflict set if that looks like a resource the
 * running instance holds ("Address already in use", "busy"): then only a
 * stop-and-start can tell. A prepared host is either given to the new
 * record by host_proxy_adopt() (in place of host_proxy_load(); on failure
 * it is gone) or ended by host_proxy_discard(). */
int host_proxy_prepare(const plugin_conf_t *conf, struct host_s **ret,
                       bool *conflict, const char **step, char *errbuf,
                       size_t errlen);
int host_proxy_adopt(plugin_t *p, struct host_s *h, char *errbuf,
                     size_t errlen);
void host_proxy_discard(struct host_s *h);

/* Why the calling thread's last call into a host failed ("host process
 * died: signal 6 (Aborted)"), for a failure report that would otherwise
 * only have the stand-in callback's status; empty after a success. */
const char *host_proxy_last_reason(void);

#endif /* PLUGIN_HOST_HOST_PROXY_H */
