/* The commands of the protocol: GETVAL, PUTVAL, LISTVAL and FLUSH. */
#include "client_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sends the command built in sb (consumed) and checks the daemon's status. */
static int send_built(cdc_conn_t *c, cdc_strbuf_t *sb, cdc_reply_t *reply,
                      char *err, size_t errlen) {
  if (sb->failed) {
    cdc__strbuf_free(sb);
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  int status = cdc__request_ok(c, sb->buf, reply, err, errlen);
  cdc__strbuf_free(sb);
  return status;
}

/* "name=value", the value a double (NaN as the daemon writes it). */
static int parse_ds_value(const char *line, cdc_ds_value_t *v, char *err,
                          size_t errlen) {
  const char *eq = strchr(line, '=');
  if (eq == NULL || (size_t)(eq - line) >= CDC_NAME_LEN)
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed value line from the daemon: \"%s\"", line);
  char *end;
  double value = strtod(eq + 1, &end);
  while (*end == ' ' || *end == '\t')
    end++;
  if (end == eq + 1 || *end != '\0')
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed value line from the daemon: \"%s\"", line);
  memcpy(v->name, line, (size_t)(eq - line));
  v->name[eq - line] = '\0';
  v->value = value;
  return 0;
}

int cdc_getval(cdc_conn_t *c, const cdc_identifier_t *id,
               cdc_ds_value_t **ret, size_t *ret_num, char *err,
               size_t errlen) {
  if (c == NULL || id == NULL || ret == NULL || ret_num == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_strbuf_t sb = {0};
  cdc__strbuf_printf(&sb, "GETVAL ");
  cdc__strbuf_identifier(&sb, id);
  cdc_reply_t reply;
  int status = send_built(c, &sb, &reply, err, errlen);
  if (status != 0)
    return status;

  cdc_ds_value_t *values = NULL;
  if (reply.lines_num > 0) {
    values = calloc(reply.lines_num, sizeof(*values));
    if (values == NULL)
      status = cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  for (size_t i = 0; status == 0 && i < reply.lines_num; i++)
    status = parse_ds_value(reply.lines[i], &values[i], err, errlen);
  if (status == 0) {
    *ret = values;
    *ret_num = reply.lines_num;
  } else {
    free(values);
  }
  cdc_reply_free(&reply);
  return status;
}

int cdc_putval(cdc_conn_t *c, const cdc_identifier_t *id,
               const cdc_value_list_t *vl, char *err, size_t errlen) {
  if (c == NULL || id == NULL || vl == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  if (vl->values_num == 0)
    return cdc__error(err, errlen, -EINVAL,
                      "A value list needs at least one value");

  cdc_strbuf_t sb = {0};
  cdc__strbuf_printf(&sb, "PUTVAL ");
  cdc__strbuf_identifier(&sb, id);
  if (vl->interval > 0)
    cdc__strbuf_printf(&sb, " interval=%.3f", vl->interval);
  if (vl->time > 0)
    cdc__strbuf_printf(&sb, " %.3f", vl->time);
  else
    cdc__strbuf_printf(&sb, " N");
  for (size_t i = 0; i < vl->values_num; i++) {
    char value[64];
    int status = cdc_value_format(&vl->values[i], value, sizeof(value), err,
                                  errlen);
    if (status != 0) {
      cdc__strbuf_free(&sb);
      return status;
    }
    cdc__strbuf_printf(&sb, ":%s", value);
  }

  cdc_reply_t reply;
  int status = send_built(c, &sb, &reply, err, errlen);
  if (status == 0)
    cdc_reply_free(&reply);
  return status;
}

/* "<time> <identifier>"; the identifier is the rest of the line, spaces
 * and all. */
static int parse_listval_line(const char *line, cdc_listval_entry_t *e,
                              char *err, size_t errlen) {
  char *end;
  e->time = strtod(line, &end);
  if (end == line || *end != ' ')
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed identifier line from the daemon: \"%s\"",
                      line);
  while (*end == ' ')
    end++;
  int status = cdc_identifier_parse(end, NULL, &e->id, err, errlen);
  return status == 0 ? 0 : -EPROTO;
}

int cdc_listval(cdc_conn_t *c, cdc_listval_entry_t **ret, size_t *ret_num,
                char *err, size_t errlen) {
  if (c == NULL || ret == NULL || ret_num == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_reply_t reply;
  int status = cdc__request_ok(c, "LISTVAL", &reply, err, errlen);
  if (status != 0)
    return status;

  cdc_listval_entry_t *entries = NULL;
  if (reply.lines_num > 0) {
    entries = calloc(reply.lines_num, sizeof(*entries));
    if (entries == NULL)
      status = cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  for (size_t i = 0; status == 0 && i < reply.lines_num; i++)
    status = parse_listval_line(reply.lines[i], &entries[i], err, errlen);
  if (status == 0) {
    *ret = entries;
    *ret_num = reply.lines_num;
  } else {
    free(entries);
  }
  cdc_reply_free(&reply);
  return status;
}

int cdc_flush(cdc_conn_t *c, const char *plugin, const cdc_identifier_t *id,
              double timeout, char *err, size_t errlen) {
  if (c == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_strbuf_t sb = {0};
  cdc__strbuf_printf(&sb, "FLUSH");
  if (timeout > 0)
    cdc__strbuf_printf(&sb, " timeout=%.15g", timeout);
  if (plugin != NULL) {
    cdc__strbuf_printf(&sb, " plugin=");
    cdc__strbuf_quoted(&sb, plugin);
  }
  if (id != NULL) {
    cdc__strbuf_printf(&sb, " identifier=");
    cdc__strbuf_identifier(&sb, id);
  }
  cdc_reply_t reply;
  int status = send_built(c, &sb, &reply, err, errlen);
  if (status == 0)
    cdc_reply_free(&reply);
  return status;
}
