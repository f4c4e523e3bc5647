/* FLUSH [timeout=<seconds>] [plugin=<name> ...] [identifier=<id> ...]
 *
 * Calls plugin_flush() once for every (plugin, identifier) pair, a missing
 * list standing for "all" (NULL), and counts the calls that failed.
 * The timeout defaults to 0; a negative one means 0 (flush everything).
 * Option names are case-insensitive.
 *
 * Replies, as 5.12:
 *   0 Done: <n> successful, <m> errors
 *  -1 Invalid option string `<field>'.            (no '=')
 *  -1 Cannot parse option `<key>'.                (unknown option)
 *  -1 Invalid value for option `timeout': <value>
 *  -1 Invalid identifier `<identifier>'.
 *
 * 5.12 names only the host part of an invalid identifier (it quotes the
 * string after cutting it up); we quote the identifier as given. */
#include "utils/cmds/cmds.h"

#include "utils/common/common.h"

static bool identifier_valid(const char *raw) {
  char *copy = strdup(raw);
  if (copy == NULL)
    return false;
  char *host, *plugin, *plugin_instance, *type, *type_instance;
  int status = parse_identifier(copy, &host, &plugin, &plugin_instance, &type,
                                &type_instance, NULL);
  free(copy);
  return status == 0;
}

int cmd_handle_flush(cmd_writer_t *w, cmd_args_t *args,
                     const cmd_options_t *opts) {
  /* Both lists point into args->argv, which outlives this call. */
  const char **plugins = calloc(args->argc + 1, sizeof(*plugins));
  const char **identifiers = calloc(args->argc + 1, sizeof(*identifiers));
  size_t plugins_num = 0, identifiers_num = 0;
  cdtime_t timeout = 0;
  int status = 0;

  if (plugins == NULL || identifiers == NULL) {
    status = cmd_error(w, -ENOMEM, "Out of memory.");
    goto out;
  }

  for (size_t i = 0; i < args->argc; i++) {
    char *key, *value;
    if (cmd_split_option(args->argv[i], &key, &value) != 0) {
      status =
          cmd_error(w, -EINVAL, "Invalid option string `%s'.", args->argv[i]);
      goto out;
    }
    if (strcasecmp(key, "plugin") == 0) {
      plugins[plugins_num++] = value;
    } else if (strcasecmp(key, "identifier") == 0) {
      if (!identifier_valid(value)) {
        status = cmd_error(w, -EINVAL, "Invalid identifier `%s'.", value);
        goto out;
      }
      identifiers[identifiers_num++] = value;
    } else if (strcasecmp(key, "timeout") == 0) {
      char *end = NULL;
      double seconds = strtod(value, &end);
      if (end == value || isnan(seconds)) {
        status = cmd_error(w, -EINVAL, "Invalid value for option `timeout': %s",
                           value);
        goto out;
      }
      /* Negative means 0, as in 5.12; beyond cdtime_t's range means
       * "as old as can be". */
      if (seconds >= CMD_SECONDS_MAX)
        timeout = DOUBLE_TO_CDTIME_T(CMD_SECONDS_MAX);
      else
        timeout = seconds > 0 ? DOUBLE_TO_CDTIME_T(seconds) : 0;
    } else {
      status = cmd_error(w, -EINVAL, "Cannot parse option `%s'.", key);
      goto out;
    }
  }

  /* No list means one pass with NULL ("every plugin", "every value"). */
  size_t p_num = plugins_num ? plugins_num : 1;
  size_t i_num = identifiers_num ? identifiers_num : 1;
  int ok = 0, failed = 0;
  for (size_t p = 0; p < p_num; p++)
    for (size_t i = 0; i < i_num; i++) {
      if (plugin_flush(plugins[p], timeout, identifiers[i]) == 0)
        ok++;
      else
        failed++;
    }
  cmd_reply(w, 0, "Done: %d successful, %d errors", ok, failed);

out:
  free(plugins);
  free(identifiers);
  return status;
}
