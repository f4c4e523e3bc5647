/* The header every plugin includes first: the system headers collectd 5.12
 * plugins rely on being pulled in, plus the few core-wide macros. */
#ifndef COLLECTD_H
#define COLLECTD_H

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/param.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKAGE_NAME
#define PACKAGE_NAME "collectd"
#endif

/* Defaults; the build passes the configured paths. */
#ifndef PREFIX
#define PREFIX "/opt/collectd"
#endif
#ifndef CONFIGFILE
#define CONFIGFILE PREFIX "/etc/collectd.conf"
#endif
#ifndef PKGLOCALSTATEDIR
#define PKGLOCALSTATEDIR PREFIX "/var/lib/collectd"
#endif
#ifndef PIDFILE
#define PIDFILE PREFIX "/var/run/collectd.pid"
#endif
#ifndef PLUGINDIR
#ifdef PKGLIBDIR
#define PLUGINDIR PKGLIBDIR
#else
#define PLUGINDIR PREFIX "/lib/collectd"
#endif
#endif
#ifndef PKGDATADIR
#define PKGDATADIR PREFIX "/share/collectd"
#endif

#ifndef STATIC_ARRAY_SIZE
#define STATIC_ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#endif

#ifndef GAUGE_FORMAT
#define GAUGE_FORMAT "%.15g"
#endif

/* Bytes printed for a gauge etc.; used by the csv and unixsock formatters. */
#ifndef NAN
#define NAN (0.0 / 0.0)
#endif

#ifdef __GNUC__
#define COLLECTD_UNUSED __attribute__((unused))
#else
#define COLLECTD_UNUSED
#endif

#include "globals.h"

#endif /* COLLECTD_H */
