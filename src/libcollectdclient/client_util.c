/* Error reporting and a growable string, shared by the client library. */
#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cdc__error(char *err, size_t errlen, int status, const char *fmt, ...) {
  if (err != NULL && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return status;
}

/* Makes room for need more bytes and the NUL. */
static int strbuf_reserve(cdc_strbuf_t *sb, size_t need) {
  if (sb->failed)
    return -1;
  if (sb->len + need + 1 <= sb->size)
    return 0;
  size_t size = sb->size ? sb->size : 128;
  while (size < sb->len + need + 1)
    size *= 2;
  char *buf = realloc(sb->buf, size);
  if (buf == NULL) {
    sb->failed = 1;
    return -1;
  }
  sb->buf = buf;
  sb->size = size;
  return 0;
}

void cdc__strbuf_append(cdc_strbuf_t *sb, const char *data, size_t len) {
  if (strbuf_reserve(sb, len) != 0)
    return;
  memcpy(sb->buf + sb->len, data, len);
  sb->len += len;
  sb->buf[sb->len] = '\0';
}

void cdc__strbuf_printf(cdc_strbuf_t *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->failed = 1;
    return;
  }
  if (strbuf_reserve(sb, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

void cdc__strbuf_quoted(cdc_strbuf_t *sb, const char *s) {
  /* Worst case: every character escaped, plus the two quotes. */
  if (strbuf_reserve(sb, 2 * strlen(s) + 2) != 0)
    return;
  char *p = sb->buf + sb->len;
  *p++ = '"';
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\')
      *p++ = '\\';
    *p++ = *s;
  }
  *p++ = '"';
  *p = '\0';
  sb->len = (size_t)(p - sb->buf);
}

void cdc__strbuf_free(cdc_strbuf_t *sb) {
  free(sb->buf);
  *sb = (cdc_strbuf_t){0};
}
