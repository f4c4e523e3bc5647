/* The two ends of starting a plugin host: the daemon's fork and exec of
 * its own binary in host mode (host_spawn.c), and the host's main()
 * (host_main.c). */
#ifndef PLUGIN_HOST_HOST_MAIN_H
#define PLUGIN_HOST_HOST_MAIN_H

#include <stddef.h>
#include <sys/types.h>

/* The command-line switch of host mode: `collectd --plugin-host NAME`. */
#define HOST_MODE_SWITCH "--plugin-host"
/* The descriptor a host finds its channel on. */
#define HOST_CHANNEL_FD 3

/* Starts a host for plugin `name`: a child running this binary in host
 * mode with one end of a new socket pair as its descriptor 3 and nothing
 * else open but /dev/null as 0, 1 and 2, and every signal unblocked.
 * Returns 0 with the child's pid and the daemon's end of the channel, or a
 * negative errno with the reason in errbuf. */
int host_spawn(const char *name, pid_t *pid, int *fd, char *errbuf,
               size_t errlen);

/* The host's main(): serves the channel until the daemon ends it. */
int host_main(const char *name);

#endif /* PLUGIN_HOST_HOST_MAIN_H */
