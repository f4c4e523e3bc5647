/* Stand-ins for the few core functions libcdutils calls, so that unit
 * tests link the library alone. They record what was logged and let a test
 * choose the plugin interval and the rates the value cache reports. */
#ifndef TESTS_UNIT_STUB_PLUGIN_LOG_H
#define TESTS_UNIT_STUB_PLUGIN_LOG_H

#include "collectd.h"

#include "plugin.h"

extern int stub_log_count;       /* messages logged since the last reset */
extern int stub_log_last_level;  /* level of the latest one */
extern char stub_log_last[1024]; /* text of the latest one */
extern bool stub_log_print;      /* also print "LOG[level] text" to stdout */

/* What plugin_get_interval() returns (10 s unless a test changes it). */
extern cdtime_t stub_interval;

/* What uc_get_rate() returns (a copy); NULL makes it fail. */
extern const gauge_t *stub_rates;
extern size_t stub_rates_num;

void stub_log_reset(void);

#endif /* TESTS_UNIT_STUB_PLUGIN_LOG_H */
