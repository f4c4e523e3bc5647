/* The protocol between the daemon and a plugin host: the frame, the
 * message types, their limits and their C forms, and the encoder and
 * decoder of each message.
 *
 * A frame is an 8-byte header and a body:
 *
 *   u32 length  of the body, at most HOST_PROTO_MAX_BODY
 *   u16 type    a host_msg_type_t
 *   u16 flags   reserved: 0 (anything else is refused, so that a later
 *               version can give them a meaning after HELLO)
 *
 * Integers are little-endian and fixed width (see host_wire.h for strings
 * and doubles). The host is untrusted: every decoder checks every length
 * against the bytes left and the limits below, never reads past the body,
 * refuses trailing bytes, and returns 0 or a negative errno with a reason:
 *   -EBADMSG   a malformed body (truncated, a length that overruns, a
 *              value out of range, a limit exceeded)
 *   -EMSGSIZE  a frame header announcing more than HOST_PROTO_MAX_BODY
 *   -EPROTO    an unknown type or reserved flags set
 *   -ENOMEM    out of memory
 * A body the decoder accepts is canonical: encoding the decoded message
 * gives back the same bytes. */
#ifndef PLUGIN_HOST_HOST_PROTO_H
#define PLUGIN_HOST_HOST_PROTO_H

#include "plugin.h"

#include "plugin_host/host_wire.h"

#pragma GCC visibility push(hidden)

#define HOST_PROTO_VERSION 1

/* ---- limits -------------------------------------------------------------- */

#define HOST_PROTO_HEADER_SIZE 8
#define HOST_PROTO_MAX_FRAME (16u * 1024 * 1024) /* header and body */
#define HOST_PROTO_MAX_BODY (HOST_PROTO_MAX_FRAME - HOST_PROTO_HEADER_SIZE)
/* Identifier fields, plugin names, notification meta names: what fits in
 * the daemon's char[DATA_MAX_NAME_LEN]. */
#define HOST_PROTO_MAX_NAME (DATA_MAX_NAME_LEN - 1)
/* Reasons, log messages (plugin_log() formats into 1024 bytes), flush
 * identifiers, meta data keys, configuration keys. */
#define HOST_PROTO_MAX_TEXT 1023
/* A notification's message. */
#define HOST_PROTO_MAX_MESSAGE (NOTIF_MAX_MSG_LEN - 1)
/* String values: of meta data, notification meta data, configuration. */
#define HOST_PROTO_MAX_STRING (1024 * 1024)
#define HOST_PROTO_MAX_VALUES 1024  /* values in one value list */
#define HOST_PROTO_MAX_BATCH 262144 /* value lists in one frame */
#define HOST_PROTO_MAX_META 256     /* entries of one meta data */
/* The configuration parser nests blocks 128 deep; with the root above them
 * and the options inside the deepest block, a tree is 130 items deep. */
#define HOST_PROTO_MAX_CONFIG_DEPTH 130
#define HOST_PROTO_MAX_CONFIG_ITEMS 65536  /* in one CONFIG */
#define HOST_PROTO_MAX_CONFIG_VALUES 65536 /* in one CONFIG */

/* ---- message types ------------------------------------------------------- */

/* Every message: its type, its number on the wire (never reused) and its
 * name in reasons and logs. Who may send each, and when, is host_table.c's
 * business. */
#define HOST_MSG_LIST(X)                                                       \
  X(HELLO, 1, "HELLO")                                                         \
  X(READY, 2, "READY")                                                         \
  X(STATUS, 3, "STATUS")                                                       \
  X(CONFIG, 4, "CONFIG")                                                       \
  X(INIT, 5, "INIT")                                                           \
  X(READ, 6, "READ")                                                           \
  X(WRITE, 7, "WRITE")                                                         \
  X(FLUSH, 8, "FLUSH")                                                         \
  X(SHUTDOWN, 9, "SHUTDOWN")                                                   \
  X(VALUES, 10, "VALUES")                                                      \
  X(NOTIFICATION, 11, "NOTIFICATION")                                          \
  X(LOG, 12, "LOG")                                                           \
  X(MISSING, 13, "MISSING")

typedef enum {
  HOST_MSG_NONE = 0,
#define HOST__MSG_ENUM(id, num, str) HOST_MSG_##id = num,
  HOST_MSG_LIST(HOST__MSG_ENUM)
#undef HOST__MSG_ENUM
      HOST_MSG_COUNT
} host_msg_type_t;

/* The name of a type, or NULL for a number that is not one. */
const char *host_msg_name(unsigned type);

/* ---- frames -------------------------------------------------------------- */

typedef struct {
  uint32_t len; /* of the body */
  uint16_t type;
  uint16_t flags;
} host_frame_t;

/* Looks at the start of a byte stream. Returns 1 when a whole frame is
 * there (*f is its header, *body its body, *used the bytes it takes), 0 when
 * more bytes are needed, or a negative errno with a reason when the header
 * is bad (no later byte can make it good: the stream is broken). */
int host_frame_next(const uint8_t *buf, size_t len, host_frame_t *f,
                    const uint8_t **body, size_t *used, char *err,
                    size_t errlen);

/* Starts a frame of `type` in w (its length is filled in by the end), and
 * ends it. host_frame_end() returns the writer's first error, if any, after
 * dropping the frame, and clears it: the writer holds only whole frames. */
void host_frame_begin(host_writer_t *w, host_msg_type_t type);
int host_frame_end(host_writer_t *w);

/* ---- messages ------------------------------------------------------------ */

/* HELLO, host to daemon, first: who it is. */
typedef struct {
  uint32_t version;                     /* HOST_PROTO_VERSION */
  int32_t pid;                          /* > 0 */
  char plugin[HOST_PROTO_MAX_NAME + 1]; /* not empty */
} host_hello_t;

/* The callbacks a plugin registered, reported in READY: the daemon stands
 * in for these (a write callback in the host gets WRITE, and so on). */
#define HOST_CB_CONFIG (1u << 0)
#define HOST_CB_INIT (1u << 1)
#define HOST_CB_READ (1u << 2)
#define HOST_CB_WRITE (1u << 3)
#define HOST_CB_FLUSH (1u << 4)
#define HOST_CB_MISSING (1u << 5)
#define HOST_CB_CACHE_EVENT (1u << 6)
#define HOST_CB_LOG (1u << 7)
#define HOST_CB_NOTIFICATION (1u << 8)
#define HOST_CB_SHUTDOWN (1u << 9)
#define HOST_CB_ALL ((1u << 10) - 1)

/* A status is 0 or a negative errno (-4095 at the lowest). */
#define HOST_PROTO_MIN_STATUS (-4095)

/* READY, host to daemon: the plugin's module_register() ran (status 0) or
 * the plugin could not be loaded (status < 0, and the reason). */
typedef struct {
  int32_t status;
  uint32_t callbacks; /* HOST_CB_* */
  char reason[HOST_PROTO_MAX_TEXT + 1];
} host_ready_t;

/* STATUS, host to daemon: the outcome of a request (CONFIG, INIT, READ,
 * WRITE, FLUSH, SHUTDOWN); which requests are answered is the handlers'
 * business. */
typedef struct {
  int32_t status;
  uint16_t reply_to; /* a request's host_msg_type_t */
  char reason[HOST_PROTO_MAX_TEXT + 1];
} host_status_t;

/* READ, daemon to host: run the plugin's read callbacks for the interval
 * that starts at `when` (0: now). */
typedef struct {
  cdtime_t when;
} host_read_t;

/* FLUSH, daemon to host: plugin_flush()'s arguments. */
typedef struct {
  cdtime_t timeout;
  bool has_identifier; /* false: flush everything */
  char identifier[HOST_PROTO_MAX_TEXT + 1];
} host_flush_t;

/* LOG, either way: a host's plugin logs, or a log callback in a host gets
 * the daemon's log messages. */
typedef struct {
  uint8_t severity; /* LOG_ERR...: a syslog priority, 0 to 7 */
  char message[HOST_PROTO_MAX_TEXT + 1];
} host_log_t;

/* VALUES (host to daemon: dispatched values), WRITE and MISSING (daemon to
 * host: for the plugin's write callbacks, and for its missing callbacks the
 * identifiers that left the daemon's cache) carry a batch of value lists. The decoder
 * fills this and keeps its arrays from one frame to the next, so that the
 * hot path allocates nothing but meta data: vl[i].values points into
 * `values`, vl[i].meta is owned by the batch. */
typedef struct {
  value_list_t *vl;
  size_t num;
  size_t cap;
  value_t *values;
  size_t values_num;
  size_t values_cap;
} host_vl_batch_t;

/* One decoded message. CONFIG's tree, NOTIFICATION's meta data and the
 * batch's meta data belong to it until host_msg_clear(). */
typedef struct {
  host_msg_type_t type;
  union {
    host_hello_t hello;
    host_ready_t ready;
    host_status_t status;
    oconfig_item_t *config; /* a whole tree, freed with oconfig_free() */
    host_read_t read;
    host_flush_t flush;
    notification_t notif;
    host_log_t log;
  } u;
  host_vl_batch_t batch; /* VALUES, WRITE and MISSING */
} host_msg_t;

void host_msg_init(host_msg_t *m);
/* Frees what the last message holds; keeps the batch's arrays. */
void host_msg_clear(host_msg_t *m);
/* Frees everything; host_msg_init() makes m usable again. */
void host_msg_destroy(host_msg_t *m);

/* Decodes the body of a frame whose header host_frame_next() accepted into
 * m (which it clears first). On failure m holds nothing to free and err
 * says why. */
int host_msg_decode(const host_frame_t *f, const uint8_t *body, host_msg_t *m,
                    char *err, size_t errlen);
/* Appends m as one frame. Returns 0 or a negative errno (w->reason says
 * why); on failure w is as it was. */
int host_msg_encode(host_writer_t *w, const host_msg_t *m);

/* ---- the encoder of each message ----------------------------------------
 * Each appends one whole frame to w and returns 0, or a negative errno with
 * w->reason, leaving w as it was. */
int host_encode_hello(host_writer_t *w, const host_hello_t *hello);
int host_encode_ready(host_writer_t *w, const host_ready_t *ready);
int host_encode_status(host_writer_t *w, const host_status_t *status);
int host_encode_config(host_writer_t *w, const oconfig_item_t *ci);
int host_encode_read(host_writer_t *w, const host_read_t *read);
int host_encode_flush(host_writer_t *w, const host_flush_t *flush);
int host_encode_log(host_writer_t *w, const host_log_t *log);
int host_encode_notification(host_writer_t *w, const notification_t *n);
/* INIT and SHUTDOWN have an empty body. */
int host_encode_empty(host_writer_t *w, host_msg_type_t type);
/* VALUES or WRITE with vls[0..num). */
int host_encode_values(host_writer_t *w, host_msg_type_t type,
                       const value_list_t *vls, size_t num);

/* Building a batch one value list at a time, as a sender does: begin, add
 * until add says -EMSGSIZE (the frame is full: end it, begin another and
 * add that value list again) or nothing is left, end. An add that fails
 * adds nothing and leaves the frame as it was: -EINVAL for a value list
 * that cannot be encoded (w->reason says why; skip it), -ENOMEM. */
typedef struct {
  size_t start; /* of the frame in w */
  uint32_t num; /* value lists in it so far */
} host_batch_enc_t;

void host_batch_begin(host_writer_t *w, host_msg_type_t type,
                      host_batch_enc_t *b);
int host_batch_add(host_writer_t *w, host_batch_enc_t *b,
                   const value_list_t *vl);
int host_batch_end(host_writer_t *w, host_batch_enc_t *b);

/* The same for a sender that queues value lists as they come and sends
 * whenever it can: appends vl to the batch of `type` open in w, opening
 * one first if *open is false, and another when the open one is full.
 * Fails as host_batch_add() does. host_batch_close() ends the open batch,
 * if any, before another frame or before w is sent. */
int host_batch_push(host_writer_t *w, host_msg_type_t type,
                    host_batch_enc_t *b, bool *open, const value_list_t *vl);
void host_batch_close(host_writer_t *w, host_batch_enc_t *b, bool *open);

/* ---- the decoder of each body (host_msg_decode() calls them) ------------ */
int host_decode_hello(host_reader_t *r, host_hello_t *hello);
int host_decode_ready(host_reader_t *r, host_ready_t *ready);
int host_decode_status(host_reader_t *r, host_status_t *status);
int host_decode_config(host_reader_t *r, oconfig_item_t **ret);
int host_decode_read(host_reader_t *r, host_read_t *read);
int host_decode_flush(host_reader_t *r, host_flush_t *flush);
int host_decode_log(host_reader_t *r, host_log_t *log);
int host_decode_notification(host_reader_t *r, notification_t *n);
int host_decode_values(host_reader_t *r, host_vl_batch_t *batch);

/* Frees the meta data of the batch's value lists and empties it. */
void host_vl_batch_clear(host_vl_batch_t *batch);
void host_vl_batch_free(host_vl_batch_t *batch);

/* meta_data_t on the wire (host_proto_meta.c): a u16 count and the entries.
 * A count of 0 decodes to an empty meta_data_t, not to NULL. */
int host_encode_meta(host_writer_t *w, meta_data_t *md);
int host_decode_meta(host_reader_t *r, meta_data_t **ret);

#pragma GCC visibility pop

#endif /* PLUGIN_HOST_HOST_PROTO_H */
