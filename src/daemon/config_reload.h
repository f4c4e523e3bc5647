/* The reload of the whole configuration (SIGHUP, RELOAD without a name):
 * the files read again and the difference applied, plugin by plugin. */
#ifndef CONFIG_RELOAD_H
#define CONFIG_RELOAD_H

#include "utils_time.h"

#include <stdbool.h>
#include <stddef.h>

/* What happened to one plugin. */
typedef enum {
  CONFIG_UNCHANGED,   /* its configuration is the running one: untouched */
  CONFIG_LOADED,      /* newly named, loaded */
  CONFIG_UNLOADED,    /* no longer named, unloaded */
  CONFIG_RELOADED,    /* changed, reloaded */
  CONFIG_ROLLED_BACK, /* changed, the new one failed, the old one restored */
  CONFIG_REFUSED,     /* changed or removed, but it cannot be (legacy, or
                         its new configuration was refused): runs as it was */
  CONFIG_FAILED,      /* the step failed; see the message */
  CONFIG_OUTCOMES
} config_outcome_t;

/* "unchanged", "loaded", ... */
const char *config_outcome_name(config_outcome_t o);

typedef struct {
  char name[128];
  config_outcome_t outcome;
  char msg[512]; /* the command's message; empty when unchanged */
} config_change_t;

typedef struct {
  config_change_t *changes; /* in the order they were made */
  size_t num;
  size_t counts[CONFIG_OUTCOMES];
  /* Global options changed in the files, which need a restart ("Interval,
   * TypesDB"); empty if none. */
  char restart[512];
  size_t restart_num;
  /* Why nothing was done: the files cannot be read, another reload runs,
   * the daemon is stopping. */
  char error[1024];
} config_reload_t;

/* Reads the files again and applies the difference: plugins no longer
 * named are unloaded (in the reverse of the order they were loaded),
 * those whose <LoadPlugin> or <Plugin> blocks changed are reloaded (each
 * with its rollback), those newly named are loaded (in file order); the
 * others are not touched. Logs each change and the summary and sends a
 * notification with the summary. One at a time: returns -EBUSY if another
 * runs, -EINVAL if the files cannot be read (nothing changed), -ENOMEM,
 * or 0; the result in *r, to be freed with config_reload_free(). */
int config_reload_all(config_reload_t *r);
void config_reload_free(config_reload_t *r);

/* "2 loaded, 1 unloaded, ..., 5 unchanged", and "; needs a restart: ..." */
void config_reload_summary(const config_reload_t *r, char *buf, size_t len);

/* SIGHUP: config_reload_all() on a thread of its own, so that the main
 * loop goes on seeing signals; while one runs, another is logged as busy.
 * config_reload_stop() waits at most `timeout` for it to end (at exit,
 * once the lifecycle commands are stopped, so that it stops at its next
 * plugin); false if it has not. */
void config_reload_signal(void);
bool config_reload_stop(cdtime_t timeout);

#endif /* CONFIG_RELOAD_H */
