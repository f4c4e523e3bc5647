/* Turning identifiers, value lists and notifications into text or into
 * their initial state. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils_cache.h"

/* A cursor over a fixed-size output buffer. Overflow is sticky: once
 * something did not fit, nothing more is written and the caller fails. */
typedef struct {
  char *buf;
  size_t size;
  size_t len;
  bool overflow;
} outbuf_t;

static void out_str(outbuf_t *out, const char *str) {
  size_t n = (str != NULL) ? strlen(str) : 0;
  if (out->overflow || out->len + n >= out->size) {
    out->overflow = true;
    return;
  }
  memcpy(out->buf + out->len, str, n);
  out->len += n;
  out->buf[out->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
out_printf(outbuf_t *out, const char *format, ...) {
  if (out->overflow)
    return;
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(out->buf + out->len, out->size - out->len, format, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= out->size - out->len) {
    out->overflow = true; /* the truncated piece stays, as with snprintf */
    return;
  }
  out->len += (size_t)n;
}

static bool is_set(const char *s) { return s != NULL && s[0] != '\0'; }

int format_name(char *ret, int ret_len, const char *hostname,
                const char *plugin, const char *plugin_instance,
                const char *type, const char *type_instance) {
  if (ret == NULL || ret_len <= 0)
    return ENOBUFS;

  outbuf_t out = {.buf = ret, .size = (size_t)ret_len};
  ret[0] = '\0';

  out_str(&out, hostname);
  out_str(&out, "/");
  out_str(&out, plugin);
  if (is_set(plugin_instance)) {
    out_str(&out, "-");
    out_str(&out, plugin_instance);
  }
  out_str(&out, "/");
  out_str(&out, type);
  if (is_set(type_instance)) {
    out_str(&out, "-");
    out_str(&out, type_instance);
  }
  return out.overflow ? ENOBUFS : 0;
}

static int format_value(outbuf_t *out, int ds_type, const value_t *v) {
  switch (ds_type) {
  case DS_TYPE_GAUGE:
    out_printf(out, ":" GAUGE_FORMAT, v->gauge);
    return 0;
  case DS_TYPE_COUNTER:
    out_printf(out, ":%" PRIu64, (uint64_t)v->counter);
    return 0;
  case DS_TYPE_DERIVE:
    out_printf(out, ":%" PRIi64, v->derive);
    return 0;
  case DS_TYPE_ABSOLUTE:
    out_printf(out, ":%" PRIu64, v->absolute);
    return 0;
  }
  ERROR("format_values: unknown data source type %d", ds_type);
  return -1;
}

int format_values(char *ret, size_t ret_len, const data_set_t *ds,
                  const value_list_t *vl, bool store_rates) {
  if (ret == NULL || ret_len == 0 || ds == NULL || vl == NULL)
    return -1;
  if (strcmp(ds->type, vl->type) != 0 || vl->values_len < ds->ds_num) {
    ERROR("format_values: value list of type `%s' does not match data set "
          "`%s'",
          vl->type, ds->type);
    return -1;
  }

  outbuf_t out = {.buf = ret, .size = ret_len};
  memset(ret, 0, ret_len);
  gauge_t *rates = NULL; /* fetched once, on the first non-gauge */
  int status = 0;

  out_printf(&out, "%.3f", CDTIME_T_TO_DOUBLE(vl->time));
  for (size_t i = 0; i < ds->ds_num && status == 0; i++) {
    int type = ds->ds[i].type;
    if (!store_rates || type == DS_TYPE_GAUGE) {
      status = format_value(&out, type, &vl->values[i]);
      continue;
    }
    if (rates == NULL)
      rates = uc_get_rate(ds, vl);
    if (rates == NULL) {
      WARNING("format_values: uc_get_rate failed");
      status = -1;
      break;
    }
    out_printf(&out, ":" GAUGE_FORMAT, rates[i]);
  }
  free(rates);

  if (status == 0 && out.overflow)
    status = -1;
  return status;
}

int notification_init(notification_t *n, int severity, const char *message,
                      const char *host, const char *plugin,
                      const char *plugin_instance, const char *type,
                      const char *type_instance) {
  memset(n, 0, sizeof(*n));
  n->severity = severity;

  /* sstrncpy() treats NULL as "", so absent fields stay empty. */
  sstrncpy(n->message, message, sizeof(n->message));
  sstrncpy(n->host, host, sizeof(n->host));
  sstrncpy(n->plugin, plugin, sizeof(n->plugin));
  sstrncpy(n->plugin_instance, plugin_instance, sizeof(n->plugin_instance));
  sstrncpy(n->type, type, sizeof(n->type));
  sstrncpy(n->type_instance, type_instance, sizeof(n->type_instance));
  return 0;
}
