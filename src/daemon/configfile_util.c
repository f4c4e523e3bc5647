/* cf_util_get_*: read one option's value for a plugin, with an error that
 * names the option and where it is. */
#include "configfile.h"
#include "plugin.h"
#include "plugin_internal.h"
#include "utils/common/common.h"

/* Logs "<file>:<line>: <option>: <what>" (the location when known). */
static void option_error(const oconfig_item_t *ci, const char *what) {
  const char *file;
  int line;
  char key[OCONFIG_EXCERPT_SIZE];
  oconfig_excerpt(ci->key, true, key, sizeof(key));
  if (oconfig_item_source(ci, &file, &line) == 0)
    ERROR("%s:%d: option %s: %s", file, line, key, what);
  else
    ERROR("option %s: %s", key, what);
}

static bool one_value(const oconfig_item_t *ci, int type) {
  return ci->values_num == 1 && ci->values[0].type == type;
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string) {
  if (ci == NULL || ret_string == NULL)
    return EINVAL;
  if (!one_value(ci, OCONFIG_TYPE_STRING)) {
    option_error(ci, "needs exactly one string argument");
    return -1;
  }
  char *copy = strdup(ci->values[0].value.string);
  if (copy == NULL)
    return -1;
  free(*ret_string);
  *ret_string = copy;
  return 0;
}

int cf_util_get_string_buffer(const oconfig_item_t *ci, char *buffer,
                              size_t buffer_size) {
  if (ci == NULL || buffer == NULL || buffer_size == 0)
    return EINVAL;
  if (!one_value(ci, OCONFIG_TYPE_STRING)) {
    option_error(ci, "needs exactly one string argument");
    return -1;
  }
  snprintf(buffer, buffer_size, "%s", ci->values[0].value.string);
  return 0;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value) {
  if (ci == NULL || ret_value == NULL)
    return EINVAL;
  if (!one_value(ci, OCONFIG_TYPE_NUMBER)) {
    option_error(ci, "needs exactly one numeric argument");
    return -1;
  }
  double d = ci->values[0].value.number;
  if (!(d > (double)INT_MIN - 1 && d < (double)INT_MAX + 1)) {
    option_error(ci, "the number does not fit an int");
    return -1;
  }
  *ret_value = (int)d;
  return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value) {
  if (ci == NULL || ret_value == NULL)
    return EINVAL;
  if (!one_value(ci, OCONFIG_TYPE_NUMBER)) {
    option_error(ci, "needs exactly one numeric argument");
    return -1;
  }
  *ret_value = ci->values[0].value.number;
  return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool) {
  if (ci == NULL || ret_bool == NULL)
    return EINVAL;
  if (ci->values_num != 1) {
    option_error(ci, "needs exactly one boolean argument");
    return -1;
  }
  const oconfig_value_t *v = &ci->values[0];
  switch (v->type) {
  case OCONFIG_TYPE_BOOLEAN:
    *ret_bool = v->value.boolean != 0;
    return 0;
  case OCONFIG_TYPE_STRING:
    /* Quoted booleans are accepted, with a hint. */
    if (IS_TRUE(v->value.string)) {
      *ret_bool = true;
    } else if (IS_FALSE(v->value.string)) {
      *ret_bool = false;
    } else {
      option_error(ci, "needs a boolean argument (true or false)");
      return -1;
    }
    WARNING("option \"%s\": a boolean is written without quotes", ci->key);
    return 0;
  default:
    option_error(ci, "needs a boolean argument (true or false)");
    return -1;
  }
}

int cf_util_get_flag(const oconfig_item_t *ci, unsigned int *ret_value,
                     unsigned int flag) {
  if (ret_value == NULL)
    return EINVAL;
  bool b = false;
  int status = cf_util_get_boolean(ci, &b);
  if (status != 0)
    return status;
  if (b)
    *ret_value |= flag;
  else
    *ret_value &= ~flag;
  return 0;
}

int cf_util_get_port_number(const oconfig_item_t *ci) {
  if (ci == NULL || ci->values_num != 1) {
    if (ci != NULL)
      option_error(ci, "needs exactly one port number");
    return -1;
  }
  int port = -1;
  if (ci->values[0].type == OCONFIG_TYPE_NUMBER) {
    double d = ci->values[0].value.number;
    port = d >= 1 && d <= 65535 ? (int)d : -1;
  } else if (ci->values[0].type == OCONFIG_TYPE_STRING) {
    char *end;
    long l = strtol(ci->values[0].value.string, &end, 10);
    if (*end == '\0' && l >= 1 && l <= 65535) /* no wrapping into range */
      port = (int)l;
  }
  if (port < 1 || port > 65535) {
    option_error(ci, "needs a port number between 1 and 65535");
    return -1;
  }
  return port;
}

int cf_util_get_service(const oconfig_item_t *ci, char **ret_string) {
  if (ci == NULL || ret_string == NULL)
    return EINVAL;
  if (ci->values_num != 1) {
    option_error(ci, "needs exactly one argument");
    return -1;
  }
  if (ci->values[0].type == OCONFIG_TYPE_STRING)
    return cf_util_get_string(ci, ret_string);
  if (ci->values[0].type != OCONFIG_TYPE_NUMBER) {
    option_error(ci, "needs a port number or a service name");
    return -1;
  }
  int port = cf_util_get_port_number(ci);
  if (port < 0)
    return -1;
  char *s = malloc(6);
  if (s == NULL)
    return -1;
  snprintf(s, 6, "%d", port);
  free(*ret_string);
  *ret_string = s;
  return 0;
}

int cf_util_get_cdtime(const oconfig_item_t *ci, cdtime_t *ret_value) {
  if (ci == NULL || ret_value == NULL)
    return EINVAL;
  if (!one_value(ci, OCONFIG_TYPE_NUMBER)) {
    option_error(ci, "needs exactly one numeric argument (seconds)");
    return -1;
  }
  double seconds = ci->values[0].value.number;
  if (seconds < 0.0) {
    option_error(ci, "must not be negative");
    return -1;
  }
  /* Converting more would be undefined behaviour. */
  if (!(seconds <= CDTIME_T_SECONDS_MAX)) {
    char what[128];
    snprintf(what, sizeof(what), "%.15g seconds do not fit; at most %.0f do",
             seconds, CDTIME_T_SECONDS_MAX);
    option_error(ci, what);
    return -1;
  }
  *ret_value = DOUBLE_TO_CDTIME_T(seconds);
  return 0;
}

/* Writes the values of `ci` joined by blanks into buf (of len bytes, 0 to
 * only measure); returns the length of the whole text. */
static size_t values_join(const oconfig_item_t *ci, char *buf, size_t len) {
  size_t used = 0;
  for (int i = 0; i < ci->values_num; i++) {
    const oconfig_value_t *v = &ci->values[i];
    const char *sep = i > 0 ? " " : "";
    char *at = used < len ? buf + used : NULL;
    size_t room = used < len ? len - used : 0;
    int n;
    if (v->type == OCONFIG_TYPE_STRING)
      n = snprintf(at, room, "%s%s", sep, v->value.string);
    else if (v->type == OCONFIG_TYPE_NUMBER)
      n = snprintf(at, room, "%s%lf", sep, v->value.number);
    else
      n = snprintf(at, room, "%s%s", sep, v->value.boolean ? "true" : "false");
    used += n > 0 ? (size_t)n : 0;
  }
  return used;
}

char *cf_util_values_to_string(const oconfig_item_t *ci) {
  size_t len = values_join(ci, NULL, 0) + 1;
  char *buf = malloc(len);
  if (buf == NULL)
    return NULL;
  buf[0] = '\0';
  values_join(ci, buf, len);
  return buf;
}
