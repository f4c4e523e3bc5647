/* GETVAL <identifier>
 *
 * Prints the current rate of each data source of the identifier, as the
 * value cache computes it (counters and derives per second, gauges as
 * they are), one "<data source>=<value>" line each, the value "%12e" or
 * "NaN". The identifier is looked up as written: it must have a host and
 * its type must exist, but "a/b-/c" is not the same name as "a/b/c".
 *
 * Replies, as 5.12:
 *   1 Value found / value=1.500000e+00
 *   2 Values found / rx=2.500000e+01 / tx=5.000000e+01
 *  -1 Missing identifier.
 *  -1 Garbage after identifier: `<second argument>'.
 *  -1 Cannot parse identifier `<identifier>'.
 *  -1 Type `<type>' is unknown.
 *  -1 No such value.
 *
 * 5.12 follows "Type ... is unknown." with an empty line, which the next
 * reply read on the connection then trips over; we do not send it. */
#include "utils/cmds/cmds.h"

#include "utils/common/common.h"
#include "utils_cache.h"

int cmd_handle_getval(cmd_writer_t *w, cmd_args_t *args,
                      const cmd_options_t *opts) {
  if (args->argc < 1)
    return cmd_error(w, -EINVAL, "Missing identifier.");
  if (args->argc > 1)
    return cmd_error(w, -EINVAL, "Garbage after identifier: `%s'.",
                     args->argv[1]);

  const char *name = args->argv[0];
  char *copy = strdup(name);
  if (copy == NULL)
    return cmd_error(w, -ENOMEM, "Out of memory.");
  char *host, *plugin, *plugin_instance, *type, *type_instance;
  if (parse_identifier(copy, &host, &plugin, &plugin_instance, &type,
                       &type_instance, NULL) != 0) {
    free(copy);
    return cmd_error(w, -EINVAL, "Cannot parse identifier `%s'.", name);
  }
  const data_set_t *ds = plugin_get_ds(type);
  if (ds == NULL) {
    int status = cmd_error(w, -ENOENT, "Type `%s' is unknown.", type);
    free(copy);
    return status;
  }
  free(copy);

  gauge_t *rates = NULL;
  size_t rates_num = 0;
  if (uc_get_rate_by_name(name, &rates, &rates_num) != 0)
    return cmd_error(w, -ENOENT, "No such value.");
  if (rates_num != ds->ds_num) {
    free(rates);
    return cmd_error(w, -EINVAL,
                     "The cache holds %zu values for `%s' but type `%s' has "
                     "%zu data sources.",
                     rates_num, name, ds->type, ds->ds_num);
  }

  cmd_reply(w, (int)rates_num, "Value%s found", rates_num == 1 ? "" : "s");
  for (size_t i = 0; i < rates_num; i++) {
    if (isnan(rates[i]))
      cmd_reply_line(w, "%s=NaN", ds->ds[i].name);
    else
      cmd_reply_line(w, "%s=%12e", ds->ds[i].name, rates[i]);
  }
  free(rates);
  return 0;
}
