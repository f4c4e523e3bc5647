/* The two primitives every plugin host message is built from: a bounded
 * writer that grows one buffer of whole frames, and a bounded reader that
 * checks every length against the bytes left and against a limit before it
 * reads, and says in words where and why a body is malformed.
 *
 * Integers are little-endian and fixed width; a double travels as the u64
 * of its bits, so NaN payloads and negative zero survive. Strings travel as
 * a length (u8, u16 or u32) and the bytes, without a NUL; a NUL inside a
 * string is refused, since C strings could not carry it. */
#ifndef PLUGIN_HOST_HOST_WIRE_H
#define PLUGIN_HOST_HOST_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#pragma GCC visibility push(hidden)

/* ---- writer -------------------------------------------------------------- */

/* A buffer of complete frames plus, at most, one frame being built.
 * Writes never fail one by one: the first error is kept in `err` (with its
 * reason) and later writes do nothing, so an encoder checks once, at the
 * end of its frame. host_frame_end() then drops the failed frame, so that
 * `buf` only ever holds whole frames. */
typedef struct {
  uint8_t *buf;
  size_t len;
  size_t cap;
  size_t frame; /* where the open frame starts; SIZE_MAX: none is open */
  int err;      /* 0, -ENOMEM, -EMSGSIZE (frame too big) or -EINVAL */
  char reason[160];
} host_writer_t;

void host_writer_init(host_writer_t *w);
/* Frees the buffer; the writer can be initialised again. */
void host_writer_free(host_writer_t *w);
/* Forgets every frame (after they were sent), keeping the buffer. */
void host_writer_reset(host_writer_t *w);

/* Records the first error; returns it. */
int host_w_fail(host_writer_t *w, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Makes room for n more bytes and returns where they go, or NULL after an
 * error (recorded). The open frame may not grow beyond HOST_PROTO_MAX_FRAME:
 * that is -EMSGSIZE. */
uint8_t *host_w_grow(host_writer_t *w, size_t n);

static inline void host_w_u8(host_writer_t *w, uint8_t v) {
  uint8_t *p = host_w_grow(w, 1);
  if (p != NULL)
    p[0] = v;
}

static inline void host_put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline void host_put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static inline void host_put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static inline void host_w_u16(host_writer_t *w, uint16_t v) {
  uint8_t *p = host_w_grow(w, 2);
  if (p != NULL)
    host_put_u16(p, v);
}

static inline void host_w_u32(host_writer_t *w, uint32_t v) {
  uint8_t *p = host_w_grow(w, 4);
  if (p != NULL)
    host_put_u32(p, v);
}

static inline void host_w_u64(host_writer_t *w, uint64_t v) {
  uint8_t *p = host_w_grow(w, 8);
  if (p != NULL)
    host_put_u64(p, v);
}

static inline void host_w_f64(host_writer_t *w, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  host_w_u64(w, bits);
}

/* A string with a length prefix of `width` bytes (1, 2 or 4). A string
 * longer than `max` is -EINVAL, naming `field`. NULL is the empty string. */
void host_w_str(host_writer_t *w, const char *field, int width, size_t max,
                const char *s);

/* ---- reader -------------------------------------------------------------- */

/* Where in a message the reader is, for reasons: "value list 3",
 * "meta data entry 0". */
typedef struct {
  const char *label;
  size_t index;
} host_where_t;

#define HOST_WHERE_MAX 4

/* Reads one message body. Every read checks the bytes left first; a
 * failure writes "MSG: label i: label j: what is wrong" into err and
 * returns a negative errno (-EBADMSG for a malformed body). */
typedef struct {
  const uint8_t *p;
  size_t left;
  const char *msg; /* the message's name, first in every reason */
  host_where_t where[HOST_WHERE_MAX];
  size_t depth;
  char *err;
  size_t errlen;
} host_reader_t;

void host_reader_init(host_reader_t *r, const char *msg, const void *body,
                      size_t len, char *err, size_t errlen);

/* Writes the reason, prefixed with the message and the place; returns err. */
int host_r_fail(host_reader_t *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Enters a place ("value list", 3): reasons name it until host_r_leave().
 * Places deeper than HOST_WHERE_MAX are not named. */
static inline void host_r_enter(host_reader_t *r, const char *label,
                                size_t index) {
  if (r->depth < HOST_WHERE_MAX)
    r->where[r->depth] = (host_where_t){.label = label, .index = index};
  r->depth++;
}

static inline void host_r_leave(host_reader_t *r) { r->depth--; }

/* Fails unless n bytes are left, naming the field being read. */
int host_r_need(host_reader_t *r, const char *field, size_t n);
/* The reason when fewer than n bytes are left (the inline readers below
 * return -EBADMSG themselves, so that the compiler sees every path). */
void host_r_short(host_reader_t *r, const char *field, size_t n);

static inline uint16_t host_get_u16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t host_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}

static inline uint64_t host_get_u64(const uint8_t *p) {
  return (uint64_t)host_get_u32(p) | ((uint64_t)host_get_u32(p + 4) << 32);
}

static inline int host_r_u8(host_reader_t *r, const char *field, uint8_t *v) {
  if (r->left < 1) {
    host_r_short(r, field, 1);
    return -EBADMSG;
  }
  *v = r->p[0];
  r->p++;
  r->left--;
  return 0;
}

static inline int host_r_u16(host_reader_t *r, const char *field, uint16_t *v) {
  if (r->left < 2) {
    host_r_short(r, field, 2);
    return -EBADMSG;
  }
  *v = host_get_u16(r->p);
  r->p += 2;
  r->left -= 2;
  return 0;
}

static inline int host_r_u32(host_reader_t *r, const char *field, uint32_t *v) {
  if (r->left < 4) {
    host_r_short(r, field, 4);
    return -EBADMSG;
  }
  *v = host_get_u32(r->p);
  r->p += 4;
  r->left -= 4;
  return 0;
}

static inline int host_r_u64(host_reader_t *r, const char *field, uint64_t *v) {
  if (r->left < 8) {
    host_r_short(r, field, 8);
    return -EBADMSG;
  }
  *v = host_get_u64(r->p);
  r->p += 8;
  r->left -= 8;
  return 0;
}

static inline int host_r_f64(host_reader_t *r, const char *field, double *v) {
  uint64_t bits;
  int status = host_r_u64(r, field, &bits);
  if (status == 0)
    memcpy(v, &bits, sizeof(*v));
  return status;
}

/* A byte that must be 0 or 1. */
int host_r_bool(host_reader_t *r, const char *field, bool *v);

/* A string with a `width`-byte length of at most `max` bytes and no NUL:
 * *s points into the body (not terminated), *len is its length. */
int host_r_str(host_reader_t *r, const char *field, int width, size_t max,
               const uint8_t **s, size_t *len);
/* The same, copied into dst and terminated; dst holds max + 1 bytes. */
int host_r_str_copy(host_reader_t *r, const char *field, int width, size_t max,
                    char *dst);
/* The same, in a new allocation the caller frees. */
int host_r_str_dup(host_reader_t *r, const char *field, int width, size_t max,
                   char **dst);

/* A count of `width` bytes of at most `max` items of at least `min_size`
 * bytes each: a count that the bytes left cannot hold is refused before
 * anything is allocated for it. */
int host_r_count(host_reader_t *r, const char *field, int width, size_t max,
                 size_t min_size, size_t *n);

/* Fails if bytes are left after the message. */
int host_r_end(host_reader_t *r);

#pragma GCC visibility pop

#endif /* PLUGIN_HOST_HOST_WIRE_H */
