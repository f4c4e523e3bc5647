/* bench: measures how fast a daemon moves values from
 * plugin_dispatch_values() to the write callbacks.
 *
 * A read callback dispatches one-value "gauge" lists, cycling over a fixed
 * set of identifiers, until `Values` have been dispatched; this plugin's own
 * write callback counts them. When the count reaches `Values`, the time from
 * the first dispatch to that write goes to `ResultFile` as
 * "values seconds dispatched cpu_seconds", where cpu_seconds is the CPU
 * time the whole daemon used meanwhile: on a busy machine the wall-clock
 * rate mostly measures the neighbours, the CPU cost per value much less.
 *
 * The plugin is built against our headers and only uses symbols that
 * collectd 5.12 exports too, so bench/dispatch.sh can load the very same
 * binary into both daemons and compare them.
 *
 *   <Plugin bench>
 *     Values 2000000         # value lists to dispatch in total
 *     PerRead 0              # value lists per read call; 0: all in one
 *     Identifiers 1000       # distinct type instances
 *     Window 20000           # most values allowed in flight
 *     ResultFile "/tmp/x/result"
 *   </Plugin>
 */
#include "collectd.h"

#include "plugin.h"

#include <stdatomic.h>

/* Interval stamped on every value list: long enough that the cache never
 * times an identifier out during a run, which would measure expiring and
 * re-creating cache entries too. */
#define BENCH_VALUE_INTERVAL TIME_T_TO_CDTIME_T_STATIC(60)
/* A write count that stops moving for this long while values are in
 * flight means the daemon dropped them (write queue limits). */
#define BENCH_STALL TIME_T_TO_CDTIME_T_STATIC(1)
/* Reading the clock for every value would cost a good part of what is
 * measured; the end time of a short count is taken every this many values. */
#define BENCH_CLOCK_EVERY 1024

/* Configuration, set before the read and write callbacks can run. */
static uint64_t bench_values = 1000000;
static uint64_t bench_per_read; /* 0: everything in the first read */
static size_t bench_identifiers = 1000;
static uint64_t bench_window = 20000; /* lifted by bench_wait() on a loss */
static char bench_result_file[PATH_MAX];
static char (*bench_names)[DATA_MAX_NAME_LEN];

/* Read side: only the read callback touches these, and the core never
 * runs one read callback in two threads at once. */
static uint64_t bench_dispatched;
static uint64_t bench_lost; /* dispatched, but the daemon dropped them */
static cdtime_t bench_time_base;

/* Shared by the read, write and shutdown callbacks. */
static _Atomic cdtime_t bench_start;   /* just before the first dispatch */
static _Atomic cdtime_t bench_start_cpu; /* the process's CPU time then */
static _Atomic uint64_t bench_written; /* values seen by bench_write() */
static _Atomic cdtime_t bench_last_write;
static _Atomic uint64_t bench_dispatched_seen; /* bench_dispatched, for the
                                                  other threads' report */
static atomic_flag bench_reported = ATOMIC_FLAG_INIT;

static cdtime_t bench_cpu_time(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return 0;
  return TIMESPEC_TO_CDTIME_T(&ts);
}

/* Writes the result once, whoever gets here first: the write callback
 * that sees the last value, or the read or shutdown callback when values
 * were lost. Written to a temporary name and renamed, so that a script
 * polling for the file never reads half of it. */
static void bench_report(uint64_t count, cdtime_t end) {
  if (bench_result_file[0] == '\0' ||
      atomic_flag_test_and_set(&bench_reported))
    return; /* not configured, or already reported */

  cdtime_t start = atomic_load(&bench_start);
  double seconds = (start != 0 && end > start)
                       ? CDTIME_T_TO_DOUBLE(end - start)
                       : 0.0;
  cdtime_t cpu_start = atomic_load(&bench_start_cpu);
  cdtime_t cpu_end = bench_cpu_time();
  double cpu = (cpu_start != 0 && cpu_end > cpu_start)
                   ? CDTIME_T_TO_DOUBLE(cpu_end - cpu_start)
                   : 0.0;
  uint64_t dispatched = atomic_load(&bench_dispatched_seen);
  INFO("bench: %" PRIu64 " of %" PRIu64 " values written in %.3f s, "
       "%.3f s of CPU time",
       count, dispatched, seconds, cpu);

  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof(tmp), "%s.tmp", bench_result_file);
  FILE *fh = fopen(tmp, "w");
  if (fh == NULL) {
    ERROR("bench: cannot open %s: %s", tmp, strerror(errno));
    return;
  }
  fprintf(fh, "%" PRIu64 " %.6f %" PRIu64 " %.6f\n", count, seconds,
          dispatched, cpu);
  if (fclose(fh) != 0 || rename(tmp, bench_result_file) != 0)
    ERROR("bench: cannot write %s: %s", bench_result_file, strerror(errno));
}

static uint64_t bench_in_flight(uint64_t written) {
  uint64_t accounted = written + bench_lost;
  return bench_dispatched > accounted ? bench_dispatched - accounted : 0;
}

/* Waits until at most `limit` values are on their way to bench_write().
 * Bounding this keeps the daemon's write queue short, so that the figure
 * is the pipeline's throughput and not how fast a queue of millions of
 * copies can be allocated. A count that stalls books the rest as lost, so
 * that the run ends instead of hanging. */
static void bench_wait(uint64_t limit) {
  uint64_t seen = atomic_load(&bench_written);
  cdtime_t since = cdtime();

  while (bench_in_flight(seen) > limit) {
    nanosleep(&(struct timespec){.tv_nsec = 50000}, NULL);

    uint64_t now = atomic_load(&bench_written);
    if (now != seen) {
      seen = now;
      since = cdtime();
    } else if (cdtime() - since > BENCH_STALL) {
      uint64_t lost = bench_in_flight(seen);
      WARNING("bench: %" PRIu64 " values did not reach the write callback "
              "within a second; counting them as lost",
              lost);
      bench_lost += lost;
      /* The figures no longer measure throughput; dispatch the rest
       * without pacing, so that the run ends in bounded time instead of
       * stalling a second on every window. */
      bench_window = UINT64_MAX;
      return;
    }
  }
}

static int bench_read(void) {
  if (bench_dispatched >= bench_values)
    return 0;

  if (bench_dispatched == 0) {
    bench_time_base = cdtime();
    atomic_store(&bench_start_cpu, bench_cpu_time());
    atomic_store(&bench_start, bench_time_base);
  }

  value_t value;
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  vl.interval = BENCH_VALUE_INTERVAL;
  snprintf(vl.plugin, sizeof(vl.plugin), "bench");
  snprintf(vl.type, sizeof(vl.type), "gauge");

  uint64_t stop = bench_values;
  if (bench_per_read != 0 && bench_values - bench_dispatched > bench_per_read)
    stop = bench_dispatched + bench_per_read;

  while (bench_dispatched < stop) {
    if (bench_in_flight(atomic_load_explicit(
            &bench_written, memory_order_relaxed)) > bench_window)
      bench_wait(bench_window / 2); /* refill by halves, not value by value */

    uint64_t round = bench_dispatched / bench_identifiers;
    memcpy(vl.type_instance,
           bench_names[bench_dispatched % bench_identifiers],
           sizeof(vl.type_instance));
    /* Each identifier's time grows by one tick (~1 ns) per round. collectd
     * 5.12 logs "value too old" for every value whose time is not past the
     * cached one; cdtime() per value could repeat on a coarse clock and
     * costs a clock read. This is strictly increasing and free, and stays
     * within microseconds of the real time. */
    vl.time = bench_time_base + round;
    value.gauge = (gauge_t)round;

    /* Published before the dispatch: the write callback may count this
     * value, and report, before plugin_dispatch_values() returns. */
    atomic_store_explicit(&bench_dispatched_seen, bench_dispatched + 1,
                          memory_order_relaxed);
    if (plugin_dispatch_values(&vl) != 0)
      bench_lost++; /* refused outright: it will never be counted */
    bench_dispatched++;
  }

  if (bench_dispatched < bench_values)
    return 0;

  /* All dispatched: wait for the writes, and report here if the daemon
   * lost some, since bench_write() then never reaches the total. */
  bench_wait(0);
  if (bench_lost != 0)
    bench_report(atomic_load(&bench_written),
                 atomic_load(&bench_last_write));
  return 0;
}

static int bench_write(const data_set_t *ds, const value_list_t *vl,
                       user_data_t *ud) {
  if (strcmp(vl->plugin, "bench") != 0)
    return 0;

  uint64_t n = atomic_fetch_add_explicit(&bench_written, vl->values_len,
                                         memory_order_relaxed) +
               vl->values_len;
  if (n >= bench_values)
    bench_report(n, cdtime());
  else if (n % BENCH_CLOCK_EVERY == 0)
    atomic_store_explicit(&bench_last_write, cdtime(), memory_order_relaxed);
  return 0;
}

/* The daemon may stop before the count is complete (killed after a time
 * limit, values dropped): report what was counted. */
static int bench_shutdown(void) {
  uint64_t n = atomic_load(&bench_written);
  cdtime_t end = atomic_load(&bench_last_write);
  bench_report(n, end != 0 ? end : cdtime());
  free(bench_names);
  bench_names = NULL;
  return 0;
}

/* A positive whole number option. */
static int bench_config_count(const oconfig_item_t *ci, uint64_t min,
                              uint64_t *ret) {
  double d;
  if (cf_util_get_double(ci, &d) != 0)
    return -1;
  if (d < (double)min || d > 1e15 || d != (double)(uint64_t)d) {
    ERROR("bench: %s must be a whole number >= %" PRIu64 ", not %g", ci->key,
          min, d);
    return -1;
  }
  *ret = (uint64_t)d;
  return 0;
}

static int bench_config(oconfig_item_t *ci) {
  uint64_t identifiers = bench_identifiers;
  int status = 0;

  for (int i = 0; i < ci->children_num && status == 0; i++) {
    oconfig_item_t *child = ci->children + i;
    if (strcasecmp("Values", child->key) == 0)
      status = bench_config_count(child, 1, &bench_values);
    else if (strcasecmp("PerRead", child->key) == 0)
      status = bench_config_count(child, 0, &bench_per_read); /* 0: all */
    else if (strcasecmp("Identifiers", child->key) == 0)
      status = bench_config_count(child, 1, &identifiers);
    else if (strcasecmp("Window", child->key) == 0)
      status = bench_config_count(child, 1, &bench_window);
    else if (strcasecmp("ResultFile", child->key) == 0)
      status = cf_util_get_string_buffer(child, bench_result_file,
                                         sizeof(bench_result_file));
    else {
      ERROR("bench: unknown option \"%s\"", child->key);
      status = -1;
    }
  }
  if (status != 0)
    return -1;

  if (bench_result_file[0] == '\0') {
    ERROR("bench: ResultFile is required");
    return -1;
  }
  if (identifiers > 1000000) {
    ERROR("bench: Identifiers must be <= 1000000");
    return -1;
  }

  free(bench_names);
  bench_identifiers = (size_t)identifiers;
  bench_names = calloc(bench_identifiers, sizeof(*bench_names));
  if (bench_names == NULL) {
    ERROR("bench: out of memory");
    return -1;
  }
  for (size_t i = 0; i < bench_identifiers; i++)
    snprintf(bench_names[i], sizeof(bench_names[i]), "bench%zu", i);

  /* Registered here rather than in module_register(), so that a daemon
   * that loads the plugin without a <Plugin bench> block dispatches
   * nothing. With PerRead 0 the first read call does the whole run:
   * reading at the global interval would otherwise cap the rate at
   * PerRead / Interval, and calls back to back at a short interval make
   * collectd 5.12 log "took longer than its interval" for every call. */
  return plugin_register_read("bench", bench_read);
}

void module_register(void) {
  plugin_register_complex_config("bench", bench_config);
  plugin_register_write("bench", bench_write, NULL);
  plugin_register_shutdown("bench", bench_shutdown);
}
