/* What a RELOAD carries from a plugin's old instance to its new one: the
 * values, notifications and log messages meant for it while it is between
 * instances, and the phase of its reads.
 *
 * A carry is opened for a plugin's name while its old instance is still
 * ready, and taken by the first instance of that name to become ready
 * again: the new one, or, after a rollback, the restored one. Meanwhile
 * every dispatcher that finds none of the plugin's callbacks taking what it
 * delivers hands a copy to the carry instead.
 *
 * Dispatchers never wait for the lifecycle here: they mark themselves as
 * delivering (a count per epoch, as in sleepable RCU), look up the carries
 * only if there are any, and append under a mutex no one holds for long.
 * The lifecycle waits instead, for the dispatchers that were delivering
 * when it made the new instance ready: what they carried late is handed
 * over then. So a value is either taken by an instance of the plugin or
 * carried to one, never both and never neither; what was carried before
 * the new instance became ready reaches it before anything that comes
 * after, and only what was under way at that moment can come a little
 * late (or, when the plugin takes them more slowly than they come, what
 * was still carried at the end of CARRY_CATCH_UP). */
#include "plugin_carry.h"
#include "plugin_read.h"
#include "utils/common/common.h"
#include "utils/metadata/meta_data.h"
#include "utils_cache.h"

#include <pthread.h>

typedef enum { ITEM_VALUES, ITEM_NOTIFICATION, ITEM_LOG } item_kind_t;

typedef struct item_s item_t;
struct item_s {
  item_t *next;
  item_kind_t kind;
  union {
    struct {
      const data_set_t *ds;
      value_list_t vl; /* values and meta data are the item's own */
      gauge_t *rates;  /* NULL: none */
    } v;
    notification_t n; /* meta data the item's own */
    struct {
      int level;
      char *msg;
    } log;
  } u;
};

/* A read callback's place in its schedule. */
typedef struct {
  char *name;
  cdtime_t next_due;
} phase_t;

typedef struct carry_s carry_t;
struct carry_s {
  char name[DATA_MAX_NAME_LEN];
  /* What the old instance took: only that is carried. */
  bool values, notifications, logs;
  item_t *head, *tail;
  long num, dropped;
  phase_t *phases;
  size_t phases_num;
  _Atomic(carry_t *) next;
};

/* The read side: a dispatcher counts itself in the current epoch while it
 * delivers (nested deliveries count once: depth). The lifecycle's
 * synchronize() moves the epoch on and waits until the old one's count is
 * zero: every delivery that was under way has ended. */
static _Atomic long delivering[2];
static _Atomic int epoch;
static __thread int depth;
static __thread int my_epoch;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;

/* The carries: linked and unlinked by the lifecycle under carry_lock,
 * read by dispatchers inside their delivery (freed only after a
 * synchronize()); items are added under carry_lock too. */
static _Atomic(carry_t *) carries;
static _Atomic int carries_num;
static pthread_mutex_t carry_lock = PTHREAD_MUTEX_INITIALIZER;

bool plugin__carry_enter(void) {
  if (depth++ == 0) {
    for (;;) {
      int e = atomic_load(&epoch);
      atomic_fetch_add(&delivering[e], 1);
      /* Counted before the epoch moved on, or we see that it did. */
      if (atomic_load(&epoch) == e) {
        my_epoch = e;
        break;
      }
      atomic_fetch_sub(&delivering[e], 1);
    }
  }
  return atomic_load(&carries_num) > 0;
}

void plugin__carry_leave(void) {
  if (--depth == 0)
    atomic_fetch_sub_explicit(&delivering[my_epoch], 1, memory_order_release);
}

/* Waits until every delivery under way at the call has ended. Must not be
 * called from inside one. */
static void synchronize(void) {
  pthread_mutex_lock(&sync_lock);
  int old = atomic_load(&epoch);
  atomic_store(&epoch, !old);
  long pause_ns = 20 * 1000;
  while (atomic_load(&delivering[old]) != 0) {
    nanosleep(&(struct timespec){.tv_nsec = pause_ns}, NULL);
    if (pause_ns < 2 * 1000 * 1000)
      pause_ns *= 2;
  }
  pthread_mutex_unlock(&sync_lock);
}

static carry_t *carry_find(const char *name) {
  for (carry_t *c = atomic_load(&carries); c != NULL; c = c->next)
    if (strcasecmp(c->name, name) == 0)
      return c;
  return NULL;
}

/* Did a callback of plugin `name` in `s` take it? */
static bool took_by(const cb_snapshot_t *s, const bool *took,
                    const char *name) {
  for (size_t i = 0; s != NULL && i < s->num; i++)
    if (took[i] && s->cb[i]->owner != NULL &&
        strcasecmp(s->cb[i]->owner->name, name) == 0)
      return true;
  return false;
}

/* ---- items -----------------------------------------------------------------
 */

static void item_free(item_t *it) {
  switch (it->kind) {
  case ITEM_VALUES:
    free(it->u.v.vl.values);
    meta_data_destroy(it->u.v.vl.meta);
    free(it->u.v.rates);
    break;
  case ITEM_NOTIFICATION:
    plugin_notification_meta_free(it->u.n.meta);
    break;
  case ITEM_LOG:
    free(it->u.log.msg);
    break;
  }
  free(it);
}

static long carry_limit(void) {
  long limit = plugin__write_limit_high();
  return limit > 0 ? limit : LONG_MAX;
}

static void item_add(carry_t *c, item_t *it) {
  pthread_mutex_lock(&carry_lock);
  if (c->num >= carry_limit()) {
    c->dropped++;
    pthread_mutex_unlock(&carry_lock);
    item_free(it);
    return;
  }
  it->next = NULL;
  if (c->tail != NULL)
    c->tail->next = it;
  else
    c->head = it;
  c->tail = it;
  c->num++;
  pthread_mutex_unlock(&carry_lock);
}

static item_t *values_copy(const data_set_t *ds, const value_list_t *vl,
                           const gauge_t *rates) {
  item_t *it = calloc(1, sizeof(*it));
  if (it == NULL)
    return NULL;
  it->kind = ITEM_VALUES;
  it->u.v.ds = ds;
  it->u.v.vl = *vl;
  it->u.v.vl.meta = NULL;
  it->u.v.vl.values = calloc(vl->values_len, sizeof(value_t));
  if (rates != NULL)
    it->u.v.rates = calloc(vl->values_len, sizeof(gauge_t));
  if (it->u.v.vl.values == NULL || (rates != NULL && it->u.v.rates == NULL) ||
      (vl->meta != NULL &&
       (it->u.v.vl.meta = meta_data_clone(vl->meta)) == NULL)) {
    item_free(it);
    return NULL;
  }
  memcpy(it->u.v.vl.values, vl->values, vl->values_len * sizeof(value_t));
  if (rates != NULL)
    memcpy(it->u.v.rates, rates, vl->values_len * sizeof(gauge_t));
  return it;
}

static item_t *notification_copy(const notification_t *n) {
  item_t *it = calloc(1, sizeof(*it));
  if (it == NULL)
    return NULL;
  it->kind = ITEM_NOTIFICATION;
  it->u.n = *n;
  it->u.n.meta = NULL;
  if (plugin_notification_meta_copy(&it->u.n, n) != 0) {
    item_free(it);
    return NULL;
  }
  return it;
}

static item_t *log_copy(int level, const char *msg) {
  item_t *it = calloc(1, sizeof(*it));
  if (it == NULL || (it->u.log.msg = strdup(msg)) == NULL) {
    free(it);
    return NULL;
  }
  it->kind = ITEM_LOG;
  it->u.log.level = level;
  return it;
}

/* Out of memory is counted as a drop, and said when the carry ends. */
static void add_copy(carry_t *c, item_t *it) {
  if (it == NULL) {
    pthread_mutex_lock(&carry_lock);
    c->dropped++;
    pthread_mutex_unlock(&carry_lock);
    return;
  }
  item_add(c, it);
}

void plugin__carry_values(const cb_snapshot_t *s, const bool *took,
                          const char *plugin, const data_set_t *ds,
                          const value_list_t *vl, const gauge_t *rates) {
  for (carry_t *c = atomic_load(&carries); c != NULL; c = c->next)
    if (c->values && (plugin == NULL || strcasecmp(plugin, c->name) == 0) &&
        !took_by(s, took, c->name))
      add_copy(c, values_copy(ds, vl, rates));
}

void plugin__carry_notification(const cb_snapshot_t *s, const bool *took,
                                const notification_t *n) {
  for (carry_t *c = atomic_load(&carries); c != NULL; c = c->next)
    if (c->notifications && !took_by(s, took, c->name))
      add_copy(c, notification_copy(n));
}

void plugin__carry_log(const cb_snapshot_t *s, const bool *took, int level,
                       const char *msg) {
  for (carry_t *c = atomic_load(&carries); c != NULL; c = c->next)
    if (c->logs && !took_by(s, took, c->name))
      add_copy(c, log_copy(level, msg));
}

/* ---- the lifecycle's side -------------------------------------------------
 */

typedef struct {
  phase_t *phases;
  size_t num;
} phase_list_t;

static void phase_collect(const char *name, cdtime_t next_due, void *arg) {
  phase_list_t *l = arg;
  phase_t *p = realloc(l->phases, (l->num + 1) * sizeof(*p));
  if (p == NULL)
    return;
  l->phases = p;
  if ((p[l->num].name = strdup(name)) == NULL)
    return;
  p[l->num++].next_due = next_due;
}

static void carry_free(carry_t *c) {
  item_t *it = c->head;
  while (it != NULL) {
    item_t *next = it->next;
    item_free(it);
    it = next;
  }
  for (size_t i = 0; i < c->phases_num; i++)
    free(c->phases[i].name);
  free(c->phases);
  free(c);
}

int plugin__carry_begin(plugin_t *p) {
  carry_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  sstrncpy(c->name, p->name, sizeof(c->name));
  c->values = cb_list_has_owner(CB_WRITE, p);
  c->notifications = cb_list_has_owner(CB_NOTIFICATION, p);
  c->logs = cb_list_has_owner(CB_LOG, p);
  phase_list_t l = {0};
  read_sched_foreach_owner(p, phase_collect, &l);
  c->phases = l.phases;
  c->phases_num = l.num;

  /* Linked before the plugin leaves ready: a dispatcher that finds it not
   * ready finds the carry too. */
  pthread_mutex_lock(&carry_lock);
  carry_t *old = carry_find(p->name);
  if (old == NULL) {
    c->next = atomic_load(&carries);
    atomic_store(&carries, c);
    atomic_fetch_add(&carries_num, 1);
  }
  pthread_mutex_unlock(&carry_lock);
  if (old != NULL) { /* one RELOAD per plugin at a time: cannot happen */
    carry_free(c);
    return -EEXIST;
  }
  /* A dispatcher that began before the carry existed does not look for
   * it; let those end while the plugin is still ready. */
  synchronize();
  return 0;
}

/* Unlinks `name`'s carry; the caller frees it after a synchronize(). */
static carry_t *carry_unlink(const char *name) {
  carry_t *found = NULL;
  pthread_mutex_lock(&carry_lock);
  _Atomic(carry_t *) *pp = &carries;
  for (carry_t *c = atomic_load(pp); c != NULL; pp = &c->next, c = *pp) {
    if (strcasecmp(c->name, name) == 0) {
      atomic_store(pp, atomic_load(&c->next));
      atomic_fetch_sub(&carries_num, 1);
      found = c;
      break;
    }
  }
  pthread_mutex_unlock(&carry_lock);
  return found;
}

/* Calls `p`'s callbacks of one kind with an item; `p` is not ready yet,
 * so the call is bracketed as a configuration call is. */
static size_t deliver_item(plugin_t *p, item_t *it) {
  static const cb_kind_t kinds[] = {[ITEM_VALUES] = CB_WRITE,
                                    [ITEM_NOTIFICATION] = CB_NOTIFICATION,
                                    [ITEM_LOG] = CB_LOG};
  cb_snapshot_t *s = cb_list_acquire(kinds[it->kind]);
  size_t called = 0;
  for (size_t i = 0; s != NULL && i < s->num; i++) {
    callback_t *cb = s->cb[i];
    if (cb->owner != p || !plugin__call_begin_any(p))
      continue;
    plugin_thread_ctx_t saved = plugin__enter(p, cb->ctx);
    switch (it->kind) {
    case ITEM_VALUES: {
      uc_delivery_t d = {.vl = &it->u.v.vl,
                         .rates = it->u.v.rates,
                         .num = it->u.v.vl.values_len};
      uc__delivering(it->u.v.rates != NULL ? &d : NULL);
      cb->fn.write(it->u.v.ds, &it->u.v.vl, &cb->ud);
      uc__delivering(NULL);
      break;
    }
    case ITEM_NOTIFICATION:
      cb->fn.notification(&it->u.n, &cb->ud);
      break;
    case ITEM_LOG:
      cb->fn.log(it->u.log.level, it->u.log.msg, &cb->ud);
      break;
    }
    plugin__leave(saved);
    plugin__call_end(p);
    called++;
  }
  cb_list_release(s);
  return called;
}

/* Puts the new instance's read callbacks where the old ones were in their
 * schedule: the next time on the old phase that has not passed. */
static void phases_restore(plugin_t *p, const carry_t *c) {
  cdtime_t now = cdtime();
  for (size_t i = 0; i < c->phases_num; i++)
    read_sched_set_phase(p, c->phases[i].name, c->phases[i].next_due, now,
                         false);
}

/* Once the new instance is ready: a read that fell due while neither
 * instance could make it (between the old one's last read and now) is
 * made at once, late rather than lost, and the next one is on the phase
 * again. Not before it is ready, or a read thread would find the entry due
 * and the plugin not ready, and skip it. */
static void phases_catch_up(plugin_t *p, const carry_t *c) {
  cdtime_t now = cdtime();
  for (size_t i = 0; i < c->phases_num; i++)
    if (c->phases[i].next_due <= now)
      read_sched_set_phase(p, c->phases[i].name, c->phases[i].next_due, now,
                           true);
}

static item_t *items_detach(carry_t *c) {
  pthread_mutex_lock(&carry_lock);
  item_t *head = c->head;
  c->head = c->tail = NULL;
  c->num = 0;
  pthread_mutex_unlock(&carry_lock);
  return head;
}

typedef struct {
  long delivered, undeliverable;
} tally_t;

/* Delivers items from the list `it` until it is empty or `until` has
 * passed (0: no bound); returns what is left of it. */
static item_t *items_deliver(plugin_t *p, item_t *it, cdtime_t until,
                             tally_t *t) {
  while (it != NULL && (until == 0 || cdtime() < until)) {
    item_t *next = it->next;
    if (deliver_item(p, it) > 0)
      t->delivered++;
    else
      t->undeliverable++;
    item_free(it);
    it = next;
  }
  return it;
}

/* Puts items not delivered back at the head of the carry, before what
 * came since. */
static void items_return(carry_t *c, item_t *head) {
  if (head == NULL)
    return;
  item_t *tail = head;
  long n = 1;
  for (; tail->next != NULL; tail = tail->next)
    n++;
  pthread_mutex_lock(&carry_lock);
  tail->next = c->head;
  if (c->tail == NULL)
    c->tail = tail;
  c->head = head;
  c->num += n;
  pthread_mutex_unlock(&carry_lock);
}

/* How long the new instance takes what was carried before it becomes
 * ready. Within it, everything carried reaches the plugin before anything
 * dispatched after; a stream that comes faster than the plugin takes it
 * (the carry is delivered by one thread, the write queue by several) would
 * keep the plugin from ever becoming ready, so past it the plugin becomes
 * ready and what is still carried is handed over beside the new values. */
#define CARRY_CATCH_UP TIME_T_TO_CDTIME_T(2)

bool plugin__carry_ready(plugin_t *p, bool (*make_ready)(plugin_t *p),
                         bool *phased) {
  /* Only this plugin's command (serialized) unlinks its carry. */
  pthread_mutex_lock(&carry_lock);
  carry_t *c = carry_find(p->name);
  pthread_mutex_unlock(&carry_lock);
  *phased = false;
  if (c == NULL)
    return make_ready(p);
  *phased = c->phases_num > 0;

  /* While the plugin is not ready, what comes for it is still carried. */
  tally_t t = {0};
  phases_restore(p, c);
  cdtime_t until = cdtime() + CARRY_CATCH_UP;
  item_t *items;
  while (cdtime() < until && (items = items_detach(c)) != NULL)
    items_return(c, items_deliver(p, items, until, &t));
  pthread_mutex_lock(&carry_lock);
  long behind = c->num;
  pthread_mutex_unlock(&carry_lock);
  bool ready = make_ready(p);
  if (ready)
    phases_catch_up(p, c);
  /* Dispatchers that found it not ready just before may still carry; those
   * that start from now on find it ready. Once the former are done, hand
   * over what they left, and let the carry go. */
  synchronize();
  if (ready)
    items_deliver(p, items_detach(c), 0, &t);
  carry_unlink(p->name);
  synchronize();

  if (c->dropped > 0 || t.undeliverable > 0 || !ready)
    WARNING("%s: reload: of what was meant for it while it reloaded (value "
            "lists, notifications, log messages), %ld were delivered, %ld "
            "dropped (WriteQueueLimitHigh or out of memory), %ld had no "
            "callback of the new instance to take them, and %ld were lost "
            "because it did not become ready",
            p->name, t.delivered, c->dropped, t.undeliverable,
            ready ? 0 : c->num);
  else if (behind > 0)
    INFO("%s: reload: %ld value lists, notifications or log messages meant "
         "for it while it reloaded were delivered; it took them more slowly "
         "than they came, so the last %ld reached it after it was ready, "
         "beside newer ones",
         p->name, t.delivered, behind);
  else if (t.delivered > 0)
    INFO("%s: reload: %ld value lists, notifications or log messages meant "
         "for it while it reloaded were delivered",
         p->name, t.delivered);
  carry_free(c);
  return ready;
}

void plugin__carry_drop(const char *name) {
  carry_t *c = carry_unlink(name);
  if (c == NULL)
    return;
  synchronize();
  if (c->num > 0 || c->dropped > 0)
    WARNING("%s: reload: no instance of the plugin became ready; %ld value "
            "lists, notifications or log messages held for it are lost",
            name, c->num + c->dropped);
  carry_free(c);
}
