/* Threads plugins start through plugin_thread_create(): they run in the
 * context of the plugin that started them, and each is listed on its
 * plugin's record until it ends, so that an unload can tell whether the
 * plugin kept its promise to stop them. */
#include "plugin_internal.h"
#include "utils/common/common.h"

#include <pthread.h>

struct plugin_thread_s {
  char name[64]; /* whole: the kernel keeps only 15 bytes of it */
  plugin_thread_t *next;
};

/* Protects every record's `threads` list. */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
  plugin_t *owner;
  plugin_ctx_t ctx;
  plugin_thread_t *entry; /* on owner->threads; NULL for the core's */
  void *(*start)(void *);
  void *arg;
} thread_start_t;

static void thread_ended(void *arg) {
  thread_start_t *ts = arg;
  if (ts->entry != NULL) {
    pthread_mutex_lock(&threads_lock);
    for (plugin_thread_t **pp = &ts->owner->threads; *pp != NULL;
         pp = &(*pp)->next) {
      if (*pp == ts->entry) {
        *pp = ts->entry->next;
        break;
      }
    }
    pthread_mutex_unlock(&threads_lock);
    free(ts->entry);
  }
  free(ts);
}

static void *thread_trampoline(void *arg) {
  thread_start_t *ts = arg;
  void *ret;
  plugin__enter(ts->owner, ts->ctx);
  /* Also when the thread calls pthread_exit() or is cancelled. */
  pthread_cleanup_push(thread_ended, ts);
  ret = ts->start(ts->arg);
  pthread_cleanup_pop(1);
  return ret;
}

int plugin_thread_create(pthread_t *thread, void *(*start_routine)(void *),
                         void *arg, char const *name) {
  thread_start_t *ts = calloc(1, sizeof(*ts));
  if (ts == NULL)
    return ENOMEM;
  ts->owner = plugin__current_owner();
  ts->ctx = plugin_get_ctx();
  ts->start = start_routine;
  ts->arg = arg;
  if (ts->owner != NULL) {
    if ((ts->entry = calloc(1, sizeof(*ts->entry))) == NULL) {
      free(ts);
      return ENOMEM;
    }
    sstrncpy(ts->entry->name,
             name != NULL ? name : ts->owner->name, sizeof(ts->entry->name));
    /* Listed before it starts, so that it can never end unlisted. */
    pthread_mutex_lock(&threads_lock);
    ts->entry->next = ts->owner->threads;
    ts->owner->threads = ts->entry;
    pthread_mutex_unlock(&threads_lock);
  }

  int status = pthread_create(thread, NULL, thread_trampoline, ts);
  if (status != 0) {
    thread_ended(ts);
    return status;
  }
  if (name != NULL) {
    char buf[16];
    sstrncpy(buf, name, sizeof(buf));
    pthread_setname_np(*thread, buf);
  }
  return 0;
}

size_t plugin__threads_alive(plugin_t *p, char *names, size_t len) {
  name_list_t l = name_list_init(names, len);
  pthread_mutex_lock(&threads_lock);
  for (plugin_thread_t *t = p->threads; t != NULL; t = t->next)
    name_list_add(&l, "\"%s\"", t->name);
  pthread_mutex_unlock(&threads_lock);
  return l.num;
}
