/* The write queue and the write threads.
 *
 * Dispatching threads push copies of value lists onto a lock-free stack; a
 * write thread swaps the whole stack out at once, restores its order and
 * delivers the batch to the write callbacks through one callback snapshot.
 * No lock is taken per value list on either side: a producer takes the
 * queue mutex only to wake a write thread that is asleep. */
#include "filter_chain/fc.h"
#include "plugin_carry.h"
#include "plugin_internal.h"
#include "utils/common/common.h"
#include "utils_cache.h"
#include "utils_random.h"

#include <pthread.h>

/* A queued value list, packed: the five names are stored back to back
 * with their lengths instead of in five 128-byte arrays, so that the write
 * thread reads a few dozen bytes of names per value rather than 640 that
 * the dispatching thread's CPU wrote. */
#define WQ_NAMES 5
typedef struct wq_entry_s wq_entry_t;
struct wq_entry_s {
  wq_entry_t *next;
  const data_set_t *ds;
  bool pooled; /* has room for POOL_VALUES values and is recycled */
  bool have_rates; /* the rates after its cache update follow the values */
  cdtime_t time;
  cdtime_t interval;
  meta_data_t *meta;
  size_t values_len;
  uint8_t name_len[WQ_NAMES];
  char names[WQ_NAMES * DATA_MAX_NAME_LEN];
  /* values_len values, then values_len rates (gauge_t, the same size). */
  value_t values[];
};
#define WQ_RATES(e) ((gauge_t *)((e)->values + (e)->values_len))

/* Each variable the dispatching and the write threads both touch has a
 * cache line of its own, so that they do not bounce it between CPUs for
 * nothing. The queue length is the difference of two counters, one written
 * only by dispatching threads and one only by write threads. */
static _Alignas(64) _Atomic(wq_entry_t *) stack;
static _Alignas(64) _Atomic long enqueued;
static _Alignas(64) _Atomic long delivered; /* or dropped at shutdown */
static _Atomic long dropped; /* by the queue limits, and at shutdown */
/* Write threads about to look at the stack once more, and write threads
 * asleep on queue_cond (see work_arrives_soon()); written by write threads
 * as they run out of work, read by a push onto the empty stack. */
static _Alignas(64) _Atomic int lookers;
static _Atomic int sleepers;
static _Atomic bool accepting = true;
static long limit_high, limit_low; /* WriteQueueLimitHigh/Low; 0: none */

/* queue_lock and queue_cond only put idle write threads to sleep and wake
 * them; `stopping` is written under queue_lock. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t drained_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

/* What an unload's drain looks at (plugin__write_drain): how many entries
 * the write threads have taken off the stack, and per thread a sequence
 * number that is odd while it holds a batch. */
static _Alignas(64) _Atomic long taken;
typedef struct {
  _Alignas(64) _Atomic unsigned long seq;
} busy_mark_t;

static pthread_t *threads;
static busy_mark_t *marks;
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
long plugin__write_limit_high(void) { return limit_high; }
static long queue_length(void) {
  return atomic_load_explicit(&enqueued, memory_order_relaxed) -
         atomic_load_explicit(&delivered, memory_order_relaxed);
}

long plugin__write_queued(void) { return queue_length(); }

/* Between the low and the high mark, drop with a probability that grows
 * linearly from 0 to 1; at or above the high mark, drop everything. */
static bool should_drop(void) {
  if (limit_high <= 0)
    return false;
  long n = queue_length();
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
          queue_length(), limit_low, atomic_load(&dropped));
}

/* ---- entry recycling -------------------------------------------------------
 * A dispatching thread allocates entries and a write thread frees them; with
 * malloc() that is a cross-thread free per value, and the two threads
 * fight over the allocator's arena lock. Instead, write threads hand
 * delivered entries back as a whole chain (one CAS per batch), and a
 * dispatching thread takes the whole returned chain into a thread-local
 * list when its own runs dry (one exchange; no ABA, no lock). The number of
 * entries kept for reuse is bounded; the rest are freed. */
#define POOL_VALUES 8  /* entries for up to this many values are recycled */
#define POOL_MAX 16384 /* entries kept for reuse at most */

static _Alignas(64) _Atomic(wq_entry_t *) returned;
/* Entries kept for reuse, roughly: a dispatching thread subtracts what it
 * took only when it refills its local list. */
static _Alignas(64) _Atomic long pooled;
static __thread wq_entry_t *local_pool;
static __thread long local_taken;
static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void push_chain(wq_entry_t *head, wq_entry_t *tail) {
  tail->next = atomic_load_explicit(&returned, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      &returned, &tail->next, head, memory_order_release,
      memory_order_relaxed))
    ;
}

/* A thread that exits gives its local list back. */
static void pool_thread_exit(void *unused) {
  atomic_fetch_sub_explicit(&pooled, local_taken, memory_order_relaxed);
  local_taken = 0;
  wq_entry_t *head = local_pool;
  local_pool = NULL;
  if (head == NULL)
    return;
  wq_entry_t *tail = head;
  while (tail->next != NULL)
    tail = tail->next;
  push_chain(head, tail);
}

static void pool_key_create(void) {
  pthread_key_create(&pool_key, pool_thread_exit);
}

static wq_entry_t *entry_alloc(size_t values_len) {
  if (values_len > POOL_VALUES) {
    wq_entry_t *e = malloc(sizeof(*e) + 2 * values_len * sizeof(value_t));
    if (e != NULL)
      e->pooled = false;
    return e;
  }
  if (local_pool == NULL) {
    atomic_fetch_sub_explicit(&pooled, local_taken, memory_order_relaxed);
    local_taken = 0;
    local_pool = atomic_exchange_explicit(&returned, NULL,
                                          memory_order_acquire);
    if (local_pool != NULL) {
      /* Make sure this thread's list is handed back when it exits. */
      pthread_once(&pool_once, pool_key_create);
      pthread_setspecific(pool_key, (void *)1);
    }
  }
  wq_entry_t *e = local_pool;
  if (e != NULL) {
    local_pool = e->next;
    local_taken++;
    return e;
  }
  e = malloc(sizeof(*e) + 2 * POOL_VALUES * sizeof(value_t));
  if (e != NULL)
    e->pooled = true;
  return e;
}

/* Frees everything kept for reuse (write threads stopped). */
static void pool_clear(void) {
  pool_thread_exit(NULL);
  atomic_store(&pooled, 0);
  wq_entry_t *e = atomic_exchange(&returned, NULL);
  while (e != NULL) {
    wq_entry_t *next = e->next;
    free(e);
    e = next;
  }
}

/* The names of a value list in the order they are packed. */
#define WQ_NAME_FIELDS(vl)                                                     \
  { (vl)->host, (vl)->plugin, (vl)->plugin_instance, (vl)->type,              \
    (vl)->type_instance }

static void entry_pack_names(wq_entry_t *e, const value_list_t *vl) {
  const char *src[WQ_NAMES] = WQ_NAME_FIELDS(vl);
  char *out = e->names;
  for (int i = 0; i < WQ_NAMES; i++) {
    size_t len = strnlen(src[i], DATA_MAX_NAME_LEN - 1);
    memcpy(out, src[i], len);
    e->name_len[i] = (uint8_t)len;
    out += len;
  }
}

/* Rebuilds the value list on the write thread's side. */
static void entry_unpack(const wq_entry_t *e, value_list_t *vl) {
  vl->values = (value_t *)e->values;
  vl->values_len = e->values_len;
  vl->time = e->time;
  vl->interval = e->interval;
  vl->meta = e->meta;
  char *dst[WQ_NAMES] = WQ_NAME_FIELDS(vl);
  const char *in = e->names;
  for (int i = 0; i < WQ_NAMES; i++) {
    memcpy(dst[i], in, e->name_len[i]);
    dst[i][e->name_len[i]] = '\0';
    in += e->name_len[i];
  }
}

static wq_entry_t *entry_new(const data_set_t *ds, const value_list_t *vl,
                             const gauge_t *rates) {
  wq_entry_t *e = entry_alloc(vl->values_len);
  if (e == NULL)
    return NULL;
  e->ds = ds;
  e->time = vl->time;
  e->interval = vl->interval;
  e->values_len = vl->values_len;
  memcpy(e->values, vl->values, vl->values_len * sizeof(value_t));
  e->have_rates = rates != NULL;
  if (rates != NULL)
    memcpy(WQ_RATES(e), rates, vl->values_len * sizeof(gauge_t));
  entry_pack_names(e, vl);
  e->meta = NULL;
  if (vl->meta != NULL && (e->meta = meta_data_clone(vl->meta)) == NULL) {
    free(e);
    return NULL;
  }
  return e;
}

static void entry_free(wq_entry_t *e) {
  meta_data_destroy(e->meta);
  free(e);
}

/* Collects delivered entries for reuse; entry_recycle_flush() hands them
 * back in one go. */
typedef struct {
  wq_entry_t *head, *tail;
  long num;
} recycle_t;

static void entry_recycle(recycle_t *r, wq_entry_t *e) {
  meta_data_destroy(e->meta);
  e->meta = NULL;
  if (!e->pooled || atomic_load_explicit(&pooled, memory_order_relaxed) +
                            r->num >= POOL_MAX) {
    free(e);
    return;
  }
  e->next = r->head;
  r->head = e;
  if (r->tail == NULL)
    r->tail = e;
  r->num++;
}

static void entry_recycle_flush(recycle_t *r) {
  if (r->head == NULL)
    return;
  atomic_fetch_add_explicit(&pooled, r->num, memory_order_relaxed);
  push_chain(r->head, r->tail);
}

int plugin__write_enqueue(const data_set_t *ds, const value_list_t *vl,
                          const gauge_t *rates) {
  if (!atomic_load(&accepting))
    return -ESHUTDOWN;
  /* A drop is not the caller's error: like collectd, report success, so
   * that plugins do not flood the log just when the daemon is overloaded.
   * Drops are counted (CollectInternalStats) and logged every 10 s. */
  if (should_drop()) {
    atomic_fetch_add(&dropped, 1);
    log_drop();
    return 0;
  }

  wq_entry_t *e = entry_new(ds, vl, rates);
  if (e == NULL)
    return -ENOMEM;

  atomic_fetch_add_explicit(&enqueued, 1, memory_order_relaxed);
  /* Once published, e belongs to the write threads: remember the old head
   * in a local rather than reading e->next afterwards. */
  wq_entry_t *head = atomic_load_explicit(&stack, memory_order_relaxed);
  do
    e->next = head;
  while (!atomic_compare_exchange_weak_explicit(
      &stack, &head, e, memory_order_seq_cst, memory_order_relaxed));

  /* Only the push that makes the stack non-empty can find a write thread
   * asleep on it: a sleeper checked for an empty stack under queue_lock
   * after announcing itself (and, if it was looking, after it stopped
   * counting as looking). Either it sees our entry, or we see it and wake
   * it. Pushes onto a non-empty stack never pay for a wake-up, nor do
   * pushes that a looking write thread is about to find. */
  if (head == NULL && atomic_load(&lookers) == 0 &&
      atomic_load(&sleepers) > 0) {
    /* Once we hold the lock, the sleeper we saw waits on the condition
     * variable; signalled after the unlock, it does not wake only to
     * block on the lock. */
    pthread_mutex_lock(&queue_lock);
    pthread_mutex_unlock(&queue_lock);
    pthread_cond_signal(&queue_cond);
  }
  return 0;
}

/* Takes everything queued, oldest first; *num counts it. */
static wq_entry_t *take_batch(long *num) {
  wq_entry_t *lifo = atomic_exchange(&stack, NULL);
  wq_entry_t *fifo = NULL;
  while (lifo != NULL) {
    (*num)++;
    wq_entry_t *next = lifo->next;
    lifo->next = fifo;
    fifo = lifo;
    lifo = next;
  }
  return fifo;
}

/* Delivers a batch in chunks: for each chunk, each write callback whose
 * plugin is ready gets every value list of it, inside one call bracket,
 * so that the ready check and the in-flight count cost a few atomic
 * operations per chunk rather than per value. */
#define DELIVER_CHUNK 128

/* uc_get_rate() for the value being delivered answers with its rates
 * as of its own cache update (see uc__delivering()). */
static void delivering(const wq_entry_t *e, const value_list_t *vl,
                       uc_delivery_t *d) {
  *d = (uc_delivery_t){.vl = vl, .rates = WQ_RATES(e), .num = e->values_len};
  uc__delivering(e->have_rates ? d : NULL);
}

/* The write callbacks of the batch a write thread delivers, and whether a
 * reload is carrying values for a plugin (see plugin_carry.h): then every
 * value that none of that plugin's callbacks took is carried for it. */
static __thread cb_snapshot_t *batch_writers;
static __thread bool batch_carrying;

static void carry_chunk(cb_snapshot_t *s, const bool *took,
                        wq_entry_t *chunk, size_t n) {
  value_list_t vl;
  wq_entry_t *e = chunk;
  for (size_t j = 0; j < n; j++, e = e->next) {
    entry_unpack(e, &vl);
    plugin__carry_values(s, took, NULL, e->ds, &vl,
                         e->have_rates ? WQ_RATES(e) : NULL);
  }
}

static void deliver_chunk(cb_snapshot_t *s, wq_entry_t *chunk, size_t n) {
  value_list_t vl;
  uc_delivery_t d;
  size_t num = s != NULL ? s->num : 0;
  CARRY_TOOK(took, batch_carrying, num);
  for (size_t i = 0; i < num; i++) {
    callback_t *cb = s->cb[i];
    if (!cb_begin_took(cb, took, i))
      continue;
    plugin_thread_ctx_t saved = plugin__enter(cb->owner, cb->ctx);
    wq_entry_t *e = chunk;
    for (size_t j = 0; j < n; j++, e = e->next) {
      entry_unpack(e, &vl);
      delivering(e, &vl, &d);
      cb->fn.write(e->ds, &vl, &cb->ud);
    }
    uc__delivering(NULL);
    plugin__leave(saved);
    cb_end(cb);
  }
  if (took != NULL)
    carry_chunk(s, took, chunk, n);
}

/* With a post-cache chain, the chain decides, value by value, which write
 * plugins get it (its "write" targets), and may change it on the way. */
static void deliver_chained(fc_set_t *chains, wq_entry_t *chunk, size_t n) {
  value_list_t vl, as_cached;
  uc_delivery_t d;
  wq_entry_t *e = chunk;
  for (size_t j = 0; j < n; j++, e = e->next) {
    entry_unpack(e, &vl);
    /* The rates belong to the name the value was cached under; a target
     * that renames it makes uc_get_rate() look the new name up. */
    entry_unpack(e, &as_cached);
    delivering(e, &as_cached, &d);
    fc__post_cache(chains, e->ds, &vl);
    /* A target may have given the value meta data, or new meta data. */
    e->meta = vl.meta;
  }
  uc__delivering(NULL);
}

static void deliver_batch(wq_entry_t *batch) {
  /* One snapshot and one hold on the chains per batch: neither the
   * callback list nor the chains are looked up per value. */
  batch_carrying = plugin__carry_enter();
  fc_set_t *chains = fc__post_cache_acquire();
  cb_snapshot_t *s = cb_list_acquire(CB_WRITE);
  /* The chains' "write" targets (plugin_write()) use these rather than
   * take a snapshot per value. */
  batch_writers = s;
  recycle_t r = {0};
  long n = 0;
  while (batch != NULL) {
    size_t len = 0;
    for (wq_entry_t *e = batch; e != NULL && len < DELIVER_CHUNK; e = e->next)
      len++;
    if (chains != NULL)
      deliver_chained(chains, batch, len);
    else
      deliver_chunk(s, batch, len);
    for (size_t j = 0; j < len; j++) {
      wq_entry_t *next = batch->next;
      entry_recycle(&r, batch);
      batch = next;
    }
    n += (long)len;
  }
  entry_recycle_flush(&r);
  batch_writers = NULL;
  cb_list_release(s);
  fc__release(chains);
  batch_carrying = false;
  plugin__carry_leave();
  long done = atomic_fetch_add(&delivered, n) + n;
  if (done == atomic_load(&enqueued)) {
    pthread_mutex_lock(&queue_lock);
    pthread_cond_broadcast(&drained_cond);
    pthread_mutex_unlock(&queue_lock);
  }
}

/* A write thread that finds the stack empty looks once more after a
 * short pause before it goes to sleep on the condition variable. While a
 * dispatching thread streams values, the pause lets a batch of a hundred
 * or more build up, and the dispatching thread does not pay for a wake-up
 * per batch (a thread that slept at once would be woken every few values).
 * When nothing comes within the pause, the thread sleeps until a push
 * wakes it: an idle daemon's write threads cost one look per batch, not a
 * poll every few tens of microseconds. While a thread looks, it counts in
 * `lookers`, and a push onto the empty stack leaves the sleepers alone:
 * the looking thread takes the entry. */
static bool work_arrives_soon(void) {
  const struct timespec pause = {.tv_nsec = 20 * 1000};
  nanosleep(&pause, NULL);
  return atomic_load_explicit(&stack, memory_order_relaxed) != NULL;
}

/* Sleeps until the stack is not empty or the threads stop; false when
 * this thread is to end. Called counting in `lookers`. */
static bool wait_for_work(void) {
  pthread_mutex_lock(&queue_lock);
  atomic_fetch_add(&sleepers, 1);
  /* After announcing the sleep, before the last look: a push that this
   * look misses sees the sleeper and no looker (seq_cst on both sides). */
  atomic_fetch_sub(&lookers, 1);
  while (!stopping && atomic_load(&stack) == NULL)
    pthread_cond_wait(&queue_cond, &queue_lock);
  atomic_fetch_sub(&sleepers, 1);
  bool stop = stopping && atomic_load(&stack) == NULL;
  pthread_mutex_unlock(&queue_lock);
  return !stop;
}

static void *write_thread(void *arg) {
  busy_mark_t *mark = arg;
  for (;;) {
    atomic_fetch_add(&mark->seq, 1); /* odd: holding a batch, maybe */
    long n = 0;
    wq_entry_t *batch = take_batch(&n);
    if (batch != NULL) {
      atomic_fetch_add(&taken, n);
      deliver_batch(batch);
    }
    atomic_fetch_add(&mark->seq, 1); /* even: holding nothing */
    if (batch != NULL)
      continue;
    atomic_fetch_add(&lookers, 1);
    if (work_arrives_soon()) {
      atomic_fetch_sub(&lookers, 1);
      continue;
    }
    if (!wait_for_work())
      break;
  }
  return NULL;
}

int plugin__write_start(int num) {
  if (threads != NULL || num <= 0)
    return threads != NULL ? -EALREADY : -EINVAL;
  threads = calloc((size_t)num, sizeof(*threads));
  marks = aligned_alloc(_Alignof(busy_mark_t), (size_t)num * sizeof(*marks));
  if (threads == NULL || marks == NULL) {
    free(threads);
    free(marks);
    threads = NULL;
    marks = NULL;
    return -ENOMEM;
  }
  for (int i = 0; i < num; i++)
    atomic_init(&marks[i].seq, 0);
  stopping = false;
  atomic_store(&accepting, true);
  for (int i = 0; i < num; i++) {
    int status = pthread_create(&threads[i], NULL, write_thread, &marks[i]);
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
  while (threads_num > 0 && queue_length() > 0) {
    if (pthread_cond_timedwait(&drained_cond, &queue_lock, &deadline) ==
        ETIMEDOUT)
      break;
  }
  /* What is left is dropped: the threads stop at their next empty look. */
  long n = 0;
  wq_entry_t *left = take_batch(&n);
  stopping = true;
  pthread_cond_broadcast(&queue_cond);
  pthread_mutex_unlock(&queue_lock);

  for (size_t i = 0; i < threads_num; i++)
    pthread_join(threads[i], NULL);
  free(threads);
  free(marks);
  threads = NULL;
  marks = NULL;
  threads_num = 0;

  while (left != NULL) {
    wq_entry_t *next = left->next;
    entry_free(left);
    left = next;
  }
  atomic_fetch_add(&delivered, n);
  atomic_fetch_add(&dropped, n);
  pool_clear();
  if (n > 0)
    WARNING("write queue: %ld value lists were still queued at shutdown and "
            "are lost",
            n);
  return n;
}

/* Every entry pushed before the call has been taken off the stack once
 * `taken` reaches what `enqueued` was at the call: an exchange takes all
 * that was pushed before it, so an entry still on the stack means every
 * entry taken so far was pushed before it. Then each thread that was
 * holding a batch (odd mark) is waited for until its mark moves on. */
int plugin__write_drain(cdtime_t timeout) {
  const struct timespec pause = {.tv_nsec = 200 * 1000};
  cdtime_t deadline = cdtime() + timeout;
  long target = atomic_load(&enqueued);
  if (threads_num == 0)
    return 0;
  while (atomic_load(&taken) < target) {
    if (cdtime() >= deadline)
      return -ETIMEDOUT;
    nanosleep(&pause, NULL);
  }
  for (size_t i = 0; i < threads_num; i++) {
    unsigned long seq = atomic_load(&marks[i].seq);
    if (seq % 2 == 0)
      continue;
    while (atomic_load(&marks[i].seq) == seq) {
      if (cdtime() >= deadline)
        return -ETIMEDOUT;
      nanosleep(&pause, NULL);
    }
  }
  return 0;
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

  cb_snapshot_t *s =
      batch_writers != NULL ? batch_writers : cb_list_acquire(CB_WRITE);
  int status = -ENOENT;
  int failures = 0, successes = 0;
  /* Inside a batch (the chains' write target), values meant for a plugin
   * that is reloading are carried for it. */
  bool carrying = s == batch_writers && batch_carrying;
  size_t num = s != NULL ? s->num : 0;
  CARRY_TOOK(took, carrying, num);
  for (size_t i = 0; i < num; i++) {
    callback_t *cb = s->cb[i];
    if (plugin != NULL && strcasecmp(plugin, cb->name) != 0)
      continue;
    if (!cb_begin_took(cb, took, i))
      continue;
    if (CB_CALL(cb, write, ds, vl, &cb->ud) == 0)
      successes++;
    else
      failures++;
    cb_end(cb);
  }
  if (took != NULL)
    plugin__carry_values(s, took, plugin, ds, vl, NULL);
  if (s != batch_writers)
    cb_list_release(s);
  if (successes > 0)
    status = 0;
  else if (failures > 0)
    status = -1;
  return status;
}
