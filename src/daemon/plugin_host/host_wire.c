/* The bounded writer and reader of the plugin host protocol (see
 * host_wire.h): growth, limits and the words of every reason. */
#include "collectd.h"

#include "plugin_host/host_proto.h"
#include "plugin_host/host_wire.h"

/* ---- writer -------------------------------------------------------------- */

void host_writer_init(host_writer_t *w) {
  *w = (host_writer_t){.frame = SIZE_MAX};
}

void host_writer_free(host_writer_t *w) {
  free(w->buf);
  host_writer_init(w);
}

void host_writer_reset(host_writer_t *w) {
  w->len = 0;
  w->frame = SIZE_MAX;
  w->err = 0;
  w->reason[0] = '\0';
}

int host_w_fail(host_writer_t *w, int err, const char *fmt, ...) {
  if (w->err != 0)
    return w->err;
  w->err = err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->reason, sizeof(w->reason), fmt, ap);
  va_end(ap);
  return err;
}

uint8_t *host_w_grow(host_writer_t *w, size_t n) {
  if (w->err != 0)
    return NULL;
  size_t start = w->frame != SIZE_MAX ? w->frame : w->len;
  if (n > HOST_PROTO_MAX_FRAME || w->len - start + n > HOST_PROTO_MAX_FRAME) {
    host_w_fail(w, -EMSGSIZE, "the frame would exceed %u bytes",
                (unsigned)HOST_PROTO_MAX_FRAME);
    return NULL;
  }
  if (w->len + n > w->cap) {
    size_t cap = w->cap > 0 ? w->cap : 4096;
    while (cap < w->len + n)
      cap *= 2;
    uint8_t *buf = realloc(w->buf, cap);
    if (buf == NULL) {
      host_w_fail(w, -ENOMEM, "out of memory for %zu bytes", cap);
      return NULL;
    }
    w->buf = buf;
    w->cap = cap;
  }
  uint8_t *p = w->buf + w->len;
  w->len += n;
  return p;
}

void host_w_str(host_writer_t *w, const char *field, int width, size_t max,
                const char *s) {
  size_t len = s != NULL ? strnlen(s, max + 1) : 0;
  if (len > max) {
    host_w_fail(w, -EINVAL, "%s is %zu bytes long; at most %zu fit", field,
                strlen(s), max);
    return;
  }
  uint8_t *p = host_w_grow(w, (size_t)width + len);
  if (p == NULL)
    return;
  if (width == 1)
    p[0] = (uint8_t)len;
  else if (width == 2)
    host_put_u16(p, (uint16_t)len);
  else
    host_put_u32(p, (uint32_t)len);
  if (len > 0)
    memcpy(p + width, s, len);
}

/* ---- reader -------------------------------------------------------------- */

void host_reader_init(host_reader_t *r, const char *msg, const void *body,
                      size_t len, char *err, size_t errlen) {
  *r = (host_reader_t){
      .p = body, .left = len, .msg = msg, .err = err, .errlen = errlen};
  if (errlen > 0)
    err[0] = '\0';
}

int host_r_fail(host_reader_t *r, int err, const char *fmt, ...) {
  if (r->errlen == 0)
    return err;
  size_t at = 0;
  int n = snprintf(r->err, r->errlen, "%s: ", r->msg);
  at = n > 0 ? MIN((size_t)n, r->errlen - 1) : 0;
  for (size_t i = 0; i < MIN(r->depth, (size_t)HOST_WHERE_MAX); i++) {
    n = snprintf(r->err + at, r->errlen - at, "%s %zu: ", r->where[i].label,
                 r->where[i].index);
    at = n > 0 ? MIN(at + (size_t)n, r->errlen - 1) : at;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err + at, r->errlen - at, fmt, ap);
  va_end(ap);
  return err;
}

void host_r_short(host_reader_t *r, const char *field, size_t n) {
  host_r_fail(r, -EBADMSG,
              "the body ends inside %s (%zu bytes needed, %zu left)", field, n,
              r->left);
}

int host_r_need(host_reader_t *r, const char *field, size_t n) {
  if (r->left >= n)
    return 0;
  host_r_short(r, field, n);
  return -EBADMSG;
}

int host_r_bool(host_reader_t *r, const char *field, bool *v) {
  uint8_t b;
  int status = host_r_u8(r, field, &b);
  if (status != 0)
    return status;
  if (b > 1)
    return host_r_fail(r, -EBADMSG, "%s is %u; a boolean is 0 or 1", field,
                       (unsigned)b);
  *v = (b == 1);
  return 0;
}

int host_r_str(host_reader_t *r, const char *field, int width, size_t max,
               const uint8_t **s, size_t *len) {
  int status = host_r_need(r, field, (size_t)width);
  if (status != 0)
    return status;
  size_t n = width == 1   ? r->p[0]
             : width == 2 ? host_get_u16(r->p)
                          : host_get_u32(r->p);
  if (n > max)
    return host_r_fail(r, -EBADMSG, "%s is %zu bytes long; at most %zu fit",
                       field, n, max);
  if (n > r->left - (size_t)width)
    return host_r_fail(r, -EBADMSG,
                       "%s is %zu bytes long; the body has %zu left", field, n,
                       r->left - (size_t)width);
  const uint8_t *text = r->p + width;
  if (n > 0 && memchr(text, '\0', n) != NULL)
    return host_r_fail(r, -EBADMSG, "%s holds a NUL byte", field);
  *s = text;
  *len = n;
  r->p += (size_t)width + n;
  r->left -= (size_t)width + n;
  return 0;
}

int host_r_str_copy(host_reader_t *r, const char *field, int width, size_t max,
                    char *dst) {
  const uint8_t *s;
  size_t len;
  int status = host_r_str(r, field, width, max, &s, &len);
  if (status != 0)
    return status;
  if (len > 0)
    memcpy(dst, s, len);
  dst[len] = '\0';
  return 0;
}

int host_r_str_dup(host_reader_t *r, const char *field, int width, size_t max,
                   char **dst) {
  const uint8_t *s;
  size_t len;
  int status = host_r_str(r, field, width, max, &s, &len);
  if (status != 0)
    return status;
  char *copy = malloc(len + 1);
  if (copy == NULL)
    return host_r_fail(r, -ENOMEM, "%s: out of memory", field);
  if (len > 0)
    memcpy(copy, s, len);
  copy[len] = '\0';
  *dst = copy;
  return 0;
}

int host_r_count(host_reader_t *r, const char *field, int width, size_t max,
                 size_t min_size, size_t *n) {
  uint32_t v = 0;
  int status;
  if (width == 2) {
    uint16_t v16;
    status = host_r_u16(r, field, &v16);
    v = v16;
  } else {
    status = host_r_u32(r, field, &v);
  }
  if (status != 0)
    return status;
  if (v > max)
    return host_r_fail(r, -EBADMSG, "%s is %" PRIu32 "; at most %zu fit", field,
                       v, max);
  if (min_size > 0 && v > r->left / min_size)
    return host_r_fail(r, -EBADMSG,
                       "%s is %" PRIu32
                       ", at least %zu bytes each; the body has %zu left",
                       field, v, min_size, r->left);
  *n = v;
  return 0;
}

int host_r_end(host_reader_t *r) {
  if (r->left == 0)
    return 0;
  return host_r_fail(r, -EBADMSG, "%zu bytes follow the end of the message",
                     r->left);
}
