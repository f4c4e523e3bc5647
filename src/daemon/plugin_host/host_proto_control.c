/* The small messages of the plugin host protocol: the host's HELLO, READY
 * and STATUS, the daemon's READ and FLUSH, and LOG. (INIT and SHUTDOWN
 * have no body.)
 *
 *   HELLO   u32 version, i32 pid (> 0), u8-string plugin (1..127 bytes)
 *   READY   i32 status (-4095..0), u32 callbacks (HOST_CB_*),
 *           u16-string reason (..1023)
 *   STATUS  i32 status (-4095..0), u16 reply_to (a known type),
 *           u16-string reason (..1023)
 *   READ    u64 when (cdtime_t; 0: now)
 *   FLUSH   u64 timeout (cdtime_t), u8 has_identifier (0/1),
 *           [u16-string identifier (..1023)]
 *   LOG     u8 severity (0..7), u16-string message (..1023) */
#include "collectd.h"

#include "plugin_host/host_proto.h"

/* ---- HELLO --------------------------------------------------------------- */

int host_encode_hello(host_writer_t *w, const host_hello_t *hello) {
  host_frame_begin(w, HOST_MSG_HELLO);
  host_w_u32(w, hello->version);
  host_w_u32(w, (uint32_t)hello->pid);
  host_w_str(w, "plugin", 1, HOST_PROTO_MAX_NAME, hello->plugin);
  return host_frame_end(w);
}

int host_decode_hello(host_reader_t *r, host_hello_t *hello) {
  uint32_t pid;
  int status = host_r_u32(r, "version", &hello->version);
  if (status == 0)
    status = host_r_u32(r, "pid", &pid);
  if (status != 0)
    return status;
  if (pid == 0 || pid > INT32_MAX)
    return host_r_fail(r, -EBADMSG, "pid %" PRId32 " is not a process id",
                       (int32_t)pid);
  hello->pid = (int32_t)pid;
  status = host_r_str_copy(r, "plugin", 1, HOST_PROTO_MAX_NAME, hello->plugin);
  if (status == 0 && hello->plugin[0] == '\0')
    return host_r_fail(r, -EBADMSG, "the plugin name is empty");
  return status;
}

/* ---- READY and STATUS ---------------------------------------------------- */

static int decode_status_code(host_reader_t *r, int32_t *code) {
  uint32_t v;
  int status = host_r_u32(r, "status", &v);
  if (status != 0)
    return status;
  int32_t s = (int32_t)v;
  if (s > 0 || s < HOST_PROTO_MIN_STATUS)
    return host_r_fail(r, -EBADMSG,
                       "status %" PRId32 " is not 0 or a negative errno", s);
  *code = s;
  return 0;
}

int host_encode_ready(host_writer_t *w, const host_ready_t *ready) {
  host_frame_begin(w, HOST_MSG_READY);
  host_w_u32(w, (uint32_t)ready->status);
  host_w_u32(w, ready->callbacks);
  host_w_str(w, "reason", 2, HOST_PROTO_MAX_TEXT, ready->reason);
  return host_frame_end(w);
}

int host_decode_ready(host_reader_t *r, host_ready_t *ready) {
  int status = decode_status_code(r, &ready->status);
  if (status == 0)
    status = host_r_u32(r, "callbacks", &ready->callbacks);
  if (status != 0)
    return status;
  if ((ready->callbacks & ~HOST_CB_ALL) != 0)
    return host_r_fail(r, -EBADMSG, "unknown callback kinds 0x%" PRIx32,
                       ready->callbacks & ~HOST_CB_ALL);
  return host_r_str_copy(r, "reason", 2, HOST_PROTO_MAX_TEXT, ready->reason);
}

int host_encode_status(host_writer_t *w, const host_status_t *st) {
  host_frame_begin(w, HOST_MSG_STATUS);
  host_w_u32(w, (uint32_t)st->status);
  host_w_u16(w, st->reply_to);
  host_w_str(w, "reason", 2, HOST_PROTO_MAX_TEXT, st->reason);
  return host_frame_end(w);
}

int host_decode_status(host_reader_t *r, host_status_t *st) {
  int status = decode_status_code(r, &st->status);
  if (status == 0)
    status = host_r_u16(r, "reply_to", &st->reply_to);
  if (status != 0)
    return status;
  if (st->reply_to == HOST_MSG_NONE || host_msg_name(st->reply_to) == NULL)
    return host_r_fail(r, -EBADMSG, "reply_to %u is not a message type",
                       (unsigned)st->reply_to);
  return host_r_str_copy(r, "reason", 2, HOST_PROTO_MAX_TEXT, st->reason);
}

/* ---- READ and FLUSH ------------------------------------------------------ */

int host_encode_read(host_writer_t *w, const host_read_t *read) {
  host_frame_begin(w, HOST_MSG_READ);
  host_w_u64(w, read->when);
  return host_frame_end(w);
}

int host_decode_read(host_reader_t *r, host_read_t *read) {
  return host_r_u64(r, "when", &read->when);
}

int host_encode_flush(host_writer_t *w, const host_flush_t *flush) {
  host_frame_begin(w, HOST_MSG_FLUSH);
  host_w_u64(w, flush->timeout);
  host_w_u8(w, flush->has_identifier ? 1 : 0);
  if (flush->has_identifier)
    host_w_str(w, "identifier", 2, HOST_PROTO_MAX_TEXT, flush->identifier);
  return host_frame_end(w);
}

int host_decode_flush(host_reader_t *r, host_flush_t *flush) {
  int status = host_r_u64(r, "timeout", &flush->timeout);
  if (status == 0)
    status = host_r_bool(r, "has_identifier", &flush->has_identifier);
  if (status != 0 || !flush->has_identifier)
    return status;
  return host_r_str_copy(r, "identifier", 2, HOST_PROTO_MAX_TEXT,
                         flush->identifier);
}

/* ---- LOG ----------------------------------------------------------------- */

#define HOST_LOG_MAX_SEVERITY 7 /* LOG_DEBUG */

int host_encode_log(host_writer_t *w, const host_log_t *log) {
  host_frame_begin(w, HOST_MSG_LOG);
  if (log->severity > HOST_LOG_MAX_SEVERITY)
    host_w_fail(w, -EINVAL, "severity %u is not a syslog priority",
                (unsigned)log->severity);
  host_w_u8(w, log->severity);
  host_w_str(w, "message", 2, HOST_PROTO_MAX_TEXT, log->message);
  return host_frame_end(w);
}

int host_decode_log(host_reader_t *r, host_log_t *log) {
  int status = host_r_u8(r, "severity", &log->severity);
  if (status != 0)
    return status;
  if (log->severity > HOST_LOG_MAX_SEVERITY)
    return host_r_fail(r, -EBADMSG,
                       "severity %u is not a syslog priority (0 to 7)",
                       (unsigned)log->severity);
  return host_r_str_copy(r, "message", 2, HOST_PROTO_MAX_TEXT, log->message);
}
