/* test_tls_thread: a plugin whose thread has a thread-local destructor in
 * the plugin's object that runs after the thread's start routine returned.
 *
 *   <Plugin test_tls_thread>
 *     Marker "/path"   # created by the destructor when it has finished
 *   </Plugin>
 *
 * Init starts the thread (plugin_thread_create, named "test_tls_thread")
 * and detaches it. The thread creates a pthread key whose destructor is
 * tls_destructor() below, gives it a value and waits until shutdown asks
 * it to stop; then it returns. Shutdown asks and returns at once, without
 * joining (the thread is detached). The destructor then runs: it sleeps
 * about 300 ms in short naps, in this object's code, then creates the
 * marker. The daemon must not close the object before the thread has
 * wholly exited: the marker is there by the time an UNLOAD answers.
 *
 * Nothing the thread or its destructor still uses is in static storage
 * that shutdown resets: the key and the marker's path travel in a block
 * the thread owns, which the destructor frees. The destructor also deletes
 * the key, which POSIX allows from a destructor: only then is the key sure
 * to be used no more. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#define TLS_NAPS 30               /* of 10 ms: about 300 ms in all */
#define TLS_NAP_NS 10000000L      /* 10 ms */

typedef struct {
  pthread_key_t key;
  char *marker; /* NULL: none */
} tls_block_t;

/* tls_lock protects tls_stop; tls_wake is signalled when it is set. */
static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tls_wake = PTHREAD_COND_INITIALIZER;
static bool tls_stop;

/* Only config, init and shutdown touch these, never at once. */
static char *tls_marker;
static bool tls_running;

static void tls_block_free(tls_block_t *b) {
  free(b->marker);
  free(b);
}

/* Runs in the exiting thread, after tls_main() returned. */
static void tls_destructor(void *value) {
  tls_block_t *b = value;
  for (int i = 0; i < TLS_NAPS; i++) {
    struct timespec nap = {.tv_nsec = TLS_NAP_NS};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
      ;
  }
  if (b->marker != NULL) {
    FILE *f = fopen(b->marker, "w");
    if (f != NULL)
      fclose(f);
  }
  pthread_key_delete(b->key);
  tls_block_free(b);
}

static void *tls_main(void *arg) {
  tls_block_t *b = arg;
  if (pthread_key_create(&b->key, tls_destructor) != 0) {
    ERROR("test_tls_thread: pthread_key_create failed");
    tls_block_free(b);
    b = NULL;
  } else if (pthread_setspecific(b->key, b) != 0) {
    ERROR("test_tls_thread: pthread_setspecific failed");
    pthread_key_delete(b->key);
    tls_block_free(b);
    b = NULL;
  }

  pthread_mutex_lock(&tls_lock);
  while (!tls_stop)
    pthread_cond_wait(&tls_wake, &tls_lock);
  pthread_mutex_unlock(&tls_lock);
  return NULL; /* the destructor runs now, if the key has its value */
}

static int tls_config(const char *key, const char *value) {
  if (strcasecmp(key, "Marker") == 0) {
    char *copy = strdup(value);
    if (copy == NULL)
      return -1;
    free(tls_marker);
    tls_marker = copy;
    return 0;
  }
  ERROR("test_tls_thread: unknown option \"%s\"", key);
  return -1;
}

static int tls_init(void) {
  if (tls_running)
    return 0;

  tls_block_t *b = calloc(1, sizeof(*b));
  if (b == NULL)
    return -1;
  if (tls_marker != NULL && (b->marker = strdup(tls_marker)) == NULL) {
    free(b);
    return -1;
  }

  tls_stop = false;
  pthread_t thread;
  int status = plugin_thread_create(&thread, tls_main, b, "test_tls_thread");
  if (status != 0) {
    tls_block_free(b);
    ERROR("test_tls_thread: cannot start the thread: %s", STRERROR(status));
    return -1;
  }
  pthread_detach(thread);
  tls_running = true;
  return 0;
}

/* Safe whether or not init ran. Does not wait for the thread: the daemon
 * does, before it closes the object. */
static int tls_shutdown(void) {
  if (tls_running) {
    pthread_mutex_lock(&tls_lock);
    tls_stop = true;
    pthread_cond_signal(&tls_wake);
    pthread_mutex_unlock(&tls_lock);
    tls_running = false;
  }
  /* tls_stop stays set: the thread may not have seen it yet. Init clears
   * it, and the daemon runs init again only once the thread is gone. */
  free(tls_marker);
  tls_marker = NULL;
  return 0;
}

void module_register(void) {
  static const char *keys[] = {"Marker"};
  plugin_register_unloadable("test_tls_thread");
  plugin_register_config("test_tls_thread", tls_config, keys,
                         STATIC_ARRAY_SIZE(keys));
  plugin_register_init("test_tls_thread", tls_init);
  plugin_register_shutdown("test_tls_thread", tls_shutdown);
}
