/* CONFIG on the plugin host's wire: a whole oconfig_item_t tree, as the
 * daemon's configuration files gave it, for the plugin in the host.
 *
 *   item: u8 flags (bit 0: a key follows; only the top item may lack one;
 *           bit 1: a source location follows)
 *         [u16-string key (..1023)]
 *         [u16-string file (..4095), u32 line]
 *         u16 values_num, per value: u8 type (OCONFIG_TYPE_*) and
 *           STRING u32-string (..1 MiB), NUMBER u64 (the double's bits),
 *           BOOLEAN u8 (0/1)
 *         u16 children_num, and each child item
 *
 * The decoder recurses once per level, at most HOST_PROTO_MAX_CONFIG_DEPTH
 * levels, and allocates for at most HOST_PROTO_MAX_CONFIG_ITEMS items and
 * HOST_PROTO_MAX_CONFIG_VALUES values, each count checked against the bytes
 * left before anything is allocated for it. The decoded tree has the source
 * locations the encoded one had (oconfig_item_source()), so that what the
 * plugin host says of its configuration names the file and line;
 * oconfig_free() frees it. */
#include "collectd.h"

#include "plugin_host/host_proto.h"

#define ITEM_FLAG_KEY 0x01
#define ITEM_FLAG_SOURCE 0x02
#define SOURCE_MAX 4095 /* a file name's bytes */
#define ITEM_MIN_SIZE 5  /* flags, two counts */
#define VALUE_MIN_SIZE 2 /* type, a boolean */

/* ---- encoding ------------------------------------------------------------ */

static void encode_item(host_writer_t *w, const oconfig_item_t *ci, int depth) {
  if (depth >= HOST_PROTO_MAX_CONFIG_DEPTH) {
    host_w_fail(w, -EINVAL, "the tree is deeper than %d levels",
                HOST_PROTO_MAX_CONFIG_DEPTH);
    return;
  }
  if (ci->values_num < 0 || ci->values_num > UINT16_MAX ||
      ci->children_num < 0 || ci->children_num > UINT16_MAX) {
    host_w_fail(w, -EINVAL, "\"%s\" has %d values and %d children",
                ci->key != NULL ? ci->key : "(top)", ci->values_num,
                ci->children_num);
    return;
  }
  if (ci->key == NULL && depth > 0) {
    host_w_fail(w, -EINVAL, "an item below the top has no key");
    return;
  }
  const char *file = NULL;
  int line = 0;
  bool source = oconfig_item_source(ci, &file, &line) == 0 && line > 0 &&
                strlen(file) <= SOURCE_MAX;
  host_w_u8(w, (ci->key != NULL ? ITEM_FLAG_KEY : 0) |
                   (source ? ITEM_FLAG_SOURCE : 0));
  if (ci->key != NULL)
    host_w_str(w, "key", 2, HOST_PROTO_MAX_TEXT, ci->key);
  if (source) {
    host_w_str(w, "file", 2, SOURCE_MAX, file);
    host_w_u32(w, (uint32_t)line);
  }
  host_w_u16(w, (uint16_t)ci->values_num);
  for (int i = 0; i < ci->values_num; i++) {
    const oconfig_value_t *v = &ci->values[i];
    host_w_u8(w, (uint8_t)v->type);
    switch (v->type) {
    case OCONFIG_TYPE_STRING:
      host_w_str(w, "string", 4, HOST_PROTO_MAX_STRING, v->value.string);
      break;
    case OCONFIG_TYPE_NUMBER:
      host_w_f64(w, v->value.number);
      break;
    case OCONFIG_TYPE_BOOLEAN:
      host_w_u8(w, v->value.boolean ? 1 : 0);
      break;
    default:
      host_w_fail(w, -EINVAL, "\"%s\": value %d has unknown type %d",
                  ci->key != NULL ? ci->key : "(top)", i, v->type);
    }
  }
  host_w_u16(w, (uint16_t)ci->children_num);
  for (int i = 0; i < ci->children_num && w->err == 0; i++)
    encode_item(w, &ci->children[i], depth + 1);
}

int host_encode_config(host_writer_t *w, const oconfig_item_t *ci) {
  host_frame_begin(w, HOST_MSG_CONFIG);
  if (ci == NULL)
    host_w_fail(w, -EINVAL, "no tree");
  else
    encode_item(w, ci, 0);
  return host_frame_end(w);
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct {
  host_reader_t *r;
  size_t items;  /* decoded so far, against HOST_PROTO_MAX_CONFIG_ITEMS */
  size_t values; /* the same for HOST_PROTO_MAX_CONFIG_VALUES */
} config_dec_t;

static int decode_value(host_reader_t *r, oconfig_value_t *v) {
  uint8_t type;
  int status = host_r_u8(r, "value type", &type);
  if (status != 0)
    return status;
  switch (type) {
  case OCONFIG_TYPE_STRING:
    v->type = OCONFIG_TYPE_STRING;
    return host_r_str_dup(r, "string", 4, HOST_PROTO_MAX_STRING,
                          &v->value.string);
  case OCONFIG_TYPE_NUMBER:
    v->type = OCONFIG_TYPE_NUMBER;
    return host_r_f64(r, "number", &v->value.number);
  case OCONFIG_TYPE_BOOLEAN: {
    bool b = false;
    v->type = OCONFIG_TYPE_BOOLEAN;
    status = host_r_bool(r, "boolean", &b);
    if (status == 0)
      v->value.boolean = b ? 1 : 0;
    return status;
  }
  }
  return host_r_fail(r, -EBADMSG, "value type %u is not a configuration type",
                     (unsigned)type);
}

/* Fills *ci, which is zeroed; on failure what it holds is left for
 * oconfig_free() of the whole tree to release. */
static int decode_item(config_dec_t *d, oconfig_item_t *ci, int depth) {
  host_reader_t *r = d->r;
  if (depth >= HOST_PROTO_MAX_CONFIG_DEPTH)
    return host_r_fail(r, -EBADMSG, "nested deeper than %d levels",
                       HOST_PROTO_MAX_CONFIG_DEPTH);
  if (++d->items > HOST_PROTO_MAX_CONFIG_ITEMS)
    return host_r_fail(r, -EBADMSG, "more than %d items",
                       HOST_PROTO_MAX_CONFIG_ITEMS);
  uint8_t flags;
  int status = host_r_u8(r, "flags", &flags);
  if (status != 0)
    return status;
  if ((flags & ~(ITEM_FLAG_KEY | ITEM_FLAG_SOURCE)) != 0)
    return host_r_fail(r, -EBADMSG, "unknown flags 0x%02x", (unsigned)flags);
  if (!(flags & ITEM_FLAG_KEY) && depth > 0)
    return host_r_fail(r, -EBADMSG, "an item below the top has no key");
  if (flags & ITEM_FLAG_KEY) {
    status = host_r_str_dup(r, "key", 2, HOST_PROTO_MAX_TEXT, &ci->key);
    if (status != 0)
      return status;
  }
  if (flags & ITEM_FLAG_SOURCE) {
    char *file = NULL;
    uint32_t line = 0;
    status = host_r_str_dup(r, "file", 2, SOURCE_MAX, &file);
    if (status == 0)
      status = host_r_u32(r, "line", &line);
    if (status == 0 && (line == 0 || line > INT_MAX))
      status = host_r_fail(r, -EBADMSG, "line %" PRIu32 " is not a line",
                           line);
    if (status == 0 && oconfig_item_set_source(ci, file, (int)line) != 0)
      status = host_r_fail(r, -ENOMEM, "out of memory for a source location");
    free(file);
    if (status != 0)
      return status;
  }

  size_t num;
  status = host_r_count(r, "values_num", 2, UINT16_MAX, VALUE_MIN_SIZE, &num);
  if (status != 0)
    return status;
  if (num > HOST_PROTO_MAX_CONFIG_VALUES - d->values)
    return host_r_fail(r, -EBADMSG, "more than %d values",
                       HOST_PROTO_MAX_CONFIG_VALUES);
  d->values += num;
  if (num > 0) {
    ci->values = calloc(num, sizeof(*ci->values));
    if (ci->values == NULL)
      return host_r_fail(r, -ENOMEM, "out of memory for %zu values", num);
    ci->values_num = (int)num;
  }
  for (size_t i = 0; i < num && status == 0; i++) {
    host_r_enter(r, "value", i);
    status = decode_value(r, &ci->values[i]);
    host_r_leave(r);
  }
  if (status != 0)
    return status;

  status = host_r_count(r, "children_num", 2, UINT16_MAX, ITEM_MIN_SIZE, &num);
  if (status != 0)
    return status;
  if (num > 0) {
    ci->children = calloc(num, sizeof(*ci->children));
    if (ci->children == NULL)
      return host_r_fail(r, -ENOMEM, "out of memory for %zu children", num);
    ci->children_num = (int)num;
  }
  for (size_t i = 0; i < num && status == 0; i++) {
    ci->children[i].parent = ci;
    /* Reasons name the path from the top, as far as HOST_WHERE_MAX. */
    host_r_enter(r, "child", i);
    status = decode_item(d, &ci->children[i], depth + 1);
    host_r_leave(r);
  }
  return status;
}

int host_decode_config(host_reader_t *r, oconfig_item_t **ret) {
  oconfig_item_t *root = calloc(1, sizeof(*root));
  if (root == NULL)
    return host_r_fail(r, -ENOMEM, "out of memory");
  config_dec_t d = {.r = r};
  int status = decode_item(&d, root, 0);
  if (status != 0) {
    oconfig_free(root);
    return status;
  }
  *ret = root;
  return 0;
}
