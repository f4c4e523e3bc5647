/* The process-wide settings of globals.h. */
#include "collectd.h"

char *hostname_g;
cdtime_t interval_g;
int pidfile_from_cli;
int timeout_g;

void hostname_set(char const *hostname) {
  char *h = strdup(hostname);
  if (h == NULL)
    return; /* keep the old name rather than none */
  free(hostname_g);
  hostname_g = h;
}
