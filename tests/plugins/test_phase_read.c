/* test_phase_read: a read plugin that writes down when it is read, so that
 * a test can see whether a reload keeps the phase of the read schedule.
 * Each read appends the time of the call (cdtime(), seconds with six
 * decimals) to File and dispatches nothing. The interval is the one of its
 * <LoadPlugin> block (or the global one).
 *
 *   <Plugin test_phase_read>
 *     File "/tmp/x/reads"   # required
 *     Tag "a"               # ignored: changing it makes a RELOAD reload
 *     InitSeconds 1.5       # init takes that long (default 0), so that a
 *                           # reload can span the time a read is due
 *   </Plugin> */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

/* Written by config and shutdown only, which never run during a read. */
static char *tpr_path;
static cdtime_t tpr_init_time;

static int tpr_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "File") == 0) {
      sfree(tpr_path);
      if (cf_util_get_string(opt, &tpr_path) != 0)
        goto fail;
    } else if (strcasecmp(opt->key, "Tag") == 0) {
      char *tag = NULL;
      if (cf_util_get_string(opt, &tag) != 0)
        goto fail;
      sfree(tag);
    } else if (strcasecmp(opt->key, "InitSeconds") == 0) {
      if (cf_util_get_cdtime(opt, &tpr_init_time) != 0)
        goto fail;
    } else {
      ERROR("test_phase_read: unknown option \"%s\"", opt->key);
      goto fail;
    }
  }
  return 0;

fail: /* a failing config frees what it holds itself */
  sfree(tpr_path);
  return -EINVAL;
}

static int tpr_init(void) {
  if (tpr_path == NULL) {
    ERROR("test_phase_read: the File option is required");
    return -EINVAL;
  }
  if (tpr_init_time > 0)
    test_sleep(tpr_init_time);
  return 0;
}

/* Opens the file for each call: no state to share between read threads. */
static int tpr_read(void) {
  double now = CDTIME_T_TO_DOUBLE(cdtime());
  FILE *fh = fopen(tpr_path, "a");
  if (fh == NULL) {
    int err = errno;
    ERROR("test_phase_read: cannot open \"%s\": %s", tpr_path, STRERROR(err));
    return -err;
  }
  fprintf(fh, "%.6f\n", now);
  if (fclose(fh) != 0) {
    int err = errno;
    ERROR("test_phase_read: cannot write \"%s\": %s", tpr_path, STRERROR(err));
    return -err;
  }
  return 0;
}

static int tpr_shutdown(void) {
  sfree(tpr_path);
  tpr_init_time = 0;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_phase_read");
  plugin_register_complex_config("test_phase_read", tpr_config);
  plugin_register_init("test_phase_read", tpr_init);
  plugin_register_read("test_phase_read", tpr_read);
  plugin_register_shutdown("test_phase_read", tpr_shutdown);
}
