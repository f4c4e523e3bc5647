/* memory: physical memory use from /proc/meminfo, in bytes as
 * memory/memory-<kind> and (ValuesPercentage) as memory/percent-<kind>.
 *
 * The kinds are used, buffered, cached, free and the slab, split into
 * slab_recl and slab_unrecl when the kernel reports SReclaimable and
 * SUnreclaim (else one "slab"). "used" is what remains of MemTotal, so the
 * kinds add up to MemTotal and the percentages to 100. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#define MEMINFO_PATH "/proc/meminfo"

typedef struct {
  bool values_absolute;
  bool values_percentage;
} memory_options_t;

#define MEMORY_OPTIONS_DEFAULT                                                 \
  { .values_absolute = true, .values_percentage = false }

static memory_options_t memory_opts = MEMORY_OPTIONS_DEFAULT;

/* The /proc/meminfo lines we read, in bytes. */
typedef struct {
  gauge_t total, free, buffers, cached, slab, slab_recl, slab_unrecl;
  bool has_total, has_slab_recl, has_slab_unrecl;
} meminfo_t;

static int memory_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = ci->children + i;
    int status;
    if (strcasecmp(child->key, "ValuesAbsolute") == 0)
      status = cf_util_get_boolean(child, &memory_opts.values_absolute);
    else if (strcasecmp(child->key, "ValuesPercentage") == 0)
      status = cf_util_get_boolean(child, &memory_opts.values_percentage);
    else {
      ERROR("memory plugin: unknown option \"%s\"", child->key);
      status = -EINVAL;
    }
    if (status != 0)
      return status < 0 ? status : -EINVAL;
  }
  return 0;
}

/* Stores the value of one "Key: N kB" line if its key is one we want. */
static void meminfo_parse_line(meminfo_t *mi, char *line) {
  char *fields[4];
  int n = strsplit(line, fields, STATIC_ARRAY_SIZE(fields));
  if (n < 2)
    return;

  gauge_t bytes = strtod(fields[1], NULL) * 1024.0;
  const char *key = fields[0];
  if (strcmp(key, "MemTotal:") == 0) {
    mi->total = bytes;
    mi->has_total = true;
  } else if (strcmp(key, "MemFree:") == 0)
    mi->free = bytes;
  else if (strcmp(key, "Buffers:") == 0)
    mi->buffers = bytes;
  else if (strcmp(key, "Cached:") == 0)
    mi->cached = bytes;
  else if (strcmp(key, "Slab:") == 0)
    mi->slab = bytes;
  else if (strcmp(key, "SReclaimable:") == 0) {
    mi->slab_recl = bytes;
    mi->has_slab_recl = true;
  } else if (strcmp(key, "SUnreclaim:") == 0) {
    mi->slab_unrecl = bytes;
    mi->has_slab_unrecl = true;
  }
}

static int meminfo_read(meminfo_t *mi) {
  FILE *fh = fopen(MEMINFO_PATH, "r");
  if (fh == NULL) {
    int err = errno;
    ERROR("memory plugin: cannot open " MEMINFO_PATH ": %s", STRERROR(err));
    return -err;
  }

  char line[256];
  while (fgets(line, sizeof(line), fh) != NULL)
    meminfo_parse_line(mi, line);
  fclose(fh);

  if (!mi->has_total) {
    ERROR("memory plugin: no MemTotal in " MEMINFO_PATH);
    return -EIO;
  }
  return 0;
}

static void memory_submit_one(const char *type, const char *type_instance,
                              gauge_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = value};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "memory", sizeof(vl.plugin));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

/* One reading, as named parts that add up to MemTotal. */
typedef struct {
  const char *name;
  gauge_t value;
} memory_part_t;

static void memory_submit(const memory_part_t *parts, size_t n) {
  gauge_t sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += parts[i].value;

  for (size_t i = 0; i < n; i++) {
    if (memory_opts.values_absolute)
      memory_submit_one("memory", parts[i].name, parts[i].value);
    if (memory_opts.values_percentage)
      memory_submit_one("percent", parts[i].name,
                        sum != 0 ? parts[i].value * (100.0 / sum) : NAN);
  }
}

static int memory_read(void) {
  meminfo_t mi = {0};
  int status = meminfo_read(&mi);
  if (status != 0)
    return status;

  /* With the detail, the two halves are the slab; without it, Slab is. */
  bool slab_detail = mi.has_slab_recl && mi.has_slab_unrecl;
  gauge_t slab = slab_detail ? mi.slab_recl + mi.slab_unrecl : mi.slab;
  gauge_t accounted = mi.free + mi.buffers + mi.cached + slab;
  if (mi.total < accounted) {
    ERROR("memory plugin: MemTotal is smaller than the sum of its parts; "
          "skipping this reading");
    return -EIO;
  }

  memory_part_t parts[6] = {
      {"used", mi.total - accounted},
      {"buffered", mi.buffers},
      {"cached", mi.cached},
      {"free", mi.free},
  };
  size_t n = 4;
  if (slab_detail) {
    parts[n++] = (memory_part_t){"slab_unrecl", mi.slab_unrecl};
    parts[n++] = (memory_part_t){"slab_recl", mi.slab_recl};
  } else {
    parts[n++] = (memory_part_t){"slab", mi.slab};
  }
  memory_submit(parts, n);
  return 0;
}

/* Back to the defaults, so that a later load in this process starts clean. */
static int memory_shutdown(void) {
  memory_opts = (memory_options_t)MEMORY_OPTIONS_DEFAULT;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("memory");
  plugin_register_complex_config("memory", memory_config);
  plugin_register_read("memory", memory_read);
  plugin_register_shutdown("memory", memory_shutdown);
}
