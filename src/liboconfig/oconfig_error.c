/* The one place that formats parse errors and warnings, so that every
 * message has the same "file:line: reason" shape. */
#include "liboconfig/oconfig_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* Protects the hook and its argument, which any parsing thread reads. */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static oconfig_warning_hook_t warning_hook;
static void *warning_hook_data;

static int format_location(char *buf, size_t len, const char *name, int line) {
  if (name == NULL)
    name = "<string>";
  if (line > 0)
    return snprintf(buf, len, "%s:%d: ", name, line);
  return snprintf(buf, len, "%s: ", name);
}

int oc_error(const oc_err_t *e, int line, int err, const char *fmt, ...) {
  if (e == NULL || e->errbuf == NULL || e->errlen == 0)
    return err;

  int n = format_location(e->errbuf, e->errlen, e->name, line);
  if (n < 0 || (size_t)n >= e->errlen)
    return err; /* truncated: the location is the most useful part anyway */

  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->errbuf + n, e->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return err;
}

void oconfig_set_warning_hook(oconfig_warning_hook_t hook, void *user_data) {
  pthread_mutex_lock(&hook_lock);
  warning_hook = hook;
  warning_hook_data = user_data;
  pthread_mutex_unlock(&hook_lock);
}

void oc_warn(const oc_err_t *e, int line, const char *fmt, ...) {
  pthread_mutex_lock(&hook_lock);
  oconfig_warning_hook_t hook = warning_hook;
  void *data = warning_hook_data;
  pthread_mutex_unlock(&hook_lock);
  if (hook == NULL)
    return;

  char msg[512];
  int n = format_location(msg, sizeof(msg), e ? e->name : NULL, line);
  if (n < 0 || (size_t)n >= sizeof(msg))
    n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
  va_end(ap);
  hook(msg, data);
}
