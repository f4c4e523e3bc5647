/* Frames of the plugin host protocol, and the one place that maps a frame
 * type to its message's encoder and decoder. */
#include "collectd.h"

#include "plugin_host/host_proto.h"

static const char *const msg_names[HOST_MSG_COUNT] = {
#define HOST__MSG_NAME(id, num, str) [num] = str,
    HOST_MSG_LIST(HOST__MSG_NAME)
#undef HOST__MSG_NAME
};

const char *host_msg_name(unsigned type) {
  return type < HOST_MSG_COUNT ? msg_names[type] : NULL;
}

/* ---- frames -------------------------------------------------------------- */

int host_frame_next(const uint8_t *buf, size_t len, host_frame_t *f,
                    const uint8_t **body, size_t *used, char *err,
                    size_t errlen) {
  if (len < HOST_PROTO_HEADER_SIZE)
    return 0;
  host_frame_t h = {
      .len = host_get_u32(buf),
      .type = host_get_u16(buf + 4),
      .flags = host_get_u16(buf + 6),
  };
  const char *name = host_msg_name(h.type);
  if (name == NULL) {
    snprintf(err, errlen, "frame of unknown type %u", (unsigned)h.type);
    return -EPROTO;
  }
  if (h.flags != 0) {
    snprintf(err, errlen, "%s: reserved flags are 0x%04x; they must be 0", name,
             (unsigned)h.flags);
    return -EPROTO;
  }
  if (h.len > HOST_PROTO_MAX_BODY) {
    snprintf(err, errlen, "%s: the body is %" PRIu32 " bytes long; at most %u",
             name, h.len, (unsigned)HOST_PROTO_MAX_BODY);
    return -EMSGSIZE;
  }
  if (len - HOST_PROTO_HEADER_SIZE < h.len)
    return 0;
  *f = h;
  *body = buf + HOST_PROTO_HEADER_SIZE;
  *used = HOST_PROTO_HEADER_SIZE + (size_t)h.len;
  return 1;
}

void host_frame_begin(host_writer_t *w, host_msg_type_t type) {
  assert(w->frame == SIZE_MAX);
  size_t start = w->len;
  uint8_t *p = host_w_grow(w, HOST_PROTO_HEADER_SIZE);
  w->frame = start;
  if (p == NULL)
    return;
  host_put_u32(p, 0);
  host_put_u16(p + 4, (uint16_t)type);
  host_put_u16(p + 6, 0);
}

int host_frame_end(host_writer_t *w) {
  assert(w->frame != SIZE_MAX);
  size_t start = w->frame;
  w->frame = SIZE_MAX;
  int err = w->err;
  if (err != 0) {
    w->len = start;
    w->err = 0;
    return err;
  }
  host_put_u32(w->buf + start,
               (uint32_t)(w->len - start - HOST_PROTO_HEADER_SIZE));
  return 0;
}

int host_encode_empty(host_writer_t *w, host_msg_type_t type) {
  host_frame_begin(w, type);
  return host_frame_end(w);
}

/* ---- messages ------------------------------------------------------------ */

void host_msg_init(host_msg_t *m) { *m = (host_msg_t){0}; }

void host_msg_clear(host_msg_t *m) {
  switch (m->type) {
  case HOST_MSG_CONFIG:
    oconfig_free(m->u.config);
    break;
  case HOST_MSG_NOTIFICATION:
    plugin_notification_meta_free(m->u.notif.meta);
    break;
  default:
    break;
  }
  host_vl_batch_clear(&m->batch);
  host_vl_batch_t batch = m->batch;
  *m = (host_msg_t){.batch = batch};
}

void host_msg_destroy(host_msg_t *m) {
  host_msg_clear(m);
  host_vl_batch_free(&m->batch);
  host_msg_init(m);
}

static int decode_body(host_reader_t *r, host_msg_type_t type, host_msg_t *m) {
  switch (type) {
  case HOST_MSG_HELLO:
    return host_decode_hello(r, &m->u.hello);
  case HOST_MSG_READY:
    return host_decode_ready(r, &m->u.ready);
  case HOST_MSG_STATUS:
    return host_decode_status(r, &m->u.status);
  case HOST_MSG_CONFIG:
    return host_decode_config(r, &m->u.config);
  case HOST_MSG_READ:
    return host_decode_read(r, &m->u.read);
  case HOST_MSG_FLUSH:
    return host_decode_flush(r, &m->u.flush);
  case HOST_MSG_LOG:
    return host_decode_log(r, &m->u.log);
  case HOST_MSG_NOTIFICATION:
    return host_decode_notification(r, &m->u.notif);
  case HOST_MSG_VALUES:
  case HOST_MSG_WRITE:
  case HOST_MSG_MISSING:
    return host_decode_values(r, &m->batch);
  case HOST_MSG_INIT:
  case HOST_MSG_SHUTDOWN:
    return 0; /* the body must be empty: host_r_end() checks */
  case HOST_MSG_NONE:
  case HOST_MSG_COUNT:
    break;
  }
  return host_r_fail(r, -EPROTO, "no decoder for this type");
}

int host_msg_decode(const host_frame_t *f, const uint8_t *body, host_msg_t *m,
                    char *err, size_t errlen) {
  host_msg_clear(m);
  const char *name = host_msg_name(f->type);
  if (name == NULL || f->type == HOST_MSG_NONE) {
    snprintf(err, errlen, "frame of unknown type %u", (unsigned)f->type);
    return -EPROTO;
  }
  host_reader_t r;
  host_reader_init(&r, name, body, f->len, err, errlen);
  /* The type is set first, so that clearing frees what a decoder left in
   * the message when it failed half-way. */
  m->type = (host_msg_type_t)f->type;
  int status = decode_body(&r, m->type, m);
  if (status == 0)
    status = host_r_end(&r);
  if (status != 0)
    host_msg_clear(m);
  return status;
}

int host_msg_encode(host_writer_t *w, const host_msg_t *m) {
  switch (m->type) {
  case HOST_MSG_HELLO:
    return host_encode_hello(w, &m->u.hello);
  case HOST_MSG_READY:
    return host_encode_ready(w, &m->u.ready);
  case HOST_MSG_STATUS:
    return host_encode_status(w, &m->u.status);
  case HOST_MSG_CONFIG:
    return host_encode_config(w, m->u.config);
  case HOST_MSG_READ:
    return host_encode_read(w, &m->u.read);
  case HOST_MSG_FLUSH:
    return host_encode_flush(w, &m->u.flush);
  case HOST_MSG_LOG:
    return host_encode_log(w, &m->u.log);
  case HOST_MSG_NOTIFICATION:
    return host_encode_notification(w, &m->u.notif);
  case HOST_MSG_VALUES:
  case HOST_MSG_WRITE:
  case HOST_MSG_MISSING:
    return host_encode_values(w, m->type, m->batch.vl, m->batch.num);
  case HOST_MSG_INIT:
  case HOST_MSG_SHUTDOWN:
    return host_encode_empty(w, m->type);
  case HOST_MSG_NONE:
  case HOST_MSG_COUNT:
    break;
  }
  snprintf(w->reason, sizeof(w->reason), "no encoder for type %d",
           (int)m->type);
  return -EINVAL;
}
