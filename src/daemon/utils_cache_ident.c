/* Identifiers: their hash and their formatted name.
 *
 * The hash is a function of the bytes of the formatted name
 * "host/plugin[-pi]/type[-ti]" only, so a value list and the name of the
 * same identifier hash alike. For a value list it is computed from the
 * fields in place, eight bytes at a time, without building the name: a
 * byte-at-a-time hash (FNV) took 40% of uc_update()'s instructions. */
#include "collectd.h"

#include "utils_cache_internal.h"

#include <endian.h>

/* The stream of name bytes, consumed as little-endian 64-bit words. */
typedef struct {
  uint64_t h;
  uint64_t carry; /* the last n bytes, not yet mixed, first byte lowest */
  unsigned n;     /* 0..7 */
  size_t len;     /* bytes fed so far */
} name_hash_t;

#define NAME_HASH_INIT                                                         \
  { .h = 0x9e3779b97f4a7c15ULL }

static inline void mix(name_hash_t *s, uint64_t w) {
  uint64_t h = (s->h ^ w) * 0xbf58476d1ce4e5b9ULL;
  s->h = h ^ (h >> 31);
}

static inline uint64_t load64(const char *p) {
  uint64_t w;
  memcpy(&w, p, sizeof(w));
  return le64toh(w);
}

/* Eight bytes. The carried bytes come first in the stream, so they take the
 * low end of the mixed word. */
static inline void feed_word(name_hash_t *s, uint64_t w) {
  if (s->n == 0) {
    mix(s, w);
  } else {
    mix(s, s->carry | (w << (8 * s->n)));
    s->carry = w >> (64 - 8 * s->n);
  }
  s->len += 8;
}

/* k < 8 bytes, in the low end of w (the rest zero). */
static inline void feed_tail(name_hash_t *s, uint64_t w, unsigned k) {
  unsigned total = s->n + k;
  s->carry |= w << (8 * s->n);
  if (total >= 8) { /* only possible with n > 0 */
    mix(s, s->carry);
    s->carry = w >> (64 - 8 * s->n);
    total -= 8;
  }
  s->n = total;
  s->len += k;
}

static inline uint64_t low_bytes(uint64_t w, size_t k) {
  return w & ((UINT64_C(1) << (8 * k)) - 1);
}

/* `len` bytes of a value list field. The field is an array of
 * DATA_MAX_NAME_LEN bytes, so reading a whole word for the tail stays
 * inside it (len <= DATA_MAX_NAME_LEN, a multiple of 8). */
static inline void feed_field(name_hash_t *s, const char *f, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    feed_word(s, load64(f + i));
  if (i < len)
    feed_tail(s, low_bytes(load64(f + i), len - i), (unsigned)(len - i));
}

static inline uint64_t finish(name_hash_t *s) {
  if (s->n > 0)
    mix(s, s->carry);
  /* The length tells "ab" from "ab\0" after zero padding; then murmur3's
   * final avalanche, since the low bits choose the bucket. */
  uint64_t h = s->h ^ s->len;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

static size_t field_len(const char *f) { return strnlen(f, DATA_MAX_NAME_LEN); }

uint64_t uc__hash_vl(const value_list_t *vl) {
  name_hash_t s = NAME_HASH_INIT;
  feed_field(&s, vl->host, field_len(vl->host));
  feed_tail(&s, '/', 1);
  feed_field(&s, vl->plugin, field_len(vl->plugin));
  if (vl->plugin_instance[0] != '\0') {
    feed_tail(&s, '-', 1);
    feed_field(&s, vl->plugin_instance, field_len(vl->plugin_instance));
  }
  feed_tail(&s, '/', 1);
  feed_field(&s, vl->type, field_len(vl->type));
  if (vl->type_instance[0] != '\0') {
    feed_tail(&s, '-', 1);
    feed_field(&s, vl->type_instance, field_len(vl->type_instance));
  }
  return finish(&s);
}

/* A name is an ordinary string: its tail is copied, not over-read. */
uint64_t uc__hash_name(const char *name) {
  name_hash_t s = NAME_HASH_INIT;
  size_t len = strlen(name);
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    feed_word(&s, load64(name + i));
  if (i < len) {
    uint64_t w = 0;
    memcpy(&w, name + i, len - i);
    feed_tail(&s, le64toh(w), (unsigned)(len - i));
  }
  return finish(&s);
}

/* Appends field f; returns the new end. */
static char *put_field(char *p, const char *f) {
  size_t len = field_len(f);
  memcpy(p, f, len);
  return p + len;
}

void uc__format_name(char *buffer, const value_list_t *vl) {
  char *p = put_field(buffer, vl->host);
  *p++ = '/';
  p = put_field(p, vl->plugin);
  if (vl->plugin_instance[0] != '\0') {
    *p++ = '-';
    p = put_field(p, vl->plugin_instance);
  }
  *p++ = '/';
  p = put_field(p, vl->type);
  if (vl->type_instance[0] != '\0') {
    *p++ = '-';
    p = put_field(p, vl->type_instance);
  }
  *p = '\0';
}
