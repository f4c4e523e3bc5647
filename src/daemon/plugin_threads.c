/* Threads plugins start through plugin_thread_create(), and threads of
 * their own that name them in plugin_set_ctx(): they run in the context of
 * their plugin, and each is listed on its plugin's record until it has
 * wholly ended, so that an unload can tell whether the plugin kept its
 * promise to stop them, and never closes an object a thread still runs in
 * (its thread-local destructors run after its start routine returned). */
#include "plugin_internal.h"
#include "utils/common/common.h"

#include <pthread.h>
#include <sys/syscall.h>

struct plugin_thread_s {
  char name[64]; /* whole: the kernel keeps only 15 bytes of it */
  pid_t tid;     /* 0 until the thread runs */
  /* Its start routine returned (or it called pthread_exit()); it is gone
   * once the kernel no longer lists its task. */
  bool ended;
  plugin_thread_t *next;
};

/* Protects every record's `threads` list and the entries on it. */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;

static pid_t current_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* An ended thread has wholly exited (thread-local destructors and all)
 * once its task is gone from /proc/self/task. A reused id can only make
 * us wait longer, never close an object too soon. */
static bool task_gone(pid_t tid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
  struct stat st;
  return stat(path, &st) != 0 && errno == ENOENT;
}

static void entry_list(plugin_t *owner, plugin_thread_t *entry) {
  pthread_mutex_lock(&threads_lock);
  entry->next = owner->threads;
  owner->threads = entry;
  pthread_mutex_unlock(&threads_lock);
}

static void entry_ended(plugin_thread_t *entry) {
  pthread_mutex_lock(&threads_lock);
  entry->ended = true;
  pthread_mutex_unlock(&threads_lock);
}

typedef struct {
  plugin_t *owner;
  plugin_ctx_t ctx;
  plugin_thread_t *entry; /* on owner->threads; NULL for the core's */
  void *(*start)(void *);
  void *arg;
} thread_start_t;

/* The entry stays listed until plugin__threads_alive() sees the task
 * gone. */
static void thread_ended(void *arg) {
  thread_start_t *ts = arg;
  if (ts->entry != NULL)
    entry_ended(ts->entry);
  free(ts);
}

static void *thread_trampoline(void *arg) {
  thread_start_t *ts = arg;
  void *ret;
  if (ts->entry != NULL) {
    pthread_mutex_lock(&threads_lock);
    ts->entry->tid = current_tid();
    pthread_mutex_unlock(&threads_lock);
  }
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
    entry_list(ts->owner, ts->entry);
  }

  int status = pthread_create(thread, NULL, thread_trampoline, ts);
  if (status != 0) {
    /* It never ran: no task to wait for. */
    if (ts->entry != NULL)
      ts->entry->tid = -1;
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
  plugin_thread_t **pp = &p->threads;
  while (*pp != NULL) {
    plugin_thread_t *t = *pp;
    if (t->ended && (t->tid <= 0 || task_gone(t->tid))) {
      *pp = t->next;
      free(t);
      continue;
    }
    name_list_add(&l, "\"%s\"", t->name);
    pp = &t->next;
  }
  pthread_mutex_unlock(&threads_lock);
  return l.num;
}

/* ---- threads plugins start themselves ------------------------------------ */

/* The entry of an adopted thread, marked ended by the key's destructor
 * when the thread exits. */
static pthread_key_t adopted_key;
static pthread_once_t adopted_once = PTHREAD_ONCE_INIT;

static void adopted_exit(void *entry) { entry_ended(entry); }
static void adopted_key_create(void) {
  pthread_key_create(&adopted_key, adopted_exit);
}

bool plugin__thread_adopt(plugin_t *owner) {
  plugin_thread_t *entry = calloc(1, sizeof(*entry));
  if (entry == NULL)
    return false;
  char name[16] = "";
  pthread_getname_np(pthread_self(), name, sizeof(name));
  sstrncpy(entry->name, name[0] != '\0' ? name : owner->name,
           sizeof(entry->name));
  entry->tid = current_tid();
  pthread_once(&adopted_once, adopted_key_create);
  /* The state is read under the list's lock, and an unload sets it before
   * it looks at the list under that lock: either the unload sees this
   * thread, or this thread sees the unload and stays the core's. */
  pthread_mutex_lock(&threads_lock);
  bool adopted = atomic_load(&owner->state) != PLUGIN_UNLOADING;
  if (adopted) {
    entry->next = owner->threads;
    owner->threads = entry;
  }
  pthread_mutex_unlock(&threads_lock);
  if (!adopted) {
    free(entry);
    return false;
  }
  pthread_setspecific(adopted_key, entry);
  return true;
}
