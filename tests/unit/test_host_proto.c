/* The plugin host protocol (src/daemon/plugin_host/): every message goes
 * through its encoder and decoder and comes back equal, empty and maximal
 * fields included; every malformed frame is refused with a reason (cut at
 * every byte, lengths that overrun, oversized, unknown, too deep); and the
 * permission table says who may send what, when. */
#include "plugin_host/host_proto.h"
#include "plugin_host/host_table.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>

/* ---- helpers ------------------------------------------------------------- */

static host_writer_t w;
static host_msg_t msg;
static char err[512];

static void setup(void) {
  host_writer_init(&w);
  host_msg_init(&msg);
  err[0] = '\0';
}

static void teardown(void) {
  host_msg_destroy(&msg);
  host_writer_free(&w);
}

/* Decodes the one frame in buf into msg; returns the decoder's status. */
static int decode_buf(const uint8_t *buf, size_t len) {
  host_frame_t f;
  const uint8_t *body;
  size_t used = 0;
  err[0] = '\0';
  int status = host_frame_next(buf, len, &f, &body, &used, err, sizeof(err));
  if (status < 0)
    return status;
  ck_assert_int_eq(status, 1);
  ck_assert_uint_eq(used, len);
  return host_msg_decode(&f, body, &msg, err, sizeof(err));
}

/* Decodes what w holds (one frame), and checks that it is canonical: the
 * decoded message encodes to the same bytes. */
static void decode_w(void) {
  int status = decode_buf(w.buf, w.len);
  ck_assert_msg(status == 0, "decode: %d: %s", status, err);
  host_writer_t again;
  host_writer_init(&again);
  ck_assert_int_eq(host_msg_encode(&again, &msg), 0);
  ck_assert_uint_eq(again.len, w.len);
  ck_assert(memcmp(again.buf, w.buf, w.len) == 0);
  host_writer_free(&again);
}

/* A string of n copies of c, in a static buffer. */
static const char *repeat(char c, size_t n) {
  static char buf[HOST_PROTO_MAX_TEXT + 2];
  ck_assert_uint_lt(n, sizeof(buf));
  memset(buf, c, n);
  buf[n] = '\0';
  return buf;
}

/* ---- small messages ------------------------------------------------------ */

START_TEST(test_hello) {
  host_hello_t in = {.version = HOST_PROTO_VERSION, .pid = 4242};
  sstrncpy(in.plugin, repeat('p', HOST_PROTO_MAX_NAME), sizeof(in.plugin));
  ck_assert_int_eq(host_encode_hello(&w, &in), 0);
  ck_assert_uint_eq(w.len, 8 + 4 + 4 + 1 + HOST_PROTO_MAX_NAME);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_HELLO);
  ck_assert_uint_eq(msg.u.hello.version, HOST_PROTO_VERSION);
  ck_assert_int_eq(msg.u.hello.pid, 4242);
  ck_assert_str_eq(msg.u.hello.plugin, in.plugin);
}
END_TEST

START_TEST(test_ready_status) {
  host_ready_t ready = {.status = -ENOENT,
                        .callbacks = HOST_CB_READ | HOST_CB_SHUTDOWN};
  sstrncpy(ready.reason, repeat('r', HOST_PROTO_MAX_TEXT),
           sizeof(ready.reason));
  ck_assert_int_eq(host_encode_ready(&w, &ready), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_READY);
  ck_assert_int_eq(msg.u.ready.status, -ENOENT);
  ck_assert_uint_eq(msg.u.ready.callbacks, HOST_CB_READ | HOST_CB_SHUTDOWN);
  ck_assert_uint_eq(strlen(msg.u.ready.reason), HOST_PROTO_MAX_TEXT);

  host_writer_reset(&w);
  host_status_t st = {.status = 0, .reply_to = HOST_MSG_INIT};
  ck_assert_int_eq(host_encode_status(&w, &st), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_STATUS);
  ck_assert_int_eq(msg.u.status.status, 0);
  ck_assert_uint_eq(msg.u.status.reply_to, HOST_MSG_INIT);
  ck_assert_str_eq(msg.u.status.reason, "");
}
END_TEST

START_TEST(test_control) {
  host_read_t rd = {.when = TIME_T_TO_CDTIME_T(1700000000)};
  ck_assert_int_eq(host_encode_read(&w, &rd), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_READ);
  ck_assert_uint_eq(msg.u.read.when, rd.when);

  host_writer_reset(&w);
  host_flush_t fl = {.timeout = 7, .has_identifier = true};
  sstrncpy(fl.identifier, "h/cpu-0/cpu-idle", sizeof(fl.identifier));
  ck_assert_int_eq(host_encode_flush(&w, &fl), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_FLUSH);
  ck_assert_uint_eq(msg.u.flush.timeout, 7);
  ck_assert(msg.u.flush.has_identifier);
  ck_assert_str_eq(msg.u.flush.identifier, "h/cpu-0/cpu-idle");

  host_writer_reset(&w);
  fl = (host_flush_t){.timeout = 0};
  ck_assert_int_eq(host_encode_flush(&w, &fl), 0);
  decode_w();
  ck_assert(!msg.u.flush.has_identifier);
  ck_assert_uint_eq(w.len, 8 + 8 + 1);

  host_writer_reset(&w);
  host_log_t log = {.severity = LOG_WARNING};
  sstrncpy(log.message, repeat('m', HOST_PROTO_MAX_TEXT), sizeof(log.message));
  ck_assert_int_eq(host_encode_log(&w, &log), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_LOG);
  ck_assert_uint_eq(msg.u.log.severity, LOG_WARNING);
  ck_assert_str_eq(msg.u.log.message, log.message);

  const host_msg_type_t empty[] = {HOST_MSG_INIT, HOST_MSG_SHUTDOWN};
  for (size_t i = 0; i < 2; i++) {
    host_writer_reset(&w);
    ck_assert_int_eq(host_encode_empty(&w, empty[i]), 0);
    ck_assert_uint_eq(w.len, HOST_PROTO_HEADER_SIZE);
    decode_w();
    ck_assert_int_eq(msg.type, empty[i]);
  }
}
END_TEST

/* ---- value lists --------------------------------------------------------- */

static void meta_fill(meta_data_t *md) {
  ck_assert_int_eq(meta_data_add_string(md, "s", "text"), 0);
  ck_assert_int_eq(meta_data_add_string(md, "empty", ""), 0);
  ck_assert_int_eq(meta_data_add_signed_int(md, "i", INT64_MIN), 0);
  ck_assert_int_eq(meta_data_add_unsigned_int(md, "u", UINT64_MAX), 0);
  ck_assert_int_eq(meta_data_add_double(md, "d", -0.25), 0);
  ck_assert_int_eq(meta_data_add_boolean(md, "b", true), 0);
  ck_assert_int_eq(meta_data_add_boolean(md, "f", false), 0);
  ck_assert_int_eq(
      meta_data_add_string(md, repeat('k', HOST_PROTO_MAX_TEXT), "long key"),
      0);
}

/* Same keys in the same order, same types and values. */
static void meta_assert_equal(meta_data_t *a, meta_data_t *b) {
  ck_assert((a == NULL) == (b == NULL));
  if (a == NULL)
    return;
  char **ta = NULL, **tb = NULL;
  int na = meta_data_toc(a, &ta);
  int nb = meta_data_toc(b, &tb);
  ck_assert_int_eq(na, nb);
  for (int i = 0; i < na; i++) {
    ck_assert_str_eq(ta[i], tb[i]);
    int type = meta_data_type(a, ta[i]);
    ck_assert_int_eq(type, meta_data_type(b, tb[i]));
    char *sa = NULL, *sb = NULL;
    ck_assert_int_eq(meta_data_as_string(a, ta[i], &sa), 0);
    ck_assert_int_eq(meta_data_as_string(b, tb[i], &sb), 0);
    ck_assert_str_eq(sa, sb);
    free(sa);
    free(sb);
    free(ta[i]);
    free(tb[i]);
  }
  free(ta);
  free(tb);
}

static void vl_assert_equal(const value_list_t *a, const value_list_t *b) {
  ck_assert_str_eq(a->host, b->host);
  ck_assert_str_eq(a->plugin, b->plugin);
  ck_assert_str_eq(a->plugin_instance, b->plugin_instance);
  ck_assert_str_eq(a->type, b->type);
  ck_assert_str_eq(a->type_instance, b->type_instance);
  ck_assert_uint_eq(a->time, b->time);
  ck_assert_uint_eq(a->interval, b->interval);
  ck_assert_uint_eq(a->values_len, b->values_len);
  for (size_t i = 0; i < a->values_len; i++)
    ck_assert_uint_eq(a->values[i].absolute, b->values[i].absolute);
  meta_assert_equal(a->meta, b->meta);
}

START_TEST(test_values_meta) {
  value_t v[HOST_PROTO_MAX_VALUES];
  for (size_t i = 0; i < HOST_PROTO_MAX_VALUES; i++)
    v[i].derive = -(derive_t)i;
  value_list_t in[4] = {
      {.values = v, .values_len = 1, .time = 1, .interval = 2},
      {.values = v, .values_len = HOST_PROTO_MAX_VALUES, .time = UINT64_MAX},
      {.values = NULL, .values_len = 0}, /* every name empty, no values */
      {.values = v + 3, .values_len = 2},
  };
  v[0].gauge = NAN;
  sstrncpy(in[0].host, "h", sizeof(in[0].host));
  sstrncpy(in[0].plugin, "cpu", sizeof(in[0].plugin));
  sstrncpy(in[0].type, "cpu", sizeof(in[0].type));
  for (size_t i = 0; i < 2; i++) {
    char *f[] = {in[1 + 2 * i].host, in[1 + 2 * i].plugin,
                 in[1 + 2 * i].plugin_instance, in[1 + 2 * i].type,
                 in[1 + 2 * i].type_instance};
    for (size_t j = 0; j < 5; j++)
      sstrncpy(f[j], repeat((char)('a' + j), HOST_PROTO_MAX_NAME),
               DATA_MAX_NAME_LEN);
  }
  in[0].meta = meta_data_create();
  meta_fill(in[0].meta);
  in[2].meta = meta_data_create(); /* empty, not NULL */

  const int types[] = {HOST_MSG_WRITE, HOST_MSG_VALUES, HOST_MSG_MISSING};
  for (size_t k = 0; k < STATIC_ARRAY_SIZE(types); k++) {
    int t = types[k];
    host_writer_reset(&w);
    ck_assert_int_eq(host_encode_values(&w, t, in, 4), 0);
    decode_w();
    ck_assert_int_eq(msg.type, t);
    ck_assert_uint_eq(msg.batch.num, 4);
    for (size_t i = 0; i < 4; i++)
      vl_assert_equal(&in[i], &msg.batch.vl[i]);
    ck_assert(isnan(msg.batch.vl[0].values[0].gauge));
  }
  meta_data_destroy(in[0].meta);
  meta_data_destroy(in[2].meta);
}
END_TEST

START_TEST(test_values_batch) {
  enum { N = 10000 };
  value_list_t *in = calloc(N, sizeof(*in));
  value_t *v = calloc(N, sizeof(*v));
  ck_assert_ptr_nonnull(in);
  ck_assert_ptr_nonnull(v);
  for (size_t i = 0; i < N; i++) {
    v[i].gauge = (gauge_t)i / 3.0;
    in[i] = (value_list_t){.values = &v[i],
                           .values_len = 1,
                           .time = (cdtime_t)i << 30,
                           .interval = CDTIME_ONE_SECOND * 10};
    snprintf(in[i].host, sizeof(in[i].host), "host%zu", i % 7);
    sstrncpy(in[i].plugin, "bench", sizeof(in[i].plugin));
    snprintf(in[i].plugin_instance, sizeof(in[i].plugin_instance), "%zu", i);
    sstrncpy(in[i].type, "gauge", sizeof(in[i].type));
  }
  /* Twice into the same message: the second decode reuses its arrays. */
  for (int round = 0; round < 2; round++) {
    host_writer_reset(&w);
    host_batch_enc_t b;
    host_batch_begin(&w, HOST_MSG_VALUES, &b);
    for (size_t i = 0; i < N; i++)
      ck_assert_int_eq(host_batch_add(&w, &b, &in[i]), 0);
    ck_assert_int_eq(host_batch_end(&w, &b), 0);
    decode_w();
    ck_assert_uint_eq(msg.batch.num, N);
    for (size_t i = 0; i < N; i++)
      vl_assert_equal(&in[i], &msg.batch.vl[i]);
  }
  free(in);
  free(v);
}
END_TEST

/* A sender adds until the frame is full, ends it and goes on in the next;
 * a value list that cannot be encoded is refused alone. */
START_TEST(test_batch_full) {
  value_t v[HOST_PROTO_MAX_VALUES] = {{0}};
  value_list_t vl = {.values = v, .values_len = HOST_PROTO_MAX_VALUES};
  sstrncpy(vl.plugin, "p", sizeof(vl.plugin));
  value_list_t bad = vl;
  bad.values_len = HOST_PROTO_MAX_VALUES + 1;

  host_batch_enc_t b;
  host_batch_begin(&w, HOST_MSG_VALUES, &b);
  size_t added = 0;
  int status;
  while ((status = host_batch_add(&w, &b, &vl)) == 0) {
    added++;
    if (added == 5) {
      size_t len = w.len;
      ck_assert_int_eq(host_batch_add(&w, &b, &bad), -EINVAL);
      ck_assert_ptr_nonnull(strstr(w.reason, "1025 values"));
      ck_assert_uint_eq(w.len, len);
    }
  }
  ck_assert_int_eq(status, -EMSGSIZE);
  ck_assert_uint_gt(added, 2000);
  ck_assert_int_eq(host_batch_end(&w, &b), 0);
  ck_assert_uint_le(w.len, HOST_PROTO_MAX_FRAME);
  size_t first = w.len;
  host_batch_begin(&w, HOST_MSG_VALUES, &b);
  ck_assert_int_eq(host_batch_add(&w, &b, &vl), 0);
  ck_assert_int_eq(host_batch_end(&w, &b), 0);

  host_frame_t f;
  const uint8_t *body;
  size_t used;
  ck_assert_int_eq(
      host_frame_next(w.buf, w.len, &f, &body, &used, err, sizeof(err)), 1);
  ck_assert_uint_eq(used, first);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), 0);
  ck_assert_uint_eq(msg.batch.num, added);
  ck_assert_int_eq(host_frame_next(w.buf + used, w.len - used, &f, &body, &used,
                                   err, sizeof(err)),
                   1);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), 0);
  ck_assert_uint_eq(msg.batch.num, 1);

  /* An empty batch is not sent. */
  size_t len = w.len;
  host_batch_begin(&w, HOST_MSG_WRITE, &b);
  ck_assert_int_eq(host_batch_end(&w, &b), -EINVAL);
  ck_assert_uint_eq(w.len, len);
}
END_TEST

/* host_batch_push() opens a batch, fills it, and opens the next when the
 * frame is full, without losing the value list that did not fit; close
 * ends the open one, and a second close does nothing. */
START_TEST(test_batch_push) {
  value_t v[HOST_PROTO_MAX_VALUES] = {{0}};
  value_list_t vl = {.values = v, .values_len = HOST_PROTO_MAX_VALUES};
  sstrncpy(vl.plugin, "p", sizeof(vl.plugin));

  host_batch_enc_t b;
  bool open = false;
  size_t pushed = 0;
  /* Until a second frame has begun: the first is then complete. */
  size_t first = 0;
  while (first == 0) {
    size_t before = w.len;
    ck_assert_int_eq(host_batch_push(&w, HOST_MSG_WRITE, &b, &open, &vl), 0);
    ck_assert(open);
    pushed++;
    if (b.start != 0)
      first = b.start;
    ck_assert_uint_gt(w.len, before);
  }
  host_batch_close(&w, &b, &open);
  ck_assert(!open);
  size_t len = w.len;
  host_batch_close(&w, &b, &open);
  ck_assert_uint_eq(w.len, len);

  host_frame_t f;
  const uint8_t *body;
  size_t used;
  ck_assert_int_eq(
      host_frame_next(w.buf, w.len, &f, &body, &used, err, sizeof(err)), 1);
  ck_assert_uint_eq(used, first);
  ck_assert_uint_le(used, HOST_PROTO_MAX_FRAME);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), 0);
  ck_assert_int_eq(msg.type, HOST_MSG_WRITE);
  size_t in_first = msg.batch.num;
  ck_assert_int_eq(host_frame_next(w.buf + used, w.len - used, &f, &body, &used,
                                   err, sizeof(err)),
                   1);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), 0);
  ck_assert_uint_eq(msg.batch.num, 1);
  ck_assert_uint_eq(in_first + 1, pushed);
}
END_TEST

/* ---- notifications ------------------------------------------------------- */

START_TEST(test_notification) {
  notification_t n = {.severity = NOTIF_WARNING, .time = 12345};
  sstrncpy(n.message, repeat('x', HOST_PROTO_MAX_MESSAGE), sizeof(n.message));
  sstrncpy(n.host, "h", sizeof(n.host));
  sstrncpy(n.plugin, "p", sizeof(n.plugin));
  sstrncpy(n.plugin_instance, repeat('i', HOST_PROTO_MAX_NAME),
           sizeof(n.plugin_instance));
  sstrncpy(n.type, "t", sizeof(n.type));
  sstrncpy(n.type_instance, "ti", sizeof(n.type_instance));
  ck_assert_int_eq(plugin_notification_meta_add_string(&n, "s", "v"), 0);
  ck_assert_int_eq(plugin_notification_meta_add_signed_int(&n, "i", -5), 0);
  ck_assert_int_eq(
      plugin_notification_meta_add_unsigned_int(&n, "u", UINT64_MAX), 0);
  ck_assert_int_eq(plugin_notification_meta_add_double(&n, "d", 1.5), 0);
  ck_assert_int_eq(plugin_notification_meta_add_boolean(&n, "b", true), 0);
  ck_assert_int_eq(plugin_notification_meta_add_boolean(&n, "b", false), 0);

  ck_assert_int_eq(host_encode_notification(&w, &n), 0);
  decode_w();
  const notification_t *o = &msg.u.notif;
  ck_assert_int_eq(msg.type, HOST_MSG_NOTIFICATION);
  ck_assert_int_eq(o->severity, NOTIF_WARNING);
  ck_assert_uint_eq(o->time, 12345);
  ck_assert_str_eq(o->message, n.message);
  ck_assert_str_eq(o->host, "h");
  ck_assert_str_eq(o->plugin, "p");
  ck_assert_str_eq(o->plugin_instance, n.plugin_instance);
  ck_assert_str_eq(o->type, "t");
  ck_assert_str_eq(o->type_instance, "ti");
  const notification_meta_t *a = n.meta, *b = o->meta;
  for (; a != NULL && b != NULL; a = a->next, b = b->next) {
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->type, b->type);
    if (a->type == NM_TYPE_STRING)
      ck_assert_str_eq(a->nm_value.nm_string, b->nm_value.nm_string);
    else if (a->type == NM_TYPE_BOOLEAN)
      ck_assert_int_eq(a->nm_value.nm_boolean, b->nm_value.nm_boolean);
    else
      ck_assert_uint_eq(a->nm_value.nm_unsigned_int,
                        b->nm_value.nm_unsigned_int);
  }
  ck_assert_ptr_null(a);
  ck_assert_ptr_null(b);
  plugin_notification_meta_free(n.meta);

  /* Nothing but zeroes. */
  host_writer_reset(&w);
  n = (notification_t){0};
  ck_assert_int_eq(host_encode_notification(&w, &n), 0);
  decode_w();
  ck_assert_ptr_null(msg.u.notif.meta);
  ck_assert_str_eq(msg.u.notif.message, "");
}
END_TEST

/* ---- configuration ------------------------------------------------------- */

static void tree_assert_exact(const oconfig_item_t *a, const oconfig_item_t *b,
                              const oconfig_item_t *parent) {
  ck_assert_ptr_eq(b->parent, parent);
  ck_assert((a->key == NULL) == (b->key == NULL));
  if (a->key != NULL)
    ck_assert_str_eq(a->key, b->key); /* case too */
  ck_assert_int_eq(a->values_num, b->values_num);
  ck_assert_int_eq(a->children_num, b->children_num);
  for (int i = 0; i < a->values_num; i++) {
    ck_assert_int_eq(a->values[i].type, b->values[i].type);
    if (a->values[i].type == OCONFIG_TYPE_STRING)
      ck_assert_str_eq(a->values[i].value.string, b->values[i].value.string);
    else if (a->values[i].type == OCONFIG_TYPE_NUMBER)
      ck_assert(memcmp(&a->values[i].value.number, &b->values[i].value.number,
                       sizeof(double)) == 0);
    else
      ck_assert_int_eq(a->values[i].value.boolean, b->values[i].value.boolean);
  }
  /* The source location comes along (the root of a parsed text has
   * line 0, which is not sent). */
  const char *fa = NULL, *fb = NULL;
  int la = 0, lb = 0;
  bool sa = oconfig_item_source(a, &fa, &la) == 0 && la > 0;
  bool sb = oconfig_item_source(b, &fb, &lb) == 0;
  ck_assert_int_eq(sa, sb);
  if (sa) {
    ck_assert_str_eq(fa, fb);
    ck_assert_int_eq(la, lb);
  }
  for (int i = 0; i < a->children_num; i++)
    tree_assert_exact(&a->children[i], &b->children[i], b);
}

static const char config_text[] = "Hostname \"box\"\n"
                                  "<Plugin cpu>\n"
                                  "  ReportByCpu true\n"
                                  "  ValuesPercentage false\n"
                                  "  Weights 1 -2.5 1e300 \"x\" \"\"\n"
                                  "  <Match \"a\" \"b\">\n"
                                  "    <Deeper>\n"
                                  "      Key 0\n"
                                  "    </Deeper>\n"
                                  "  </Match>\n"
                                  "</Plugin>\n";

START_TEST(test_config) {
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(
      oconfig_parse_string(config_text, "t.conf", &root, err, sizeof(err)), 0);
  ck_assert_int_eq(host_encode_config(&w, root), 0);
  decode_w();
  ck_assert_int_eq(msg.type, HOST_MSG_CONFIG);
  ck_assert(oconfig_equal(root, msg.u.config));
  tree_assert_exact(root, msg.u.config, NULL);

  /* A block on its own, with a key at the top. */
  host_writer_reset(&w);
  ck_assert_int_eq(host_encode_config(&w, &root->children[1]), 0);
  decode_w();
  ck_assert_str_eq(msg.u.config->key, "Plugin");
  ck_assert_ptr_null(msg.u.config->parent);
  const char *file = NULL;
  int line = 0;
  ck_assert_int_eq(oconfig_item_source(&msg.u.config->children[3].children[0],
                                       &file, &line),
                   0);
  ck_assert_str_eq(file, "t.conf");
  ck_assert_int_eq(line, 7); /* <Deeper> */
  oconfig_free(root);
}
END_TEST

/* A source location must name a line: 0 is the root's, which is never
 * sent. */
START_TEST(test_config_source) {
  const uint8_t good[] = {3, 1, 0, 'k', 1, 0, 'f', 12, 0, 0, 0, 0, 0, 0, 0};
  host_frame_t f = {.type = HOST_MSG_CONFIG, .len = sizeof(good)};
  ck_assert_int_eq(host_msg_decode(&f, good, &msg, err, sizeof(err)), 0);
  const char *file = NULL;
  int line = 0;
  ck_assert_int_eq(oconfig_item_source(msg.u.config, &file, &line), 0);
  ck_assert_str_eq(file, "f");
  ck_assert_int_eq(line, 12);
  host_msg_clear(&msg);

  uint8_t bad[sizeof(good)];
  memcpy(bad, good, sizeof(bad));
  bad[7] = 0; /* line 0 */
  ck_assert_int_eq(host_msg_decode(&f, bad, &msg, err, sizeof(err)),
                   -EBADMSG);
  ck_assert_msg(strstr(err, "line 0 is not a line") != NULL, "%s", err);
  bad[7] = 12;
  bad[0] = 7; /* an unknown flag */
  ck_assert_int_eq(host_msg_decode(&f, bad, &msg, err, sizeof(err)),
                   -EBADMSG);
  ck_assert_msg(strstr(err, "unknown flags 0x07") != NULL, "%s", err);
}
END_TEST

/* The wire form of a chain of `depth` items, each with one child but the
 * last: flags, key "k", no values, one child. */
static size_t config_chain(uint8_t *buf, size_t depth) {
  size_t at = 0;
  for (size_t i = 0; i < depth; i++) {
    const uint8_t item[] = {1, 1, 0, 'k', 0, 0, i + 1 < depth ? 1 : 0, 0};
    memcpy(buf + at, item, sizeof(item));
    at += sizeof(item);
  }
  return at;
}

START_TEST(test_config_depth) {
  uint8_t body[8 * (HOST_PROTO_MAX_CONFIG_DEPTH + 1)];
  host_frame_t f = {.type = HOST_MSG_CONFIG};

  f.len = (uint32_t)config_chain(body, HOST_PROTO_MAX_CONFIG_DEPTH);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), 0);
  /* The decoded tree is exactly as deep as the limit: it encodes again. */
  ck_assert_int_eq(host_msg_encode(&w, &msg), 0);
  ck_assert_uint_eq(w.len, HOST_PROTO_HEADER_SIZE + f.len);

  f.len = (uint32_t)config_chain(body, HOST_PROTO_MAX_CONFIG_DEPTH + 1);
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), -EBADMSG);
  ck_assert_msg(strstr(err, "nested deeper than 130 levels") != NULL, "%s",
                err);
  ck_assert_int_eq(msg.type, HOST_MSG_NONE);

  /* The encoder refuses such a tree too, and leaves the writer as it was. */
  oconfig_item_t *items =
      calloc(HOST_PROTO_MAX_CONFIG_DEPTH + 1, sizeof(*items));
  ck_assert_ptr_nonnull(items);
  for (int i = 0; i < HOST_PROTO_MAX_CONFIG_DEPTH + 1; i++) {
    items[i].key = "k";
    if (i < HOST_PROTO_MAX_CONFIG_DEPTH) {
      items[i].children = &items[i + 1];
      items[i].children_num = 1;
    }
  }
  size_t len = w.len;
  ck_assert_int_eq(host_encode_config(&w, items), -EINVAL);
  ck_assert_uint_eq(w.len, len);
  ck_assert_ptr_nonnull(strstr(w.reason, "deeper than 130"));
  free(items);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

/* One valid frame of every type, in w, one after the other; returns how
 * many. */
static size_t encode_samples(host_writer_t *out, size_t *ends) {
  size_t n = 0;
  host_hello_t hello = {.version = 1, .pid = 1};
  sstrncpy(hello.plugin, "cpu", sizeof(hello.plugin));
  ck_assert_int_eq(host_encode_hello(out, &hello), 0);
  ends[n++] = out->len;
  host_ready_t ready = {.callbacks = HOST_CB_READ};
  sstrncpy(ready.reason, "ok", sizeof(ready.reason));
  ck_assert_int_eq(host_encode_ready(out, &ready), 0);
  ends[n++] = out->len;
  host_status_t st = {.status = -EIO, .reply_to = HOST_MSG_READ};
  ck_assert_int_eq(host_encode_status(out, &st), 0);
  ends[n++] = out->len;
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(
      oconfig_parse_string(config_text, "t.conf", &root, err, sizeof(err)), 0);
  ck_assert_int_eq(host_encode_config(out, root), 0);
  ends[n++] = out->len;
  oconfig_free(root);
  host_read_t rd = {.when = 99};
  ck_assert_int_eq(host_encode_read(out, &rd), 0);
  ends[n++] = out->len;
  host_flush_t fl = {.timeout = 1, .has_identifier = true};
  sstrncpy(fl.identifier, "a/b/c", sizeof(fl.identifier));
  ck_assert_int_eq(host_encode_flush(out, &fl), 0);
  ends[n++] = out->len;
  host_log_t log = {.severity = LOG_ERR};
  sstrncpy(log.message, "oops", sizeof(log.message));
  ck_assert_int_eq(host_encode_log(out, &log), 0);
  ends[n++] = out->len;
  notification_t notif = {.severity = NOTIF_OKAY};
  sstrncpy(notif.message, "fine", sizeof(notif.message));
  ck_assert_int_eq(plugin_notification_meta_add_double(&notif, "d", 2), 0);
  ck_assert_int_eq(plugin_notification_meta_add_string(&notif, "s", "v"), 0);
  ck_assert_int_eq(host_encode_notification(out, &notif), 0);
  ends[n++] = out->len;
  plugin_notification_meta_free(notif.meta);
  value_t v[2] = {{.gauge = 1}, {.derive = 2}};
  value_list_t vls[2] = {{.values = v, .values_len = 2, .time = 5},
                         {.values = v, .values_len = 1}};
  sstrncpy(vls[0].plugin, "p", sizeof(vls[0].plugin));
  sstrncpy(vls[1].type_instance, "ti", sizeof(vls[1].type_instance));
  vls[1].meta = meta_data_create();
  meta_fill(vls[1].meta);
  ck_assert_int_eq(host_encode_values(out, HOST_MSG_VALUES, vls, 2), 0);
  ends[n++] = out->len;
  meta_data_destroy(vls[1].meta);
  return n;
}

/* Every frame cut at every byte: the stream says "more bytes needed", and a
 * header that claims only what is left (the body cut short) is refused with
 * a reason. */
START_TEST(test_truncated) {
  size_t ends[16];
  size_t n = encode_samples(&w, ends);
  size_t start = 0;
  for (size_t i = 0; i < n; start = ends[i], i++) {
    const uint8_t *frame = w.buf + start;
    size_t len = ends[i] - start;
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    for (size_t cut = 0; cut < len; cut++) {
      host_frame_t f;
      const uint8_t *body;
      size_t used;
      ck_assert_int_eq(
          host_frame_next(frame, cut, &f, &body, &used, err, sizeof(err)), 0);
      if (cut < HOST_PROTO_HEADER_SIZE)
        continue;
      memcpy(copy, frame, cut);
      host_put_u32(copy, (uint32_t)(cut - HOST_PROTO_HEADER_SIZE));
      int status = decode_buf(copy, cut);
      ck_assert_msg(status == -EBADMSG, "frame %zu cut at %zu: %d", i, cut,
                    status);
      ck_assert_msg(strlen(err) > 10, "frame %zu cut at %zu: \"%s\"", i, cut,
                    err);
      ck_assert_int_eq(msg.type, HOST_MSG_NONE);
    }
    /* Whole, it decodes; with a byte more, it is refused. */
    memcpy(copy, frame, len);
    ck_assert_int_eq(decode_buf(copy, len), 0);
    uint8_t *longer = malloc(len + 1);
    ck_assert_ptr_nonnull(longer);
    memcpy(longer, frame, len);
    longer[len] = 0;
    host_put_u32(longer, (uint32_t)(len + 1 - HOST_PROTO_HEADER_SIZE));
    ck_assert_int_eq(decode_buf(longer, len + 1), -EBADMSG);
    ck_assert_ptr_nonnull(strstr(err, "1 bytes follow the end"));
    free(longer);
    free(copy);
  }
}
END_TEST

/* Lengths and counts in a VALUES frame of four small value lists, whose
 * offsets are known, made to overrun their limits or the body. */
START_TEST(test_overrun) {
  value_t v = {.gauge = 1};
  value_list_t vls[4];
  for (int i = 0; i < 4; i++)
    vls[i] = (value_list_t){.values = &v, .values_len = 1};
  ck_assert_int_eq(host_encode_values(&w, HOST_MSG_VALUES, vls, 4), 0);
  /* Each list: five empty names (5 bytes), 16 of times, 2 of count, 8 of
   * value, 1 of flags = 32 bytes; the body starts with a u32 count. */
  size_t list3 = HOST_PROTO_HEADER_SIZE + 4 + 3 * 32;
  w.buf[list3 + 4] = 200; /* type_instance */
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_str_eq(err, "VALUES: value list 3: type_instance is 200 bytes "
                        "long; at most 127 fit");
  w.buf[list3 + 4] = 100;
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_str_eq(err, "VALUES: value list 3: type_instance is 100 bytes "
                        "long; the body has 27 left");
  w.buf[list3 + 4] = 0;

  /* A count of value lists that the body cannot hold. */
  host_put_u32(w.buf + HOST_PROTO_HEADER_SIZE, HOST_PROTO_MAX_BATCH);
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "count is 262144, at least 24 bytes"));
  host_put_u32(w.buf + HOST_PROTO_HEADER_SIZE, HOST_PROTO_MAX_BATCH + 1);
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "at most 262144 fit"));
  host_put_u32(w.buf + HOST_PROTO_HEADER_SIZE, 0);
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "no value lists"));
  host_put_u32(w.buf + HOST_PROTO_HEADER_SIZE, 4);

  /* values_len over the limit, then over what is left. */
  host_put_u16(w.buf + list3 + 5 + 16, HOST_PROTO_MAX_VALUES + 1);
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "values_len is 1025; at most 1024"));
  host_put_u16(w.buf + list3 + 5 + 16, 2);
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "values_len is 2, at least 8 bytes"));
  host_put_u16(w.buf + list3 + 5 + 16, 1);

  /* Unknown flags; meta data announced but absent. */
  w.buf[w.len - 1] = 2;
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "unknown flags 0x02"));
  w.buf[w.len - 1] = 1;
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "ends inside meta data count"));
  w.buf[w.len - 1] = 0;
  ck_assert_int_eq(decode_buf(w.buf, w.len), 0);
}
END_TEST

/* Meta data and strings that are well framed but wrong. */
START_TEST(test_bad_fields) {
  value_t v = {.gauge = 1};
  value_list_t vl = {.values = &v, .values_len = 1};
  vl.meta = meta_data_create();
  ck_assert_int_eq(meta_data_add_boolean(vl.meta, "a", true), 0);
  ck_assert_int_eq(meta_data_add_boolean(vl.meta, "B", false), 0);
  ck_assert_int_eq(host_encode_values(&w, HOST_MSG_WRITE, &vl, 1), 0);
  meta_data_destroy(vl.meta);
  /* The entries end the frame, 5 bytes each: a u16 length, the key, the
   * type and the boolean; "B" is last. */
  uint8_t *b_key = w.buf + w.len - 3;
  uint8_t *b_value = w.buf + w.len - 1;
  *b_value = 2;
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_str_eq(err, "WRITE: value list 0: meta data entry 1: boolean is "
                        "2; a boolean is 0 or 1");
  *b_value = 0;
  *b_key = 'A'; /* the same key as "a", as meta_data_t sees it */
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "key \"A\" is there twice"));
  *b_key = '\0';
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "key holds a NUL byte"));
  *b_key = 'B';
  b_value[-1] = 9;
  ck_assert_int_eq(decode_buf(w.buf, w.len), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "type 9 is not a meta data type"));
  b_value[-1] = MD_TYPE_BOOLEAN;
  ck_assert_int_eq(decode_buf(w.buf, w.len), 0);

  /* HELLO with no name, a pid of 0; LOG with a severity of 8; STATUS with
   * a positive status or an unknown request. */
  uint8_t hello[] = {9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0};
  ck_assert_int_eq(decode_buf(hello, sizeof(hello)), -EBADMSG);
  ck_assert_str_eq(err, "HELLO: the plugin name is empty");
  hello[12] = 0;
  ck_assert_int_eq(decode_buf(hello, sizeof(hello)), -EBADMSG);
  ck_assert_str_eq(err, "HELLO: pid 0 is not a process id");
  uint8_t log[] = {3, 0, 0, 0, 12, 0, 0, 0, 8, 0, 0};
  ck_assert_int_eq(decode_buf(log, sizeof(log)), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "severity 8 is not"));
  uint8_t status[] = {8, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0};
  ck_assert_int_eq(decode_buf(status, sizeof(status)), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "status 1 is not 0"));
  status[8] = 0;
  status[12] = 99;
  ck_assert_int_eq(decode_buf(status, sizeof(status)), -EBADMSG);
  ck_assert_ptr_nonnull(strstr(err, "reply_to 99 is not a message type"));
  status[12] = HOST_MSG_FLUSH;
  ck_assert_int_eq(decode_buf(status, sizeof(status)), 0);

  /* An encoder refuses a field beyond its limit, and leaves w as it was. */
  host_writer_reset(&w);
  oconfig_item_t item = {.key = (char *)repeat('k', HOST_PROTO_MAX_TEXT + 1)};
  ck_assert_int_eq(host_encode_config(&w, &item), -EINVAL);
  ck_assert_uint_eq(w.len, 0);
  ck_assert_str_eq(w.reason, "key is 1024 bytes long; at most 1023 fit");
  ck_assert_int_eq(host_encode_empty(&w, HOST_MSG_INIT), 0);
}
END_TEST

START_TEST(test_bad_headers) {
  uint8_t h[HOST_PROTO_HEADER_SIZE + 1] = {0};
  host_frame_t f;
  const uint8_t *body;
  size_t used;
  host_put_u16(h + 4, HOST_MSG_LOG);
  host_put_u32(h, HOST_PROTO_MAX_BODY + 1);
  ck_assert_int_eq(
      host_frame_next(h, sizeof(h), &f, &body, &used, err, sizeof(err)),
      -EMSGSIZE);
  ck_assert_str_eq(err, "LOG: the body is 16777209 bytes long; at most "
                        "16777208");
  /* The largest body is not refused: more bytes are needed. */
  host_put_u32(h, HOST_PROTO_MAX_BODY);
  ck_assert_int_eq(
      host_frame_next(h, sizeof(h), &f, &body, &used, err, sizeof(err)), 0);

  host_put_u32(h, 0);
  const unsigned unknown[] = {0, HOST_MSG_COUNT, 0xffff};
  for (size_t i = 0; i < 3; i++) {
    host_put_u16(h + 4, (uint16_t)unknown[i]);
    ck_assert_int_eq(
        host_frame_next(h, sizeof(h), &f, &body, &used, err, sizeof(err)),
        -EPROTO);
    ck_assert_ptr_nonnull(strstr(err, "frame of unknown type"));
  }
  host_put_u16(h + 4, HOST_MSG_INIT);
  host_put_u16(h + 6, 0x0100);
  ck_assert_int_eq(
      host_frame_next(h, sizeof(h), &f, &body, &used, err, sizeof(err)),
      -EPROTO);
  ck_assert_str_eq(err, "INIT: reserved flags are 0x0100; they must be 0");
  host_put_u16(h + 6, 0);
  ck_assert_int_eq(
      host_frame_next(h, sizeof(h), &f, &body, &used, err, sizeof(err)), 1);
  ck_assert_uint_eq(used, HOST_PROTO_HEADER_SIZE);
  /* A type host_frame_next() would refuse, given to the decoder anyway. */
  f.type = 77;
  ck_assert_int_eq(host_msg_decode(&f, body, &msg, err, sizeof(err)), -EPROTO);
}
END_TEST

/* ---- the permission table ------------------------------------------------ */

static const struct {
  host_msg_type_t type;
  host_sender_t from;
  plugin_state_t state;
  bool permitted;
} perms[] = {
    {HOST_MSG_HELLO, HOST_FROM_HOST, PLUGIN_LOADING, true},
    {HOST_MSG_HELLO, HOST_FROM_HOST, PLUGIN_READY, false},
    {HOST_MSG_HELLO, HOST_FROM_DAEMON, PLUGIN_LOADING, false},
    {HOST_MSG_READY, HOST_FROM_HOST, PLUGIN_LOADING, true},
    {HOST_MSG_READY, HOST_FROM_HOST, PLUGIN_CONFIGURING, true}, /* INIT's */
    {HOST_MSG_READY, HOST_FROM_HOST, PLUGIN_READY, false},
    {HOST_MSG_CONFIG, HOST_FROM_DAEMON, PLUGIN_LOADING, true},
    {HOST_MSG_CONFIG, HOST_FROM_DAEMON, PLUGIN_CONFIGURING, false},
    {HOST_MSG_CONFIG, HOST_FROM_DAEMON, PLUGIN_READY, false},
    {HOST_MSG_CONFIG, HOST_FROM_HOST, PLUGIN_CONFIGURING, false},
    {HOST_MSG_INIT, HOST_FROM_DAEMON, PLUGIN_CONFIGURING, true},
    {HOST_MSG_READ, HOST_FROM_DAEMON, PLUGIN_READY, true},
    {HOST_MSG_READ, HOST_FROM_DAEMON, PLUGIN_UNLOADING, false},
    {HOST_MSG_WRITE, HOST_FROM_DAEMON, PLUGIN_UNLOADING, true},
    {HOST_MSG_WRITE, HOST_FROM_HOST, PLUGIN_READY, false},
    {HOST_MSG_VALUES, HOST_FROM_HOST, PLUGIN_READY, true},
    {HOST_MSG_VALUES, HOST_FROM_HOST, PLUGIN_CONFIGURING, true},
    {HOST_MSG_VALUES, HOST_FROM_HOST, PLUGIN_LOADING, true}, /* config */
    {HOST_MSG_VALUES, HOST_FROM_HOST, PLUGIN_FAILED, false},
    {HOST_MSG_VALUES, HOST_FROM_DAEMON, PLUGIN_READY, false},
    {HOST_MSG_NOTIFICATION, HOST_FROM_DAEMON, PLUGIN_READY, true},
    {HOST_MSG_NOTIFICATION, HOST_FROM_HOST, PLUGIN_UNLOADING, true},
    {HOST_MSG_LOG, HOST_FROM_HOST, PLUGIN_FAILED, true},
    {HOST_MSG_LOG, HOST_FROM_DAEMON, PLUGIN_LOADING, false},
    {HOST_MSG_STATUS, HOST_FROM_HOST, PLUGIN_LOADING, false},
    {HOST_MSG_STATUS, HOST_FROM_HOST, PLUGIN_UNLOADING, true},
    {HOST_MSG_FLUSH, HOST_FROM_DAEMON, PLUGIN_READY, true},
    {HOST_MSG_MISSING, HOST_FROM_DAEMON, PLUGIN_READY, true},
    {HOST_MSG_MISSING, HOST_FROM_DAEMON, PLUGIN_UNLOADING, true},
    {HOST_MSG_MISSING, HOST_FROM_DAEMON, PLUGIN_CONFIGURING, false},
    {HOST_MSG_MISSING, HOST_FROM_HOST, PLUGIN_READY, false},
    {HOST_MSG_SHUTDOWN, HOST_FROM_DAEMON, PLUGIN_UNLOADING, true},
    {HOST_MSG_SHUTDOWN, HOST_FROM_DAEMON, PLUGIN_READY, true},
    {HOST_MSG_SHUTDOWN, HOST_FROM_HOST, PLUGIN_UNLOADING, false},
    {HOST_MSG_NONE, HOST_FROM_HOST, PLUGIN_READY, false},
    {HOST_MSG_COUNT, HOST_FROM_DAEMON, PLUGIN_READY, false},
    {HOST_MSG_LOG, HOST_FROM_HOST, PLUGIN_STATE_COUNT, false},
};

START_TEST(test_permitted) {
  ck_assert_msg(host_msg_permitted(perms[_i].type, perms[_i].from,
                                   perms[_i].state) == perms[_i].permitted,
                "row %d", _i);
}
END_TEST

START_TEST(test_table) {
  /* Every message has a row, and someone may send it. */
  for (unsigned t = 1; t < HOST_MSG_COUNT; t++) {
    const host_table_row_t *row = host_table_row(t);
    ck_assert_ptr_nonnull(row);
    ck_assert_uint_eq(row->type, t);
    ck_assert_uint_ne(row->from_daemon | row->from_host, 0);
  }
  ck_assert_ptr_null(host_table_row(0));
  ck_assert_ptr_null(host_table_row(HOST_MSG_COUNT));
  char buf[128];
  host_msg_refusal(HOST_MSG_VALUES, HOST_FROM_HOST, PLUGIN_FAILED, buf,
                   sizeof(buf));
  ck_assert_str_eq(buf, "VALUES from the host while the plugin is failed");
  host_msg_refusal(300, HOST_FROM_DAEMON, PLUGIN_READY, buf, sizeof(buf));
  ck_assert_str_eq(buf, "unknown message type 300 from the daemon");
}
END_TEST

static Suite *host_proto_suite(void) {
  Suite *s = suite_create("host_proto");
  TCase *tc = tcase_create("round trips");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_hello);
  tcase_add_test(tc, test_ready_status);
  tcase_add_test(tc, test_control);
  tcase_add_test(tc, test_values_meta);
  tcase_add_test(tc, test_values_batch);
  tcase_add_test(tc, test_batch_full);
  tcase_add_test(tc, test_batch_push);
  tcase_add_test(tc, test_notification);
  tcase_add_test(tc, test_config);
  tcase_add_test(tc, test_config_source);
  tcase_add_test(tc, test_config_depth);
  suite_add_tcase(s, tc);

  tc = tcase_create("refusals");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_truncated);
  tcase_add_test(tc, test_overrun);
  tcase_add_test(tc, test_bad_fields);
  tcase_add_test(tc, test_bad_headers);
  suite_add_tcase(s, tc);

  tc = tcase_create("permissions");
  tcase_add_loop_test(tc, test_permitted, 0, sizeof(perms) / sizeof(perms[0]));
  tcase_add_test(tc, test_table);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(host_proto_suite()); }
