/* NOTIFICATION on the plugin host's wire: every field of notification_t,
 * its meta data included, either way (a host's plugin dispatches one, or a
 * notification callback in a host receives one).
 *
 *   i32 severity (carried as it is, as plugin_dispatch_notification() takes
 *       any), u64 time (cdtime_t), u16-string message (..255)
 *   u8-string host, plugin, plugin_instance, type, type_instance (..127)
 *   u16 meta count (..256), then per entry, in list order:
 *     u8-string name (..127), u8 type (NM_TYPE_*), and the value:
 *       STRING u32-string (..1 MiB); SIGNED_INT, UNSIGNED_INT, DOUBLE u64;
 *       BOOLEAN u8 (0/1)
 * The meta data of a notification is a list: a name may be there twice. */
#include "collectd.h"

#include "plugin_host/host_proto.h"

/* A name, a type and a byte of value at least. */
#define NM_MIN_SIZE 3

static void encode_meta(host_writer_t *w, const notification_meta_t *m) {
  host_w_str(w, "meta name", 1, HOST_PROTO_MAX_NAME, m->name);
  host_w_u8(w, (uint8_t)m->type);
  switch (m->type) {
  case NM_TYPE_STRING:
    host_w_str(w, "meta string", 4, HOST_PROTO_MAX_STRING,
               m->nm_value.nm_string);
    break;
  case NM_TYPE_SIGNED_INT:
    host_w_u64(w, (uint64_t)m->nm_value.nm_signed_int);
    break;
  case NM_TYPE_UNSIGNED_INT:
    host_w_u64(w, m->nm_value.nm_unsigned_int);
    break;
  case NM_TYPE_DOUBLE:
    host_w_f64(w, m->nm_value.nm_double);
    break;
  case NM_TYPE_BOOLEAN:
    host_w_u8(w, m->nm_value.nm_boolean ? 1 : 0);
    break;
  default:
    host_w_fail(w, -EINVAL, "meta \"%s\" has unknown type %d", m->name,
                (int)m->type);
  }
}

int host_encode_notification(host_writer_t *w, const notification_t *n) {
  host_frame_begin(w, HOST_MSG_NOTIFICATION);
  host_w_u32(w, (uint32_t)n->severity);
  host_w_u64(w, n->time);
  host_w_str(w, "message", 2, HOST_PROTO_MAX_MESSAGE, n->message);
  host_w_str(w, "host", 1, HOST_PROTO_MAX_NAME, n->host);
  host_w_str(w, "plugin", 1, HOST_PROTO_MAX_NAME, n->plugin);
  host_w_str(w, "plugin_instance", 1, HOST_PROTO_MAX_NAME, n->plugin_instance);
  host_w_str(w, "type", 1, HOST_PROTO_MAX_NAME, n->type);
  host_w_str(w, "type_instance", 1, HOST_PROTO_MAX_NAME, n->type_instance);
  size_t num = 0;
  for (const notification_meta_t *m = n->meta; m != NULL; m = m->next)
    num++;
  if (num > HOST_PROTO_MAX_META)
    host_w_fail(w, -EINVAL, "%zu meta entries; at most %d fit", num,
                HOST_PROTO_MAX_META);
  host_w_u16(w, (uint16_t)num);
  for (const notification_meta_t *m = n->meta; m != NULL && w->err == 0;
       m = m->next)
    encode_meta(w, m);
  return host_frame_end(w);
}

static int decode_meta(host_reader_t *r, notification_t *n) {
  char name[HOST_PROTO_MAX_NAME + 1];
  uint8_t type;
  int status = host_r_str_copy(r, "name", 1, HOST_PROTO_MAX_NAME, name);
  if (status == 0)
    status = host_r_u8(r, "type", &type);
  if (status != 0)
    return status;

  uint64_t u = 0;
  switch (type) {
  case NM_TYPE_STRING: {
    char *s = NULL;
    status = host_r_str_dup(r, "string", 4, HOST_PROTO_MAX_STRING, &s);
    if (status != 0)
      return status;
    status = plugin_notification_meta_add_string(n, name, s);
    free(s);
    break;
  }
  case NM_TYPE_SIGNED_INT:
    status = host_r_u64(r, "signed int", &u);
    if (status == 0)
      status = plugin_notification_meta_add_signed_int(n, name, (int64_t)u);
    break;
  case NM_TYPE_UNSIGNED_INT:
    status = host_r_u64(r, "unsigned int", &u);
    if (status == 0)
      status = plugin_notification_meta_add_unsigned_int(n, name, u);
    break;
  case NM_TYPE_DOUBLE: {
    double d;
    status = host_r_f64(r, "double", &d);
    if (status == 0)
      status = plugin_notification_meta_add_double(n, name, d);
    break;
  }
  case NM_TYPE_BOOLEAN: {
    bool b;
    status = host_r_bool(r, "boolean", &b);
    if (status == 0)
      status = plugin_notification_meta_add_boolean(n, name, b);
    break;
  }
  default:
    return host_r_fail(r, -EBADMSG, "type %u is not a meta data type",
                       (unsigned)type);
  }
  if (status != 0 && r->errlen > 0 && r->err[0] == '\0')
    host_r_fail(r, -ENOMEM, "\"%s\": not stored", name);
  return status < 0 ? status : (status > 0 ? -ENOMEM : 0);
}

int host_decode_notification(host_reader_t *r, notification_t *n) {
  *n = (notification_t){0};
  uint32_t severity = 0;
  int status = host_r_u32(r, "severity", &severity);
  n->severity = (int)(int32_t)severity;
  if (status == 0)
    status = host_r_u64(r, "time", &n->time);
  if (status == 0)
    status =
        host_r_str_copy(r, "message", 2, HOST_PROTO_MAX_MESSAGE, n->message);
  if (status == 0)
    status = host_r_str_copy(r, "host", 1, HOST_PROTO_MAX_NAME, n->host);
  if (status == 0)
    status = host_r_str_copy(r, "plugin", 1, HOST_PROTO_MAX_NAME, n->plugin);
  if (status == 0)
    status = host_r_str_copy(r, "plugin_instance", 1, HOST_PROTO_MAX_NAME,
                             n->plugin_instance);
  if (status == 0)
    status = host_r_str_copy(r, "type", 1, HOST_PROTO_MAX_NAME, n->type);
  if (status == 0)
    status = host_r_str_copy(r, "type_instance", 1, HOST_PROTO_MAX_NAME,
                             n->type_instance);
  size_t num = 0;
  if (status == 0)
    status = host_r_count(r, "meta count", 2, HOST_PROTO_MAX_META, NM_MIN_SIZE,
                          &num);
  for (size_t i = 0; i < num && status == 0; i++) {
    host_r_enter(r, "meta entry", i);
    status = decode_meta(r, n);
    host_r_leave(r);
  }
  if (status != 0) {
    plugin_notification_meta_free(n->meta);
    n->meta = NULL;
  }
  return status;
}
