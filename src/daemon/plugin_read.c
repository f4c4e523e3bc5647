/* The read schedule (see plugin_read.h) and the read registration calls. */
#include "plugin_read.h"
#include "utils/common/common.h"

#include <pthread.h>

/* Protects the heap, every entry's scheduling fields (next_due,
 * effective, failures, running, removed, heap_index) and `watching`.
 *
 * Of the read threads waiting for an entry to become due, one watches the
 * clock (`watching`): it waits on `changed` until the first entry is due,
 * and is signalled when the first entry may have become earlier. The
 * others wait on `idle`, untimed; a thread that takes an entry off the
 * schedule wakes one of them to watch the rest. So a due entry wakes one
 * thread, not every read thread, and an entry put back behind the first
 * wakes nobody. */
static pthread_mutex_t read_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static bool watching;
/* An entry was taken while nobody watched: wake an idle thread once the
 * lock is dropped, so that it does not wake only to block on the lock. */
static bool hand_off;
static read_cb_t **heap;
static size_t heap_num, heap_cap;
/* Entries a read thread is calling: out of the heap, still registered. */
static read_cb_t **running;
static size_t running_num, running_cap;

static cdtime_t max_interval; /* 0: no bound but the doubling itself */

void read_sched_set_max_interval(cdtime_t max) { max_interval = max; }

/* The due time of an entry whose plugin has not become ready yet: after
 * every real one, and far enough from the end of cdtime_t that adding an
 * interval cannot wrap. */
#define READ_PARKED (UINT64_MAX >> 1)

void read_sched_lock(void) { pthread_mutex_lock(&read_lock); }
void read_sched_unlock(void) {
  bool wake = hand_off;
  hand_off = false;
  pthread_mutex_unlock(&read_lock);
  if (wake)
    pthread_cond_signal(&idle);
}
void read_sched_wake(void) {
  pthread_cond_broadcast(&changed);
  pthread_cond_broadcast(&idle);
}

void read_sched_wait(cdtime_t until) {
  if (watching) {
    pthread_cond_wait(&idle, &read_lock);
    return;
  }
  watching = true;
  if (until == 0) {
    pthread_cond_wait(&changed, &read_lock);
  } else {
    struct timespec ts = CDTIME_T_TO_TIMESPEC(until);
    pthread_cond_timedwait(&changed, &read_lock, &ts);
  }
  watching = false;
}

/* The first entry may have become earlier: the watcher waits for the
 * wrong time. With no watcher, no read thread waits for long: one woken to
 * watch is on its way, and a busy one looks at the schedule before it
 * waits. */
static void first_changed(void) {
  if (watching)
    pthread_cond_signal(&changed);
}

/* ---- binary min-heap on next_due ----------------------------------------- */

static bool earlier(const read_cb_t *a, const read_cb_t *b) {
  return a->next_due < b->next_due;
}

static void heap_set(size_t i, read_cb_t *rc) {
  heap[i] = rc;
  rc->heap_index = i;
}

static void sift_up(size_t i) {
  read_cb_t *rc = heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!earlier(rc, heap[parent]))
      break;
    heap_set(i, heap[parent]);
    i = parent;
  }
  heap_set(i, rc);
}

static void sift_down(size_t i) {
  read_cb_t *rc = heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= heap_num)
      break;
    if (child + 1 < heap_num && earlier(heap[child + 1], heap[child]))
      child++;
    if (!earlier(heap[child], rc))
      break;
    heap_set(i, heap[child]);
    i = child;
  }
  heap_set(i, rc);
}

static int heap_push(read_cb_t *rc) {
  if (heap_num == heap_cap) {
    size_t cap = heap_cap ? 2 * heap_cap : 16;
    read_cb_t **h = realloc(heap, cap * sizeof(*h));
    if (h == NULL)
      return -ENOMEM;
    heap = h;
    heap_cap = cap;
  }
  heap_set(heap_num++, rc);
  sift_up(heap_num - 1);
  return 0;
}

static void heap_remove_at(size_t i) {
  heap_num--;
  if (i == heap_num)
    return;
  heap_set(i, heap[heap_num]);
  sift_down(i);
  sift_up(heap[i]->heap_index);
}

/* ---- the schedule --------------------------------------------------------- */

/* The entry named `name` that `owner` registered (taken: a second one
 * replaces nothing and is refused, as in collectd), or else any other
 * plugin's entry of that name (`*other`): names are per plugin, so that
 * no plugin can take another's place in the schedule by naming it. */
static bool name_taken_locked(const char *name, const plugin_t *owner,
                              const read_cb_t **other) {
  for (size_t i = 0; i < heap_num + running_num; i++) {
    const read_cb_t *rc = i < heap_num ? heap[i] : running[i - heap_num];
    if ((i >= heap_num && rc->removed) || strcasecmp(rc->name, name) != 0)
      continue;
    if (rc->owner == owner)
      return true;
    *other = rc;
  }
  return false;
}

static int running_add(read_cb_t *rc) {
  if (running_num == running_cap) {
    size_t cap = running_cap ? 2 * running_cap : 8;
    read_cb_t **r = realloc(running, cap * sizeof(*r));
    if (r == NULL)
      return -ENOMEM;
    running = r;
    running_cap = cap;
  }
  running[running_num++] = rc;
  return 0;
}

static void running_del(read_cb_t *rc) {
  for (size_t i = 0; i < running_num; i++) {
    if (running[i] == rc) {
      running[i] = running[--running_num];
      return;
    }
  }
}

int read_sched_insert(read_cb_t *rc, cdtime_t now) {
  const read_cb_t *other = NULL;
  pthread_mutex_lock(&read_lock);
  if (name_taken_locked(rc->name, rc->owner, &other)) {
    pthread_mutex_unlock(&read_lock);
    return -EEXIST;
  }
  char other_owner[DATA_MAX_NAME_LEN] = "";
  if (other != NULL)
    sstrncpy(other_owner, other->owner != NULL ? other->owner->name
                                               : "the core",
             sizeof(other_owner));
  rc->effective = rc->interval;
  /* A plugin that is still loading gets its first turn when it becomes
   * ready (plugin__read_now) or, reloaded, on its old phase
   * (read_sched_set_phase). Due now, a read thread could take the entry
   * while the plugin is not ready and call it just after it became ready,
   * off the phase a reload keeps. */
  rc->next_due = plugin__is_ready(rc->owner) ? now : READ_PARKED;
  int status = heap_push(rc);
  if (status == 0 && heap[0] == rc)
    first_changed();
  pthread_mutex_unlock(&read_lock);
  if (other_owner[0] != '\0')
    WARNING("plugin_register_read: %s and %s both have a read callback "
            "named \"%s\"; each keeps its own",
            other_owner, rc->owner != NULL ? rc->owner->name : "the core",
            rc->name);
  return status;
}

read_cb_t *read_sched_peek(void) { return heap_num > 0 ? heap[0] : NULL; }

read_cb_t *read_sched_take(void) {
  if (heap_num == 0 || running_add(heap[0]) != 0)
    return NULL;
  read_cb_t *rc = heap[0];
  heap_remove_at(0);
  rc->running = true;
  /* Somebody has to watch for the next one while this one runs. */
  if (!watching)
    hand_off = true;
  return rc;
}

bool read_sched_done(read_cb_t *rc, int status, cdtime_t now) {
  rc->running = false;
  running_del(rc);
  if (rc->removed)
    return false;

  if (status != 0) {
    /* Back off: double the interval up to MaxReadInterval. */
    rc->failures++;
    cdtime_t next = 2 * rc->effective;
    if (max_interval > 0 && next > max_interval)
      next = max_interval;
    if (next > rc->effective)
      rc->effective = next;
    WARNING("read-function of plugin \"%s\" failed; next try in %.3f s",
            rc->name, CDTIME_T_TO_DOUBLE(rc->effective));
  } else if (rc->failures > 0) {
    INFO("read-function of plugin \"%s\" succeeded again after %u failures",
         rc->name, rc->failures);
    rc->failures = 0;
    rc->effective = rc->interval;
  }

  /* Keep the phase; a callback that overran does not try to catch up. */
  rc->next_due += rc->effective;
  if (rc->next_due <= now)
    rc->next_due = now + rc->effective;

  if (heap_push(rc) != 0) {
    ERROR("read scheduler: out of memory; dropping \"%s\"", rc->name);
    return false;
  }
  if (heap[0] == rc)
    first_changed();
  return true;
}

int read_sched_due_owner(plugin_t *owner, cdtime_t when) {
  int moved = 0;
  pthread_mutex_lock(&read_lock);
  for (size_t i = 0; i < heap_num; i++) {
    read_cb_t *rc = heap[i];
    if (rc->owner != owner || rc->next_due <= when)
      continue;
    rc->next_due = when;
    sift_up(i); /* only moves rc towards the root, past entries before i */
    moved++;
  }
  if (moved > 0)
    first_changed();
  pthread_mutex_unlock(&read_lock);
  return moved;
}

void read_sched_foreach_owner(const plugin_t *owner,
                              void (*fn)(const char *name, cdtime_t next_due,
                                         void *arg),
                              void *arg) {
  pthread_mutex_lock(&read_lock);
  for (size_t i = 0; i < heap_num; i++)
    if (heap[i]->owner == owner)
      fn(heap[i]->name, heap[i]->next_due, arg);
  /* A running entry's next turn is an interval after the one it runs. */
  for (size_t i = 0; i < running_num; i++)
    if (running[i]->owner == owner && !running[i]->removed)
      fn(running[i]->name, running[i]->next_due + running[i]->effective,
         arg);
  pthread_mutex_unlock(&read_lock);
}

void read_sched_set_phase(const plugin_t *owner, const char *name,
                          cdtime_t next_due, cdtime_t now, bool catch_up) {
  pthread_mutex_lock(&read_lock);
  for (size_t i = 0; i < heap_num; i++) {
    read_cb_t *rc = heap[i];
    if (rc->owner != owner || strcasecmp(rc->name, name) != 0 ||
        rc->effective == 0)
      continue;
    cdtime_t due = next_due;
    if (due < now)
      due += ((now - due) / rc->effective + (catch_up ? 0 : 1)) *
             rc->effective;
    rc->next_due = due;
    /* Moved either way: restore the heap around it. */
    sift_down(i);
    sift_up(rc->heap_index);
    break;
  }
  first_changed();
  pthread_mutex_unlock(&read_lock);
}

/* Removes the entries `match` selects. Not-running ones are freed after the
 * lock is dropped (a free_func may log or unregister). */
static int remove_matching(bool (*match)(const read_cb_t *, const void *),
                           const void *arg) {
  read_cb_t *victims = NULL;
  int removed = 0;

  pthread_mutex_lock(&read_lock);
  size_t i = 0;
  while (i < heap_num) {
    read_cb_t *rc = heap[i];
    if (!match(rc, arg)) {
      i++;
      continue;
    }
    heap_remove_at(i);
    /* Reuse heap_index as the link of the victims list. */
    rc->heap_index = (size_t)(uintptr_t)victims;
    victims = rc;
    removed++;
    i = 0; /* the heap was reordered */
  }
  for (size_t r = 0; r < running_num; r++) {
    if (!running[r]->removed && match(running[r], arg)) {
      running[r]->removed = true;
      removed++;
    }
  }
  /* No signal: a removal never makes the first entry earlier. A watcher
   * waiting for a removed entry wakes at its time and waits again. */
  pthread_mutex_unlock(&read_lock);

  while (victims != NULL) {
    read_cb_t *next = (read_cb_t *)(uintptr_t)victims->heap_index;
    read_cb_free(victims);
    victims = next;
  }
  return removed;
}

/* A name or group and whose entries it selects: the caller's own, or
 * anyone's if the caller is the core (collectd's unregistration by name). */
typedef struct {
  const char *name;
  const plugin_t *owner;
} owned_name_t;

static bool owned_by(const read_cb_t *rc, const plugin_t *owner) {
  return owner == NULL || rc->owner == owner;
}
static bool match_name(const read_cb_t *rc, const void *arg) {
  const owned_name_t *n = arg;
  return owned_by(rc, n->owner) && strcasecmp(rc->name, n->name) == 0;
}
static bool match_group(const read_cb_t *rc, const void *arg) {
  const owned_name_t *n = arg;
  return owned_by(rc, n->owner) && rc->group != NULL &&
         strcasecmp(rc->group, n->name) == 0;
}
static bool match_owner(const read_cb_t *rc, const void *owner) {
  return rc->owner == owner;
}

int read_sched_remove_name(const char *name, const plugin_t *owner) {
  return remove_matching(match_name, &(owned_name_t){name, owner});
}
int read_sched_remove_group(const char *group, const plugin_t *owner) {
  return remove_matching(match_group, &(owned_name_t){group, owner});
}
int read_sched_remove_owner(plugin_t *owner) {
  return remove_matching(match_owner, owner);
}

void read_sched_clear(void) {
  pthread_mutex_lock(&read_lock);
  read_cb_t **all = heap;
  size_t num = heap_num;
  heap = NULL;
  heap_num = heap_cap = 0;
  pthread_mutex_unlock(&read_lock);
  for (size_t i = 0; i < num; i++)
    read_cb_free(all[i]);
  free(all);
  free(running);
  running = NULL;
  running_num = running_cap = 0;
}

size_t read_sched_size(void) {
  pthread_mutex_lock(&read_lock);
  size_t n = heap_num;
  pthread_mutex_unlock(&read_lock);
  return n;
}

/* ---- entries --------------------------------------------------------------- */

void read_cb_free(read_cb_t *rc) {
  if (rc == NULL)
    return;
  plugin_t *owner = rc->owner;
  plugin__free_user_data(owner, &rc->ud);
  free(rc->name);
  free(rc->group);
  free(rc);
  /* Last: the count keeps the owner's record and object alive. */
  if (owner != NULL)
    atomic_fetch_sub(&owner->callbacks, 1);
}

size_t plugin__read_running(plugin_t *owner, char *names, size_t len) {
  name_list_t l = name_list_init(names, len);
  pthread_mutex_lock(&read_lock);
  for (size_t i = 0; i < running_num; i++)
    if (running[i]->owner == owner)
      name_list_add(&l, "read callback \"%s\"", running[i]->name);
  pthread_mutex_unlock(&read_lock);
  return l.num;
}

int read_cb_call(read_cb_t *rc) {
  /* A plugin that is not ready keeps its place in the schedule but is not
   * called; that is not a failure of the callback. */
  if (!plugin__call_begin(rc->owner))
    return 0;
  plugin_thread_ctx_t saved = plugin__enter(rc->owner, rc->ctx);
  int status = rc->complex ? rc->fn.complex(&rc->ud) : rc->fn.simple();
  plugin__leave(saved);
  plugin__call_end(rc->owner);
  return status;
}

/* ---- the plugin interface --------------------------------------------------- */

static int register_read(const char *group, const char *name, bool complex,
                         void (*fn)(void), cdtime_t interval,
                         user_data_t const *ud) {
  user_data_t data = ud != NULL ? *ud : (user_data_t){0};
  plugin_t *owner = plugin__current_owner();

  read_cb_t *rc = calloc(1, sizeof(*rc));
  if (rc == NULL || name == NULL || fn == NULL) {
    ERROR("plugin_register_read: %s", rc == NULL ? "out of memory"
                                                 : "no name or no callback");
    free(rc);
    plugin__free_user_data(owner, &data);
    return rc == NULL ? -ENOMEM : -EINVAL;
  }
  rc->owner = owner;
  if (owner != NULL)
    atomic_fetch_add(&owner->callbacks, 1);
  rc->ctx = owner != NULL ? owner->ctx : plugin_get_ctx();
  rc->complex = complex;
  rc->fn.simple = (int (*)(void))fn;
  rc->ud = data;
  rc->name = strdup(name);
  rc->group = group != NULL ? strdup(group) : NULL;
  if (rc->name == NULL || (group != NULL && rc->group == NULL)) {
    read_cb_free(rc);
    return -ENOMEM;
  }
  /* An explicit interval wins; else the plugin's; else the global one. */
  rc->interval = interval > 0 ? interval : rc->ctx.interval;
  if (rc->interval == 0)
    rc->interval = cf_get_default_interval();
  /* The callback sees its own interval through plugin_get_interval(). */
  rc->ctx.interval = rc->interval;

  int status = read_sched_insert(rc, cdtime());
  if (status == -EEXIST)
    ERROR("plugin_register_read: %s has a read callback named \"%s\" "
          "already; check the configuration for duplicates",
          owner != NULL ? owner->name : "the core", name);
  if (status != 0)
    read_cb_free(rc);
  return status;
}

int plugin_register_read(const char *name, int (*callback)(void)) {
  return register_read(NULL, name, false, (void (*)(void))callback, 0, NULL);
}

int plugin_register_complex_read(const char *group, const char *name,
                                 plugin_read_cb callback, cdtime_t interval,
                                 user_data_t const *user_data) {
  return register_read(group, name, true, (void (*)(void))callback, interval,
                       user_data);
}

int plugin_unregister_read(const char *name) {
  if (name == NULL)
    return -EINVAL;
  return read_sched_remove_name(name, plugin__current_owner()) > 0 ? 0
                                                                  : -ENOENT;
}

int plugin_unregister_read_group(const char *group) {
  if (group == NULL)
    return -EINVAL;
  return read_sched_remove_group(group, plugin__current_owner()) > 0
             ? 0
             : -ENOENT;
}

void plugin__read_remove_owner(plugin_t *owner) {
  read_sched_remove_owner(owner);
}

void plugin__read_now(plugin_t *owner) { read_sched_due_owner(owner, cdtime()); }
