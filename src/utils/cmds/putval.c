/* PUTVAL <identifier> [options] <values> [[options] <values>...]
 *
 * Dispatches one value list per values field ("<time|N>:<v>[:<v>...]");
 * an option field (key=value) applies to the value lists after it. The
 * whole line is parsed before anything is dispatched, so a bad field
 * dispatches nothing.
 *
 * Replies, as 5.12:
 *   0 Success: 1 value has been dispatched.
 *   0 Success: <n> values have been dispatched.      (n may be 0)
 *  -1 Missing identifier and/or value-list.
 *  -1 Cannot parse identifier `<identifier>'.
 *  -1 1 Type `<type>' isn't defined.                 (sic)
 *  -1 Parsing the values string failed.
 *  -1 Non-string metadata not supported yet
 *
 * Options: interval=<seconds> (a value that is not a positive number is
 * ignored, as in 5.12) and meta:<key>=<value>, where the value must still
 * be in double quotes after the field's own quoting, e.g.
 * "meta:k=\"v\"" or meta:k="\"v\"" (5.12's rule: only string meta data).
 *
 * Where 5.12 misbehaves we do not follow: it answers a meta option that is
 * not a string with two status lines (the error, then "0 Success" for
 * values it dispatches anyway), and an unknown option with no reply at all
 * (the client waits for ever). Both get one error line here and nothing is
 * dispatched; the unknown option is named ("Unknown option `<key>'."). */
#include "utils/cmds/cmds.h"

#include "utils/common/common.h"

typedef struct {
  value_list_t *lists;
  size_t num;
  size_t size;
} vl_array_t;

static void vl_array_free(vl_array_t *a) {
  for (size_t i = 0; i < a->num; i++) {
    free(a->lists[i].values);
    meta_data_destroy(a->lists[i].meta);
  }
  free(a->lists);
  *a = (vl_array_t){0};
}


/* Applies one option to the template of the following value lists. */
static int set_option(cmd_writer_t *w, value_list_t *tmpl, const char *key,
                      const char *value) {
  if (strcasecmp(key, "interval") == 0) {
    char *end = NULL;
    double seconds = strtod(value, &end);
    if (end != value && seconds > 0 && seconds < CMD_SECONDS_MAX)
      tmpl->interval = DOUBLE_TO_CDTIME_T(seconds);
    return 0;
  }

  if (strncasecmp(key, "meta:", strlen("meta:")) == 0) {
    size_t len = strlen(value);
    if (len < 2 || value[0] != '"' || value[len - 1] != '"')
      return cmd_error(w, -EINVAL, "Non-string metadata not supported yet");
    char *text = strndup(value + 1, len - 2);
    if (tmpl->meta == NULL)
      tmpl->meta = meta_data_create();
    int status =
        (text == NULL || tmpl->meta == NULL)
            ? -ENOMEM
            : meta_data_add_string(tmpl->meta, key + strlen("meta:"), text);
    free(text);
    if (status != 0)
      return cmd_error(w, -ENOMEM, "Out of memory storing meta data `%s'.",
                       key + strlen("meta:"));
    return 0;
  }

  return cmd_error(w, -EINVAL, "Unknown option `%s'.", key);
}

/* Parses one values field into a new value list copied from the template. */
static int add_values(cmd_writer_t *w, vl_array_t *a, const value_list_t *tmpl,
                      const data_set_t *ds, char *field) {
  if (a->num == a->size) {
    size_t size = a->size ? 2 * a->size : 4;
    value_list_t *lists = realloc(a->lists, size * sizeof(*lists));
    if (lists == NULL)
      return cmd_error(w, -ENOMEM, "Out of memory.");
    a->lists = lists;
    a->size = size;
  }

  value_list_t vl = *tmpl;
  vl.values_len = ds->ds_num;
  vl.values = calloc(ds->ds_num, sizeof(*vl.values));
  vl.meta = NULL;
  if (vl.values == NULL)
    return cmd_error(w, -ENOMEM, "Out of memory.");
  if (parse_values(field, &vl, ds) != 0) {
    free(vl.values);
    return cmd_error(w, -EINVAL, "Parsing the values string failed.");
  }
  if (tmpl->meta != NULL && (vl.meta = meta_data_clone(tmpl->meta)) == NULL) {
    free(vl.values);
    return cmd_error(w, -ENOMEM, "Out of memory.");
  }
  a->lists[a->num++] = vl;
  return 0;
}

int cmd_handle_putval(cmd_writer_t *w, cmd_args_t *args,
                      const cmd_options_t *opts) {
  if (args->argc < 2)
    return cmd_error(w, -EINVAL, "Missing identifier and/or value-list.");

  const char *raw_identifier = args->argv[0];
  value_list_t tmpl = VALUE_LIST_INIT;
  int status = parse_identifier_vl(raw_identifier, &tmpl) == 0 ? 0 : -EINVAL;
  if (status == -ENOMEM)
    return cmd_error(w, status, "Out of memory.");
  if (status != 0)
    return cmd_error(w, status, "Cannot parse identifier `%s'.",
                     raw_identifier);

  const data_set_t *ds = plugin_get_ds(tmpl.type);
  if (ds == NULL)
    return cmd_error(w, -ENOENT, "1 Type `%s' isn't defined.", tmpl.type);

  vl_array_t lists = {0};
  for (size_t i = 1; i < args->argc && status == 0; i++) {
    char *key, *value;
    if (cmd_split_option(args->argv[i], &key, &value) == 0)
      status = set_option(w, &tmpl, key, value);
    else
      status = add_values(w, &lists, &tmpl, ds, args->argv[i]);
  }
  meta_data_destroy(tmpl.meta);
  if (status != 0) {
    vl_array_free(&lists);
    return status;
  }

  size_t dispatched = 0;
  for (; dispatched < lists.num; dispatched++) {
    status = plugin_dispatch_values(lists.lists + dispatched);
    if (status != 0)
      break;
  }
  size_t total = lists.num;
  vl_array_free(&lists);
  if (status != 0)
    return cmd_error(w, status < 0 ? status : -EIO,
                     "Dispatching value list %zu of %zu failed: %s.",
                     dispatched + 1, total, STRERROR(abs(status)));

  return cmd_reply(w, 0, "Success: %zu %s been dispatched.", dispatched,
                   dispatched == 1 ? "value has" : "values have");
}
