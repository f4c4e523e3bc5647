/* What the daemon's side of a plugin host shares between its files: the
 * host's record, and the functions one file calls in another. host_proxy.c
 * starts, stops and talks to hosts; host_reader.c takes what they send. */
#ifndef PLUGIN_HOST_HOST_PROXY_INTERNAL_H
#define PLUGIN_HOST_HOST_PROXY_INTERNAL_H

#include "plugin_dynamic.h"
#include "plugin_host/host_chan.h"
#include "plugin_host/host_proto.h"

#include <pthread.h>

typedef struct host_s host_t;
struct host_s {
  /* The plugin it holds. Atomic: a host prepared beside a running instance
   * (host_proxy_prepare()) belongs to a stand-in record, `stub`, until the
   * new record adopts it while its reader runs. */
  plugin_t *_Atomic p;
  plugin_t *stub;   /* freed with the host */
  bool initialized; /* INIT done (prepared hosts) */
  bool conflict;    /* a prepared host's failure mentioned a resource in
                       use: the running instance may hold it */
  pid_t pid;
  host_chan_t ch;
  pthread_t reader;

  pthread_mutex_t lock; /* protects what follows, up to req_lock */
  pthread_cond_t cond;
  bool hello;           /* HELLO came */
  bool have_reply;      /* to the request under way */
  host_msg_type_t reply_to;
  int reply_status;
  uint32_t callbacks; /* the last READY's */
  uint32_t served;    /* those the daemon stands in for (register_more) */
  char reply_reason[HOST_PROTO_MAX_TEXT + 1];
  bool stopping; /* the daemon ends it: its end is no failure */
  char kill_reason[512]; /* why the daemon killed it, if it did */
  bool ended;            /* the reader has reaped it */
  char end_reason[512];

  pthread_mutex_t req_lock; /* one request at a time; protects out */
  host_writer_t out;

  /* What goes to the host's write, flush, notification and log callbacks:
   * frames queued by the threads that call them, and sent by the host's
   * sender thread, which takes a whole buffer at a time (see
   * queue_frame()). */
  pthread_mutex_t wq_lock; /* protects what follows */
  pthread_cond_t wq_cond;  /* the queue has room again */
  pthread_cond_t wq_work;  /* for the sender: there is something to send */
  pthread_t sender;
  bool sender_started;
  bool sender_idle; /* waiting on wq_work */
  bool sender_done; /* it has sent all it will */
  bool wq_stop;     /* the sender sends what is queued and ends */
  host_writer_t wq[2];
  int filling;          /* the buffer frames go into */
  host_batch_enc_t batch; /* the WRITE frame open in it, if batch_open */
  bool batch_open;
  bool sending;
  int wq_error; /* the channel failed: nothing more goes out */

  /* MemoryLimit: when the host's memory is next looked at. */
  _Atomic cdtime_t next_memory_check;
};

/* How long the host may take for a step of the lifecycle. */
static inline cdtime_t host_step_bound(void) {
  return plugin_dynamic_unload_timeout();
}

/* Whether a prepared host's failure, or something it logged, says that
 * something it needs is in use or busy (EADDRINUSE, EBUSY): the running
 * instance may hold it. */
static inline bool host_says_conflict(const char *text) {
  return strcasestr(text, "in use") != NULL || strcasestr(text, "busy") != NULL;
}

/* The callbacks the host's plugin has, as its last READY said. */
static inline uint32_t host_callbacks(host_t *h) {
  pthread_mutex_lock(&h->lock);
  uint32_t callbacks = h->callbacks;
  pthread_mutex_unlock(&h->lock);
  return callbacks;
}

/* host_reader.c: the reader thread of a host; reaping a host's pid; the
 * failure of a ready plugin whose host ended unasked. */
void *host_reader_main(void *arg);
int host_reap(pid_t pid);
void host_failed(host_t *h);

#endif /* PLUGIN_HOST_HOST_PROXY_INTERNAL_H */
