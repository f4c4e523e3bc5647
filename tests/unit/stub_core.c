/* See stub_core.h. */
#include "collectd.h"

#include "stub_core.h"
#include "utils_cache.h"

#include <pthread.h>

char *hostname_g = "stubhost";
cdtime_t interval_g = TIME_T_TO_CDTIME_T_STATIC(10);
int timeout_g = 2;

size_t stub_missing_num;
stub_missing_t stub_missing[STUB_MAX_RECORDS];
size_t stub_event_num;
stub_event_t stub_event[STUB_MAX_RECORDS];
size_t stub_log_num;
int stub_log_last_level;
char stub_log_last[STUB_LOG_LEN];
unsigned long stub_new_event_mask;

/* Protects every record above. */
static pthread_mutex_t stub_lock = PTHREAD_MUTEX_INITIALIZER;

void stub_reset(void) {
  pthread_mutex_lock(&stub_lock);
  stub_missing_num = 0;
  stub_event_num = 0;
  stub_log_num = 0;
  stub_log_last_level = 0;
  stub_log_last[0] = '\0';
  stub_new_event_mask = 0;
  interval_g = TIME_T_TO_CDTIME_T_STATIC(10);
  timeout_g = 2;
  pthread_mutex_unlock(&stub_lock);
}

void plugin_log(int level, const char *format, ...) {
  char msg[STUB_LOG_LEN];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);

  pthread_mutex_lock(&stub_lock);
  stub_log_num++;
  stub_log_last_level = level;
  memcpy(stub_log_last, msg, sizeof(msg));
  pthread_mutex_unlock(&stub_lock);
}

int plugin_dispatch_missing(const value_list_t *vl) {
  pthread_mutex_lock(&stub_lock);
  if (stub_missing_num < STUB_MAX_RECORDS)
    stub_missing[stub_missing_num].vl = *vl;
  stub_missing_num++;
  pthread_mutex_unlock(&stub_lock);
  return 0;
}

void plugin__dispatch_cache_event(enum cache_event_type_e event_type,
                                  unsigned long callbacks_mask, uint64_t epoch,
                                  const char *name, const value_list_t *vl) {
  pthread_mutex_lock(&stub_lock);
  if (stub_event_num < STUB_MAX_RECORDS) {
    stub_event_t *ev = &stub_event[stub_event_num];
    ev->type = event_type;
    ev->mask = callbacks_mask;
    ev->epoch = epoch;
    snprintf(ev->name, sizeof(ev->name), "%s", name);
  }
  stub_event_num++;
  unsigned long new_mask = stub_new_event_mask;
  pthread_mutex_unlock(&stub_lock);

  /* What the core does once the callbacks have answered. */
  if (event_type == CE_VALUE_NEW && new_mask != 0)
    uc__callbacks_mask_add(name, new_mask);
}

void plugin_dispatch_cache_event(enum cache_event_type_e event_type,
                                 unsigned long callbacks_mask, const char *name,
                                 const value_list_t *vl) {
  plugin__dispatch_cache_event(event_type, callbacks_mask,
                               uc__callbacks_mask_epoch(), name, vl);
}

/* Weak: the real one (utils_time.c) wins when the utility library brings
 * it along. */
__attribute__((weak)) cdtime_t cdtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return TIMESPEC_TO_CDTIME_T(&ts);
}
