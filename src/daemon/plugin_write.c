/* The write queue and the write threads.
 *
 * Dispatching threads push copies of value lists onto a lock-free stack; a
 * write thread swaps the whole stack out at once, restores its order and
 * delivers the batch to the write callbacks through one callback snapshot.
 * No lock is taken per value list on either side: a producer takes the
 * queue mutex only to wake a write thread that is asleep. */
#include "plugin_internal.h"
#include "utils/common/common.h"
#include "utils_random.h"

#include <pthread.h>

typedef struct wq_entry_s wq_entry_t;
struct wq_entry_s {
  wq_entry_t *next;
  const data_set_t *ds;
  value_list_t vl; /* vl.values points at values[] below */
  value_t values[];
};

static _Atomic(wq_entry_t *) stack;
static _Atomic long queued;  /* entries in the stack or in a batch */
static _Atomic long dropped; /* by the queue limits, and at shutdown */
static _Atomic int sleepers; /* write threads waiting for work */
static _Atomic bool accepting = true;
static long limit_high, limit_low; /* WriteQueueLimitHigh/Low; 0: none */

/* queue_lock and queue_cond only put idle write threads to sleep and wake
 * them; `stopping` is written under queue_lock. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t drained_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

static pthread_t *threads;
static size_t threads_num;

void plugin__write_set_limits(long high, long low) {
  /* One limit alone means both, as collectd.conf(5) describes. */
  if (high > 0 && low <= 0)
    low = high;
  if (low > 0 && high <= 0)
    high = low;
  if (low > high)
    low = high;
  limit_high = high;
  limit_low = low;
}

long plugin__write_dropped(void) { return atomic_load(&dropped); }
long plugin__write_queued(void) { return atomic_load(&queued); }

/* Between the low and the high mark, drop with a probability that grows
 * linearly from 0 to 1; at or above the high mark, drop everything. */
static bool should_drop(void) {
  if (limit_high <= 0)
    return false;
  long n = atomic_load_explicit(&queued, memory_order_relaxed);
  if (n < limit_low)
    return false;
  if (n >= limit_high || limit_high == limit_low)
    return true;
  double p = (double)(n - limit_low) / (double)(limit_high - limit_low);
  return cdrand_d() < p;
}

static void log_drop(void) {
  static _Atomic cdtime_t last;
  cdtime_t now = cdtime();
  cdtime_t prev = atomic_load(&last);
  if (now - prev < 10 * CDTIME_ONE_SECOND ||
      !atomic_compare_exchange_strong(&last, &prev, now))
    return;
  WARNING("write queue: %ld value lists queued, above WriteQueueLimitLow "
          "(%ld); dropping values (%ld dropped so far)",
          atomic_load(&queued), limit_low, atomic_load(&dropped));
}

static wq_entry_t *entry_new(const data_set_t *ds, const value_list_t *vl) {
  wq_entry_t *e = malloc(sizeof(*e) + vl->values_len * sizeof(value_t));
  if (e == NULL)
    return NULL;
  e->ds = ds;
  e->vl = *vl;
  e->vl.values = e->values;
  memcpy(e->values, vl->values, vl->values_len * sizeof(value_t));
  e->vl.meta = NULL;
  if (vl->meta != NULL && (e->vl.meta = meta_data_clone(vl->meta)) == NULL) {
    free(e);
    return NULL;
  }
  return e;
}

static void entry_free(wq_entry_t *e) {
  meta_data_destroy(e->vl.meta);
  free(e);
}

int plugin__write_enqueue(const data_set_t *ds, const value_list_t *vl) {
  if (!atomic_load(&accepting))
    return -ESHUTDOWN;
  if (should_drop()) {
    atomic_fetch_add(&dropped, 1);
    log_drop();
    return -ENOBUFS;
  }

  wq_entry_t *e = entry_new(ds, vl);
  if (e == NULL)
    return -ENOMEM;

  atomic_fetch_add(&queued, 1);
  e->next = atomic_load_explicit(&stack, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      &stack, &e->next, e, memory_order_release, memory_order_relaxed))
    ;

  /* Pairs with the sleeper's increment before it checks the stack: either
   * it sees our entry, or we see it asleep and wake it. */
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&queue_lock);
    pthread_cond_signal(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
  }
  return 0;
}

/* Takes everything queued, oldest first. */
static wq_entry_t *take_batch(void) {
  wq_entry_t *lifo = atomic_exchange_explicit(&stack, NULL,
                                              memory_order_acquire);
  wq_entry_t *fifo = NULL;
  while (lifo != NULL) {
    wq_entry_t *next = lifo->next;
    lifo->next = fifo;
    fifo = lifo;
    lifo = next;
  }
  return fifo;
}

static void deliver(cb_snapshot_t *s, const data_set_t *ds,
                    const value_list_t *vl) {
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (!plugin__is_ready(cb->owner))
      continue;
    CB_CALL(cb, write, ds, vl, &cb->ud);
  }
}

int plugin__write_deliver(const data_set_t *ds, const value_list_t *vl) {
  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  deliver(s, ds, vl);
  cb_list_release(s);
  return 0;
}

static void deliver_batch(wq_entry_t *batch) {
  /* One snapshot per batch: the callback list is not consulted per value. */
  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  long n = 0;
  while (batch != NULL) {
    wq_entry_t *next = batch->next;
    deliver(s, batch->ds, &batch->vl);
    entry_free(batch);
    batch = next;
    n++;
  }
  cb_list_release(s);
  if (atomic_fetch_sub(&queued, n) == n) {
    pthread_mutex_lock(&queue_lock);
    pthread_cond_broadcast(&drained_cond);
    pthread_mutex_unlock(&queue_lock);
  }
}

static void *write_thread(void *arg) {
  for (;;) {
    wq_entry_t *batch = take_batch();
    if (batch != NULL) {
      deliver_batch(batch);
      continue;
    }
    pthread_mutex_lock(&queue_lock);
    atomic_fetch_add(&sleepers, 1);
    while (!stopping && atomic_load(&stack) == NULL)
      pthread_cond_wait(&queue_cond, &queue_lock);
    atomic_fetch_sub(&sleepers, 1);
    bool stop = stopping && atomic_load(&stack) == NULL;
    pthread_mutex_unlock(&queue_lock);
    if (stop)
      break;
  }
  return NULL;
}

int plugin__write_start(int num) {
  if (threads != NULL || num <= 0)
    return threads != NULL ? -EALREADY : -EINVAL;
  threads = calloc((size_t)num, sizeof(*threads));
  if (threads == NULL)
    return -ENOMEM;
  stopping = false;
  atomic_store(&accepting, true);
  for (int i = 0; i < num; i++) {
    int status = pthread_create(&threads[i], NULL, write_thread, NULL);
    if (status != 0) {
      ERROR("cannot start write thread %d: %s", i, strerror(status));
      break;
    }
    char name[16];
    snprintf(name, sizeof(name), "writer#%d", i);
    pthread_setname_np(threads[i], name);
    threads_num++;
  }
  return threads_num > 0 ? 0 : -EAGAIN;
}

long plugin__write_stop(cdtime_t timeout) {
  atomic_store(&accepting, false);

  /* Give the threads up to `timeout` to deliver what is queued. */
  pthread_mutex_lock(&queue_lock);
  struct timespec deadline = CDTIME_T_TO_TIMESPEC(cdtime() + timeout);
  while (threads_num > 0 && atomic_load(&queued) > 0) {
    if (pthread_cond_timedwait(&drained_cond, &queue_lock, &deadline) ==
        ETIMEDOUT)
      break;
  }
  /* What is left is dropped: the threads stop at their next empty look. */
  wq_entry_t *left = take_batch();
  stopping = true;
  pthread_cond_broadcast(&queue_cond);
  pthread_mutex_unlock(&queue_lock);

  for (size_t i = 0; i < threads_num; i++)
    pthread_join(threads[i], NULL);
  free(threads);
  threads = NULL;
  threads_num = 0;

  long n = 0;
  while (left != NULL) {
    wq_entry_t *next = left->next;
    entry_free(left);
    left = next;
    n++;
  }
  atomic_fetch_sub(&queued, n);
  atomic_fetch_add(&dropped, n);
  if (n > 0)
    WARNING("write queue: %ld value lists were still queued at shutdown and "
            "are lost",
            n);
  return n;
}

/* ---- the plugin interface ------------------------------------------------- */

int plugin_write(const char *plugin, const data_set_t *ds,
                 const value_list_t *vl) {
  if (vl == NULL)
    return -EINVAL;
  if (ds == NULL && (ds = plugin_get_ds(vl->type)) == NULL) {
    ERROR("plugin_write: unknown type \"%s\"", vl->type);
    return -ENOENT;
  }

  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  int status = -ENOENT;
  int failures = 0, successes = 0;
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (plugin != NULL && strcasecmp(plugin, cb->name) != 0)
      continue;
    if (!plugin__is_ready(cb->owner))
      continue;
    if (CB_CALL(cb, write, ds, vl, &cb->ud) == 0)
      successes++;
    else
      failures++;
  }
  cb_list_release(s);
  if (successes > 0)
    status = 0;
  else if (failures > 0)
    status = -1;
  return status;
}
