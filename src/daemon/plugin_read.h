/* The read schedule: read callbacks ordered by the time they are due.
 *
 * The schedule itself (plugin_read.c) is a heap driven by explicit times so
 * that its rules -- order, per-callback interval, back-off after failures
 * and recovery -- can be tested without clocks or threads; the read threads
 * (plugin_read_threads.c) only take due entries and hand them back. */
#ifndef PLUGIN_READ_H
#define PLUGIN_READ_H

#include "plugin_internal.h"

typedef struct read_cb_s read_cb_t;
struct read_cb_s {
  char *name;
  char *group;
  plugin_t *owner;
  plugin_ctx_t ctx;
  bool complex;
  union {
    int (*simple)(void);
    plugin_read_cb complex;
  } fn;
  user_data_t ud;
  cdtime_t interval;  /* the configured interval */
  cdtime_t effective; /* the interval now in force (grows on failure) */
  cdtime_t next_due;
  unsigned failures; /* consecutive */
  bool running;      /* taken by a read thread */
  bool removed;      /* unregistered while running: the thread frees it */
  size_t heap_index;
};

/* The upper bound of the back-off (MaxReadInterval). */
void read_sched_set_max_interval(cdtime_t max);

/* Locking: insert and the remove functions take the schedule lock
 * themselves; peek, take, done and wait expect it held (read threads hold
 * it between waits). */
void read_sched_lock(void);
void read_sched_unlock(void);
/* Waits, as a read thread with nothing due, until `until` (0: no limit)
 * or until the first entry may have become earlier; or, if another thread
 * watches the clock that way already, until a thread takes an entry (see
 * plugin_read.c). The caller looks at the schedule again either way. */
void read_sched_wait(cdtime_t until);
/* Wakes every waiting read thread (to stop them). */
void read_sched_wake(void);

/* Adds an entry due at `now`. -EEXIST if its owner has an entry of that
 * name already; the caller still owns rc then. Names are per owner: an
 * entry of the same name that another plugin registered stays as it is
 * (and a warning names both). */
int read_sched_insert(read_cb_t *rc, cdtime_t now);
/* The entry due first, or NULL. */
read_cb_t *read_sched_peek(void);
/* Takes the first entry off the schedule and marks it running. */
read_cb_t *read_sched_take(void);
/* Puts a taken entry back after its call returned `status` at `now`.
 * Returns false if it was removed meanwhile: the caller frees it then,
 * after dropping the lock. */
bool read_sched_done(read_cb_t *rc, int status, cdtime_t now);
/* Unregister by name, group or owner. Entries not running are freed; an
 * entry being called is flagged, and its read thread frees it. Return the
 * number of entries removed. By name or group, only `owner`'s entries go
 * (anyone's if `owner` is NULL, the core). */
int read_sched_remove_name(const char *name, const plugin_t *owner);
int read_sched_remove_group(const char *group, const plugin_t *owner);
int read_sched_remove_owner(plugin_t *owner);
/* Makes every entry of `owner` due at `when` at the latest (a plugin that
 * has just become ready reads at once, not an interval later). Returns
 * the number of entries moved. */
int read_sched_due_owner(plugin_t *owner, cdtime_t when);
/* Calls fn with the name and next due time of each of `owner`'s entries
 * (under the schedule's lock: fn must not call back). */
void read_sched_foreach_owner(const plugin_t *owner,
                              void (*fn)(const char *name, cdtime_t next_due,
                                         void *arg),
                              void *arg);
/* Puts `owner`'s entry `name` on the phase of `next_due`: due then, or, if
 * that has passed by `now`, at the first time on that phase after it --
 * unless `catch_up`, which makes it due at the last time on that phase not
 * after `now` (in the past: read at once, late, and on the phase again
 * from the next one). */
void read_sched_set_phase(const plugin_t *owner, const char *name,
                          cdtime_t next_due, cdtime_t now, bool catch_up);
/* Removes and frees everything (at exit, threads stopped). */
void read_sched_clear(void);
size_t read_sched_size(void);

/* Calls every entry once, in the order they are due, without the read
 * threads (-T, and a plugin host's READ), and puts each back far ahead;
 * each one that fails is passed to `failed`. Returns how many failed. */
size_t read_sched_call_each_once(void (*failed)(const read_cb_t *rc,
                                                int status, void *arg),
                                 void *arg);

/* Calls one entry's callback in its plugin's context (unlocked), counted
 * as a call in flight, if its plugin is ready; 0 without a call if not. */
int read_cb_call(read_cb_t *rc);
void read_cb_free(read_cb_t *rc);

#endif /* PLUGIN_READ_H */
