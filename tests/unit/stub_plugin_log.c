/* Test doubles for plugin_log(), daemon_log(), plugin_get_interval() and
 * uc_get_rate() (see stub_plugin_log.h). */
#include "stub_plugin_log.h"

int stub_log_count;
int stub_log_last_level = -1;
char stub_log_last[1024];
bool stub_log_print;

cdtime_t stub_interval = TIME_T_TO_CDTIME_T_STATIC(10);

const gauge_t *stub_rates;
size_t stub_rates_num;

void stub_log_reset(void) {
  stub_log_count = 0;
  stub_log_last_level = -1;
  stub_log_last[0] = '\0';
}

static void record(int level, const char *format, va_list ap) {
  vsnprintf(stub_log_last, sizeof(stub_log_last), format, ap);
  stub_log_last_level = level;
  stub_log_count++;
  if (stub_log_print) {
    printf("LOG[%d] %s\n", level, stub_log_last);
    fflush(stdout);
  }
}

void plugin_log(int level, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  record(level, format, ap);
  va_end(ap);
}

void daemon_log(int level, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  record(level, format, ap);
  va_end(ap);
}

cdtime_t plugin_get_interval(void) { return stub_interval; }

gauge_t *uc_get_rate(const data_set_t *ds, const value_list_t *vl);
gauge_t *uc_get_rate(const data_set_t *ds, const value_list_t *vl) {
  (void)vl;
  if (stub_rates == NULL || stub_rates_num < ds->ds_num)
    return NULL;
  gauge_t *copy = calloc(ds->ds_num, sizeof(*copy));
  if (copy != NULL)
    memcpy(copy, stub_rates, ds->ds_num * sizeof(*copy));
  return copy;
}
