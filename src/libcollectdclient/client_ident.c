/* Identifiers: host/plugin[-plugin_instance]/type[-type_instance]. */
#include "client_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Copies len bytes of src into a field of CDC_NAME_LEN bytes. */
static int copy_field(char *field, const char *src, size_t len,
                      const char *str, char *err, size_t errlen) {
  if (len >= CDC_NAME_LEN)
    return cdc__error(err, errlen, -ENAMETOOLONG,
                      "Identifier field longer than %d bytes: %s",
                      CDC_NAME_LEN - 1, str);
  memcpy(field, src, len);
  field[len] = '\0';
  return 0;
}

/* "name[-instance]" of len bytes: the first '-' starts the instance. */
static int split_instance(const char *part, size_t len, char *name,
                          char *instance, const char *str, char *err,
                          size_t errlen) {
  const char *dash = memchr(part, '-', len);
  size_t name_len = dash ? (size_t)(dash - part) : len;
  int status = copy_field(name, part, name_len, str, err, errlen);
  if (status != 0)
    return status;
  if (dash == NULL) {
    instance[0] = '\0';
    return 0;
  }
  return copy_field(instance, dash + 1, len - name_len - 1, str, err, errlen);
}

int cdc_identifier_parse(const char *str, const char *default_host,
                         cdc_identifier_t *id, char *err, size_t errlen) {
  if (str == NULL || id == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");

  const char *slash1 = strchr(str, '/');
  const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
  if (slash1 == NULL || (slash2 == NULL && default_host == NULL))
    return cdc__error(err, errlen, -EINVAL,
                      "Malformed identifier string: %s", str);

  cdc_identifier_t new_id = {0};
  const char *plugin, *type;
  int status;
  if (slash2 != NULL) {
    status = copy_field(new_id.host, str, (size_t)(slash1 - str), str, err,
                        errlen);
    plugin = slash1 + 1;
    type = slash2 + 1;
  } else {
    status = copy_field(new_id.host, default_host, strlen(default_host), str,
                        err, errlen);
    plugin = str;
    type = slash1 + 1;
  }
  if (status == 0)
    status = split_instance(plugin, (size_t)(type - 1 - plugin),
                            new_id.plugin, new_id.plugin_instance, str, err,
                            errlen);
  if (status == 0)
    status = split_instance(type, strlen(type), new_id.type,
                            new_id.type_instance, str, err, errlen);
  if (status != 0)
    return status;
  *id = new_id;
  return 0;
}

int cdc_identifier_format(const cdc_identifier_t *id, char *buf, size_t size,
                          char *err, size_t errlen) {
  if (id == NULL || buf == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  int n = snprintf(buf, size, "%s/%s%s%s/%s%s%s", id->host, id->plugin,
                   id->plugin_instance[0] ? "-" : "", id->plugin_instance,
                   id->type, id->type_instance[0] ? "-" : "",
                   id->type_instance);
  if (n < 0 || (size_t)n >= size)
    return cdc__error(err, errlen, -ENOBUFS,
                      "Buffer too small for the identifier");
  return 0;
}

void cdc__strbuf_identifier(cdc_strbuf_t *sb, const cdc_identifier_t *id) {
  /* Five fields and four separators. */
  char buf[5 * CDC_NAME_LEN];
  if (cdc_identifier_format(id, buf, sizeof(buf), NULL, 0) != 0) {
    sb->failed = 1;
    return;
  }
  cdc__strbuf_quoted(sb, buf);
}
