/* disk: block device statistics from /proc/diskstats, per device (the
 * plugin instance):
 *   disk_octets  (read, write)  bytes transferred, derive
 *   disk_ops     (read, write)  completed requests, derive
 *   disk_time    (read, write)  see below, derive
 *   disk_merged  (read, write)  merged requests, derive
 *   disk_io_time (io_time, weighted_io_time)  ms busy, derive
 *   pending_operations          requests in flight, gauge
 *
 * disk_time is built so that its rate is the average time of one request
 * in ms: each interval adds (ms spent / requests done) * interval seconds.
 *
 * Matching collectd 5.12 (checked against it):
 *  - the first reading of a device is not dispatched; the sums above start
 *    from zero, so it adds everything since boot (disk_octets equals the
 *    kernel's totals, disk_time starts with the boot-long average);
 *  - devices that never completed a request are skipped, and a pair that
 *    is still all zero is not dispatched;
 *  - disk_merged, pending_operations and disk_io_time appear once the
 *    device has shown a non-zero figure for them.
 *
 * Options: Disk and IgnoreSelected select devices (matched against the
 * reported name); UdevNameAttr names devices after a udev property, read
 * from sysfs and the udev database without libudev; UseBSDName is Mac OS X
 * only and ignored. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils/ignorelist/ignorelist.h"

#define DISKSTATS_PATH "/proc/diskstats"
#define SYS_BLOCK_PATH "/sys/class/block"
#define UDEV_DB_PATH "/run/udev/data"

/* Raw figures of one /proc/diskstats line. */
typedef struct {
  unsigned int major, minor;
  const char *name;
  bool is_disk; /* full line, not the 7-column partition format */
  derive_t read_ops, read_merged, read_sectors, read_time;
  derive_t write_ops, write_merged, write_sectors, write_time;
  gauge_t in_progress;
  derive_t io_time, weighted_time;
} diskstats_line_t;

/* What we remember of one device between reads. */
typedef struct disk_s {
  char *name;
  bool has_baseline;
  derive_t read_sectors, write_sectors;
  derive_t read_ops, write_ops, read_time, write_time;
  derive_t read_bytes, write_bytes;       /* accumulated */
  derive_t avg_read_time, avg_write_time; /* accumulated, see top */
  bool has_merged, has_in_progress, has_io_time;
  struct disk_s *next;
} disk_t;

/* All devices seen since init; freed by disk_shutdown(). */
static disk_t *disk_list;
/* Created by the first Disk or IgnoreSelected option; NULL selects all. */
static ignorelist_t *disk_ignorelist;
/* UdevNameAttr, or NULL. */
static char *disk_udev_attr;

/* ---- configuration ------------------------------------------------------ */

static const char *disk_config_keys[] = {"Disk", "IgnoreSelected", "UseBSDName",
                                         "UdevNameAttr"};

static ignorelist_t *disk_get_ignorelist(void) {
  if (disk_ignorelist == NULL)
    disk_ignorelist = ignorelist_create(/* invert = */ 1);
  if (disk_ignorelist == NULL)
    ERROR("disk plugin: out of memory");
  return disk_ignorelist;
}

static int disk_config(const char *key, const char *value) {
  if (strcasecmp(key, "Disk") == 0) {
    ignorelist_t *il = disk_get_ignorelist();
    if (il == NULL)
      return -ENOMEM;
    int status = ignorelist_add(il, value);
    if (status != 0)
      ERROR("disk plugin: cannot add \"%s\" to the selection", value);
    return status;
  }
  if (strcasecmp(key, "IgnoreSelected") == 0) {
    ignorelist_t *il = disk_get_ignorelist();
    if (il == NULL)
      return -ENOMEM;
    ignorelist_set_invert(il, IS_TRUE(value) ? 0 : 1);
    return 0;
  }
  if (strcasecmp(key, "UseBSDName") == 0) {
    WARNING("disk plugin: the \"UseBSDName\" option is only supported on "
            "Mac OS X; ignoring it");
    return 0;
  }
  if (strcasecmp(key, "UdevNameAttr") == 0) {
    char *attr = strdup(value);
    if (attr == NULL) {
      ERROR("disk plugin: out of memory");
      return -ENOMEM;
    }
    free(disk_udev_attr);
    disk_udev_attr = attr;
    return 0;
  }
  ERROR("disk plugin: unknown option \"%s\"", key);
  return -EINVAL;
}

/* ---- udev names --------------------------------------------------------- */

/* Looks for "<prefix><attr>=value" in a file of such lines; copies the value
 * into `out` and returns true when found. */
static bool disk_find_property(const char *path, const char *prefix,
                               const char *attr, char *out, size_t size) {
  FILE *fh = fopen(path, "r");
  if (fh == NULL)
    return false;

  size_t prefix_len = strlen(prefix), attr_len = strlen(attr);
  char line[1024];
  bool found = false;
  while (!found && fgets(line, sizeof(line), fh) != NULL) {
    if (strncmp(line, prefix, prefix_len) != 0 ||
        strncmp(line + prefix_len, attr, attr_len) != 0 ||
        line[prefix_len + attr_len] != '=')
      continue;
    char *value = line + prefix_len + attr_len + 1;
    value[strcspn(value, "\n")] = '\0';
    sstrncpy(out, value, size);
    found = true;
  }
  fclose(fh);
  return found;
}

/* The udev property `attr` of a block device, as libudev would report it:
 * the udev database (rules such as DM_NAME) first, then the kernel's own
 * uevent properties. Returns false if the device has no such property. */
static bool disk_udev_name(const diskstats_line_t *d, const char *attr,
                           char *out, size_t size) {
  char path[PATH_MAX];
  ssnprintf(path, sizeof(path), UDEV_DB_PATH "/b%u:%u", d->major, d->minor);
  if (disk_find_property(path, "E:", attr, out, size))
    return out[0] != '\0';

  /* sysfs spells a '/' in a kernel device name as '!'. */
  char sysname[DATA_MAX_NAME_LEN];
  sstrncpy(sysname, d->name, sizeof(sysname));
  for (char *p = sysname; *p != '\0'; p++)
    if (*p == '/')
      *p = '!';
  ssnprintf(path, sizeof(path), SYS_BLOCK_PATH "/%s/uevent", sysname);
  if (disk_find_property(path, "", attr, out, size))
    return out[0] != '\0';
  return false;
}

/* ---- per-device state --------------------------------------------------- */

static disk_t *disk_get(const char *name) {
  disk_t **tail = &disk_list;
  for (disk_t *ds = disk_list; ds != NULL; ds = ds->next) {
    if (strcmp(ds->name, name) == 0)
      return ds;
    tail = &ds->next;
  }

  disk_t *ds = calloc(1, sizeof(*ds));
  if (ds == NULL || (ds->name = strdup(name)) == NULL) {
    free(ds);
    ERROR("disk plugin: out of memory for device %s", name);
    return NULL;
  }
  *tail = ds;
  return ds;
}

/* The growth of a counter since the last reading. The kernel's counters
 * only go down when the device was replaced; then everything counted so
 * far is new. */
static derive_t disk_diff(derive_t old_value, derive_t new_value) {
  return new_value >= old_value ? new_value - old_value : new_value;
}

/* Average ms per request over the interval, scaled by the interval so that
 * the rate of the running sum is that average. */
static derive_t disk_time_increment(derive_t time_ms, derive_t ops) {
  double interval = CDTIME_T_TO_DOUBLE(plugin_get_interval());
  double avg = (double)time_ms / (double)ops;
  return (derive_t)(interval * avg + .5);
}

static void disk_update(disk_t *ds, const diskstats_line_t *d) {
  ds->read_bytes += 512 * disk_diff(ds->read_sectors, d->read_sectors);
  ds->write_bytes += 512 * disk_diff(ds->write_sectors, d->write_sectors);
  ds->read_sectors = d->read_sectors;
  ds->write_sectors = d->write_sectors;

  if (!d->is_disk)
    return;

  derive_t read_ops = disk_diff(ds->read_ops, d->read_ops);
  derive_t write_ops = disk_diff(ds->write_ops, d->write_ops);
  if (read_ops != 0)
    ds->avg_read_time +=
        disk_time_increment(disk_diff(ds->read_time, d->read_time), read_ops);
  if (write_ops != 0)
    ds->avg_write_time += disk_time_increment(
        disk_diff(ds->write_time, d->write_time), write_ops);
  ds->read_ops = d->read_ops;
  ds->write_ops = d->write_ops;
  ds->read_time = d->read_time;
  ds->write_time = d->write_time;

  if (d->read_merged != 0 || d->write_merged != 0)
    ds->has_merged = true;
  if (d->in_progress != 0)
    ds->has_in_progress = true;
  if (d->io_time != 0 || d->weighted_time != 0)
    ds->has_io_time = true;
}

/* ---- dispatching -------------------------------------------------------- */

static void disk_submit(const char *name, const char *type, value_t *values,
                        size_t values_len) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = values;
  vl.values_len = values_len;
  sstrncpy(vl.plugin, "disk", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, name, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  plugin_dispatch_values(&vl);
}

/* Dispatches a (read, write)-style pair unless both are still zero. */
static void disk_submit_pair(const char *name, const char *type, derive_t a,
                             derive_t b) {
  if (a == 0 && b == 0)
    return;
  value_t values[] = {{.derive = a}, {.derive = b}};
  disk_submit(name, type, values, STATIC_ARRAY_SIZE(values));
}

static void disk_submit_all(const char *name, const disk_t *ds,
                            const diskstats_line_t *d) {
  disk_submit_pair(name, "disk_octets", ds->read_bytes, ds->write_bytes);
  disk_submit_pair(name, "disk_ops", d->read_ops, d->write_ops);
  disk_submit_pair(name, "disk_time", ds->avg_read_time, ds->avg_write_time);
  if (!d->is_disk)
    return;

  if (ds->has_merged) {
    value_t v[] = {{.derive = d->read_merged}, {.derive = d->write_merged}};
    disk_submit(name, "disk_merged", v, STATIC_ARRAY_SIZE(v));
  }
  if (ds->has_in_progress) {
    value_t v[] = {{.gauge = d->in_progress}};
    disk_submit(name, "pending_operations", v, STATIC_ARRAY_SIZE(v));
  }
  if (ds->has_io_time) {
    value_t v[] = {{.derive = d->io_time}, {.derive = d->weighted_time}};
    disk_submit(name, "disk_io_time", v, STATIC_ARRAY_SIZE(v));
  }
}

/* ---- reading ------------------------------------------------------------ */

static derive_t disk_field(char **fields, int i) {
  return (derive_t)strtoull(fields[i], NULL, 10);
}

/* Parses the 7-column partition format of old kernels and the full format
 * (14 columns or more; newer kernels append discard and flush figures).
 * Returns false for anything else. */
static bool diskstats_parse(char *line, diskstats_line_t *d) {
  char *fields[32];
  int n = strsplit(line, fields, STATIC_ARRAY_SIZE(fields));
  if (n != 7 && n < 14)
    return false;

  *d = (diskstats_line_t){
      .major = (unsigned int)strtoul(fields[0], NULL, 10),
      .minor = (unsigned int)strtoul(fields[1], NULL, 10),
      .name = fields[2],
  };
  if (n == 7) {
    d->read_ops = disk_field(fields, 3);
    d->read_sectors = disk_field(fields, 4);
    d->write_ops = disk_field(fields, 5);
    d->write_sectors = disk_field(fields, 6);
    return true;
  }

  d->is_disk = true;
  d->read_ops = disk_field(fields, 3);
  d->read_merged = disk_field(fields, 4);
  d->read_sectors = disk_field(fields, 5);
  d->read_time = disk_field(fields, 6);
  d->write_ops = disk_field(fields, 7);
  d->write_merged = disk_field(fields, 8);
  d->write_sectors = disk_field(fields, 9);
  d->write_time = disk_field(fields, 10);
  d->in_progress = strtod(fields[11], NULL);
  d->io_time = disk_field(fields, 12);
  d->weighted_time = disk_field(fields, 13);
  return true;
}

static void disk_read_line(char *line) {
  diskstats_line_t d;
  if (!diskstats_parse(line, &d))
    return;

  disk_t *ds = disk_get(d.name);
  if (ds == NULL)
    return;
  disk_update(ds, &d);

  /* The first reading only sets the baseline the next one is compared to. */
  if (!ds->has_baseline) {
    ds->has_baseline = true;
    return;
  }
  if (d.read_ops == 0 && d.write_ops == 0)
    return;

  char name[DATA_MAX_NAME_LEN];
  if (disk_udev_attr == NULL ||
      !disk_udev_name(&d, disk_udev_attr, name, sizeof(name)))
    sstrncpy(name, d.name, sizeof(name));

  if (ignorelist_match(disk_ignorelist, name) != 0)
    return;
  disk_submit_all(name, ds, &d);
}

static int disk_read(void) {
  FILE *fh = fopen(DISKSTATS_PATH, "r");
  if (fh == NULL) {
    int err = errno;
    ERROR("disk plugin: cannot open " DISKSTATS_PATH ": %s", STRERROR(err));
    return -err;
  }

  char line[1024];
  while (fgets(line, sizeof(line), fh) != NULL)
    disk_read_line(line);
  fclose(fh);
  return 0;
}

/* Frees every device record, the selection and the udev attribute, so that
 * a later load in this process starts from nothing. */
static int disk_shutdown(void) {
  while (disk_list != NULL) {
    disk_t *next = disk_list->next;
    free(disk_list->name);
    free(disk_list);
    disk_list = next;
  }
  ignorelist_free(disk_ignorelist);
  disk_ignorelist = NULL;
  free(disk_udev_attr);
  disk_udev_attr = NULL;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("disk");
  plugin_register_config("disk", disk_config, disk_config_keys,
                         STATIC_ARRAY_SIZE(disk_config_keys));
  plugin_register_read("disk", disk_read);
  plugin_register_shutdown("disk", disk_shutdown);
}
