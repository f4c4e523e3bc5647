/* OnPluginFailure Restart (see plugin_restart.h): the schedule of pending
 * restarts, their back-off, and the thread that carries them out. */
#include "plugin_restart.h"
#include "configfile.h"
#include "plugin_control.h"
#include "plugin_dynamic.h"
#include "utils/common/common.h"

#include <pthread.h>

/* One plugin's restarts, kept by name: a restart destroys the record and
 * creates a new one. */
typedef struct restart_s restart_t;
struct restart_s {
  char name[DATA_MAX_NAME_LEN];
  unsigned streak;       /* failures in a row, for the back-off */
  unsigned restarts;     /* restarts done since the last command */
  cdtime_t restarted_at; /* the start of the last restart; 0: none yet */
  cdtime_t due;          /* when the pending restart is due; 0: none */
  cdtime_t delay;        /* the delay it was given */
  cdtime_t failed_at;    /* when the failure it answers came */
  restart_t *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static restart_t *entries;
static bool running, stopping;
static pthread_t thread;
static cdtime_t first_delay = TIME_T_TO_CDTIME_T_STATIC(1);
static cdtime_t max_delay = TIME_T_TO_CDTIME_T_STATIC(300);

static restart_t *entry_find(const char *name) {
  for (restart_t *e = entries; e != NULL; e = e->next)
    if (strcasecmp(e->name, name) == 0)
      return e;
  return NULL;
}

/* RestartDelay doubled `streak` times, at most RestartMaxDelay. The
 * options are read each time: failures at start-up come before the
 * restart thread starts. */
static cdtime_t backoff(unsigned streak) {
  first_delay =
      global_option_get_time("RestartDelay", TIME_T_TO_CDTIME_T_STATIC(1));
  max_delay =
      global_option_get_time("RestartMaxDelay", TIME_T_TO_CDTIME_T_STATIC(300));
  if (max_delay < first_delay)
    max_delay = first_delay;
  cdtime_t d = first_delay;
  for (unsigned i = 0; i < streak && d < max_delay; i++)
    d *= 2;
  return d < max_delay ? d : max_delay;
}

static const char *why_not_restartable(plugin_t *p) {
  if (strcmp(p->failed_step, "shutdown") == 0)
    return "a thread of it still runs after its shutdown";
  if (!p->isolated && !plugin_dynamic_unloadable(p))
    return "a legacy plugin in process cannot be unloaded (Isolate true "
           "would let it be restarted)";
  return NULL;
}

void plugin__restart_failed(plugin_t *p) {
  if (p->conf.on_failure != PLUGIN_ON_FAILURE_RESTART)
    return;
  const char *why = why_not_restartable(p);
  if (why != NULL) {
    WARNING("%s: OnPluginFailure Restart: it is not restarted: %s", p->name,
            why);
    return;
  }

  cdtime_t now = cdtime();
  pthread_mutex_lock(&lock);
  if (stopping) {
    pthread_mutex_unlock(&lock);
    return;
  }
  restart_t *e = entry_find(p->name);
  if (e == NULL && (e = calloc(1, sizeof(*e))) != NULL) {
    sstrncpy(e->name, p->name, sizeof(e->name));
    e->next = entries;
    entries = e;
  }
  if (e == NULL) {
    pthread_mutex_unlock(&lock);
    ERROR("%s: OnPluginFailure Restart: out of memory; it is not restarted",
          p->name);
    return;
  }
  /* A plugin that ran for RestartMaxDelay since its last restart began
   * starts again from the first delay; one that failed in the restart
   * itself goes on doubling. */
  cdtime_t delay = backoff(e->streak);
  if (e->restarted_at != 0 && now - e->restarted_at >= max_delay) {
    e->streak = 0;
    delay = backoff(0);
  }
  if (e->due == 0) {
    e->delay = delay;
    e->due = now + e->delay;
    e->failed_at = now;
    e->streak++;
  }
  delay = e->delay;
  unsigned next = e->restarts + 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  INFO("%s: OnPluginFailure Restart: restart %u in %.3f s", p->name, next,
       CDTIME_T_TO_DOUBLE(delay));
}

void plugin__restart_forget(const char *name) {
  pthread_mutex_lock(&lock);
  for (restart_t **pp = &entries; *pp != NULL; pp = &(*pp)->next) {
    if (strcasecmp((*pp)->name, name) == 0) {
      restart_t *e = *pp;
      *pp = e->next;
      free(e);
      break;
    }
  }
  pthread_mutex_unlock(&lock);
}

unsigned plugin__restart_count(const char *name) {
  pthread_mutex_lock(&lock);
  restart_t *e = entry_find(name);
  unsigned n = e != NULL ? e->restarts : 0;
  pthread_mutex_unlock(&lock);
  return n;
}

/* The entry whose restart is due first, or NULL. */
static restart_t *next_due(void) {
  restart_t *first = NULL;
  for (restart_t *e = entries; e != NULL; e = e->next)
    if (e->due != 0 && (first == NULL || e->due < first->due))
      first = e;
  return first;
}

static void *restart_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!stopping) {
    restart_t *e = next_due();
    if (e == NULL) {
      pthread_cond_wait(&cond, &lock);
      continue;
    }
    cdtime_t now = cdtime();
    if (e->due > now) {
      struct timespec ts = CDTIME_T_TO_TIMESPEC(e->due);
      pthread_cond_timedwait(&cond, &lock, &ts);
      continue;
    }
    char name[DATA_MAX_NAME_LEN];
    sstrncpy(name, e->name, sizeof(name));
    /* Counted from its start: a failure in it is the next one's. */
    unsigned number = ++e->restarts;
    cdtime_t delay = e->delay, failed_at = e->failed_at;
    e->due = 0;
    e->restarted_at = now;
    pthread_mutex_unlock(&lock);

    char msg[1024];
    int status = plugin_control_restart(name, number, delay, failed_at, msg,
                                        sizeof(msg));

    pthread_mutex_lock(&lock);
    e = entry_find(name); /* a command may have forgotten it meanwhile */
    if (e == NULL)
      continue;
    /* Not restarted after all: it was no longer failed, or busy. */
    if (status == -EALREADY || status == -ENOENT || status == -EBUSY ||
        status == -ESHUTDOWN)
      e->restarts--;
    /* A command for it is under way; look again in a second. */
    if (status == -EBUSY && e->due == 0)
      e->due = cdtime() + TIME_T_TO_CDTIME_T(1);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int plugin__restart_start(void) {
  int status = pthread_create(&thread, NULL, restart_thread, NULL);
  if (status != 0) {
    ERROR("plugin restarts: cannot start the restart thread: %s",
          STRERROR(status));
    return -status;
  }
  pthread_setname_np(thread, "plugin restarts");
  running = true;
  return 0;
}

void plugin__restart_stop(bool commands_done) {
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  if (running) {
    running = false;
    /* A restart that is still under way (its command did not end within
     * the exit's bound) keeps the thread and its entry: both are left to
     * the process's end. */
    if (!commands_done) {
      pthread_detach(thread);
      return;
    }
    pthread_join(thread, NULL);
  }
  while (entries != NULL) {
    restart_t *e = entries;
    entries = e->next;
    free(e);
  }
}
