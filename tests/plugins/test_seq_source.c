/* test_seq_source: a stream of numbered values, so that a test can tell
 * which ones a writer lost or got twice. A thread of its own (started by
 * init with plugin_thread_create, named "test_seq_source") dispatches
 * test_seq_source/gauge with the values 1, 2, 3... at about Rate values a
 * second, each with a time later than the one before. Shutdown stops and
 * joins the thread, then writes the number of the last value the core
 * accepted to LastFile.
 *
 *   <Plugin test_seq_source>
 *     Rate 2000                  # values a second (default 2000)
 *     LastFile "/tmp/x/last"     # required; "<last number>\n" at shutdown
 *     NotifyEvery 10             # value n with n % 10 == 0 is also sent
 *                                # as a notification whose message is "n"
 *                                # (default 0: no notifications)
 *   </Plugin>
 *
 * The first value the core refuses ends the stream (with an error in the
 * log), so that every number up to the one in LastFile was accepted. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

/* The options; written by config and shutdown only, read by the thread,
 * which runs between init and shutdown. */
static double tss_rate = 2000.0;
static char *tss_last_file;
static uint64_t tss_notify_every;

/* tss_lock protects tss_stop; tss_wake is signalled when tss_stop is set. */
static pthread_mutex_t tss_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tss_wake = PTHREAD_COND_INITIALIZER;
static bool tss_stop;

/* Written by the thread, read by shutdown after the join. */
static uint64_t tss_last;

/* Only init and shutdown touch these, and the core never runs them at once. */
static pthread_t tss_thread;
static bool tss_running;

static int tss_config_options(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "Rate") == 0) {
      if (cf_util_get_double(opt, &tss_rate) != 0 || !(tss_rate > 0)) {
        ERROR("test_seq_source: Rate must be a positive number");
        return -EINVAL;
      }
    } else if (strcasecmp(opt->key, "LastFile") == 0) {
      sfree(tss_last_file);
      if (cf_util_get_string(opt, &tss_last_file) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "NotifyEvery") == 0) {
      int every = 0;
      if (cf_util_get_int(opt, &every) != 0 || every < 0) {
        ERROR("test_seq_source: NotifyEvery must be 0 or more");
        return -EINVAL;
      }
      tss_notify_every = (uint64_t)every;
    } else {
      ERROR("test_seq_source: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

/* A failing config frees what it holds itself rather than rely on a
 * shutdown call after the failure. */
static int tss_config(oconfig_item_t *ci) {
  int status = tss_config_options(ci);
  if (status != 0)
    sfree(tss_last_file);
  return status;
}

static int tss_submit(uint64_t n, cdtime_t t) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = (gauge_t)n};
  vl.values_len = 1;
  vl.time = t;
  sstrncpy(vl.plugin, "test_seq_source", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  int status = plugin_dispatch_values(&vl);
  if (status != 0 || tss_notify_every == 0 || n % tss_notify_every != 0)
    return status;

  notification_t notif = {.severity = NOTIF_OKAY, .time = t};
  snprintf(notif.message, sizeof(notif.message), "%" PRIu64, n);
  sstrncpy(notif.plugin, "test_seq_source", sizeof(notif.plugin));
  sstrncpy(notif.type, "gauge", sizeof(notif.type));
  return plugin_dispatch_notification(&notif);
}

/* Waits until `until` (CLOCK_REALTIME) or shutdown; false on shutdown. */
static bool tss_pause(cdtime_t until) {
  struct timespec ts = CDTIME_T_TO_TIMESPEC(until);
  pthread_mutex_lock(&tss_lock);
  while (!tss_stop &&
         pthread_cond_timedwait(&tss_wake, &tss_lock, &ts) != ETIMEDOUT)
    ; /* woken early (spuriously or by shutdown): check the flag again */
  bool go_on = !tss_stop;
  pthread_mutex_unlock(&tss_lock);
  return go_on;
}

static void *tss_main(void *arg) {
  const cdtime_t period = DOUBLE_TO_CDTIME_T(1.0 / tss_rate);
  cdtime_t last_time = 0;
  cdtime_t next = cdtime();

  for (uint64_t n = 1;; n++) {
    cdtime_t now = cdtime();
    /* Distinct, increasing times, even with a coarse clock. */
    cdtime_t t = now > last_time ? now : last_time + 1;
    int status = tss_submit(n, t);
    if (status != 0) {
      ERROR("test_seq_source: value %" PRIu64 " was refused (%d); stopping "
            "the stream",
            n, status);
      break;
    }
    tss_last = n;
    last_time = t;

    /* A thread that fell behind goes on from now rather than catch up. */
    next += period;
    if (next < now)
      next = now;
    if (!tss_pause(next))
      break;
  }
  return NULL;
}

static int tss_init(void) {
  if (tss_last_file == NULL) {
    ERROR("test_seq_source: the LastFile option is required");
    return -EINVAL;
  }
  if (tss_running)
    return 0;

  tss_stop = false;
  tss_last = 0;
  int status =
      plugin_thread_create(&tss_thread, tss_main, NULL, "test_seq_source");
  if (status != 0) {
    ERROR("test_seq_source: cannot start the thread: %s", STRERROR(status));
    return -status;
  }
  tss_running = true;
  return 0;
}

static int tss_write_last(void) {
  FILE *fh = fopen(tss_last_file, "w");
  if (fh == NULL) {
    int err = errno;
    ERROR("test_seq_source: cannot open \"%s\": %s", tss_last_file,
          STRERROR(err));
    return -err;
  }
  fprintf(fh, "%" PRIu64 "\n", tss_last);
  if (fclose(fh) != 0) {
    int err = errno;
    ERROR("test_seq_source: cannot write \"%s\": %s", tss_last_file,
          STRERROR(err));
    return -err;
  }
  return 0;
}

/* Safe whether or not init ran (or succeeded); puts the options back to
 * their defaults for the next load. */
static int tss_shutdown(void) {
  int status = 0;
  if (tss_running) {
    pthread_mutex_lock(&tss_lock);
    tss_stop = true;
    pthread_cond_signal(&tss_wake);
    pthread_mutex_unlock(&tss_lock);

    pthread_join(tss_thread, NULL);
    tss_running = false;
    tss_stop = false;
    status = tss_write_last();
  }

  sfree(tss_last_file);
  tss_rate = 2000.0;
  tss_notify_every = 0;
  return status;
}

void module_register(void) {
  plugin_register_unloadable("test_seq_source");
  plugin_register_complex_config("test_seq_source", tss_config);
  plugin_register_init("test_seq_source", tss_init);
  plugin_register_shutdown("test_seq_source", tss_shutdown);
}
