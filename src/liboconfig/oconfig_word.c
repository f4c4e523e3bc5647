/* What an unquoted word means.
 *
 * collectd 5.12 reads unquoted text with a flex scanner: at each position
 * it takes the longest of these tokens (ties go to the rule listed first):
 *   boolean  true false yes no on off       (lower case only)
 *   number   0[xX]hex+ | [+-]?digit+ | [+-]?digit*.digit+([eE][+-]digit+)?
 *   address  an IPv4 dotted quad (parts 0..255, no leading zero) or an
 *            IPv6 address; both are strings
 *   string   [A-Za-z0-9_]+
 * and silently drops any other character. So "1e3" is a string, "010" is
 * ten (numbers go through strtod), "True" is a string, and "10;" is 10.
 * We verified each of these with `collectd -f -C` on Debian's 5.12.
 *
 * A word here is what the scanner hands over: a run of characters up to a
 * blank, quote, '<', '>', '/' or '#'. We cut it into the pieces collectd
 * would, and keep collectd's result when it is one value: a word of one
 * piece, optionally followed by characters collectd drops ("10;", "x,").
 * Words that collectd turns into several values ("1.2.3" -> 1.2 and .3,
 * "foo.bar" -> foo and bar) or whose start it drops ("*.conf" -> conf) are
 * refused: whatever the author meant, it was not that. A word made only of
 * dropped characters (a stray ";") is ignored, as in collectd. */
#include "liboconfig/oconfig_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ASCII only, whatever locale the daemon runs in. */
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_xdigit(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_plain(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }

static size_t span_max(const char *p, bool (*class)(int), size_t max) {
  size_t n = 0;
  while (n < max && p[n] != '\0' && class((unsigned char)p[n]))
    n++;
  return n;
}

/* Every span below but the address one stops within what the longest
 * piece at that position takes, so that scanning a word is linear. */
static size_t span(const char *p, bool (*class)(int)) {
  return span_max(p, class, SIZE_MAX);
}

static size_t match_plain(const char *p) { return span(p, is_plain); }

static size_t match_boolean(const char *p) {
  static const char *const words[] = {"true", "false", "yes",
                                      "no",   "on",    "off"};
  size_t best = 0;
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    size_t n = strlen(words[i]);
    if (n > best && strncmp(p, words[i], n) == 0)
      best = n;
  }
  return best;
}

static size_t match_hex(const char *p) {
  if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
    return 0;
  size_t n = span(p + 2, is_xdigit);
  return n > 0 ? 2 + n : 0;
}

static size_t match_decimal(const char *p) {
  size_t sign = (p[0] == '+' || p[0] == '-') ? 1 : 0;
  size_t n = span(p + sign, is_digit);
  return n > 0 ? sign + n : 0;
}

static size_t match_float(const char *p) {
  size_t n = (p[0] == '+' || p[0] == '-') ? 1 : 0;
  n += span(p + n, is_digit);
  if (p[n] != '.')
    return 0;
  size_t frac = span(p + n + 1, is_digit);
  if (frac == 0)
    return 0;
  n += 1 + frac;
  if ((p[n] == 'e' || p[n] == 'E') && (p[n + 1] == '+' || p[n + 1] == '-')) {
    size_t exp = span(p + n + 2, is_digit);
    if (exp > 0)
      n += 2 + exp;
  }
  return n;
}

/* One part of a dotted quad: 25[0-5] | 2[0-4][0-9] | 1[0-9][0-9] |
 * [1-9]?[0-9]. Returns the longest valid prefix of the n digits at p. */
static size_t octet_prefix(const char *p, size_t n) {
  for (size_t len = n < 3 ? n : 3; len > 0; len--) {
    if (len > 1 && p[0] == '0')
      continue;
    int v = 0;
    for (size_t i = 0; i < len; i++)
      v = v * 10 + (p[i] - '0');
    if (v <= 255)
      return len;
  }
  return 0;
}

static size_t match_ipv4(const char *p) {
  size_t n = 0;
  for (int part = 0; part < 4; part++) {
    size_t digits = span(p + n, is_digit);
    if (part < 3) { /* must be exactly the digits before the dot */
      if (digits == 0 || octet_prefix(p + n, digits) != digits ||
          p[n + digits] != '.')
        return 0;
      n += digits + 1;
    } else {
      size_t len = octet_prefix(p + n, digits);
      return len > 0 ? n + len : 0;
    }
  }
  return 0;
}

static bool is_ipv6_char(int c) { return is_xdigit(c) || c == ':' || c == '.'; }

/* The longest prefix that inet_pton() takes as an IPv6 address; this is
 * how collectd's address pattern behaves on every case we compared. The
 * span is bounded: hex digits, ':' and '.' run on in words like
 * "a.a.a.a...", where no piece takes them all, and an unbounded span at
 * every position made a 10 MB word take hours. */
static size_t match_ipv6(const char *p) {
  /* What no address starts with, answered without inet_pton(): a word of
   * dots and colons would otherwise cost dozens of calls per byte. */
  if (p[0] == '.' || (p[0] == ':' && p[1] != ':'))
    return 0;
  size_t n = span_max(p, is_ipv6_char, INET6_ADDRSTRLEN);
  if (memchr(p, ':', n) == NULL) /* the common case: not an address */
    return 0;
  char buf[INET6_ADDRSTRLEN + 1];
  struct in6_addr addr;
  for (; n >= 2; n--) {
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (strchr(buf, ':') != NULL && inet_pton(AF_INET6, buf, &addr) == 1)
      return n;
  }
  return 0;
}

/* The longest token at p, as collectd's scanner would take it. */
static size_t match_piece(const char *p, oc_piece_type_t *type) {
  struct {
    size_t len;
    oc_piece_type_t type;
  } candidates[] = {
      /* in collectd's order of preference for equal lengths */
      {match_boolean(p), OC_PIECE_BOOLEAN}, {match_hex(p), OC_PIECE_NUMBER},
      {match_decimal(p), OC_PIECE_NUMBER},  {match_float(p), OC_PIECE_NUMBER},
      {match_ipv4(p), OC_PIECE_ADDRESS},    {match_ipv6(p), OC_PIECE_ADDRESS},
      {match_plain(p), OC_PIECE_PLAIN},
  };
  size_t best = 0;
  for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
    if (candidates[i].len > best) {
      best = candidates[i].len;
      *type = candidates[i].type;
    }
  }
  return best;
}

void oc_word_scan(const char *word, oc_word_t *w) {
  *w = (oc_word_t){.pieces = 0};
  for (size_t pos = 0; word[pos] != '\0';) {
    oc_piece_type_t type = OC_PIECE_PLAIN;
    size_t len = match_piece(word + pos, &type);
    if (len == 0) { /* collectd drops this character */
      if (w->pieces == 0)
        w->dropped_before = true;
      else
        w->dropped_after = true;
      pos++;
      continue;
    }
    if (w->pieces++ == 0) {
      w->start = pos;
      w->len = len;
      w->type = type;
    } else {
      return; /* two pieces: refused, whatever the rest holds */
    }
    w->dropped_after = false; /* what was dropped lies between pieces */
    pos += len;
  }
}

/* strtod() in the "C" locale: a daemon or plugin calling setlocale() must
 * not change what "1.5" means. glibc hands out a static object for "C". */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static int parse_number(const char *text, double *ret) {
  pthread_once(&c_locale_once, c_locale_init);
  if (c_locale == (locale_t)0)
    return -ENOMEM;
  char *end = NULL;
  errno = 0;
  double d = strtod_l(text, &end, c_locale);
  if (end == text || *end != '\0')
    return -EINVAL; /* cannot happen for a matched number piece */
  if (errno == ERANGE && isinf(d))
    return -ERANGE; /* "1.0e+999" is a typo; collectd would use inf */
  *ret = d;
  return 0;
}

int oc_word_value(const char *word, const oc_word_t *w, oconfig_value_t *v) {
  char *text = strndup(word + w->start, w->len);
  if (text == NULL)
    return -ENOMEM;

  int status = 0;
  switch (w->type) {
  case OC_PIECE_BOOLEAN:
    *v = (oconfig_value_t){.type = OCONFIG_TYPE_BOOLEAN,
                           .value.boolean = strcmp(text, "true") == 0 ||
                                            strcmp(text, "yes") == 0 ||
                                            strcmp(text, "on") == 0};
    break;
  case OC_PIECE_NUMBER: {
    double d = 0;
    status = parse_number(text, &d);
    if (status == 0)
      *v = (oconfig_value_t){.type = OCONFIG_TYPE_NUMBER, .value.number = d};
    break;
  }
  case OC_PIECE_ADDRESS:
  case OC_PIECE_PLAIN:
    *v = (oconfig_value_t){.type = OCONFIG_TYPE_STRING, .value.string = text};
    return 0; /* text now belongs to *v */
  }
  free(text);
  return status;
}
