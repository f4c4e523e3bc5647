/* The dispatch paths: values, multi-values, missing values, cache events,
 * notifications and flushes. Every path calls only callbacks whose plugin
 * is ready. */
#include "filter_chain/fc.h"
#include "plugin_carry.h"
#include "plugin_internal.h"
#include "utils/common/common.h"
#include "utils_cache.h"

/* As collectd 5.12 does before a value reaches the cache and the writers:
 * a '/' in a name would split it in a path or an identifier, so a name
 * that is just "/" becomes "root", a leading '/' goes and any other '/'
 * becomes '_' (df's "/" and "/var/log", processes' command lines...).
 * The type is not touched: one with a '/' is not in types.db anyway. */
static void normalise_names(value_list_t *vl) {
  char *names[] = {vl->host, vl->plugin, vl->plugin_instance,
                   vl->type_instance};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(names); i++)
    if (strchr(names[i], '/') != NULL)
      escape_slashes(names[i], DATA_MAX_NAME_LEN);
}

/* Checks vl against its data set and fills in what the caller left empty. */
static int values_prepare(const value_list_t *in, value_list_t *out,
                          const data_set_t **ret_ds) {
  /* An empty plugin name is allowed, as collectd allows it ("h//gauge"). */
  if (in == NULL || in->values == NULL || in->values_len == 0 ||
      in->type[0] == '\0') {
    ERROR("plugin_dispatch_values: invalid value list from \"%s\": %s",
          in != NULL ? in->plugin : "(null)",
          in == NULL || in->values == NULL || in->values_len == 0
              ? "no values"
              : "no type");
    return -EINVAL;
  }

  const data_set_t *ds = plugin_get_ds(in->type);
  if (ds == NULL) {
    ERROR("plugin_dispatch_values: type \"%s\" (from plugin \"%s\") is not "
          "in any types.db",
          in->type, in->plugin);
    return -ENOENT;
  }
  if (ds->ds_num != in->values_len) {
    ERROR("plugin_dispatch_values: type \"%s\" has %" PRIsz " data sources "
          "but plugin \"%s\" sent %" PRIsz " values",
          ds->type, ds->ds_num, in->plugin, in->values_len);
    return -EINVAL;
  }

  *out = *in;
  if (out->time == 0)
    out->time = cdtime();
  if (out->interval == 0)
    out->interval = plugin_get_interval();
  if (out->host[0] == '\0' && hostname_g != NULL)
    sstrncpy(out->host, hostname_g, sizeof(out->host));
  normalise_names(out); /* the host filled in too */
  *ret_ds = ds;
  return 0;
}

/* Updates the cache and queues the value for the write threads, with the
 * rates as it left them, for its write callbacks' uc_get_rate(). As in
 * collectd, a value the cache refuses (too old) is still written;
 * uc_update() has logged why. */
static int cache_and_queue(const data_set_t *ds, const value_list_t *vl) {
  gauge_t local[8];
  gauge_t *rates = vl->values_len <= STATIC_ARRAY_SIZE(local)
                       ? local
                       : calloc(vl->values_len, sizeof(*rates));
  bool have_rates = false;
  if (rates != NULL)
    uc__update_rates(ds, vl, rates, &have_rates);
  else
    uc_update(ds, vl);
  int status = plugin__write_enqueue(ds, vl, have_rates ? rates : NULL);
  if (rates != local)
    free(rates);
  return status;
}

/* The pre-cache chain may change a value list's names, values and meta
 * data, so it gets values and meta data of its own, not the caller's. */
static int dispatch_chained(fc_set_t *chains, const data_set_t *ds,
                            value_list_t *vl) {
  value_t local[8];
  value_t *values = vl->values_len <= STATIC_ARRAY_SIZE(local)
                        ? local
                        : calloc(vl->values_len, sizeof(*values));
  meta_data_t *meta = vl->meta != NULL ? meta_data_clone(vl->meta) : NULL;
  if (values == NULL || (vl->meta != NULL && meta == NULL)) {
    fc__release(chains);
    if (values != local)
      free(values);
    meta_data_destroy(meta);
    return -ENOMEM;
  }
  memcpy(values, vl->values, vl->values_len * sizeof(*values));
  vl->values = values;
  vl->meta = meta;

  bool keep = fc__pre_cache(chains, ds, vl);
  fc__release(chains);
  int status = keep ? cache_and_queue(ds, vl) : 0;
  /* What the chain left there: ours, or one a target put in its place. */
  meta_data_destroy(vl->meta);
  if (values != local)
    free(values);
  return status;
}

const plugin_forward_t *plugin__forward;

int plugin_dispatch_values(value_list_t const *vl) {
  value_list_t copy;
  const data_set_t *ds;
  int status = values_prepare(vl, &copy, &ds);
  if (status != 0)
    return status;
  if (plugin__forward != NULL)
    return plugin__forward->values(&copy);

  fc_set_t *chains = fc__pre_cache_acquire();
  if (chains != NULL)
    return dispatch_chained(chains, ds, &copy);
  return cache_and_queue(ds, &copy);
}

int plugin_dispatch_multivalue(value_list_t const *template,
                               bool store_percentage, int store_type, ...) {
  if (store_percentage && store_type != DS_TYPE_GAUGE) {
    ERROR("plugin_dispatch_multivalue: percentages need gauge values");
    return -EINVAL;
  }

  value_list_t vl = *template;
  value_t value;
  vl.values = &value;
  vl.values_len = 1;

  va_list ap;
  gauge_t sum = 0.0;
  if (store_percentage) {
    va_start(ap, store_type);
    while (va_arg(ap, char const *) != NULL) {
      gauge_t g = va_arg(ap, gauge_t);
      if (!isnan(g))
        sum += g;
    }
    va_end(ap);
    sstrncpy(vl.type, "percent", sizeof(vl.type));
  }

  int failed = 0;
  va_start(ap, store_type);
  for (char const *ti; (ti = va_arg(ap, char const *)) != NULL;) {
    sstrncpy(vl.type_instance, ti, sizeof(vl.type_instance));
    switch (store_type) {
    case DS_TYPE_GAUGE:
      value.gauge = va_arg(ap, gauge_t);
      if (store_percentage)
        value.gauge = sum != 0.0 ? value.gauge * 100.0 / sum : NAN;
      break;
    case DS_TYPE_DERIVE:
      value.derive = va_arg(ap, derive_t);
      break;
    case DS_TYPE_COUNTER:
      value.counter = va_arg(ap, counter_t);
      break;
    case DS_TYPE_ABSOLUTE:
      value.absolute = va_arg(ap, absolute_t);
      break;
    default:
      va_end(ap);
      ERROR("plugin_dispatch_multivalue: unknown store type %d", store_type);
      return -EINVAL;
    }
    if (plugin_dispatch_values(&vl) != 0)
      failed++;
  }
  va_end(ap);
  return failed;
}

int plugin_dispatch_missing(const value_list_t *vl) {
  cb_snapshot_t *s = cb_list_acquire(CB_MISSING);
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (!cb_begin(cb))
      continue;
    int status = CB_CALL(cb, missing, vl, &cb->ud);
    cb_end(cb);
    /* As in collectd 5.12, any status but 0 ends the walk: a positive one
     * asks that no later callback sees the value, a negative one is an
     * error (logged in 5.12's words, which log watchers may know). */
    if (status < 0)
      ERROR("plugin_dispatch_missing: Callback function \"%s\" failed with "
            "status %i.",
            cb->name, status);
    if (status != 0)
      break;
  }
  cb_list_release(s);
  return 0;
}

/* Calls one cache-event callback; its bit if it asked, on CE_VALUE_NEW,
 * for the value's updates and expiry, else 0. */
static unsigned long cache_event_call(callback_t *cb,
                                      enum cache_event_type_e event_type,
                                      const char *name,
                                      const value_list_t *vl) {
  if (!cb_begin(cb))
    return 0;
  cache_event_t event = {
      .type = event_type, .value_list = vl, .value_list_name = name, .ret = 0};
  int status = CB_CALL(cb, cache_event, &event, &cb->ud);
  cb_end(cb);
  if (status != 0)
    ERROR("cache event callback \"%s\" failed with status %d", cb->name,
          status);
  return (event_type == CE_VALUE_NEW && event.ret != 0) ? 1UL << cb->slot : 0;
}

void plugin__dispatch_cache_event(enum cache_event_type_e event_type,
                                  unsigned long callbacks_mask, uint64_t epoch,
                                  const char *name, const value_list_t *vl) {
  cb_snapshot_t *s = cb_list_acquire(CB_CACHE_EVENT);
  /* A slot may have changed hands since the mask was read: its bit was
   * cleared from every mask before the newcomer, who may be in `s`, got
   * it. Then the mask as it is now says who asked. */
  if (event_type != CE_VALUE_NEW && uc__callbacks_mask_epoch() != epoch)
    callbacks_mask &= uc__callbacks_mask_get(name);

  unsigned long interested = 0;
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (cb->slot < 0)
      continue;
    /* Every callback hears of a new value; only those that asked hear of
     * its updates and expiry. */
    if (event_type != CE_VALUE_NEW && !(callbacks_mask & (1UL << cb->slot)))
      continue;
    interested |= cache_event_call(cb, event_type, name, vl);
  }
  /* Recorded while `s` holds the callbacks: a slot is given back only once
   * its callback is freed, so no bit is set after its clearing. */
  if (interested != 0)
    uc__callbacks_mask_add(name, interested);
  cb_list_release(s);
}

void plugin_dispatch_cache_event(enum cache_event_type_e event_type,
                                 unsigned long callbacks_mask, const char *name,
                                 const value_list_t *vl) {
  /* The caller read the mask just now. */
  plugin__dispatch_cache_event(event_type, callbacks_mask,
                               uc__callbacks_mask_epoch(), name, vl);
}

/* ---- catching up on the cache ---------------------------------------------
 * collectd 5.12 registers every cache-event callback before the first
 * value arrives, so each hears CE_VALUE_NEW of every value. One that
 * appears later, with its plugin loaded or reloaded at run time, hears it
 * of the values already cached from plugin__cache_event_catch_up(). */

/* uc__foreach_copy() callback. A snapshot per value, not one for the
 * whole walk: a long walk must not keep the callbacks of a plugin being
 * unloaded meanwhile alive. */
static int catch_up_one(const char *name, const value_list_t *vl, void *owner) {
  if (!plugin__is_ready(owner))
    return -ECANCELED; /* it is being unloaded: no one to tell */
  cb_snapshot_t *s = cb_list_acquire(CB_CACHE_EVENT);
  unsigned long interested = 0;
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (cb->owner == owner && cb->slot >= 0)
      interested |= cache_event_call(cb, CE_VALUE_NEW, name, vl);
  }
  if (interested != 0)
    uc__callbacks_mask_add(name, interested);
  cb_list_release(s);
  return 0;
}

void plugin__cache_event_catch_up(plugin_t *p) {
  if (!cb_list_has_owner(CB_CACHE_EVENT, p))
    return;
  if (uc__foreach_copy(catch_up_one, p) == -ENOMEM)
    ERROR("%s: out of memory telling its cache event callbacks of the values "
          "already cached; some of them were left out",
          p != NULL ? p->name : "collectd");
}

int plugin_dispatch_notification(const notification_t *notif) {
  if (notif == NULL)
    return -EINVAL;
  /* In a plugin host, as plugin_log(): to the daemon and to the host's own
   * notification callbacks. */
  int status = 0;
  if (plugin__forward != NULL)
    status = plugin__forward->notification(notif);
  int local = plugin__notification_local(notif);
  return status != 0 ? status : local;
}

int plugin__notification_local(const notification_t *notif) {
  /* A notification plugin that is reloading gets it later (see
   * plugin_carry.h). */
  bool carrying = plugin__carry_enter();
  cb_snapshot_t *s = cb_list_acquire(CB_NOTIFICATION);
  size_t num = s != NULL ? s->num : 0;
  CARRY_TOOK(took, carrying, num);
  for (size_t i = 0; i < num; i++) {
    callback_t *cb = s->cb[i];
    if (!cb_begin_took(cb, took, i))
      continue;
    int status = CB_CALL(cb, notification, notif, &cb->ud);
    cb_end(cb);
    if (status != 0)
      WARNING("notification callback \"%s\" failed with status %d", cb->name,
              status);
  }
  if (took != NULL)
    plugin__carry_notification(s, took, notif);
  cb_list_release(s);
  plugin__carry_leave();
  return 0;
}

int plugin_flush(const char *plugin, cdtime_t timeout, const char *identifier) {
  cb_snapshot_t *s = cb_list_acquire(CB_FLUSH);
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (plugin != NULL && strcasecmp(plugin, cb->name) != 0)
      continue;
    if (!cb_begin(cb))
      continue;
    int status = CB_CALL(cb, flush, timeout, identifier, &cb->ud);
    cb_end(cb);
    if (status != 0)
      WARNING("flush callback \"%s\" failed with status %d", cb->name, status);
  }
  cb_list_release(s);
  return 0;
}

/* ---- notification meta data ---------------------------------------------- */

static int meta_add(notification_t *n, const char *name,
                    enum notification_meta_type_e type,
                    notification_meta_t **ret) {
  if (n == NULL || name == NULL)
    return -EINVAL;
  notification_meta_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return -ENOMEM;
  sstrncpy(m->name, name, sizeof(m->name));
  m->type = type;

  notification_meta_t **tail = &n->meta;
  while (*tail != NULL)
    tail = &(*tail)->next;
  *tail = m;
  *ret = m;
  return 0;
}

int plugin_notification_meta_add_string(notification_t *n, const char *name,
                                        const char *value) {
  if (value == NULL)
    return -EINVAL;
  char *copy = strdup(value);
  notification_meta_t *m;
  if (copy == NULL || meta_add(n, name, NM_TYPE_STRING, &m) != 0) {
    free(copy);
    return -ENOMEM;
  }
  m->nm_value.nm_string = copy;
  return 0;
}

#define NOTIF__META_ADD(suffix, ctype, tag, field)                             \
  int plugin_notification_meta_add_##suffix(notification_t *n,                 \
                                            const char *name, ctype value) {   \
    notification_meta_t *m;                                                    \
    int status = meta_add(n, name, tag, &m);                                   \
    if (status == 0)                                                           \
      m->nm_value.field = value;                                               \
    return status;                                                             \
  }
NOTIF__META_ADD(signed_int, int64_t, NM_TYPE_SIGNED_INT, nm_signed_int)
NOTIF__META_ADD(unsigned_int, uint64_t, NM_TYPE_UNSIGNED_INT, nm_unsigned_int)
NOTIF__META_ADD(double, double, NM_TYPE_DOUBLE, nm_double)
NOTIF__META_ADD(boolean, bool, NM_TYPE_BOOLEAN, nm_boolean)
#undef NOTIF__META_ADD

int plugin_notification_meta_copy(notification_t *dst,
                                  const notification_t *src) {
  if (dst == NULL || src == NULL)
    return -EINVAL;
  for (const notification_meta_t *m = src->meta; m != NULL; m = m->next) {
    int status;
    switch (m->type) {
    case NM_TYPE_STRING:
      status = plugin_notification_meta_add_string(dst, m->name,
                                                   m->nm_value.nm_string);
      break;
    case NM_TYPE_SIGNED_INT:
      status = plugin_notification_meta_add_signed_int(
          dst, m->name, m->nm_value.nm_signed_int);
      break;
    case NM_TYPE_UNSIGNED_INT:
      status = plugin_notification_meta_add_unsigned_int(
          dst, m->name, m->nm_value.nm_unsigned_int);
      break;
    case NM_TYPE_DOUBLE:
      status = plugin_notification_meta_add_double(dst, m->name,
                                                   m->nm_value.nm_double);
      break;
    case NM_TYPE_BOOLEAN:
      status = plugin_notification_meta_add_boolean(dst, m->name,
                                                    m->nm_value.nm_boolean);
      break;
    default:
      status = -EINVAL;
    }
    if (status != 0)
      return status;
  }
  return 0;
}

int plugin_notification_meta_free(notification_meta_t *n) {
  while (n != NULL) {
    notification_meta_t *next = n->next;
    if (n->type == NM_TYPE_STRING)
      free((char *)n->nm_value.nm_string);
    free(n);
    n = next;
  }
  return 0;
}
