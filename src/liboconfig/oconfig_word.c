/* What an unquoted word means: a boolean, a number or a string.
 *
 * collectd 5.12 decides this in its scanner, token by token, and splits
 * words it has no rule for ("foo.bar" became the two strings "foo" and
 * "bar", "1.2.3" the numbers 1.2 and 0.3). We take whole words instead and
 * give every word collectd reads as one token the type collectd gives it:
 *  - exactly true, yes, on / false, no, off (lower case only: "True" and
 *    "ON" are strings in collectd) are booleans;
 *  - words of letters, digits and '_' are numbers only when they are
 *    decimal or 0x-hex integers, so "1e3", "0xg" and "08x" stay strings;
 *    "010" is ten, as in collectd (it is read as decimal);
 *  - [+-]digits and [+-]digits.digits with an optional signed exponent
 *    are numbers; a dotted quad of 0..255 parts is a string (an address).
 * Words collectd would have cut into pieces are ours to define:
 *  - one that starts like a number ([+-]?[.]?digit) and is made of number
 *    characters is a number if strtod() takes all of it ("5.", "1.5e3",
 *    "-0x10") and a "bad number" error otherwise ("1.2.3", "1-2");
 *  - anything else is an unquoted string: paths, "foo.bar", "-", "::1". */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ASCII only, whatever locale the daemon runs in. */
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_xdigit(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_key_char(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }

/* Letters, digits and '_' only: the words collectd's scanner reads whole. */
static bool is_plain_word(const char *w) {
  if (*w == '\0')
    return false;
  for (const char *p = w; *p != '\0'; p++)
    if (!is_key_char((unsigned char)*p))
      return false;
  return true;
}

static bool all_digits(const char *p, int (*class)(int)) {
  if (*p == '\0')
    return false;
  for (; *p != '\0'; p++)
    if (!class((unsigned char)*p))
      return false;
  return true;
}

static bool is_integer_or_hex(const char *w) {
  if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
    return all_digits(w + 2, is_xdigit);
  return all_digits(w, is_digit);
}

static size_t span_digits(const char *p) {
  size_t n = 0;
  while (is_digit((unsigned char)p[n]))
    n++;
  return n;
}

/* [+-]?[0-9]+  or  [+-]?[0-9]*\.[0-9]+([eE][+-][0-9]+)?  (collectd's). */
static bool is_peer_number(const char *w) {
  const char *p = w;
  if (*p == '+' || *p == '-')
    p++;
  size_t int_digits = span_digits(p);
  p += int_digits;
  if (*p == '\0')
    return int_digits > 0;
  if (*p != '.')
    return false;
  p++;
  size_t frac_digits = span_digits(p);
  if (frac_digits == 0)
    return false;
  p += frac_digits;
  if (*p == '\0')
    return true;
  if ((p[0] != 'e' && p[0] != 'E') || (p[1] != '+' && p[1] != '-'))
    return false;
  p += 2;
  size_t exp_digits = span_digits(p);
  return exp_digits > 0 && p[exp_digits] == '\0';
}

/* 25[0-5] | 2[0-4][0-9] | 1[0-9][0-9] | [1-9]?[0-9], four times. */
static bool is_ipv4(const char *w) {
  const char *p = w;
  for (int part = 0; part < 4; part++) {
    size_t n = span_digits(p);
    if (n == 0 || n > 3 || (n > 1 && p[0] == '0'))
      return false;
    if (strtol(p, NULL, 10) > 255)
      return false;
    p += n;
    if (part < 3 && *p++ != '.')
      return false;
  }
  return *p == '\0';
}

static bool is_number_char(int c) {
  return is_key_char(c) || c == '.' || c == '+' || c == '-';
}

static bool looks_numeric(const char *w) {
  const char *p = w;
  if (*p == '+' || *p == '-')
    p++;
  if (*p == '.')
    p++;
  if (!is_digit((unsigned char)*p))
    return false;
  for (p = w; *p != '\0'; p++)
    if (!is_number_char((unsigned char)*p))
      return false;
  return true;
}

/* strtod() in the "C" locale: a daemon or plugin calling setlocale() must
 * not change what "1.5" means. glibc hands out a static object for "C". */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static int parse_double(const char *w, double *ret) {
  pthread_once(&c_locale_once, c_locale_init);
  if (c_locale == (locale_t)0)
    return -ENOMEM;

  char *end = NULL;
  errno = 0;
  double d = strtod_l(w, &end, c_locale);
  if (end == w || *end != '\0')
    return -EINVAL;
  if (errno == ERANGE && isinf(d))
    return -ERANGE; /* "1.0e+999" is a typo, not infinity */
  *ret = d;
  return 0;
}

static int set_string(const char *w, oconfig_value_t *v) {
  char *s = strdup(w);
  if (s == NULL)
    return -ENOMEM;
  *v = (oconfig_value_t){.value.string = s, .type = OCONFIG_TYPE_STRING};
  return 0;
}

static int set_number(const char *w, oconfig_value_t *v) {
  double d;
  int status = parse_double(w, &d);
  if (status != 0)
    return (status == -ENOMEM || status == -ERANGE) ? status : -EINVAL;
  *v = (oconfig_value_t){.value.number = d, .type = OCONFIG_TYPE_NUMBER};
  return 0;
}

static int boolean_value(const char *w) {
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    if (strcmp(w, yes[i]) == 0)
      return 1;
    if (strcmp(w, no[i]) == 0)
      return 0;
  }
  return -1;
}

int oc_word_value(const char *w, oconfig_value_t *v) {
  int b = boolean_value(w);
  if (b >= 0) {
    *v = (oconfig_value_t){.value.boolean = b, .type = OCONFIG_TYPE_BOOLEAN};
    return 0;
  }
  if (is_plain_word(w))
    return is_integer_or_hex(w) ? set_number(w, v) : set_string(w, v);
  if (is_peer_number(w))
    return set_number(w, v);
  if (is_ipv4(w))
    return set_string(w, v);
  if (looks_numeric(w))
    return set_number(w, v);
  return set_string(w, v);
}

/* collectd reads a key as one plain word that is neither a number nor a
 * boolean: "1A" is a key, "1", "0x1F" and "true" are syntax errors. */
bool oc_word_is_key(const char *w) {
  return is_plain_word(w) && !is_integer_or_hex(w) && boolean_value(w) < 0;
}
