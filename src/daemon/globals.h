/* Process-wide settings that plugins read directly (their names and types
 * are part of the collectd 5.12 binary interface). */
#ifndef GLOBALS_H
#define GLOBALS_H

#include <inttypes.h>

#ifndef DATA_MAX_NAME_LEN
#define DATA_MAX_NAME_LEN 128
#endif

#ifndef PRIsz
#define PRIsz "zu"
#endif

/* Time in units of 2^-30 seconds since the epoch (see utils_time.h). */
typedef uint64_t cdtime_t;

/* The host name put into every value list that does not set its own. */
extern char *hostname_g;
/* The global default read interval. */
extern cdtime_t interval_g;
/* Non-zero when -P was given, so PIDFile in the config is ignored. */
extern int pidfile_from_cli;
/* A value expires after this many intervals without an update. */
extern int timeout_g;

/* Replaces hostname_g with a copy of `hostname`. */
void hostname_set(char const *hostname);

#endif /* GLOBALS_H */
