/* meta_data_t on the plugin host's wire, every type the daemon supports:
 *
 *   u16 count (..256), then per entry:
 *     u16-string key (..1023), u8 type (MD_TYPE_*), and the value:
 *       STRING        u32-string (..1 MiB)
 *       SIGNED_INT    u64 (two's complement)
 *       UNSIGNED_INT  u64
 *       DOUBLE        u64 (its bits)
 *       BOOLEAN       u8 (0/1)
 *
 * Entries keep the order meta_data_toc() gives. Keys are unique without
 * regard to case, as in meta_data_t itself: a repeated key is refused, so
 * that nothing the sender wrote is silently replaced. */
#include "collectd.h"

#include "plugin_host/host_proto.h"

static void encode_entry(host_writer_t *w, meta_data_t *md, const char *key) {
  int type = meta_data_type(md, key);
  host_w_str(w, "meta data key", 2, HOST_PROTO_MAX_TEXT, key);
  host_w_u8(w, (uint8_t)type);
  int status = -EINVAL;
  switch (type) {
  case MD_TYPE_STRING: {
    char *s = NULL;
    status = meta_data_get_string(md, key, &s);
    if (status == 0)
      host_w_str(w, "meta data string", 4, HOST_PROTO_MAX_STRING, s);
    free(s);
    break;
  }
  case MD_TYPE_SIGNED_INT: {
    int64_t v = 0;
    status = meta_data_get_signed_int(md, key, &v);
    host_w_u64(w, (uint64_t)v);
    break;
  }
  case MD_TYPE_UNSIGNED_INT: {
    uint64_t v = 0;
    status = meta_data_get_unsigned_int(md, key, &v);
    host_w_u64(w, v);
    break;
  }
  case MD_TYPE_DOUBLE: {
    double v = 0;
    status = meta_data_get_double(md, key, &v);
    host_w_f64(w, v);
    break;
  }
  case MD_TYPE_BOOLEAN: {
    bool v = false;
    status = meta_data_get_boolean(md, key, &v);
    host_w_u8(w, v ? 1 : 0);
    break;
  }
  }
  if (status != 0)
    host_w_fail(w, status < 0 ? status : -EINVAL,
                "meta data entry \"%s\" could not be read (type %d)", key,
                type);
}

int host_encode_meta(host_writer_t *w, meta_data_t *md) {
  char **toc = NULL;
  int num = meta_data_toc(md, &toc);
  if (num < 0)
    return host_w_fail(w, num, "meta data: no table of contents");
  if (num > HOST_PROTO_MAX_META)
    host_w_fail(w, -EINVAL, "meta data has %d entries; at most %d fit", num,
                HOST_PROTO_MAX_META);
  host_w_u16(w, (uint16_t)num);
  for (int i = 0; i < num; i++) {
    if (w->err == 0)
      encode_entry(w, md, toc[i]);
    free(toc[i]);
  }
  free(toc);
  return w->err;
}

static int decode_entry(host_reader_t *r, meta_data_t *md) {
  char key[HOST_PROTO_MAX_TEXT + 1];
  uint8_t type;
  int status = host_r_str_copy(r, "key", 2, HOST_PROTO_MAX_TEXT, key);
  if (status == 0)
    status = host_r_u8(r, "type", &type);
  if (status != 0)
    return status;
  if (meta_data_exists(md, key))
    return host_r_fail(r, -EBADMSG, "key \"%s\" is there twice", key);

  uint64_t u = 0;
  switch (type) {
  case MD_TYPE_STRING: {
    char *s = NULL;
    status = host_r_str_dup(r, "string", 4, HOST_PROTO_MAX_STRING, &s);
    if (status != 0)
      return status;
    status = meta_data_add_string(md, key, s);
    free(s);
    break;
  }
  case MD_TYPE_SIGNED_INT:
    status = host_r_u64(r, "signed int", &u);
    if (status == 0)
      status = meta_data_add_signed_int(md, key, (int64_t)u);
    break;
  case MD_TYPE_UNSIGNED_INT:
    status = host_r_u64(r, "unsigned int", &u);
    if (status == 0)
      status = meta_data_add_unsigned_int(md, key, u);
    break;
  case MD_TYPE_DOUBLE: {
    double d;
    status = host_r_f64(r, "double", &d);
    if (status == 0)
      status = meta_data_add_double(md, key, d);
    break;
  }
  case MD_TYPE_BOOLEAN: {
    bool b;
    status = host_r_bool(r, "boolean", &b);
    if (status == 0)
      status = meta_data_add_boolean(md, key, b);
    break;
  }
  default:
    return host_r_fail(r, -EBADMSG, "type %u is not a meta data type",
                       (unsigned)type);
  }
  /* A reader's failure has its reason already; the rest is the store's. */
  if (status != 0 && r->errlen > 0 && r->err[0] == '\0')
    host_r_fail(r, status < 0 ? status : -ENOMEM, "key \"%s\": not stored",
                key);
  return status < 0 ? status : (status > 0 ? -ENOMEM : 0);
}

int host_decode_meta(host_reader_t *r, meta_data_t **ret) {
  size_t num;
  /* An entry is at least a key's length, a type and a byte of value. */
  int status =
      host_r_count(r, "meta data count", 2, HOST_PROTO_MAX_META, 4, &num);
  if (status != 0)
    return status;
  meta_data_t *md = meta_data_create();
  if (md == NULL)
    return host_r_fail(r, -ENOMEM, "meta data: out of memory");
  for (size_t i = 0; i < num && status == 0; i++) {
    host_r_enter(r, "meta data entry", i);
    status = decode_entry(r, md);
    host_r_leave(r);
  }
  if (status != 0) {
    meta_data_destroy(md);
    return status;
  }
  *ret = md;
  return 0;
}
