/* The one place that formats parse errors and warnings, so that every
 * message has the same "file:line: reason" shape, and the excerpts that
 * keep a long token from crowding the reason out of a message. */
#include "liboconfig/oconfig_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* ---- excerpts of long text ---------------------------------------------- */

/* What is kept of a text longer than OCONFIG_EXCERPT_FULL. */
#define EXCERPT_HEAD 96
#define EXCERPT_TAIL 48

static bool is_continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

/* Appends text[0..n) to buf at *used, escaped; stops before overflowing. */
static void put_escaped(char *buf, size_t len, size_t *used, const char *text,
                        size_t n, bool quote) {
  for (size_t i = 0; i < n && *used + 5 < len; i++) {
    unsigned char c = (unsigned char)text[i];
    const char *esc = NULL;
    char hex[5];
    if (c == '\n')
      esc = "\\n";
    else if (c == '\t')
      esc = "\\t";
    else if (quote && c == '"')
      esc = "\\\"";
    else if (quote && c == '\\')
      esc = "\\\\";
    else if (c < 0x20 || c == 0x7f) {
      snprintf(hex, sizeof(hex), "\\x%02x", c);
      esc = hex;
    }
    if (esc == NULL) {
      buf[(*used)++] = (char)c;
    } else {
      size_t e = strlen(esc);
      memcpy(buf + *used, esc, e);
      *used += e;
    }
  }
  buf[*used] = '\0';
}

const char *oconfig_excerpt(const char *text, bool quote, char *buf,
                            size_t len) {
  if (buf == NULL || len == 0)
    return "";
  if (text == NULL)
    text = "";
  size_t n = strlen(text);
  size_t head = n, tail = n; /* text[0..head) ... text[tail..n) */
  if (n > OCONFIG_EXCERPT_FULL) {
    /* Cut between UTF-8 characters, not inside one. */
    head = EXCERPT_HEAD;
    while (head > 0 && is_continuation((unsigned char)text[head]))
      head--;
    tail = n - EXCERPT_TAIL;
    while (tail < n && is_continuation((unsigned char)text[tail]))
      tail++;
  }
  size_t used = 0;
  buf[0] = '\0';
  if (quote && used + 1 < len)
    buf[used++] = '"';
  put_escaped(buf, len, &used, text, head, quote);
  if (head < n) {
    snprintf(buf + used, len - used, "...");
    used += strnlen(buf + used, len - used);
    put_escaped(buf, len, &used, text + tail, n - tail, quote);
  }
  if (quote && used + 1 < len) {
    buf[used++] = '"';
    buf[used] = '\0';
  }
  if (head < n)
    snprintf(buf + used, len - used, " (%zu bytes)", n);
  return buf;
}
