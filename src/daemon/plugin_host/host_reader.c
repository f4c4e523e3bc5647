/* The reader thread of a plugin host, in the daemon (see
 * host_proxy_internal.h): it takes every frame the host sends, checks it
 * against the permission table for the plugin's state before decoding it
 * (host_table.c), and handles it: values and notifications enter the
 * daemon's dispatch as the plugin's, logs reach the log plugins, HELLO,
 * READY and STATUS answer the request waiting for them. Whatever the host
 * sends is untrusted: a frame the table does not permit, or one that does
 * not decode, ends the host, never the daemon. When the host ends, the
 * reader reaps it and, unless the daemon asked it to stop, fails the
 * plugin with the reason. */
#include "collectd.h"

#include "plugin_control.h"
#include "plugin_host/host_proxy_internal.h"
#include "plugin_host/host_table.h"
#include "utils/common/common.h"

#include <signal.h>
#include <sys/wait.h>

/* ---- the host's end ------------------------------------------------------- */

/* Waits for the host to exit, at most `bound`, then kills it; leaves it a
 * zombie (WNOWAIT), so that its pid cannot go to another process while
 * host_kill() may still signal it. */
static void await_exit(pid_t pid, cdtime_t bound) {
  cdtime_t deadline = cdtime() + bound;
  long pause_ns = 100 * 1000;
  for (;;) {
    siginfo_t info = {0};
    int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
    if ((r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR))
      return;
    if (cdtime() >= deadline) {
      kill(pid, SIGKILL);
      while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 &&
             errno == EINTR)
        ;
      return;
    }
    nanosleep(&(struct timespec){.tv_nsec = pause_ns}, NULL);
    if (pause_ns < 10 * 1000 * 1000)
      pause_ns *= 2;
  }
}

/* Reaps the exited host; returns its wait status, or -1. */
int host_reap(pid_t pid) {
  int st;
  pid_t r;
  while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
    ;
  return r == pid ? st : -1;
}

static void describe_end(int st, char *buf, size_t len) {
  if (st == -1)
    snprintf(buf, len, "host process lost (it could not be waited for)");
  else if (WIFSIGNALED(st))
    snprintf(buf, len, "host process died: signal %d (%s)", WTERMSIG(st),
             strsignal(WTERMSIG(st)));
  else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
    snprintf(buf, len, "host process could not run the daemon's binary");
  else
    snprintf(buf, len, "host process exited with status %d",
             WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The plugin of a host that ended unasked fails, if it was ready (a load
 * or unload under way fails by itself). Called by the reader, and by a
 * read that found the host gone first. */
void host_failed(host_t *h) {
  plugin_t *p = h->p;
  pthread_mutex_lock(&h->lock);
  char why[sizeof(h->end_reason)];
  sstrncpy(why, h->end_reason, sizeof(why));
  pthread_mutex_unlock(&h->lock);
  if (atomic_load(&p->state) != PLUGIN_READY)
    return;
  plugin__set_failure(p, "host", "%s", why);
  if (plugin__set_state_if(p, PLUGIN_READY, PLUGIN_FAILED) == 0) {
    ERROR("%s: host: %s", p->name, why);
    plugin_control_failure_policy(p->name);
  }
}

/* The reader's last act: the host's channel ended (`broke` says why, if
 * the host broke the protocol), so reap it and tell whoever waits. */
static void host_ended(host_t *h, const char *broke) {
  if (broke != NULL)
    kill(h->pid, SIGKILL);
  await_exit(h->pid, host_step_bound());

  /* Reaped under the lock, with `ended` set at once: host_kill() never
   * signals a pid that may have gone to another process. */
  pthread_mutex_lock(&h->lock);
  int st = host_reap(h->pid);
  atomic_store(&h->p->host_pid, 0);
  bool stopping = h->stopping;
  if (h->kill_reason[0] != '\0')
    sstrncpy(h->end_reason, h->kill_reason, sizeof(h->end_reason));
  else if (broke != NULL)
    snprintf(h->end_reason, sizeof(h->end_reason),
             "the host broke the protocol: %s; killed", broke);
  else
    describe_end(st, h->end_reason, sizeof(h->end_reason));
  h->ended = true;
  pthread_cond_broadcast(&h->cond);
  pthread_mutex_unlock(&h->lock);

  /* A load waiting for the host fails by itself; a ready plugin whose
   * host ended unasked fails here. */
  if (!stopping)
    host_failed(h);
}

/* ---- what the host sends ----------------------------------------------------- */

static bool check_from_host(unsigned type, void *arg, char *err,
                            size_t errlen) {
  host_t *h = arg;
  plugin_state_t state = atomic_load(&h->p->state);
  if (host_msg_permitted(type, HOST_FROM_HOST, state))
    return true;
  host_msg_refusal(type, HOST_FROM_HOST, state, err, errlen);
  return false;
}

static void take_reply(host_t *h, host_msg_type_t reply_to, int status,
                       uint32_t callbacks, const char *reason) {
  pthread_mutex_lock(&h->lock);
  h->have_reply = true;
  h->reply_to = reply_to;
  h->reply_status = status;
  h->callbacks = callbacks;
  sstrncpy(h->reply_reason, reason, sizeof(h->reply_reason));
  pthread_cond_broadcast(&h->cond);
  pthread_mutex_unlock(&h->lock);
}

/* Handles one message; returns -EPROTO (with err) for one the host must
 * not send. */
static int handle(host_t *h, host_msg_t *m, char *err, size_t errlen) {
  switch (m->type) {
  case HOST_MSG_HELLO:
    if (m->u.hello.version != HOST_PROTO_VERSION || m->u.hello.pid != h->pid ||
        strcmp(m->u.hello.plugin, h->p->name) != 0) {
      snprintf(err, errlen,
               "HELLO says version %" PRIu32 ", pid %" PRId32
               ", plugin \"%s\"; expected version %d, pid %d, plugin \"%s\"",
               m->u.hello.version, m->u.hello.pid, m->u.hello.plugin,
               HOST_PROTO_VERSION, (int)h->pid, h->p->name);
      return -EPROTO;
    }
    pthread_mutex_lock(&h->lock);
    h->hello = true;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    return 0;
  case HOST_MSG_READY:
    take_reply(h, HOST_MSG_READY, m->u.ready.status, m->u.ready.callbacks,
               m->u.ready.reason);
    return 0;
  case HOST_MSG_STATUS:
    take_reply(h, m->u.status.reply_to, m->u.status.status, 0,
               m->u.status.reason);
    return 0;
  case HOST_MSG_VALUES: {
    plugin_t *p = h->p;
    plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
    for (size_t i = 0; i < m->batch.num; i++)
      plugin_dispatch_values(&m->batch.vl[i]);
    plugin__leave(saved);
    return 0;
  }
  case HOST_MSG_NOTIFICATION: {
    plugin_t *p = h->p;
    plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
    plugin_dispatch_notification(&m->u.notif);
    plugin__leave(saved);
    return 0;
  }
  case HOST_MSG_LOG:
    /* A prepared host that cannot have something the running instance
     * holds usually says so (EADDRINUSE, EBUSY). */
    if (h->stub != NULL && host_says_conflict(m->u.log.message))
      h->conflict = true;
    plugin_log(m->u.log.severity, "%s", m->u.log.message);
    return 0;
  default:
    snprintf(err, errlen, "%s is not handled by the daemon",
             host_msg_name(m->type));
    return -EPROTO;
  }
}

void *host_reader_main(void *arg) {
  host_t *h = arg;
  char name[16];
  snprintf(name, sizeof(name), "host:%s", h->p->name);
  pthread_setname_np(pthread_self(), name);

  host_msg_t m;
  host_msg_init(&m);
  char err[512] = "";
  int status;
  while ((status = host_chan_recv(&h->ch, &m, check_from_host, h, err,
                                  sizeof(err))) > 0) {
    status = handle(h, &m, err, sizeof(err));
    host_msg_clear(&m);
    if (status != 0)
      break;
  }
  host_msg_destroy(&m);
  host_ended(h, status < 0 ? err : NULL);
  return NULL;
}
