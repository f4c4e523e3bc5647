/* LISTVAL
 *
 * Every identifier in the value cache with the time of its last value,
 * sorted by name (byte order), one "<epoch, %.3f> <identifier>" line each.
 * Names are printed as they are, blanks and quotes included.
 *
 * Replies, as 5.12:
 *   2 Values found / 1795553659.172 h/cpu-0/cpu-idle / ...
 *   1 Value found / ...
 *   0 Values found
 *  -1 Garbage after end of command: `<first argument>'. */
#include "utils/cmds/cmds.h"

#include "utils/common/common.h"
#include "utils_cache.h"

int cmd_handle_listval(cmd_writer_t *w, cmd_args_t *args,
                       const cmd_options_t *opts) {
  if (args->argc > 0)
    return cmd_error(w, -EINVAL, "Garbage after end of command: `%s'.",
                     args->argv[0]);

  char **names = NULL;
  cdtime_t *times = NULL;
  size_t num = 0;
  int status = uc_get_names(&names, &times, &num);
  if (status == ENOMEM)
    return cmd_error(w, -ENOMEM, "Out of memory reading the value cache.");
  if (status != 0)
    return cmd_error(w, -EIO, "Reading the value cache failed.");

  cmd_reply(w, (int)num, "Value%s found", num == 1 ? "" : "s");
  for (size_t i = 0; i < num; i++) {
    cmd_reply_line(w, "%.3f %s", CDTIME_T_TO_DOUBLE(times[i]), names[i]);
    free(names[i]);
  }
  free(names);
  free(times);
  return 0;
}
