/* The daemon's side of an isolated plugin (see host_proxy.h): starting a
 * host, and beside a running one for a RELOAD; requests; stopping it; the
 * callbacks that stand in for the plugin's, the write queue to the host,
 * and its MemoryLimit.
 *
 * Requests (CONFIG, INIT, READ, SHUTDOWN) go one at a time, from the
 * thread that needs the answer, and wait for it within a bound; a host
 * that does not answer in time is killed. What the host sends, its answers
 * included, is taken by its reader thread (host_reader.c). */
#include "collectd.h"

#include "configfile_internal.h"
#include "plugin_host/host_main.h"
#include "plugin_host/host_proxy.h"
#include "plugin_host/host_proxy_internal.h"
#include "utils/common/common.h"

#include <signal.h>
#include <sys/wait.h>

/* A write thread waits while this much is queued for a host and another
 * thread sends: a host that writes slowly slows the daemon's writers, as
 * a slow write callback does in process. */
#define WQ_HIGH (4u * 1024 * 1024)

static double seconds(cdtime_t t) { return CDTIME_T_TO_DOUBLE(t); }

/* Why the last request of this thread failed (see host_proxy.h). */
static __thread char last_reason[512];

const char *host_proxy_last_reason(void) { return last_reason; }


/* How long it may take for a READ: Timeout intervals, and at least a step
 * (a read may take longer than its interval in process too). */
static cdtime_t read_bound(const host_t *h) {
  cdtime_t interval = h->p->ctx.interval > 0 ? h->p->ctx.interval
                                             : cf_get_default_interval();
  cdtime_t bound = (cdtime_t)timeout_g * interval;
  return bound > host_step_bound() ? bound : host_step_bound();
}

/* ---- requests ---------------------------------------------------------------- */

/* Kills the host for `why`, unless it has ended; the reader reaps it. */
static void host_kill(host_t *h, const char *why) {
  pthread_mutex_lock(&h->lock);
  if (!h->ended && h->kill_reason[0] == '\0') {
    sstrncpy(h->kill_reason, why, sizeof(h->kill_reason));
    kill(h->pid, SIGKILL);
  }
  pthread_mutex_unlock(&h->lock);
}

/* Waits on h->lock (held) until `done` or the deadline; false on time. */
static bool wait_locked(host_t *h, bool (*done)(host_t *, host_msg_type_t),
                        host_msg_type_t arg, cdtime_t deadline) {
  struct timespec until = CDTIME_T_TO_TIMESPEC(deadline);
  while (!done(h, arg)) {
    if (pthread_cond_timedwait(&h->cond, &h->lock, &until) == ETIMEDOUT)
      return done(h, arg);
  }
  return true;
}

static bool replied(host_t *h, host_msg_type_t to) {
  return h->ended || (h->have_reply && h->reply_to == to);
}

static bool said_hello(host_t *h, host_msg_type_t unused) {
  (void)unused;
  return h->ended || h->hello;
}

static bool has_ended(host_t *h, host_msg_type_t unused) {
  (void)unused;
  return h->ended;
}

/* Sends a request and waits for its answer (READY for CONFIG and INIT,
 * else the STATUS that replies to it) within `bound`; kills a host that does not
 * answer. Returns the host's status, or -EPIPE (it ended) or -ETIMEDOUT,
 * with the reason in errbuf. */
static int request(host_t *h, host_msg_type_t type, const void *arg,
                   cdtime_t bound, char *errbuf, size_t errlen) {
  pthread_mutex_lock(&h->req_lock);
  int status;
  switch (type) {
  case HOST_MSG_CONFIG:
    status = host_encode_config(&h->out, arg);
    break;
  case HOST_MSG_READ:
    status = host_encode_read(&h->out, arg);
    break;
  default:
    status = host_encode_empty(&h->out, type);
    break;
  }
  if (status != 0) {
    snprintf(errbuf, errlen, "cannot encode %s: %s", host_msg_name(type),
             h->out.reason);
    host_writer_reset(&h->out);
    pthread_mutex_unlock(&h->req_lock);
    return status;
  }
  /* CONFIG and INIT are answered with READY and the plugin's callbacks. */
  host_msg_type_t answer =
      type == HOST_MSG_CONFIG || type == HOST_MSG_INIT ? HOST_MSG_READY : type;
  pthread_mutex_lock(&h->lock);
  h->have_reply = false;
  pthread_mutex_unlock(&h->lock);

  int sent = host_chan_send(&h->ch, &h->out);
  pthread_mutex_lock(&h->lock);
  /* A host that cannot be written to is ending: the reader says why. */
  bool answered = wait_locked(h, replied, answer,
                              cdtime() + (sent == 0 ? bound : host_step_bound()));
  if (h->have_reply && h->reply_to == answer) {
    status = h->reply_status;
    sstrncpy(errbuf, h->reply_reason, errlen);
  } else if (h->ended) {
    snprintf(errbuf, errlen, "%s", h->end_reason);
    status = -EPIPE;
  } else if (sent != 0) {
    snprintf(errbuf, errlen, "cannot send %s to the host: %s",
             host_msg_name(type), strerror(-sent));
    status = -EPIPE;
  } else {
    status = answered ? -EPIPE : -ETIMEDOUT;
  }
  pthread_mutex_unlock(&h->lock);

  if (status == -ETIMEDOUT) {
    snprintf(errbuf, errlen, "the host did not answer %s within %.3g s; "
                             "killed",
             host_msg_name(type), seconds(bound));
    host_kill(h, errbuf);
  }
  pthread_mutex_unlock(&h->req_lock);
  sstrncpy(last_reason, status != 0 ? errbuf : "", sizeof(last_reason));
  return status;
}

/* ---- the host's life ------------------------------------------------------- */

static void host_free(host_t *h) {
  if (h->stub != NULL) {
    plugin_conf_free(&h->stub->conf);
    free(h->stub);
  }
  host_chan_destroy(&h->ch);
  host_writer_free(&h->out);
  host_writer_free(&h->wq[0]);
  host_writer_free(&h->wq[1]);
  pthread_mutex_destroy(&h->wq_lock);
  pthread_cond_destroy(&h->wq_cond);
  pthread_cond_destroy(&h->wq_work);
  pthread_mutex_destroy(&h->lock);
  pthread_cond_destroy(&h->cond);
  pthread_mutex_destroy(&h->req_lock);
  free(h);
}

static void sender_stop(host_t *h);

/* Ends the host in order -- SHUTDOWN, then its exit -- or by force after
 * the step bound, and forgets it. Returns the status of its shutdown. */
static int host_stop(host_t *h) {
  pthread_mutex_lock(&h->lock);
  h->stopping = true;
  bool ended = h->ended;
  pthread_mutex_unlock(&h->lock);

  sender_stop(h);
  int status = 0;
  if (!ended) {
    char why[512];
    status = request(h, HOST_MSG_SHUTDOWN, NULL, host_step_bound(), why,
                     sizeof(why));
    if (status != 0 && status != -EPIPE)
      WARNING("%s: shutdown: %s", h->p->name, why);
    pthread_mutex_lock(&h->lock);
    bool gone = wait_locked(h, has_ended, 0, cdtime() + host_step_bound());
    pthread_mutex_unlock(&h->lock);
    if (!gone)
      host_kill(h, "the host did not exit after its shutdown; killed");
  }
  pthread_join(h->reader, NULL);
  h->p->host = NULL;
  host_free(h);
  return status == -EPIPE ? 0 : status;
}

/* ---- the write side ---------------------------------------------------------- */

/* Sends what is queued; wq_lock held, `sending` set by the caller. Each
 * round swaps the buffers, so that the other threads queue into one while
 * this one sends the other: the busier the host, the bigger the batch. */
static void wq_send_locked(host_t *h) {
  while (h->wq[h->filling].len > 0 && h->wq_error == 0) {
    host_writer_t *w = &h->wq[h->filling];
    host_batch_close(w, &h->batch, &h->batch_open);
    h->filling ^= 1;
    pthread_mutex_unlock(&h->wq_lock);
    int status = host_chan_send(&h->ch, w);
    pthread_mutex_lock(&h->wq_lock);
    if (status != 0)
      h->wq_error = status;
    pthread_cond_broadcast(&h->wq_cond);
  }
  if (h->wq_error != 0) { /* nothing queued will ever go */
    host_writer_reset(&h->wq[h->filling]);
    h->batch_open = false;
  }
}

/* What a write thread (or a thread that notifies or logs) hands a host:
 * one of these. */
typedef struct {
  const value_list_t *vl;
  const host_flush_t *flush;
  const value_list_t *missing;
  const notification_t *notif;
  const host_log_t *log;
} host_item_t;

/* The host's sender thread: sends what the other threads queue, a buffer
 * at a time, until told to stop, and then what is left. */
static void *sender_main(void *arg) {
  host_t *h = arg;
  char name[16];
  snprintf(name, sizeof(name), "hostw:%s", h->p->name);
  pthread_setname_np(pthread_self(), name);
  pthread_mutex_lock(&h->wq_lock);
  for (;;) {
    while (h->wq[h->filling].len == 0 && !h->wq_stop) {
      h->sender_idle = true;
      pthread_cond_wait(&h->wq_work, &h->wq_lock);
      h->sender_idle = false;
    }
    if (h->wq[h->filling].len == 0)
      break;
    h->sending = true;
    wq_send_locked(h);
    h->sending = false;
    pthread_cond_broadcast(&h->wq_cond);
  }
  h->sender_done = true;
  pthread_cond_broadcast(&h->wq_cond);
  pthread_mutex_unlock(&h->wq_lock);
  return NULL;
}

/* Ends the sender once it has sent everything queued (before SHUTDOWN, so
 * that the host writes it first). Anything queued later is sent by the
 * thread that queues it. */
static void sender_stop(host_t *h) {
  pthread_mutex_lock(&h->wq_lock);
  h->wq_stop = true;
  bool started = h->sender_started;
  pthread_cond_signal(&h->wq_work);
  /* A host that takes nothing more would keep the sender in send(). */
  struct timespec until = CDTIME_T_TO_TIMESPEC(cdtime() + host_step_bound());
  bool done = true;
  while (started && !h->sender_done && done)
    done = pthread_cond_timedwait(&h->wq_cond, &h->wq_lock, &until) !=
           ETIMEDOUT;
  pthread_mutex_unlock(&h->wq_lock);
  if (!done) {
    char why[256];
    snprintf(why, sizeof(why),
             "the host did not take what was queued for it within %.3g s; "
             "killed",
             seconds(host_step_bound()));
    host_kill(h, why);
  }
  if (started)
    pthread_join(h->sender, NULL);
  pthread_mutex_lock(&h->wq_lock);
  h->sender_started = false;
  pthread_mutex_unlock(&h->wq_lock);
}

/* Queues an item for the host, in the order the threads call, for the
 * sender thread (started with the first item); without one (it could not
 * be started, or has stopped) the caller sends, unless another thread is
 * sending already (it sends this too before it stops). Nothing is logged
 * under wq_lock: the host's plugin may be a log plugin, whose stand-in
 * takes that lock. */
static int queue_frame(host_t *h, const host_item_t *it) {
  char refused[512] = "";
  pthread_mutex_lock(&h->wq_lock);
  while (h->sending && h->wq[h->filling].len >= WQ_HIGH && h->wq_error == 0)
    pthread_cond_wait(&h->wq_cond, &h->wq_lock);
  int status = h->wq_error;
  host_writer_t *w = &h->wq[h->filling];
  if (status == 0 && it->vl != NULL) {
    status =
        host_batch_push(w, HOST_MSG_WRITE, &h->batch, &h->batch_open, it->vl);
    if (status == -EINVAL)
      snprintf(refused, sizeof(refused), "a value list of %s/%s: %s",
               it->vl->plugin, it->vl->type, w->reason);
  } else if (status == 0) {
    host_batch_close(w, &h->batch, &h->batch_open);
    if (it->missing != NULL)
      status = host_encode_values(w, HOST_MSG_MISSING, it->missing, 1);
    else if (it->flush != NULL)
      status = host_encode_flush(w, it->flush);
    else if (it->notif != NULL)
      status = host_encode_notification(w, it->notif);
    else
      status = host_encode_log(w, it->log);
    if (status == -EINVAL)
      snprintf(refused, sizeof(refused), "%s", w->reason);
  }
  if (!h->sender_started && !h->wq_stop &&
      pthread_create(&h->sender, NULL, sender_main, h) == 0)
    h->sender_started = true;
  if (h->sender_started) {
    if (h->sender_idle)
      pthread_cond_signal(&h->wq_work);
  } else if (!h->sending) {
    h->sending = true;
    wq_send_locked(h);
    h->sending = false;
    if (status == 0)
      status = h->wq_error;
  }
  pthread_mutex_unlock(&h->wq_lock);
  if (refused[0] != '\0')
    ERROR("%s: %s cannot go to its host: %s", h->p->name,
          it->vl != NULL        ? "write"
          : it->missing != NULL ? "missing"
          : it->flush != NULL   ? "flush"
          : it->notif != NULL   ? "notification"
                                : "log",
          refused);
  return status;
}

static void check_memory(host_t *h);

static int proxy_write(const data_set_t *ds, const value_list_t *vl,
                       user_data_t *ud) {
  (void)ds;
  check_memory(ud->data);
  return queue_frame(ud->data, &(host_item_t){.vl = vl});
}

/* The host's missing callbacks are called there, after the daemon's walk
 * has gone on: what they return cannot stop it (see collectd.conf(5)). */
static int proxy_missing(const value_list_t *vl, user_data_t *ud) {
  queue_frame(ud->data, &(host_item_t){.missing = vl});
  return 0;
}

static int proxy_flush(cdtime_t timeout, const char *identifier,
                       user_data_t *ud) {
  host_flush_t f = {.timeout = timeout, .has_identifier = identifier != NULL};
  if (identifier != NULL)
    sstrncpy(f.identifier, identifier, sizeof(f.identifier));
  return queue_frame(ud->data, &(host_item_t){.flush = &f});
}

/* The host's own notifications and log messages reach the daemon through
 * its reader thread, and are not sent back: the host has given them to its
 * plugin's callbacks itself (plugin_log(), plugin_dispatch_notification()),
 * and the reader would wait on the host while the host may wait on the
 * reader. */
static bool from_this_host(const host_t *h) {
  return pthread_equal(pthread_self(), h->reader);
}

static int proxy_notification(const notification_t *n, user_data_t *ud) {
  host_t *h = ud->data;
  if (from_this_host(h))
    return 0;
  return queue_frame(h, &(host_item_t){.notif = n});
}

static void proxy_log(int severity, const char *msg, user_data_t *ud) {
  host_t *h = ud->data;
  if (from_this_host(h))
    return;
  host_log_t l = {.severity = severity};
  sstrncpy(l.message, msg, sizeof(l.message));
  queue_frame(h, &(host_item_t){.log = &l});
}

/* ---- MemoryLimit ----------------------------------------------------------------- */

/* The resident memory of process `pid` in bytes, or 0 if it cannot be
 * read. */
static uint64_t resident_bytes(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return 0;
  unsigned long long size, resident;
  int n = fscanf(f, "%llu %llu", &size, &resident);
  fclose(f);
  return n == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

/* Kills a host whose resident memory passed its plugin's MemoryLimit (its
 * plugin then fails, and OnPluginFailure decides what follows). Looked at
 * before each read and, as values are written, at most once a second. */
static void check_memory(host_t *h) {
  uint64_t limit = h->p->conf.memory_limit;
  if (limit == 0)
    return;
  cdtime_t now = cdtime(), next = atomic_load(&h->next_memory_check);
  if (now < next || !atomic_compare_exchange_strong(
                        &h->next_memory_check, &next,
                        now + TIME_T_TO_CDTIME_T_STATIC(1)))
    return;
  uint64_t rss = resident_bytes(h->pid);
  if (rss <= limit)
    return;
  char why[256];
  snprintf(why, sizeof(why),
           "the host's memory (%.1f MiB resident) passed its MemoryLimit of "
           "%.1f MiB; killed",
           rss / 1048576.0, limit / 1048576.0);
  host_kill(h, why);
}

/* ---- the callbacks that stand in for the plugin's ------------------------------ */

static host_t *my_host(void) {
  plugin_t *p = plugin__current_owner();
  return p != NULL ? p->host : NULL;
}

static int register_more(host_t *h, uint32_t callbacks);

static int proxy_init(void) {
  host_t *h = my_host();
  if (h == NULL)
    return -ENOENT;
  char why[HOST_PROTO_MAX_TEXT + 1];
  int status;
  if (h->initialized) {
    /* Prepared beside the running instance: its init ran then. */
    pthread_mutex_lock(&h->lock);
    status = h->ended ? -EPIPE : 0;
    sstrncpy(why, h->end_reason, sizeof(why));
    pthread_mutex_unlock(&h->lock);
  } else {
    status = request(h, HOST_MSG_INIT, NULL, host_step_bound(), why, sizeof(why));
  }
  if (status == 0) {
    if ((status = register_more(h, host_callbacks(h))) == 0)
      return 0;
    snprintf(why, sizeof(why), "cannot register the callbacks that stand in "
                               "for those its init registered");
  }
  /* A plugin that failed its init does nothing more: its host can go. The
   * load reports why (host_proxy_last_reason()). */
  host_stop(h);
  sstrncpy(last_reason, why, sizeof(last_reason));
  return status;
}

static int proxy_read(user_data_t *ud) {
  host_t *h = ud->data;
  check_memory(h);
  host_read_t r = {.when = 0};
  char why[HOST_PROTO_MAX_TEXT + 1];
  int status = request(h, HOST_MSG_READ, &r, read_bound(h), why, sizeof(why));
  if (status == -EIO)
    ERROR("%s: read (in its host): %s", h->p->name, why);
  /* A host that ended while its record became ready (the reader found the
   * record not ready yet) fails it here. */
  if (status == -EPIPE)
    host_failed(h);
  return status;
}

static int proxy_shutdown(void) {
  host_t *h = my_host();
  return h != NULL ? host_stop(h) : 0;
}

/* Registers, as the plugin, what stands in for those of `callbacks` it
 * does not stand in for yet: read, write, flush, missing, notification and
 * log. Called after CONFIG and again after INIT, since an init callback may
 * register more. */
static int register_more(host_t *h, uint32_t callbacks) {
  plugin_t *p = h->p;
  uint32_t fresh = callbacks & ~h->served;
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  int status = 0;
  if (fresh & HOST_CB_READ)
    status = plugin_register_complex_read(NULL, p->name, proxy_read, 0,
                                          &(user_data_t){.data = h});
  if (status == 0 && (fresh & HOST_CB_WRITE))
    status = plugin_register_write(p->name, proxy_write,
                                   &(user_data_t){.data = h});
  if (status == 0 && (fresh & HOST_CB_FLUSH))
    status = plugin_register_flush(p->name, proxy_flush,
                                   &(user_data_t){.data = h});
  if (status == 0 && (fresh & HOST_CB_MISSING))
    status = plugin_register_missing(p->name, proxy_missing,
                                     &(user_data_t){.data = h});
  if (status == 0 && (fresh & HOST_CB_NOTIFICATION))
    status = plugin_register_notification(p->name, proxy_notification,
                                          &(user_data_t){.data = h});
  if (status == 0 && (fresh & HOST_CB_LOG))
    status = plugin_register_log(p->name, proxy_log, &(user_data_t){.data = h});
  plugin__leave(saved);
  if (status == 0)
    h->served |= fresh;

  if (fresh & HOST_CB_CACHE_EVENT)
    WARNING("%s: isolated: it registered a cache event callback; an isolated "
            "plugin's is not called",
            p->name);
  return status;
}

/* Registers, as the plugin, what stands in for its callbacks: init and
 * shutdown always, and those it registered while it was configured. */
static int register_proxies(host_t *h, uint32_t callbacks) {
  plugin_t *p = h->p;
  plugin_thread_ctx_t saved = plugin__enter(p, p->ctx);
  int status = plugin_register_init(p->name, proxy_init);
  if (status == 0)
    status = plugin_register_shutdown(p->name, proxy_shutdown);
  plugin__leave(saved);
  return status == 0 ? register_more(h, callbacks) : status;
}

/* Splits the host's "step: reason" for a failed load. */
static const char *failed_step(char *reason, size_t len) {
  static const char *const steps[] = {"open", "register", "config"};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(steps); i++) {
    size_t n = strlen(steps[i]);
    if (strncmp(reason, steps[i], n) == 0 && strncmp(reason + n, ": ", 2) == 0) {
      memmove(reason, reason + n + 2, strnlen(reason + n + 2, len - n - 2) + 1);
      return steps[i];
    }
  }
  return "host";
}

/* A host for `p`, not started yet. */
static host_t *host_new(plugin_t *p) {
  host_t *h = calloc(1, sizeof(*h));
  if (h == NULL)
    return NULL;
  h->p = p;
  pthread_mutex_init(&h->lock, NULL);
  pthread_cond_init(&h->cond, NULL);
  pthread_mutex_init(&h->req_lock, NULL);
  host_writer_init(&h->out);
  pthread_mutex_init(&h->wq_lock, NULL);
  pthread_cond_init(&h->wq_cond, NULL);
  pthread_cond_init(&h->wq_work, NULL);
  host_writer_init(&h->wq[0]);
  host_writer_init(&h->wq[1]);
  return h;
}

/* Starts the host of h->p and configures its plugin there (CONFIG, with
 * h->p->conf), as far as READY. On failure *step and errbuf say what
 * failed, and the caller stops the host (host_stop()); a host that could
 * not be started at all is freed here and *started is false. */
static int host_start(host_t *h, bool *started, const char **step,
                      char *errbuf, size_t errlen) {
  plugin_t *p = h->p;
  *step = "host";
  *started = false;
  int fd;
  int status = host_spawn(p->name, &h->pid, &fd, errbuf, errlen);
  if (status != 0) {
    host_chan_init(&h->ch, -1);
    host_free(h);
    return status;
  }
  host_chan_init(&h->ch, fd);
  INFO("%s: plugin host started, pid %d", p->name, (int)h->pid);
  p->isolated = true;
  p->host = h;
  atomic_store(&p->host_pid, (int)h->pid);
  if ((status = pthread_create(&h->reader, NULL, host_reader_main, h)) != 0) {
    snprintf(errbuf, errlen, "cannot start the host's reader: %s",
             strerror(status));
    kill(h->pid, SIGKILL);
    host_reap(h->pid);
    atomic_store(&p->host_pid, 0);
    p->host = NULL;
    host_free(h);
    return -status;
  }
  *started = true;

  pthread_mutex_lock(&h->lock);
  bool hello = wait_locked(h, said_hello, 0, cdtime() + host_step_bound()) &&
               !h->ended;
  if (!hello && h->ended)
    sstrncpy(errbuf, h->end_reason, errlen);
  pthread_mutex_unlock(&h->lock);
  if (!hello && !h->ended) {
    snprintf(errbuf, errlen, "the host did not start within %.3g s; killed",
             seconds(host_step_bound()));
    host_kill(h, errbuf);
  }
  if (!hello)
    return -EPIPE;

  oconfig_item_t *tree = NULL;
  if ((status = cf_host_tree(&p->conf, &tree, errbuf, errlen)) == 0) {
    status = request(h, HOST_MSG_CONFIG, tree, host_step_bound(), errbuf, errlen);
    if (status != 0 && status != -EPIPE && status != -ETIMEDOUT)
      *step = failed_step(errbuf, errlen);
  }
  oconfig_free(tree);
  return status;
}

/* Stops a host whose start failed, keeping errbuf's reason. */
static void host_abandon(host_t *h, char *errbuf, size_t errlen) {
  char why[512];
  sstrncpy(why, errbuf, sizeof(why));
  host_stop(h);
  sstrncpy(errbuf, why, errlen);
}

/* The record takes the host as its plugin's: it is registered, can be
 * unloaded, and gets the callbacks that stand in for the plugin's. */
static int host_attach(plugin_t *p, host_t *h, char *errbuf, size_t errlen) {
  atomic_store(&p->registered, true);
  p->unloadable = true;
  int status = register_proxies(h, host_callbacks(h));
  if (status != 0)
    snprintf(errbuf, errlen, "cannot register the callbacks that stand in "
                             "for the plugin's");
  return status;
}

int host_proxy_load(plugin_t *p, const char **step, char *errbuf,
                    size_t errlen) {
  *step = "host";
  host_t *h = host_new(p);
  if (h == NULL) {
    snprintf(errbuf, errlen, "out of memory");
    return -ENOMEM;
  }
  bool started;
  int status = host_start(h, &started, step, errbuf, errlen);
  if (status == 0 && (status = host_attach(p, h, errbuf, errlen)) == 0)
    return 0;
  if (started)
    host_abandon(h, errbuf, errlen);
  return status;
}

/* ---- a new host beside the running one (RELOAD) ------------------------------- */

int host_proxy_prepare(const plugin_conf_t *conf, host_t **ret,
                       bool *conflict, const char **step, char *errbuf,
                       size_t errlen) {
  *ret = NULL;
  *conflict = false;
  *step = "host";
  /* A record of its own, in no registry: the host's plugin until the
   * new record adopts the host. */
  plugin_t *stub = calloc(1, sizeof(*stub));
  host_t *h = stub != NULL ? host_new(stub) : NULL;
  if (stub != NULL)
    plugin__record_init(stub, conf->name);
  if (h == NULL || plugin_conf_take(stub, conf) != 0) {
    if (h != NULL) {
      h->stub = stub;
      host_free(h);
    } else {
      free(stub);
    }
    snprintf(errbuf, errlen, "out of memory");
    return -ENOMEM;
  }
  h->stub = stub;

  bool started;
  int status = host_start(h, &started, step, errbuf, errlen);
  if (status == 0) {
    /* Not through plugin__set_state(): no one is told of a stub's states. */
    atomic_store(&stub->state, PLUGIN_CONFIGURING);
    *step = "init";
    status = request(h, HOST_MSG_INIT, NULL, host_step_bound(), errbuf, errlen);
  }
  if (status == 0) {
    h->initialized = true;
    *ret = h;
    return 0;
  }
  if (!started)
    return status;
  pthread_mutex_lock(&h->lock);
  *conflict = h->conflict || host_says_conflict(errbuf);
  pthread_mutex_unlock(&h->lock);
  host_abandon(h, errbuf, errlen);
  return status;
}

int host_proxy_adopt(plugin_t *p, host_t *h, char *errbuf, size_t errlen) {
  h->p = p;
  p->isolated = true;
  p->host = h;
  atomic_store(&p->host_pid, (int)h->pid);
  /* A host that ended before it was adopted took the stub with it: its
   * end is this record's failure. */
  pthread_mutex_lock(&h->lock);
  bool ended = h->ended;
  if (ended)
    sstrncpy(errbuf, h->end_reason, errlen);
  pthread_mutex_unlock(&h->lock);
  int status = ended ? -EPIPE : host_attach(p, h, errbuf, errlen);
  if (status != 0)
    host_abandon(h, errbuf, errlen);
  return status;
}

void host_proxy_discard(host_t *h) {
  if (h != NULL)
    host_stop(h);
}
