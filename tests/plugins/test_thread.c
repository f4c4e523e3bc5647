/* test_thread: a plugin with a thread of its own that keeps its promise:
 * init starts it (plugin_thread_create, named "test_thread"), it
 * dispatches test_thread/gauge (the number of rounds so far) every 100 ms,
 * and shutdown stops and joins it. Unloading must succeed and leave no
 * thread behind. No options.
 *
 * The thread waits on a condition variable rather than sleeping, so that
 * shutdown wakes it at once instead of making the unload wait a round. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#define TT_ROUND_NS 100000000L /* 100 ms */

/* tt_lock protects tt_stop; tt_wake is signalled when tt_stop is set. */
static pthread_mutex_t tt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tt_wake = PTHREAD_COND_INITIALIZER;
static bool tt_stop;

/* Only init and shutdown touch these, and the core never runs them at once. */
static pthread_t tt_thread;
static bool tt_running;

static void tt_submit(gauge_t rounds) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = rounds};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_thread", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  plugin_dispatch_values(&vl);
}

static void *tt_main(void *arg) {
  uint64_t rounds = 0;

  pthread_mutex_lock(&tt_lock);
  while (!tt_stop) {
    pthread_mutex_unlock(&tt_lock);
    tt_submit((gauge_t)++rounds);

    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += TT_ROUND_NS;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }

    pthread_mutex_lock(&tt_lock);
    while (!tt_stop &&
           pthread_cond_timedwait(&tt_wake, &tt_lock, &until) != ETIMEDOUT)
      ; /* woken early (spuriously or by shutdown): check the flag again */
  }
  pthread_mutex_unlock(&tt_lock);
  return NULL;
}

static int tt_init(void) {
  if (tt_running)
    return 0;

  tt_stop = false;
  int status = plugin_thread_create(&tt_thread, tt_main, NULL, "test_thread");
  if (status != 0) {
    ERROR("test_thread: cannot start the thread: %s", STRERROR(status));
    return -status;
  }
  tt_running = true;
  return 0;
}

/* Safe whether or not init ran (or succeeded). */
static int tt_shutdown(void) {
  if (!tt_running)
    return 0;

  pthread_mutex_lock(&tt_lock);
  tt_stop = true;
  pthread_cond_signal(&tt_wake);
  pthread_mutex_unlock(&tt_lock);

  pthread_join(tt_thread, NULL);
  tt_running = false;
  tt_stop = false;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_thread");
  plugin_register_init("test_thread", tt_init);
  plugin_register_shutdown("test_thread", tt_shutdown);
}
