/* The two argument syntaxes of the protocol, as 5.12 reads them:
 *
 *  - fields (PUTVAL, GETVAL, LISTVAL, FLUSH): blank-separated; a double
 *    quote starts a string that may hold blanks, with backslash escapes,
 *    and its closing quote ends the field, so `ab"c d"` is one field
 *    ("abc d") and `"a b"c` two ("a b", "c"). Outside quotes a backslash
 *    is an ordinary byte. Options are fields of the form key=value.
 *  - raw options (PUTNOTIF): key=value pairs read straight from the line,
 *    where only a value may be quoted and must then be a whole word.
 *
 * Where 5.12 misbehaves we do not follow: its field splitter asserts (and
 * the daemon aborts) when a quoted string is followed by text without a
 * blank, and it turns "" into a lone quote character; here the first
 * yields two fields and the second an empty one. */
#include "utils/cmds/cmds.h"

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/* ---- fields -------------------------------------------------------------- */

/* Reads the quoted string starting after its opening quote at *in, writing
 * the unescaped bytes at *out (never ahead of *in). */
static int read_quoted(char **in, char **out, const char **ret_error) {
  char *i = *in, *o = *out;
  for (;;) {
    if (*i == '\0') {
      *ret_error = "Unterminated quoted string.";
      return -EINVAL;
    }
    if (*i == '"')
      break;
    if (*i == '\\') {
      i++;
      if (*i == '\0') {
        *ret_error = "Backslash at end of string.";
        return -EINVAL;
      }
    }
    *o++ = *i++;
  }
  *in = i + 1; /* past the closing quote */
  *out = o;
  return 0;
}

int cmd_split(char *text, cmd_args_t *ret, const char **ret_error) {
  *ret = (cmd_args_t){0};
  *ret_error = NULL;

  /* Every field but the last takes at least two bytes (a byte and a blank,
   * or two quotes), so this many pointers always suffice. */
  size_t max = strlen(text) / 2 + 1;
  char **argv = calloc(max + 1, sizeof(*argv));
  if (argv == NULL) {
    *ret_error = "Out of memory.";
    return -ENOMEM;
  }

  size_t argc = 0;
  char *in = text;
  for (;;) {
    while (is_blank(*in))
      in++;
    if (*in == '\0')
      break;

    /* Unescaping works in place: `out` never passes `in`. */
    char *field = in;
    char *out = in;
    while (*in != '\0' && !is_blank(*in) && *in != '"')
      *out++ = *in++;
    if (*in == '"') {
      in++;
      int status = read_quoted(&in, &out, ret_error);
      if (status != 0) {
        free(argv);
        return status;
      }
    }
    assert(argc < max);
    argv[argc++] = field;

    /* Without quotes, `out` sits on the blank (or NUL) that ends the field,
     * which the terminator then replaces. */
    bool at_end = (*in == '\0');
    bool on_separator = (out == in);
    *out = '\0';
    if (at_end)
      break;
    if (on_separator)
      in++;
  }

  ret->argv = argv;
  ret->argc = argc;
  return 0;
}

void cmd_args_free(cmd_args_t *args) {
  if (args == NULL)
    return;
  free(args->argv);
  args->argv = NULL;
  args->argc = 0;
}

int cmd_split_option(char *field, char **ret_key, char **ret_value) {
  /* 5.12 takes "=x" for a value list, not an option with an empty key. */
  char *eq = strchr(field, '=');
  if (eq == NULL || eq == field)
    return -EINVAL;
  *eq = '\0';
  *ret_key = field;
  *ret_value = eq + 1;
  return 0;
}

/* ---- raw options --------------------------------------------------------- */

int parse_string(char **buffer, char **ret_string) {
  char *s = *buffer;
  while (is_blank(*s))
    s++;
  if (*s == '\0')
    return -ENOENT;

  char *start;
  if (*s == '"') {
    start = s + 1;
    char *in = start, *out = start;
    const char *why;
    if (read_quoted(&in, &out, &why) != 0)
      return -EINVAL;
    /* The closing quote must end the word. */
    if (*in != '\0' && !is_blank(*in))
      return -EINVAL;
    *out = '\0';
    s = (*in != '\0') ? in + 1 : in;
  } else {
    start = s;
    while (*s != '\0' && !is_blank(*s))
      s++;
    if (*s != '\0')
      *s++ = '\0';
  }

  *ret_string = start;
  *buffer = s;
  return 0;
}

int parse_option(char **buffer, char **ret_key, char **ret_value) {
  char *s = *buffer;
  while (is_blank(*s))
    s++;
  if (*s == '\0')
    return -ENOENT;

  char *key = s;
  while (*s != '\0' && *s != '=' && *s != '"' && !is_blank(*s))
    s++;
  if (*s != '=' || s == key)
    return -EINVAL;
  *s++ = '\0';

  /* The value follows the '=' directly and is never empty unless quoted. */
  if (*s == '\0' || is_blank(*s))
    return -EINVAL;
  char *value;
  if (parse_string(&s, &value) != 0)
    return -EINVAL;

  *ret_key = key;
  *ret_value = value;
  *buffer = s;
  return 0;
}
