/* The global options of collectd.conf: what each one takes, where its value
 * was set, and the check that refuses a value with the file, the line and
 * the reason as the file is read, rather than later without them.
 *
 * Values are kept as strings, which global_option_get() returns as in
 * collectd 5.12. collectd 5.12 starts with almost any value: it runs with
 * the default where "Interval 2s", "Interval 0" or "ReadThreads x" is not
 * a good one, and reads "FQDNLookup 1" as false; it refuses only a Timeout
 * that is not a positive integer. Debian's takes a 10 MB Hostname after six
 * minutes, keeps 127 bytes of it, and stops on an assertion for
 * "Interval 1.0e+300".
 *
 * So that a file collectd 5.12 starts with starts here too, a value of one
 * of its options that is not of the option's kind is taken as collectd
 * takes it, with a warning naming the file, the line and what is used
 * instead (`lenient`). A value that does not fit where it goes, and a bad
 * value of an option collectd refuses or does not have, is an error. */
#include "configfile_internal.h"
#include "utils/common/common.h"

typedef enum {
  OPT_TEXT,
  OPT_PATH,    /* shorter than PATH_MAX */
  OPT_NAME,    /* goes into identifiers or names a chain: shorter than
                  DATA_MAX_NAME_LEN */
  OPT_BOOLEAN, /* true or false (quoted or not) */
  OPT_SECONDS, /* more than 0, and few enough for a cdtime_t */
  OPT_COUNT,   /* a number, at least .min, that fits an int */
  OPT_POLICY,  /* Skip, Shutdown or Restart */
} option_kind_t;

typedef struct {
  const char *key;
  option_kind_t kind;
  int min;               /* OPT_COUNT */
  const char *def;       /* the default, as a string */
  bool lenient;          /* a value not of its kind is warned of, not refused */
  const char *def_shown; /* the default in a warning, if not .def */
  char *value;           /* set by the file or the command line */
  bool from_cli;         /* the command line wins over the file */
  /* Where the file set it, for messages about it later (borrowed from the
   * tree, which lives until cf_free()); NULL for the default or -P. */
  const char *file;
  int line;
} global_option_t;

static global_option_t options[] = {
    {.key = "BaseDir", .kind = OPT_PATH, .def = PKGLOCALSTATEDIR},
    {.key = "PIDFile", .kind = OPT_PATH, .def = PIDFILE},
    {.key = "PluginDir", .kind = OPT_PATH, .def = PLUGINDIR},
    {.key = "Hostname", .kind = OPT_NAME},
    {.key = "FQDNLookup", .kind = OPT_BOOLEAN, .def = "true", .lenient = true},
    {.key = "Interval",
     .kind = OPT_SECONDS,
     .lenient = true,
     .def_shown = "10"},
    {.key = "MaxReadInterval",
     .kind = OPT_SECONDS,
     .def = "86400",
     .lenient = true},
    {.key = "Timeout", .kind = OPT_COUNT, .min = 1, .def = "2"},
    {.key = "ReadThreads",
     .kind = OPT_COUNT,
     .min = 1,
     .def = "5",
     .lenient = true},
    {.key = "WriteThreads",
     .kind = OPT_COUNT,
     .min = 1,
     .def = "5",
     .lenient = true},
    {.key = "WriteQueueLimitHigh",
     .kind = OPT_COUNT,
     .lenient = true,
     .def_shown = "0: no limit"},
    {.key = "WriteQueueLimitLow",
     .kind = OPT_COUNT,
     .lenient = true,
     .def_shown = "0: no limit"},
    {.key = "AutoLoadPlugin",
     .kind = OPT_BOOLEAN,
     .def = "false",
     .lenient = true},
    {.key = "CollectInternalStats",
     .kind = OPT_BOOLEAN,
     .def = "false",
     .lenient = true},
    {.key = "PreCacheChain", .kind = OPT_NAME, .def = "PreCache"},
    {.key = "PostCacheChain", .kind = OPT_NAME, .def = "PostCache"},
    {.key = "OnPluginFailure", .kind = OPT_POLICY, .def = "Skip"},
    {.key = "UnloadTimeout", .kind = OPT_SECONDS, .def = "10"},
    {.key = "RestartDelay", .kind = OPT_SECONDS, .def = "1"},
    {.key = "RestartMaxDelay", .kind = OPT_SECONDS, .def = "300"},
    {.key = "IsolatePlugins", .kind = OPT_BOOLEAN, .def = "false"},
};

static global_option_t *option_find(const char *key) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(options); i++)
    if (strcasecmp(options[i].key, key) == 0)
      return &options[i];
  return NULL;
}

static int option_store(global_option_t *o, const char *value, bool from_cli,
                        const char *file, int line) {
  if (o->from_cli && !from_cli)
    return 0; /* -P and friends win over the file */
  char *copy = value != NULL ? strdup(value) : NULL;
  if (value != NULL && copy == NULL)
    return -ENOMEM;
  free(o->value);
  o->value = copy;
  o->from_cli = from_cli;
  o->file = file;
  o->line = line;
  return 0;
}

int global_option_set(const char *option, const char *value, bool from_cli) {
  global_option_t *o = option_find(option);
  return o != NULL ? option_store(o, value, from_cli, NULL, 0) : -ENOENT;
}

const char *global_option_get(const char *option) {
  global_option_t *o = option_find(option);
  if (o == NULL)
    return NULL;
  return o->value != NULL ? o->value : o->def;
}

/* The number in `s`, all of it (blanks around it allowed); -EINVAL if it
 * is not one. */
static int parse_number(const char *s, double *ret) {
  char *end;
  errno = 0;
  double d = strtod(s, &end);
  while (end != s && isspace((unsigned char)*end))
    end++;
  if (end == s || *end != '\0' || isnan(d) || (errno != 0 && isinf(d)))
    return -EINVAL;
  *ret = d;
  return 0;
}

long global_option_get_long(const char *option, long default_value) {
  const char *s = global_option_get(option);
  double d;
  if (s == NULL || parse_number(s, &d) != 0)
    return default_value;
  return (long)d;
}

cdtime_t global_option_get_time(char const *option, cdtime_t default_value) {
  const char *s = global_option_get(option);
  double d;
  if (s == NULL || parse_number(s, &d) != 0 || d <= 0.0 ||
      d > CDTIME_T_SECONDS_MAX)
    return default_value;
  return DOUBLE_TO_CDTIME_T(d);
}

bool cf_option_is_set(const char *key) {
  global_option_t *o = option_find(key);
  return o != NULL && o->value != NULL;
}

const char *cf_option_where(const char *key, char *buf, size_t len) {
  global_option_t *o = option_find(key);
  buf[0] = '\0';
  if (o != NULL && o->file != NULL)
    snprintf(buf, len, "%s:%d: ", o->file, o->line);
  else if (o != NULL && o->from_cli)
    snprintf(buf, len, "command line: ");
  return buf;
}

void cf_options_reset(void) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(options); i++) {
    free(options[i].value);
    options[i].value = NULL;
    options[i].from_cli = false;
    options[i].file = NULL;
    options[i].line = 0;
  }
}

/* ---- reading one from the file ------------------------------------------ */

/* "N characters" for ASCII text, "N bytes" otherwise. */
static const char *length_unit(const char *s) {
  for (; *s != '\0'; s++)
    if ((unsigned char)*s >= 0x80)
      return "bytes";
  return "characters";
}

/* What option_check() found a value to be. */
enum {
  VALUE_GOOD,    /* kept as it is */
  VALUE_DEFAULT, /* not of its kind (lenient): the default is used */
  VALUE_FALSE,   /* not a boolean (lenient): false, as IS_TRUE() reads it */
};

/* A value of kind `kind` that a lenient option does not take: logs
 * "file:line: Key: reason; <what is used>" as a warning and returns what
 * to do with it, or logs the reason as an error and returns -EINVAL. */
static int not_of_kind(const global_option_t *o, const char *where,
                       const char *reason) {
  if (!o->lenient) {
    ERROR("%s%s: %s", where, o->key, reason);
    return -EINVAL;
  }
  if (o->kind == OPT_BOOLEAN) {
    WARNING("%s%s: %s; taken as false, as collectd 5.12 takes it", where,
            o->key, reason);
    return VALUE_FALSE;
  }
  WARNING("%s%s: %s; the default (%s) is used, as in collectd 5.12", where,
          o->key, reason, o->def_shown != NULL ? o->def_shown : o->def);
  return VALUE_DEFAULT;
}

/* Checks `value` (the option's one value, as a string) against what `o`
 * takes. Returns VALUE_GOOD if it does; for a lenient option whose value is
 * not of its kind, what is used instead (after a warning); and -EINVAL
 * (after an error, "file:line: Key: reason") for a value refused. `v` is
 * the value as the parser read it. */
static int option_check(const global_option_t *o, const oconfig_value_t *v,
                        const char *value, const char *where) {
  char reason[OCONFIG_EXCERPT_SIZE + 64];
  char q[OCONFIG_EXCERPT_SIZE];
  const char *shown = v->type == OCONFIG_TYPE_NUMBER
                          ? value
                          : oconfig_excerpt(value, true, q, sizeof(q));
  size_t len = strlen(value);
  double d = 0;
  bool number = parse_number(value, &d) == 0;
  switch (o->kind) {
  case OPT_TEXT:
    return 0;
  case OPT_PATH:
    if (len < PATH_MAX)
      return 0;
    ERROR("%s%s: the path is %zu bytes long; at most %d fit", where, o->key,
          len, PATH_MAX - 1);
    return -EINVAL;
  case OPT_NAME:
    if (len < DATA_MAX_NAME_LEN)
      return 0;
    ERROR("%s%s: the value is %zu %s long; at most %d fit", where, o->key, len,
          length_unit(value), DATA_MAX_NAME_LEN - 1);
    return -EINVAL;
  case OPT_BOOLEAN:
    if (v->type == OCONFIG_TYPE_BOOLEAN ||
        (v->type == OCONFIG_TYPE_STRING && (IS_TRUE(value) || IS_FALSE(value))))
      return VALUE_GOOD;
    snprintf(reason, sizeof(reason), "%s is neither true nor false", shown);
    return not_of_kind(o, where, reason);
  case OPT_SECONDS:
    if (!number)
      snprintf(reason, sizeof(reason), "%s is not a number of seconds", shown);
    else if (d <= 0.0)
      snprintf(reason, sizeof(reason), "must be more than 0 seconds, not %s",
               shown);
    else if (d > CDTIME_T_SECONDS_MAX) {
      ERROR("%s%s: %s seconds do not fit; at most %.0f do", where, o->key,
            shown, CDTIME_T_SECONDS_MAX);
      return -EINVAL;
    } else
      return VALUE_GOOD;
    return not_of_kind(o, where, reason);
  case OPT_COUNT:
    if (!number)
      snprintf(reason, sizeof(reason), "%s is not a number", shown);
    else if (d < o->min)
      snprintf(reason, sizeof(reason), "must be at least %d, not %s", o->min,
               shown);
    else if (d >= (double)INT_MAX + 1) {
      ERROR("%s%s: %s does not fit; at most %d does", where, o->key, shown,
            INT_MAX);
      return -EINVAL;
    } else
      return VALUE_GOOD;
    return not_of_kind(o, where, reason);
  case OPT_POLICY:
    if (strcasecmp(value, "Skip") == 0 || strcasecmp(value, "Shutdown") == 0 ||
        strcasecmp(value, "Restart") == 0)
      return 0;
    ERROR("%s%s: %s must be Skip, Shutdown or Restart", where, o->key, shown);
    return -EINVAL;
  }
  return 0;
}

/* The text a value is kept as: numbers without trailing zeros (so that
 * ReadThreads is "5", not "5.000000"). */
static char *value_text(const oconfig_value_t *v) {
  char buf[64];
  switch (v->type) {
  case OCONFIG_TYPE_NUMBER:
    snprintf(buf, sizeof(buf), "%.15g", v->value.number);
    return strdup(buf);
  case OCONFIG_TYPE_BOOLEAN:
    return strdup(v->value.boolean ? "true" : "false");
  default:
    return strdup(v->value.string != NULL ? v->value.string : "");
  }
}

int cf_option_take(const oconfig_item_t *ci) {
  global_option_t *o = option_find(ci->key);
  if (o == NULL)
    return -ENOENT;
  const char *file = "(unknown)";
  int line = 0;
  oconfig_item_source(ci, &file, &line);
  char where[PATH_MAX + 32];
  snprintf(where, sizeof(where), "%s:%d: ", file, line);

  if (ci->values_num != 1 || ci->children_num != 0) {
    ERROR("%s%s needs exactly one value", where, o->key);
    return -EINVAL;
  }
  char *value = value_text(&ci->values[0]);
  if (value == NULL)
    return -ENOMEM;
  int status = option_check(o, &ci->values[0], value, where);
  if (status >= 0)
    status = option_store(o,
                          status == VALUE_GOOD    ? value
                          : status == VALUE_FALSE ? "false"
                                                  : NULL,
                          false, file, line);
  free(value);
  return status;
}

void cf_options_changed(const oconfig_item_t *root, char *buf, size_t len,
                        int *num) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(options); i++) {
    const global_option_t *o = &options[i];
    if (o->from_cli)
      continue;
    /* The last setting in the files wins, as when they are read. */
    char *now = NULL;
    for (int j = 0; j < root->children_num; j++) {
      const oconfig_item_t *ci = root->children + j;
      if (strcasecmp(ci->key, o->key) != 0 || ci->values_num != 1 ||
          ci->children_num != 0)
        continue;
      free(now);
      now = value_text(&ci->values[0]);
    }
    bool same = now == NULL ? o->value == NULL
                            : o->value != NULL && strcmp(now, o->value) == 0;
    free(now);
    if (!same)
      cf_list_add(buf, len, o->key, num);
  }
}

void cf_list_add(char *buf, size_t len, const char *key, int *num) {
  size_t used = strnlen(buf, len);
  if (used < len)
    snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "", key);
  (*num)++;
}
