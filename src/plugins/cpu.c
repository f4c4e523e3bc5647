/* cpu: CPU time per CPU and state, from the "cpuN" lines of /proc/stat.
 *
 * By default every state of every CPU is dispatched as the raw jiffy
 * counter: cpu-<N>/cpu-<state> (derive). Whenever the figures are
 * aggregated (ReportByCpu false: summed over CPUs; ReportByState false:
 * non-idle states summed into "active") or ValuesPercentage is set, the
 * plugin turns counters into rates itself and dispatches the share of each
 * state in the CPU's total time as cpu[-<N>]/percent-<state>.
 * ReportNumCpu adds cpu/count.
 *
 * A state is dispatched only once two readings give it a rate, so the first
 * read dispatches nothing but the CPU count -- as collectd 5.12 does. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#define PROC_STAT_PATH "/proc/stat"

/* The states, in collectd 5.12's order. "active" is not read from the
 * kernel: it is the sum of every other state except idle. "swap" is never
 * reported on Linux but keeps its name for the table. */
#define CPU_STATES(X)                                                          \
  X(USER, "user")                                                              \
  X(SYSTEM, "system")                                                          \
  X(WAIT, "wait")                                                              \
  X(NICE, "nice")                                                              \
  X(SWAP, "swap")                                                              \
  X(INTERRUPT, "interrupt")                                                    \
  X(SOFTIRQ, "softirq")                                                        \
  X(STEAL, "steal")                                                            \
  X(GUEST, "guest")                                                            \
  X(GUEST_NICE, "guest_nice")                                                  \
  X(IDLE, "idle")                                                              \
  X(ACTIVE, "active")

#define CPU_STATE_ENUM(id, name) CPU_STATE_##id,
typedef enum { CPU_STATES(CPU_STATE_ENUM) CPU_STATE_MAX } cpu_state_id_t;
#undef CPU_STATE_ENUM

#define CPU_STATE_NAME(id, name) [CPU_STATE_##id] = name,
static const char *const cpu_state_names[CPU_STATE_MAX] = {
    CPU_STATES(CPU_STATE_NAME)};
#undef CPU_STATE_NAME

typedef struct {
  bool report_by_cpu;
  bool report_by_state;
  bool report_num_cpu;
  bool values_percentage;
  bool report_guest;
  bool subtract_guest;
} cpu_options_t;

#define CPU_OPTIONS_DEFAULT                                                    \
  {                                                                            \
    .report_by_cpu = true, .report_by_state = true, .report_num_cpu = false,   \
    .values_percentage = false, .report_guest = false, .subtract_guest = true  \
  }

static cpu_options_t cpu_opts = CPU_OPTIONS_DEFAULT;

/* One counter of one CPU. `has_value` means "read in this cycle and a rate
 * could be computed"; it is cleared after every commit. */
typedef struct {
  derive_t last_value;
  cdtime_t last_time;
  bool has_last;
  gauge_t rate; /* per second */
  bool has_value;
} cpu_state_t;

/* cpu_states[cpu * CPU_STATE_MAX + state], grown as CPUs show up; freed by
 * cpu_shutdown(). cpu_num is one more than the highest CPU number seen. */
static cpu_state_t *cpu_states;
static size_t cpu_num;

/* ---- configuration ------------------------------------------------------ */

static const char *cpu_config_keys[] = {
    "ReportByCpu",      "ReportByState",    "ReportNumCpu",
    "ValuesPercentage", "ReportGuestState", "SubtractGuestState"};

/* Option name to field, so cpu_config() is one lookup. */
static const struct {
  const char *key;
  size_t offset;
} cpu_option_table[] = {
    {"ReportByCpu", offsetof(cpu_options_t, report_by_cpu)},
    {"ReportByState", offsetof(cpu_options_t, report_by_state)},
    {"ReportNumCpu", offsetof(cpu_options_t, report_num_cpu)},
    {"ValuesPercentage", offsetof(cpu_options_t, values_percentage)},
    {"ReportGuestState", offsetof(cpu_options_t, report_guest)},
    {"SubtractGuestState", offsetof(cpu_options_t, subtract_guest)},
};

static int cpu_config(const char *key, const char *value) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(cpu_option_table); i++) {
    if (strcasecmp(key, cpu_option_table[i].key) != 0)
      continue;
    bool *field = (bool *)((char *)&cpu_opts + cpu_option_table[i].offset);
    *field = IS_TRUE(value);
    return 0;
  }
  ERROR("cpu plugin: unknown option \"%s\"", key);
  return -EINVAL;
}

/* ---- per-CPU state ------------------------------------------------------ */

/* Makes room for CPU number `cpu`; returns its row or NULL. */
static cpu_state_t *cpu_get_row(size_t cpu) {
  if (cpu >= cpu_num) {
    size_t new_num = cpu + 1;
    cpu_state_t *tmp =
        realloc(cpu_states, new_num * CPU_STATE_MAX * sizeof(*tmp));
    if (tmp == NULL) {
      ERROR("cpu plugin: out of memory for CPU %zu", cpu);
      return NULL;
    }
    memset(tmp + cpu_num * CPU_STATE_MAX, 0,
           (new_num - cpu_num) * CPU_STATE_MAX * sizeof(*tmp));
    cpu_states = tmp;
    cpu_num = new_num;
  }
  return cpu_states + cpu * CPU_STATE_MAX;
}

/* Records a counter and, from the previous reading, its rate. */
static void cpu_stage(cpu_state_t *row, cpu_state_id_t state, derive_t value,
                      cdtime_t now) {
  cpu_state_t *s = row + state;
  if (s->has_last && now > s->last_time) {
    s->rate = (gauge_t)(value - s->last_value) /
              CDTIME_T_TO_DOUBLE(now - s->last_time);
    s->has_value = true;
  }
  s->last_value = value;
  s->last_time = now;
  s->has_last = true;
}

static void cpu_reset_values(void) {
  for (size_t i = 0; i < cpu_num * CPU_STATE_MAX; i++)
    cpu_states[i].has_value = false;
}

/* ---- reading ------------------------------------------------------------ */

static derive_t cpu_field(char **fields, int i) {
  return (derive_t)strtoull(fields[i], NULL, 10);
}

/* Stages one "cpuN user nice system idle iowait irq softirq steal guest
 * guest_nice" line. Older kernels print fewer columns. */
static void cpu_read_line(char *line, cdtime_t now) {
  if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]))
    return;

  char *fields[11];
  int n = strsplit(line, fields, STATIC_ARRAY_SIZE(fields));
  if (n < 5)
    return;

  cpu_state_t *row = cpu_get_row(strtoul(fields[0] + 3, NULL, 10));
  if (row == NULL)
    return;

  derive_t user = cpu_field(fields, 1);
  derive_t nice = cpu_field(fields, 2);
  if (cpu_opts.report_guest && n >= 10) {
    derive_t guest = cpu_field(fields, 9);
    cpu_stage(row, CPU_STATE_GUEST, guest, now);
    /* The kernel counts guest time in user time as well. */
    if (cpu_opts.subtract_guest)
      user = user > guest ? user - guest : 0;
  }
  if (cpu_opts.report_guest && n >= 11) {
    derive_t guest_nice = cpu_field(fields, 10);
    cpu_stage(row, CPU_STATE_GUEST_NICE, guest_nice, now);
    if (cpu_opts.subtract_guest)
      nice = nice > guest_nice ? nice - guest_nice : 0;
  }

  cpu_stage(row, CPU_STATE_USER, user, now);
  cpu_stage(row, CPU_STATE_NICE, nice, now);
  cpu_stage(row, CPU_STATE_SYSTEM, cpu_field(fields, 3), now);
  cpu_stage(row, CPU_STATE_IDLE, cpu_field(fields, 4), now);
  if (n >= 8) {
    cpu_stage(row, CPU_STATE_WAIT, cpu_field(fields, 5), now);
    cpu_stage(row, CPU_STATE_INTERRUPT, cpu_field(fields, 6), now);
    cpu_stage(row, CPU_STATE_SOFTIRQ, cpu_field(fields, 7), now);
  }
  if (n >= 9)
    cpu_stage(row, CPU_STATE_STEAL, cpu_field(fields, 8), now);
}

/* ---- dispatching -------------------------------------------------------- */

/* cpu < 0 means "all CPUs" (no plugin instance). */
static void cpu_submit(int cpu, const char *type, const char *type_instance,
                       value_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  sstrncpy(vl.plugin, "cpu", sizeof(vl.plugin));
  if (cpu >= 0)
    ssnprintf(vl.plugin_instance, sizeof(vl.plugin_instance), "%d", cpu);
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

/* Adds a rate to a sum where NAN means "nothing yet". */
static void cpu_rate_add(gauge_t *sum, gauge_t rate) {
  if (isnan(rate))
    return;
  *sum = isnan(*sum) ? rate : *sum + rate;
}

/* The default mode: the counters as they are, per CPU and state. */
static void cpu_commit_counters(void) {
  for (size_t cpu = 0; cpu < cpu_num; cpu++)
    for (int state = 0; state < CPU_STATE_ACTIVE; state++) {
      cpu_state_t *s = cpu_states + cpu * CPU_STATE_MAX + state;
      if (s->has_value)
        cpu_submit((int)cpu, "cpu", cpu_state_names[state],
                   (value_t){.derive = s->last_value});
    }
}

/* The rates of one CPU (NAN where unknown) and its "active" sum. */
static void cpu_rates_of(size_t cpu, gauge_t r[CPU_STATE_MAX]) {
  r[CPU_STATE_ACTIVE] = NAN;
  for (int state = 0; state < CPU_STATE_ACTIVE; state++) {
    const cpu_state_t *s = cpu_states + cpu * CPU_STATE_MAX + state;
    r[state] = s->has_value ? s->rate : NAN;
    if (state != CPU_STATE_IDLE)
      cpu_rate_add(r + CPU_STATE_ACTIVE, r[state]);
  }
}

static void cpu_submit_percent(int cpu, int state, gauge_t rate, gauge_t sum) {
  gauge_t percent = 100.0 * rate / sum;
  if (isnan(percent))
    return;
  cpu_submit(cpu, "percent", cpu_state_names[state],
             (value_t){.gauge = percent});
}

/* Percentages of one CPU (or of the sum, cpu < 0) from its rates: each
 * state's share of active + idle. */
static void cpu_commit_percent(int cpu, const gauge_t rates[CPU_STATE_MAX]) {
  gauge_t sum = rates[CPU_STATE_ACTIVE];
  cpu_rate_add(&sum, rates[CPU_STATE_IDLE]);

  if (!cpu_opts.report_by_state) {
    cpu_submit_percent(cpu, CPU_STATE_ACTIVE, rates[CPU_STATE_ACTIVE], sum);
    return;
  }
  for (int state = 0; state < CPU_STATE_ACTIVE; state++)
    cpu_submit_percent(cpu, state, rates[state], sum);
}

/* The aggregated modes: per CPU, or summed over all CPUs. */
static void cpu_commit_aggregated(void) {
  gauge_t total[CPU_STATE_MAX];
  for (int state = 0; state < CPU_STATE_MAX; state++)
    total[state] = NAN;

  for (size_t cpu = 0; cpu < cpu_num; cpu++) {
    gauge_t r[CPU_STATE_MAX];
    cpu_rates_of(cpu, r);
    if (cpu_opts.report_by_cpu)
      cpu_commit_percent((int)cpu, r);
    for (int state = 0; state < CPU_STATE_MAX; state++)
      cpu_rate_add(total + state, r[state]);
  }

  if (!cpu_opts.report_by_cpu)
    cpu_commit_percent(-1, total);
}

static void cpu_commit(void) {
  if (cpu_opts.report_num_cpu)
    cpu_submit(-1, "count", "", (value_t){.gauge = (gauge_t)cpu_num});

  if (cpu_opts.report_by_cpu && cpu_opts.report_by_state &&
      !cpu_opts.values_percentage)
    cpu_commit_counters();
  else
    cpu_commit_aggregated();

  cpu_reset_values();
}

static int cpu_read(void) {
  FILE *fh = fopen(PROC_STAT_PATH, "r");
  if (fh == NULL) {
    int err = errno;
    ERROR("cpu plugin: cannot open " PROC_STAT_PATH ": %s", STRERROR(err));
    return -err;
  }

  cdtime_t now = cdtime();
  char line[1024];
  while (fgets(line, sizeof(line), fh) != NULL)
    cpu_read_line(line, now);
  fclose(fh);

  cpu_commit();
  return 0;
}

/* Frees the per-CPU table and restores the defaults, so that a later load
 * in this process starts from nothing. */
static int cpu_shutdown(void) {
  free(cpu_states);
  cpu_states = NULL;
  cpu_num = 0;
  cpu_opts = (cpu_options_t)CPU_OPTIONS_DEFAULT;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("cpu");
  plugin_register_config("cpu", cpu_config, cpu_config_keys,
                         STATIC_ARRAY_SIZE(cpu_config_keys));
  plugin_register_read("cpu", cpu_read);
  plugin_register_shutdown("cpu", cpu_shutdown);
}
