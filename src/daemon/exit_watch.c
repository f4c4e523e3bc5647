/* See exit_watch.h. The watchdog is a thread that sleeps until the current
 * step's deadline or the whole exit's, whichever comes first; every new
 * step moves the former. */
#include "exit_watch.h"
#include "daemon_signals.h"
#include "plugin_dynamic.h"
#include "plugin_internal.h"
#include "utils/common/common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/eventfd.h>

/* Protects everything below; `changed` is signalled on every new step and
 * at the stop. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;
static pthread_t thread;
/* Set by whichever thread starts the watch (the main thread, or the arming
 * thread during the start-up); read by the main thread's steps. */
static _Atomic bool running;
static bool stopping;
static unsigned long step; /* bumped by every exit_watch_step() */
static cdtime_t deadline;  /* of the current step; 0: none yet */
static cdtime_t step_timeout;
static cdtime_t total_deadline; /* of the whole exit */
static cdtime_t total_timeout;
static char what[256];
/* What the start-up is doing (exit_watch_doing()), named with its step. */
static char doing[256];

typedef struct {
  name_list_t l;
} running_t;

static void add_running(plugin_t *p, void *arg) {
  running_t *r = arg;
  char names[256];
  if (plugin__read_running(p, names, sizeof(names)) > 0)
    name_list_add(&r->l, "%s of %s", names, p->name);
  if (cb_list_running(p, names, sizeof(names)) > 0)
    name_list_add(&r->l, "%s of %s", names, p->name);
}

void exit_now(int status) {
  fflush(stdout);
  fflush(stderr);
  _exit(status);
}

static _Noreturn void give_up(const char *step_name, cdtime_t timeout,
                              bool total) {
  /* If logging itself is stuck (a log plugin's lock held by what hangs),
   * SIGALRM's default action still ends the process. */
  signal(SIGALRM, SIG_DFL);
  alarm(2);
  char buf[768];
  running_t r = {.l = name_list_init(buf, sizeof(buf))};
  plugin__record_foreach(add_running, &r);
  /* A plugin's constructor or destructor runs inside the dynamic linker,
   * not in a callback. */
  char dl[DATA_MAX_NAME_LEN + 64], dl_note[sizeof(dl) + 32] = "";
  if (plugin_dynamic_linker_holder(dl, sizeof(dl)))
    snprintf(dl_note, sizeof(dl_note), "; in the dynamic linker: %s", dl);
  if (total)
    ERROR("exit: the exit took longer than %.3g s in all; %s still running "
          "(callbacks under way: %s%s); exiting without waiting for it",
          CDTIME_T_TO_DOUBLE(timeout), step_name, r.l.num > 0 ? buf : "none",
          dl_note);
  else
    ERROR("exit: %s still running after %.3g s (callbacks under way: %s%s); "
          "exiting without waiting for it",
          step_name, CDTIME_T_TO_DOUBLE(timeout), r.l.num > 0 ? buf : "none",
          dl_note);
  exit_now(EXIT_FAILURE);
}

static void *watch(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  while (!stopping) {
    bool total = deadline == 0 || total_deadline < deadline;
    unsigned long seen = step;
    struct timespec ts =
        CDTIME_T_TO_TIMESPEC(total ? total_deadline : deadline);
    int status = pthread_cond_timedwait(&changed, &lock, &ts);
    if (status == ETIMEDOUT && !stopping && (total || step == seen)) {
      char name[sizeof(what) + sizeof(doing) + 4];
      if (deadline != 0 && doing[0] != '\0')
        snprintf(name, sizeof(name), "%s (%s)", what, doing);
      else
        sstrncpy(name, deadline != 0 ? what : "the exit", sizeof(name));
      cdtime_t timeout = total ? total_timeout : step_timeout;
      pthread_mutex_unlock(&lock);
      give_up(name, timeout, total);
    }
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int exit_watch_start(cdtime_t total) {
  if (atomic_load(&running))
    return 0;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  /* cdtime() is the wall clock, which the deadline is computed from. */
  pthread_condattr_setclock(&attr, CLOCK_REALTIME);
  pthread_cond_init(&changed, &attr);
  pthread_condattr_destroy(&attr);
  stopping = false;
  deadline = 0;
  total_timeout = total;
  total_deadline = cdtime() + total;
  int status = pthread_create(&thread, NULL, watch, NULL);
  if (status != 0) {
    ERROR("exit: cannot start the watchdog: %s; the exit is not bounded",
          strerror(status));
    return -status;
  }
  pthread_setname_np(thread, "exit watchdog");
  atomic_store(&running, true);
  return 0;
}

void exit_watch_step(cdtime_t timeout, const char *fmt, ...) {
  if (!running)
    return;
  pthread_mutex_lock(&lock);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  step++;
  step_timeout = timeout;
  deadline = cdtime() + timeout;
  pthread_cond_signal(&changed);
  pthread_mutex_unlock(&lock);
}

void exit_watch_stop(void) {
  if (!running)
    return;
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_signal(&changed);
  pthread_mutex_unlock(&lock);
  pthread_join(thread, NULL);
  pthread_cond_destroy(&changed);
  atomic_store(&running, false);
}

/* ---- a stop during the start-up ------------------------------------------ */

static pthread_t arm_thread;
static bool armed;         /* the main thread's own */
static int disarm_fd = -1; /* an eventfd: written to disarm */
static _Atomic cdtime_t arm_total;

static void *arm_wait(void *unused) {
  (void)unused;
  if (!signals_wait_stop(disarm_fd))
    return NULL;
  cdtime_t total = atomic_load(&arm_total);
  INFO("exit: told to stop during the start-up; it stops at the next "
       "plugin, and the daemon exits within %.3g s",
       CDTIME_T_TO_DOUBLE(total));
  if (exit_watch_start(total) == 0)
    exit_watch_step(total, "the start-up");
  return NULL;
}

void exit_watch_doing(const char *fmt, ...) {
  pthread_mutex_lock(&lock);
  doing[0] = '\0';
  if (fmt != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(doing, sizeof(doing), fmt, ap);
    va_end(ap);
  }
  pthread_mutex_unlock(&lock);
}

int exit_watch_arm(cdtime_t total) {
  atomic_store(&arm_total, total);
  if (armed)
    return 0;
  disarm_fd = eventfd(0, EFD_CLOEXEC);
  if (disarm_fd < 0) {
    int status = errno;
    ERROR("exit: cannot watch the start-up: %s", STRERROR(status));
    return -status;
  }
  int status = pthread_create(&arm_thread, NULL, arm_wait, NULL);
  if (status != 0) {
    ERROR("exit: cannot watch the start-up: %s", STRERROR(status));
    close(disarm_fd);
    disarm_fd = -1;
    return -status;
  }
  pthread_setname_np(arm_thread, "start-up watch");
  armed = true;
  return 0;
}

void exit_watch_disarm(void) {
  exit_watch_doing(NULL);
  if (!armed)
    return;
  uint64_t one = 1;
  ssize_t unused = write(disarm_fd, &one, sizeof(one));
  (void)unused; /* an eventfd's counter cannot overflow from one write */
  pthread_join(arm_thread, NULL);
  close(disarm_fd);
  disarm_fd = -1;
  armed = false;
}
