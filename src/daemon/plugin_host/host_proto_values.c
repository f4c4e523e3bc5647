/* Batches of value lists, the hot path of the plugin host protocol: VALUES
 * (dispatched in the host), WRITE (for a write plugin in the host) and
 * MISSING (for its missing callbacks: no values, as in process).
 *
 *   u32 count (1..262144), then per value list:
 *     u8-string host, plugin, plugin_instance, type, type_instance (..127)
 *     u64 time, u64 interval (cdtime_t)
 *     u16 values_len (..1024), values_len x u64 value (value_t's 8 bytes)
 *     u8 flags: bit 0 = meta data follows (host_proto_meta.c); no other bit
 *
 * A gauge with short names takes about 60 bytes. Values travel as their 8
 * bytes; what they mean (gauge, derive...) is types.db's, as in process.
 * Decoding reuses the batch's arrays: only meta data allocates. */
#include "collectd.h"

#include "plugin_host/host_proto.h"
#include "utils/common/common.h"

#define VL_FLAG_META 0x01

/* The smallest value list: five empty names, two times, a count, flags. */
#define VL_MIN_SIZE (5 + 8 + 8 + 2 + 1)

/* ---- encoding ------------------------------------------------------------ */

static void encode_vl(host_writer_t *w, const value_list_t *vl) {
  if (vl->values_len > HOST_PROTO_MAX_VALUES) {
    host_w_fail(w, -EINVAL, "value list has %zu values; at most %d fit",
                vl->values_len, HOST_PROTO_MAX_VALUES);
    return;
  }
  host_w_str(w, "host", 1, HOST_PROTO_MAX_NAME, vl->host);
  host_w_str(w, "plugin", 1, HOST_PROTO_MAX_NAME, vl->plugin);
  host_w_str(w, "plugin_instance", 1, HOST_PROTO_MAX_NAME, vl->plugin_instance);
  host_w_str(w, "type", 1, HOST_PROTO_MAX_NAME, vl->type);
  host_w_str(w, "type_instance", 1, HOST_PROTO_MAX_NAME, vl->type_instance);
  uint8_t *p = host_w_grow(w, 8 + 8 + 2 + 8 * vl->values_len + 1);
  if (p == NULL)
    return;
  host_put_u64(p, vl->time);
  host_put_u64(p + 8, vl->interval);
  host_put_u16(p + 16, (uint16_t)vl->values_len);
  p += 18;
  for (size_t i = 0; i < vl->values_len; i++, p += 8)
    host_put_u64(p, vl->values[i].absolute);
  *p = vl->meta != NULL ? VL_FLAG_META : 0;
  if (vl->meta != NULL)
    host_encode_meta(w, vl->meta);
}

void host_batch_begin(host_writer_t *w, host_msg_type_t type,
                      host_batch_enc_t *b) {
  assert(type == HOST_MSG_VALUES || type == HOST_MSG_WRITE ||
         type == HOST_MSG_MISSING);
  b->start = w->len;
  b->num = 0;
  host_frame_begin(w, type);
  host_w_u32(w, 0); /* the count, filled in by host_batch_end() */
}

int host_batch_add(host_writer_t *w, host_batch_enc_t *b,
                   const value_list_t *vl) {
  if (w->err != 0)
    return w->err;
  if (b->num >= HOST_PROTO_MAX_BATCH)
    return -EMSGSIZE;
  size_t before = w->len;
  encode_vl(w, vl);
  int err = w->err;
  if (err != 0) {
    /* Nothing of it stays, and the frame goes on. */
    w->len = before;
    w->err = 0;
    return err;
  }
  b->num++;
  return 0;
}

int host_batch_end(host_writer_t *w, host_batch_enc_t *b) {
  if (w->err == 0 && b->num == 0)
    host_w_fail(w, -EINVAL, "a batch of no value lists");
  if (w->err == 0)
    host_put_u32(w->buf + b->start + HOST_PROTO_HEADER_SIZE, b->num);
  return host_frame_end(w);
}

int host_batch_push(host_writer_t *w, host_msg_type_t type,
                    host_batch_enc_t *b, bool *open, const value_list_t *vl) {
  if (!*open) {
    host_batch_begin(w, type, b);
    *open = true;
  }
  int status = host_batch_add(w, b, vl);
  if (status != -EMSGSIZE)
    return status;
  /* The frame is full: another one. */
  host_batch_end(w, b);
  host_batch_begin(w, type, b);
  return host_batch_add(w, b, vl);
}

void host_batch_close(host_writer_t *w, host_batch_enc_t *b, bool *open) {
  if (*open)
    host_batch_end(w, b);
  *open = false;
}

int host_encode_values(host_writer_t *w, host_msg_type_t type,
                       const value_list_t *vls, size_t num) {
  host_batch_enc_t b;
  host_batch_begin(w, type, &b);
  for (size_t i = 0; i < num && w->err == 0; i++) {
    int err = host_batch_add(w, &b, &vls[i]);
    if (err != 0) {
      char why[sizeof(w->reason)];
      sstrncpy(why, err == -EMSGSIZE ? "the frame is full" : w->reason,
               sizeof(why));
      host_w_fail(w, err, "value list %zu: %s", i, why);
    }
  }
  return host_batch_end(w, &b);
}

/* ---- decoding ------------------------------------------------------------ */

void host_vl_batch_clear(host_vl_batch_t *batch) {
  for (size_t i = 0; i < batch->num; i++) {
    meta_data_destroy(batch->vl[i].meta);
    batch->vl[i].meta = NULL;
  }
  batch->num = 0;
  batch->values_num = 0;
}

void host_vl_batch_free(host_vl_batch_t *batch) {
  host_vl_batch_clear(batch);
  free(batch->vl);
  free(batch->values);
  *batch = (host_vl_batch_t){0};
}

static int reserve(host_reader_t *r, void **arr, size_t *cap, size_t need,
                   size_t size) {
  if (need <= *cap)
    return 0;
  size_t n = *cap > 0 ? *cap : 64;
  while (n < need)
    n *= 2;
  void *p = realloc(*arr, n * size);
  if (p == NULL)
    return host_r_fail(r, -ENOMEM, "out of memory for %zu items", n);
  *arr = p;
  *cap = n;
  return 0;
}

/* The five names, the times and the count: its fixed fields in one go. */
static int decode_vl(host_reader_t *r, host_vl_batch_t *batch,
                     value_list_t *vl) {
  int status = host_r_str_copy(r, "host", 1, HOST_PROTO_MAX_NAME, vl->host);
  if (status == 0)
    status = host_r_str_copy(r, "plugin", 1, HOST_PROTO_MAX_NAME, vl->plugin);
  if (status == 0)
    status = host_r_str_copy(r, "plugin_instance", 1, HOST_PROTO_MAX_NAME,
                             vl->plugin_instance);
  if (status == 0)
    status = host_r_str_copy(r, "type", 1, HOST_PROTO_MAX_NAME, vl->type);
  if (status == 0)
    status = host_r_str_copy(r, "type_instance", 1, HOST_PROTO_MAX_NAME,
                             vl->type_instance);
  if (status == 0)
    status = host_r_u64(r, "time", &vl->time);
  if (status == 0)
    status = host_r_u64(r, "interval", &vl->interval);
  size_t num = 0;
  if (status == 0)
    status = host_r_count(r, "values_len", 2, HOST_PROTO_MAX_VALUES, 8, &num);
  if (status == 0)
    status = reserve(r, (void **)&batch->values, &batch->values_cap,
                     batch->values_num + num, sizeof(value_t));
  if (status != 0)
    return status;

  /* Until the batch is complete, values holds an offset: the array may
   * still move. */
  vl->values = (value_t *)(uintptr_t)batch->values_num;
  vl->values_len = num;
  for (size_t i = 0; i < num; i++, r->p += 8)
    batch->values[batch->values_num + i].absolute = host_get_u64(r->p);
  r->left -= 8 * num;
  batch->values_num += num;

  uint8_t flags;
  status = host_r_u8(r, "flags", &flags);
  if (status != 0)
    return status;
  if ((flags & ~VL_FLAG_META) != 0)
    return host_r_fail(r, -EBADMSG, "unknown flags 0x%02x", (unsigned)flags);
  if (flags & VL_FLAG_META)
    return host_decode_meta(r, &vl->meta);
  return 0;
}

int host_decode_values(host_reader_t *r, host_vl_batch_t *batch) {
  host_vl_batch_clear(batch);
  size_t num;
  int status =
      host_r_count(r, "count", 4, HOST_PROTO_MAX_BATCH, VL_MIN_SIZE, &num);
  if (status != 0)
    return status;
  if (num == 0)
    return host_r_fail(r, -EBADMSG, "a batch of no value lists");
  status =
      reserve(r, (void **)&batch->vl, &batch->cap, num, sizeof(value_list_t));
  for (size_t i = 0; i < num && status == 0; i++) {
    value_list_t *vl = &batch->vl[i];
    vl->meta = NULL;
    batch->num = i + 1; /* so that clearing frees its meta data */
    host_r_enter(r, "value list", i);
    status = decode_vl(r, batch, vl);
    host_r_leave(r);
  }
  if (status != 0) {
    host_vl_batch_clear(batch);
    return status;
  }
  for (size_t i = 0; i < num; i++) {
    size_t at = (size_t)(uintptr_t)batch->vl[i].values;
    batch->vl[i].values =
        batch->vl[i].values_len > 0 ? &batch->values[at] : NULL;
  }
  return 0;
}
