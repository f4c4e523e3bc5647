/* The one place that formats parse errors, so every message has the same
 * "file:line: reason" shape. */
#include "liboconfig/oconfig_internal.h"

#include <stdarg.h>
#include <stdio.h>

int oc_error(const oc_err_t *e, int line, int err, const char *fmt, ...) {
  if (e == NULL || e->errbuf == NULL || e->errlen == 0)
    return err;

  const char *name = e->name != NULL ? e->name : "<string>";
  int n;
  if (line > 0)
    n = snprintf(e->errbuf, e->errlen, "%s:%d: ", name, line);
  else
    n = snprintf(e->errbuf, e->errlen, "%s: ", name);
  if (n < 0 || (size_t)n >= e->errlen)
    return err; /* truncated: the location is the most useful part anyway */

  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->errbuf + n, e->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return err;
}
