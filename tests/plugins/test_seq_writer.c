/* test_seq_writer: writes down every value and notification of
 * test_seq_source, so that a test can check that a writer got each one
 * exactly once across reloads of the writer.
 *
 *   <Plugin test_seq_writer>
 *     File "/tmp/x/seen"   # required; opened for appending in init,
 *                          # closed in shutdown
 *     Tag "r7"             # written on every line (default "-"): tells
 *                          # which configuration wrote it, and changing it
 *                          # makes a RELOAD really reload
 *     Fail true            # the config callback fails (default false)
 *     SlowFirst 100        # the first 100 values this instance writes take
 *                          # 50 ms each (default 0): slower than the
 *                          # source, as a reload's carried values find it
 *     SlowInit 100         # init takes 100 ms (default 0), as a plugin's
 *                          # that connects somewhere: a reload to it
 *                          # carries whatever comes meanwhile
 *   </Plugin>
 *
 * One line per value or notification of plugin test_seq_source, flushed
 * at once:
 *   v <number> <tag>   a value (its gauge is the number)
 *   n <number> <tag>   a notification (its message is the number)
 * Everything else is ignored. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

#define TSW_SOURCE "test_seq_source"
#define TSW_SLOW_MS 50

/* The options; written by config and shutdown, which the core runs while
 * no write or notification callback of ours can. */
static char *tsw_path;
static char *tsw_tag;
static int tsw_slow_first;
static int tsw_slow_init_ms;

/* Values written by this instance so far; counted for SlowFirst. */
static _Atomic long tsw_written;

/* tsw_lock protects tsw_file against concurrent callers (write threads,
 * notification dispatchers). */
static pthread_mutex_t tsw_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *tsw_file;

static void tsw_free_options(void) {
  sfree(tsw_path);
  sfree(tsw_tag);
  tsw_slow_first = 0;
  tsw_slow_init_ms = 0;
}

static int tsw_config_options(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "File") == 0) {
      sfree(tsw_path);
      if (cf_util_get_string(opt, &tsw_path) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "Tag") == 0) {
      sfree(tsw_tag);
      if (cf_util_get_string(opt, &tsw_tag) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "SlowFirst") == 0) {
      if (cf_util_get_int(opt, &tsw_slow_first) != 0 || tsw_slow_first < 0) {
        ERROR("test_seq_writer: SlowFirst needs a count of values");
        return -EINVAL;
      }
    } else if (strcasecmp(opt->key, "SlowInit") == 0) {
      if (cf_util_get_int(opt, &tsw_slow_init_ms) != 0 ||
          tsw_slow_init_ms < 0) {
        ERROR("test_seq_writer: SlowInit needs milliseconds");
        return -EINVAL;
      }
    } else if (strcasecmp(opt->key, "Fail") == 0) {
      bool fail = false;
      if (cf_util_get_boolean(opt, &fail) != 0)
        return -EINVAL;
      if (fail) {
        ERROR("test_seq_writer: failing the configuration (Fail true)");
        return -EINVAL;
      }
    } else {
      ERROR("test_seq_writer: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

/* A failing config or init frees what it holds itself rather than rely on
 * a shutdown call after the failure; shutdown frees whatever remains. */
static int tsw_config(oconfig_item_t *ci) {
  int status = tsw_config_options(ci);
  if (status != 0)
    tsw_free_options();
  return status;
}

/* Also catches a load without any <Plugin test_seq_writer> block. */
static int tsw_init(void) {
  if (tsw_path == NULL) {
    ERROR("test_seq_writer: the File option is required");
    return -EINVAL;
  }
  if (tsw_tag == NULL && (tsw_tag = strdup("-")) == NULL) {
    tsw_free_options();
    return -ENOMEM;
  }

  if (tsw_slow_init_ms > 0)
    test_sleep(MS_TO_CDTIME_T(tsw_slow_init_ms));
  tsw_written = 0;
  pthread_mutex_lock(&tsw_lock);
  if (tsw_file == NULL)
    tsw_file = fopen(tsw_path, "a");
  int err = tsw_file == NULL ? errno : 0;
  pthread_mutex_unlock(&tsw_lock);
  if (err != 0) {
    ERROR("test_seq_writer: cannot open \"%s\": %s", tsw_path, STRERROR(err));
    tsw_free_options();
    return -err;
  }
  return 0;
}

static int tsw_line(char kind, const char *number) {
  pthread_mutex_lock(&tsw_lock);
  if (tsw_file == NULL) {
    pthread_mutex_unlock(&tsw_lock);
    return -EBADF;
  }
  fprintf(tsw_file, "%c %s %s\n", kind, number, tsw_tag);
  int status = fflush(tsw_file) == 0 ? 0 : -errno;
  pthread_mutex_unlock(&tsw_lock);
  return status;
}

static int tsw_write(const data_set_t *ds, const value_list_t *vl,
                     user_data_t *ud) {
  if (strcmp(vl->plugin, TSW_SOURCE) != 0 || vl->values_len < 1 ||
      ds->ds[0].type != DS_TYPE_GAUGE)
    return 0;

  if (tsw_written++ < tsw_slow_first)
    test_sleep(MS_TO_CDTIME_T(TSW_SLOW_MS));
  char number[32];
  snprintf(number, sizeof(number), "%.0f", vl->values[0].gauge);
  return tsw_line('v', number);
}

static int tsw_notify(const notification_t *n, user_data_t *ud) {
  if (strcmp(n->plugin, TSW_SOURCE) != 0)
    return 0;
  return tsw_line('n', n->message);
}

/* Safe after a failed config or init: frees what exists. */
static int tsw_shutdown(void) {
  pthread_mutex_lock(&tsw_lock);
  if (tsw_file != NULL)
    fclose(tsw_file);
  tsw_file = NULL;
  pthread_mutex_unlock(&tsw_lock);

  tsw_free_options();
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_seq_writer");
  plugin_register_complex_config("test_seq_writer", tsw_config);
  plugin_register_init("test_seq_writer", tsw_init);
  plugin_register_write("test_seq_writer", tsw_write, /* user_data = */ NULL);
  plugin_register_notification("test_seq_writer", tsw_notify,
                               /* user_data = */ NULL);
  plugin_register_shutdown("test_seq_writer", tsw_shutdown);
}
