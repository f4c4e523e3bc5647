/* For the targets that link the daemon's core: its log goes to a callback
 * that counts messages by level instead of to stderr (thousands of runs a
 * second would bury libFuzzer's own report), so that a target can check
 * that a failure was said out loud. FUZZ_LOG=1 prints them as well. */
#ifndef FUZZ_CORE_H
#define FUZZ_CORE_H

#include "fuzz_util.h"

#include "plugin_internal.h"

#include <stdatomic.h>

static _Atomic long fuzz_log_count[LOG_DEBUG + 1];
static bool fuzz_log_print;

static void fuzz_log(int severity, const char *message, user_data_t *ud) {
  if (severity >= 0 && severity <= LOG_DEBUG)
    atomic_fetch_add(&fuzz_log_count[severity], 1);
  if (fuzz_log_print)
    fprintf(stderr, "log %d: %s\n", severity, message);
}

/* Messages of `severity` logged so far. */
static inline long fuzz_logged(int severity) {
  return atomic_load(&fuzz_log_count[severity]);
}

/* Registers the counting log callback (owned by the core) and turns log
 * callbacks on. */
static void fuzz_log_init(void) {
  const char *print = getenv("FUZZ_LOG");
  fuzz_log_print = print != NULL && strcmp(print, "1") == 0;
  FUZZ_CHECK(plugin_register_log("fuzz", fuzz_log, NULL) == 0);
  plugin__log_enable(true);
}

#endif /* FUZZ_CORE_H */
