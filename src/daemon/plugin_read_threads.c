/* The read threads: each takes the entry due first off the schedule, calls
 * it unless its plugin is not ready, and hands it back. */
#include "plugin_read.h"
#include "utils_cache.h"

#include <pthread.h>

static pthread_t *threads;
static size_t threads_num;
/* Written under the schedule lock; read threads check it there. */
static bool reading;

static void *read_thread(void *arg) {
  read_sched_lock();
  while (reading) {
    read_cb_t *rc = read_sched_peek();
    cdtime_t now = cdtime();
    if (rc == NULL || rc->next_due > now) {
      read_sched_wait(rc != NULL ? rc->next_due : 0);
      continue;
    }
    rc = read_sched_take();
    if (rc == NULL) {
      read_sched_wait(now + CDTIME_ONE_SECOND);
      continue;
    }
    read_sched_unlock();

    int status = read_cb_call(rc);

    read_sched_lock();
    if (!read_sched_done(rc, status, cdtime())) {
      read_sched_unlock();
      read_cb_free(rc);
      read_sched_lock();
    }
  }
  read_sched_unlock();
  return NULL;
}

int plugin__read_start(int num) {
  if (threads != NULL || num <= 0)
    return threads != NULL ? -EALREADY : -EINVAL;

  threads = calloc((size_t)num, sizeof(*threads));
  if (threads == NULL)
    return -ENOMEM;
  read_sched_lock();
  reading = true;
  read_sched_unlock();

  for (int i = 0; i < num; i++) {
    int status = pthread_create(&threads[i], NULL, read_thread, NULL);
    if (status != 0) {
      ERROR("cannot start read thread %d: %s", i, strerror(status));
      break;
    }
    char name[16];
    snprintf(name, sizeof(name), "reader#%d", i);
    pthread_setname_np(threads[i], name);
    threads_num++;
  }
  return threads_num > 0 ? 0 : -EAGAIN;
}

void plugin__read_stop(void) {
  read_sched_lock();
  reading = false;
  read_sched_wake();
  read_sched_unlock();
  for (size_t i = 0; i < threads_num; i++)
    pthread_join(threads[i], NULL);
  free(threads);
  threads = NULL;
  threads_num = 0;
}

void plugin__read_destroy(void) { read_sched_clear(); }

size_t read_sched_call_each_once(void (*failed)(const read_cb_t *rc,
                                                int status, void *arg),
                                 void *arg) {
  size_t num = read_sched_size();
  size_t failures = 0;
  for (size_t i = 0; i < num; i++) {
    read_sched_lock();
    read_cb_t *rc = read_sched_take();
    read_sched_unlock();
    if (rc == NULL)
      break;

    int status = read_cb_call(rc);
    if (status != 0) {
      failed(rc, status, arg);
      failures++;
    }
    /* Push it back far in the future so this loop sees each entry once. */
    read_sched_lock();
    bool kept = read_sched_done(rc, 0, cdtime() + 3600 * CDTIME_ONE_SECOND);
    read_sched_unlock();
    if (!kept)
      read_cb_free(rc);
  }
  return failures;
}

static void notice_failure(const read_cb_t *rc, int status, void *unused) {
  (void)status;
  (void)unused;
  NOTICE("read-function of plugin \"%s\" failed", rc->name);
}

/* -T: every read callback once, in the order they are due, without the
 * threads. Non-zero if any failed. */
int plugin_read_all_once(void) {
  return read_sched_call_each_once(notice_failure, NULL) > 0 ? -1 : 0;
}

/* collectd 5.12 kept this for old callers: it only expires the cache. */
void plugin_read_all(void) { uc_check_timeout(); }
