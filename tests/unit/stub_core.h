/* A stand-in for the few daemon-core functions the value cache calls, so
 * that the cache can be tested alone. Every call is recorded (under a lock:
 * the cache calls them from many threads) for the tests to inspect. */
#ifndef TESTS_UNIT_STUB_CORE_H
#define TESTS_UNIT_STUB_CORE_H

#include "plugin.h"

#define STUB_MAX_RECORDS 64
#define STUB_LOG_LEN 1024

typedef struct {
  value_list_t vl; /* identifier, time and interval of the missing value */
} stub_missing_t;

typedef struct {
  enum cache_event_type_e type;
  unsigned long mask;
  uint64_t epoch; /* the mask epoch the cache read with the mask */
  char name[6 * DATA_MAX_NAME_LEN];
} stub_event_t;

/* Counts include calls past STUB_MAX_RECORDS, which are not kept. */
extern size_t stub_missing_num;
extern stub_missing_t stub_missing[STUB_MAX_RECORDS];
extern size_t stub_event_num;
extern stub_event_t stub_event[STUB_MAX_RECORDS];
extern size_t stub_log_num;
extern int stub_log_last_level;
extern char stub_log_last[STUB_LOG_LEN];

/* The mask the stub's plugin__dispatch_cache_event() hands to
 * uc__callbacks_mask_add() on CE_VALUE_NEW, as the core does for the
 * callbacks that set event->ret; 0: no callback is interested. */
extern unsigned long stub_new_event_mask;

/* Forget every record and reset the settings above and the globals. */
void stub_reset(void);

#endif /* TESTS_UNIT_STUB_CORE_H */
