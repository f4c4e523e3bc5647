/* test_raw_thread: a plugin whose thread is started with plain
 * pthread_create(), not plugin_thread_create(). The thread names the
 * plugin in plugin_set_ctx() (the context init runs in, its name set to
 * "test_raw_thread"), which makes the daemon adopt it: it is listed on the
 * plugin's record until it has exited, like a thread of
 * plugin_thread_create().
 *
 *   <Plugin test_raw_thread>
 *     StopInShutdown true   # shutdown stops and joins the thread (default)
 *   </Plugin>
 *
 * With StopInShutdown false, shutdown leaves the thread running: the
 * daemon must then report the plugin stuck instead of closing the object,
 * whose code the thread keeps running (a 10 ms nanosleep per round, called
 * from here).
 *
 * Init returns only once the thread has called plugin_set_ctx(): a LOAD
 * that succeeded has an adopted thread. The thread is named
 * "test_raw_thread". */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

/* trt_lock protects trt_stop and trt_adopted; trt_cond is signalled when
 * either changes. */
static pthread_mutex_t trt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t trt_cond = PTHREAD_COND_INITIALIZER;
static bool trt_stop;
static bool trt_adopted;

/* Only config, init and shutdown touch these, never at once. */
static bool trt_stop_in_shutdown = true;
static pthread_t trt_thread;
static bool trt_running;

static bool trt_stopped(void) {
  pthread_mutex_lock(&trt_lock);
  bool stop = trt_stop;
  pthread_mutex_unlock(&trt_lock);
  return stop;
}

static void *trt_main(void *arg) {
  plugin_ctx_t *ctx = arg;
  plugin_set_ctx(*ctx);
  free(ctx);

  pthread_mutex_lock(&trt_lock);
  trt_adopted = true;
  pthread_cond_broadcast(&trt_cond);
  pthread_mutex_unlock(&trt_lock);

  while (!trt_stopped()) {
    struct timespec pause = {.tv_nsec = 10000000L}; /* 10 ms */
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
      ;
  }
  return NULL;
}

static int trt_config(const char *key, const char *value) {
  if (strcasecmp(key, "StopInShutdown") == 0) {
    trt_stop_in_shutdown = IS_TRUE(value);
    return 0;
  }
  ERROR("test_raw_thread: unknown option \"%s\"", key);
  return -1;
}

static int trt_init(void) {
  if (trt_running)
    return 0;

  plugin_ctx_t *ctx = malloc(sizeof(*ctx));
  if (ctx == NULL)
    return -1;
  *ctx = plugin_get_ctx();
  /* The thread names this plugin, whatever init's context says. */
  ctx->name = "test_raw_thread";

  trt_stop = false;
  trt_adopted = false;
  int status = pthread_create(&trt_thread, NULL, trt_main, ctx);
  if (status != 0) {
    free(ctx);
    ERROR("test_raw_thread: pthread_create: %s", STRERROR(status));
    return -1;
  }
  pthread_setname_np(trt_thread, "test_raw_thread");
  trt_running = true;

  pthread_mutex_lock(&trt_lock);
  while (!trt_adopted)
    pthread_cond_wait(&trt_cond, &trt_lock);
  pthread_mutex_unlock(&trt_lock);
  return 0;
}

/* Safe whether or not init ran. */
static int trt_shutdown(void) {
  if (trt_running && !trt_stop_in_shutdown) {
    INFO("test_raw_thread: shutdown leaves its thread running");
    return 0;
  }
  if (trt_running) {
    pthread_mutex_lock(&trt_lock);
    trt_stop = true;
    pthread_mutex_unlock(&trt_lock);
    pthread_join(trt_thread, NULL);
    trt_running = false;
  }
  trt_stop = false;
  trt_adopted = false;
  trt_stop_in_shutdown = true;
  return 0;
}

void module_register(void) {
  static const char *keys[] = {"StopInShutdown"};
  trt_stop_in_shutdown = true;
  plugin_register_unloadable("test_raw_thread");
  plugin_register_config("test_raw_thread", trt_config, keys,
                         STATIC_ARRAY_SIZE(keys));
  plugin_register_init("test_raw_thread", trt_init);
  plugin_register_shutdown("test_raw_thread", trt_shutdown);
}
