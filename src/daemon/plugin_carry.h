/* What a RELOAD carries from a plugin's old instance to its new one (see
 * plugin_carry.c): what was meant for it in between, and its read phase. */
#ifndef PLUGIN_CARRY_H
#define PLUGIN_CARRY_H

#include "plugin_internal.h"

/* ---- the lifecycle's side ---- */

/* Opens a carry for `p`'s name while `p` is still ready: from now on what
 * none of its callbacks takes (of the kinds it has: values, notifications,
 * log messages) is kept for the next instance, bounded by
 * WriteQueueLimitHigh. Remembers where its reads are in their schedule. */
int plugin__carry_begin(plugin_t *p);

/* Makes `p` ready through make_ready() (false: it could not be), first
 * handing it, in order, everything carried for its name (if a carry is
 * open), and placing its reads on the old phase (*phased: they were).
 * Without a carry, only calls make_ready(). Returns what make_ready()
 * returned. */
bool plugin__carry_ready(plugin_t *p, bool (*make_ready)(plugin_t *p),
                         bool *phased);

/* Ends the carry for `name` if no instance took it (the reload and its
 * rollback both failed): what it held is lost, and said so. */
void plugin__carry_drop(const char *name);

/* ---- the dispatchers' side ---- */

/* Brackets a delivery to write, notification or log callbacks. Returns
 * true if a carry is open: then, after the delivery, the dispatcher says
 * which callbacks of snapshot `s` took the item (took[i]) through one of
 * the calls below, still inside the bracket. Nests. */
bool plugin__carry_enter(void);
void plugin__carry_leave(void);

/* Declares `took`, the record of which callbacks of a snapshot of `num`
 * took an item: all false, or NULL when nothing is carried (`carrying`
 * false), so that keeping it costs nothing then. */
#define CARRY_TOOK(took, carrying, num)                                        \
  bool took##__buf[(carrying) ? (num) + 1 : 1];                                \
  bool *took = (carrying) ? memset(took##__buf, 0, sizeof(took##__buf)) : NULL

/* cb_begin() that notes in took[i] (unless took is NULL) that the
 * callback was called. */
static inline bool cb_begin_took(callback_t *cb, bool *took, size_t i) {
  if (!cb_begin(cb))
    return false;
  if (took != NULL)
    took[i] = true;
  return true;
}

/* `plugin`: the write plugin the value was meant for (plugin_write()'s
 * argument; NULL: every one). `rates` may be NULL. */
void plugin__carry_values(const cb_snapshot_t *s, const bool *took,
                          const char *plugin, const data_set_t *ds,
                          const value_list_t *vl, const gauge_t *rates);
void plugin__carry_notification(const cb_snapshot_t *s, const bool *took,
                                const notification_t *n);
void plugin__carry_log(const cb_snapshot_t *s, const bool *took, int level,
                       const char *msg);

#endif /* PLUGIN_CARRY_H */
