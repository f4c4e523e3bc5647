/* Parsing numbers, value lists and identifiers from text (the plain text
 * protocol, configuration values, /proc and /sys files). */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

/* Copy of `text` without trailing blanks. */
static char *dup_rstrip(const char *text) {
  char *copy = strdup(text);
  if (copy == NULL)
    return NULL;
  size_t len = strlen(copy);
  while (len > 0 && isspace((unsigned char)copy[len - 1]))
    copy[--len] = '\0';
  return copy;
}

/* Parses `text` as `ds_type` into *ret; returns where parsing stopped. */
static const char *parse_number(const char *text, value_t *ret, int ds_type) {
  char *end = NULL;
  switch (ds_type) {
  case DS_TYPE_COUNTER:
    ret->counter = (counter_t)strtoull(text, &end, 0);
    break;
  case DS_TYPE_GAUGE:
    ret->gauge = (gauge_t)strtod(text, &end);
    break;
  case DS_TYPE_DERIVE:
    ret->derive = (derive_t)strtoll(text, &end, 0);
    break;
  case DS_TYPE_ABSOLUTE:
    ret->absolute = (absolute_t)strtoull(text, &end, 0);
    break;
  }
  return end;
}

int parse_value(const char *value_orig, value_t *ret_value, int ds_type) {
  if (value_orig == NULL || ret_value == NULL)
    return EINVAL;
  if (ds_type != DS_TYPE_COUNTER && ds_type != DS_TYPE_GAUGE &&
      ds_type != DS_TYPE_DERIVE && ds_type != DS_TYPE_ABSOLUTE) {
    P_ERROR("parse_value: invalid data source type %d", ds_type);
    return -1;
  }

  char *text = dup_rstrip(value_orig);
  if (text == NULL)
    return ENOMEM;

  /* The result is stored even when nothing was parsed (it is then 0), as
   * 5.12 does. */
  const char *end = parse_number(text, ret_value, ds_type);
  if (end == text) {
    P_ERROR("parse_value: cannot parse \"%s\" as %s", text,
          DS_TYPE_TO_STRING(ds_type));
    free(text);
    return -1;
  }
  if (*end != '\0')
    P_INFO("parse_value: ignoring \"%s\" after the %s value in \"%s\"", end,
         DS_TYPE_TO_STRING(ds_type), value_orig);

  free(text);
  return 0;
}

/* The time field of the plain text protocol: "N" (now) or epoch seconds.
 * A time that is negative, not a number or more than a cdtime_t holds
 * would be undefined behaviour to convert (5.12 converts it all the same
 * and stores a time centuries away), so it is refused. */
static int parse_time_field(const char *field, cdtime_t *ret) {
  if (strcmp(field, "N") == 0) {
    *ret = cdtime();
    return 0;
  }
  char *end = NULL;
  errno = 0;
  double seconds = strtod(field, &end);
  if (errno != 0 || end == field || *end != '\0')
    return -1;
  if (!(seconds >= 0 && seconds <= CDTIME_T_SECONDS_MAX))
    return -1;
  *ret = DOUBLE_TO_CDTIME_T(seconds);
  return 0;
}

int parse_values(char *buffer, value_list_t *vl, const data_set_t *ds) {
  if (buffer == NULL || vl == NULL || ds == NULL)
    return EINVAL;

  /* Fields are separated by runs of ':' (empty fields vanish). Until a
   * non-zero time has been read, each field is taken as the time: so
   * "0:1:2" means time 1, value 2, exactly as in 5.12. */
  vl->time = 0;
  size_t i = 0;
  char *saveptr = NULL;
  char *field;
  for (char *str = buffer; (field = strtok_r(str, ":", &saveptr)) != NULL;
       str = NULL) {
    if (vl->time == 0) {
      if (parse_time_field(field, &vl->time) != 0)
        return -1;
      continue;
    }
    if (i >= vl->values_len || i >= ds->ds_num)
      return -1; /* more values than the data set has */

    int type = ds->ds[i].type;
    if (type == DS_TYPE_GAUGE && strcmp(field, "U") == 0)
      vl->values[i].gauge = NAN;
    else if (parse_value(field, &vl->values[i], type) != 0)
      return -1;
    i++;
  }
  /* Fewer values than data sources is accepted; the rest are untouched. */
  return (i > 0) ? 0 : -1;
}

int parse_value_file(char const *path, value_t *ret_value, int ds_type) {
  char line[256];

  FILE *fh = fopen(path, "r");
  if (fh == NULL)
    return -1;
  char *got = fgets(line, sizeof(line), fh);
  fclose(fh);
  if (got == NULL)
    return -1;

  strstripnewline(line);
  return parse_value(line, ret_value, ds_type);
}

int strtoderive(const char *string, derive_t *ret_value) {
  if (string == NULL || ret_value == NULL)
    return -1;

  /* Unlike strtogauge(), trailing text is ignored (5.12 behaviour that
   * configurations may rely on, e.g. "10 # bytes"). */
  char *end = NULL;
  errno = 0;
  long long tmp = strtoll(string, &end, 0);
  if (errno != 0 || end == string)
    return -1;
  *ret_value = (derive_t)tmp;
  return 0;
}

int strtogauge(const char *string, gauge_t *ret_value) {
  if (string == NULL || ret_value == NULL)
    return EINVAL;

  /* The whole string must be a number; 5.12 lets "" through as 0. */
  char *end = NULL;
  errno = 0;
  double tmp = strtod(string, &end);
  if (errno != 0)
    return errno;
  if (*end != '\0')
    return EINVAL;
  *ret_value = (gauge_t)tmp;
  return 0;
}

/* Cuts `str` at the first `sep` and returns what follows, or NULL. */
static char *cut_at(char *str, char sep) {
  char *pos = strchr(str, sep);
  if (pos == NULL)
    return NULL;
  *pos = '\0';
  return pos + 1;
}

int parse_identifier(char *str, char **ret_host, char **ret_plugin,
                     char **ret_plugin_instance, char **ret_type,
                     char **ret_type_instance, char *default_host) {
  if (str == NULL)
    return -1;

  char *host = str;
  char *plugin = cut_at(host, '/');
  if (plugin == NULL)
    return -1;

  char *type = cut_at(plugin, '/');
  if (type == NULL) {
    /* Only two parts: "plugin/type" with the default host. */
    if (default_host == NULL)
      return -1;
    type = plugin;
    plugin = host;
    host = default_host;
  }

  char *plugin_instance = cut_at(plugin, '-');
  char *type_instance = cut_at(type, '-');

  *ret_host = host;
  *ret_plugin = plugin;
  *ret_plugin_instance = plugin_instance;
  *ret_type = type;
  *ret_type_instance = type_instance;
  return 0;
}

int parse_identifier_vl(const char *str, value_list_t *vl) {
  if (str == NULL || vl == NULL)
    return EINVAL;

  char copy[6 * DATA_MAX_NAME_LEN];
  sstrncpy(copy, str, sizeof(copy));

  char *host, *plugin, *plugin_instance, *type, *type_instance;
  int status = parse_identifier(copy, &host, &plugin, &plugin_instance, &type,
                                &type_instance, NULL);
  if (status != 0)
    return status;

  sstrncpy(vl->host, host, sizeof(vl->host));
  sstrncpy(vl->plugin, plugin, sizeof(vl->plugin));
  sstrncpy(vl->plugin_instance, plugin_instance ? plugin_instance : "",
           sizeof(vl->plugin_instance));
  sstrncpy(vl->type, type, sizeof(vl->type));
  sstrncpy(vl->type_instance, type_instance ? type_instance : "",
           sizeof(vl->type_instance));
  return 0;
}
