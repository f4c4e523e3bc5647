/* Value lists: "<time>:<value>[:<value>...]" in, daemon syntax out. */
#include "client_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int starts_like_number(const char *s) {
  return (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.';
}

static int parse_time(const char *s, double *ret, char *err, size_t errlen) {
  if (strcasecmp(s, "N") == 0) {
    *ret = 0;
    return 0;
  }
  /* An integer, as collectdctl(1) always took it; no '-': a time before
   * the epoch is a typo. */
  const char *digits = (*s == '+') ? s + 1 : s;
  if (*digits < '0' || *digits > '9')
    return cdc__error(err, errlen, -EINVAL,
                      "Failed to parse time as number: %s", s);
  errno = 0;
  char *end;
  unsigned long long t = strtoull(s, &end, 0);
  if (errno != 0)
    return cdc__error(err, errlen, -ERANGE, "Time out of range: %s", s);
  if (*end != '\0')
    return cdc__error(err, errlen, -EINVAL, "Garbage after time: %s", end);
  *ret = (double)t;
  return 0;
}

static int parse_value(const char *s, cdc_value_t *v, char *err,
                       size_t errlen) {
  if (strcasecmp(s, "U") == 0) {
    *v = (cdc_value_t){.kind = CDC_VALUE_UNDEF};
    return 0;
  }
  if (!starts_like_number(s))
    return cdc__error(err, errlen, -EINVAL,
                      "Failed to parse value as number: %s", s);

  char *end;
  errno = 0;
  if (strchr(s, '.') != NULL) {
    /* Overflow gives +-inf, which is what the number means to a gauge. */
    *v = (cdc_value_t){.kind = CDC_VALUE_REAL, .real = strtod(s, &end)};
    errno = 0;
  } else if (*s == '-') {
    long long i = strtoll(s, &end, 0);
    if (i < 0)
      *v = (cdc_value_t){.kind = CDC_VALUE_SIGNED, .i = i};
    else /* "-0" */
      *v = (cdc_value_t){.kind = CDC_VALUE_UNSIGNED, .u = 0};
  } else {
    *v = (cdc_value_t){.kind = CDC_VALUE_UNSIGNED,
                       .u = strtoull(s, &end, 0)};
  }
  if (end == s)
    return cdc__error(err, errlen, -EINVAL,
                      "Failed to parse value as number: %s", s);
  if (errno == ERANGE)
    return cdc__error(err, errlen, -ERANGE, "Value out of range: %s", s);
  if (*end != '\0')
    return cdc__error(err, errlen, -EINVAL, "Garbage after value: %s", end);
  return 0;
}

int cdc_value_list_parse(const char *str, cdc_value_list_t *vl, char *err,
                         size_t errlen) {
  if (str == NULL || vl == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  if (strchr(str, ':') == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid value list: %s", str);

  char *copy = strdup(str);
  size_t num = 0;
  for (const char *p = str; *p != '\0'; p++)
    num += (*p == ':');
  cdc_value_t *values = calloc(num, sizeof(*values));
  if (copy == NULL || values == NULL) {
    free(copy);
    free(values);
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }

  char *field = copy;
  char *colon = strchr(field, ':');
  *colon = '\0';
  double time = 0;
  int status = parse_time(field, &time, err, errlen);
  for (size_t i = 0; status == 0 && i < num; i++) {
    field = colon + 1;
    colon = strchr(field, ':');
    if (colon != NULL)
      *colon = '\0';
    status = parse_value(field, &values[i], err, errlen);
  }
  free(copy);
  if (status != 0) {
    free(values);
    return status;
  }
  vl->time = time;
  vl->values = values;
  vl->values_num = num;
  return 0;
}

void cdc_value_list_free(cdc_value_list_t *vl) {
  if (vl == NULL)
    return;
  free(vl->values);
  vl->values = NULL;
  vl->values_num = 0;
}

int cdc_value_format(const cdc_value_t *v, char *buf, size_t size, char *err,
                     size_t errlen) {
  if (v == NULL || buf == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  int n = -1;
  switch (v->kind) {
  case CDC_VALUE_UNDEF:
    n = snprintf(buf, size, "U");
    break;
  case CDC_VALUE_UNSIGNED:
    n = snprintf(buf, size, "%" PRIu64, v->u);
    break;
  case CDC_VALUE_SIGNED:
    n = snprintf(buf, size, "%" PRId64, v->i);
    break;
  case CDC_VALUE_REAL:
    /* The fewest digits that read back as the same double: 0.1 stays
     * "0.1", and no digit the user gave is lost. */
    for (int prec = 15; prec <= 17; prec++) {
      n = snprintf(buf, size, "%.*g", prec, v->real);
      if (n < 0 || (size_t)n >= size || strtod(buf, NULL) == v->real)
        break;
    }
    break;
  default:
    return cdc__error(err, errlen, -EINVAL, "Unknown value kind %d",
                      (int)v->kind);
  }
  if (n < 0 || (size_t)n >= size)
    return cdc__error(err, errlen, -ENOBUFS, "Buffer too small for a value");
  return 0;
}
