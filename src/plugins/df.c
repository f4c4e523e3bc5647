/* df: space (and, with ReportInodes, inodes) of every mounted file system,
 * from statvfs(3) over the mount table.
 *
 * Per file system, the plugin instance is the mount point with its leading
 * slash dropped and the others turned into '-' ("root" for "/"), or with
 * ReportByDevice the device with any "/dev/" prefix dropped. Dispatched:
 * df_complex-{free,reserved,used} in bytes and df_inodes-* in inodes
 * (ValuesAbsolute, default on), percent_bytes-* and percent_inodes-*
 * (ValuesPercentage). "free" is what unprivileged users may still use,
 * "reserved" the rest of the free space.
 *
 * Matching collectd 5.12 (checked against it):
 *  - file systems without blocks (proc, sysfs, cgroup...) are skipped;
 *  - a mount whose mount point (device, with ReportByDevice) already
 *    appeared earlier in the table is skipped, even when that earlier entry
 *    was itself filtered out by the selection;
 *  - inodes are reported only when the kernel reports some total and some
 *    free;
 *  - percentages are computed in single precision. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils/ignorelist/ignorelist.h"
#include "utils/mount/mount.h"

#include <sys/statvfs.h>

typedef struct {
  bool ignore_selected;
  bool report_by_device;
  bool report_inodes;
  bool values_absolute;
  bool values_percentage;
  bool log_once;
} df_options_t;

#define DF_OPTIONS_DEFAULT                                                     \
  {                                                                            \
    .ignore_selected = false, .report_by_device = false,                       \
    .report_inodes = false, .values_absolute = true,                           \
    .values_percentage = false, .log_once = false                              \
  }

static df_options_t df_opts = DF_OPTIONS_DEFAULT;

/* Selections by device, mount point and file system type; NULL until the
 * first entry, and NULL selects everything. */
static ignorelist_t *df_il_device;
static ignorelist_t *df_il_mountpoint;
static ignorelist_t *df_il_fstype;

/* Mount points whose statvfs() failure was logged (LogOnce). */
typedef struct df_complaint_s {
  char *dir;
  struct df_complaint_s *next;
} df_complaint_t;
static df_complaint_t *df_complaints;

/* ---- configuration ------------------------------------------------------ */

static const char *df_config_keys[] = {
    "Device",         "MountPoint",       "FSType",
    "IgnoreSelected", "ReportByDevice",   "ReportInodes",
    "ValuesAbsolute", "ValuesPercentage", "LogOnce",
};

static const struct {
  const char *key;
  size_t offset;
} df_flag_table[] = {
    {"ReportByDevice", offsetof(df_options_t, report_by_device)},
    {"ReportInodes", offsetof(df_options_t, report_inodes)},
    {"ValuesAbsolute", offsetof(df_options_t, values_absolute)},
    {"ValuesPercentage", offsetof(df_options_t, values_percentage)},
    {"LogOnce", offsetof(df_options_t, log_once)},
};

static int df_add_selection(ignorelist_t **il, const char *key,
                            const char *value) {
  if (*il == NULL) {
    *il = ignorelist_create(df_opts.ignore_selected ? 0 : 1);
    if (*il == NULL) {
      ERROR("df plugin: out of memory");
      return -ENOMEM;
    }
  }
  int status = ignorelist_add(*il, value);
  if (status != 0)
    ERROR("df plugin: cannot add %s \"%s\" to the selection", key, value);
  return status;
}

/* IgnoreSelected may come before or after the entries it applies to. */
static void df_set_ignore_selected(bool ignore_selected) {
  df_opts.ignore_selected = ignore_selected;
  int invert = ignore_selected ? 0 : 1;
  ignorelist_set_invert(df_il_device, invert);
  ignorelist_set_invert(df_il_mountpoint, invert);
  ignorelist_set_invert(df_il_fstype, invert);
}

static int df_config(const char *key, const char *value) {
  if (strcasecmp(key, "Device") == 0)
    return df_add_selection(&df_il_device, key, value);
  if (strcasecmp(key, "MountPoint") == 0)
    return df_add_selection(&df_il_mountpoint, key, value);
  if (strcasecmp(key, "FSType") == 0)
    return df_add_selection(&df_il_fstype, key, value);
  if (strcasecmp(key, "IgnoreSelected") == 0) {
    df_set_ignore_selected(IS_TRUE(value));
    return 0;
  }
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(df_flag_table); i++) {
    if (strcasecmp(key, df_flag_table[i].key) != 0)
      continue;
    *(bool *)((char *)&df_opts + df_flag_table[i].offset) = IS_TRUE(value);
    return 0;
  }
  ERROR("df plugin: unknown option \"%s\"", key);
  return -EINVAL;
}

/* ---- helpers ------------------------------------------------------------ */

/* Logs a statvfs() failure, only the first time per mount point if
 * LogOnce is set. */
static void df_complain(const char *dir, int err) {
  if (df_opts.log_once) {
    for (df_complaint_t *c = df_complaints; c != NULL; c = c->next)
      if (strcmp(c->dir, dir) == 0)
        return;
    df_complaint_t *c = calloc(1, sizeof(*c));
    if (c != NULL && (c->dir = strdup(dir)) != NULL) {
      c->next = df_complaints;
      df_complaints = c;
    } else {
      free(c);
    }
  }
  ERROR("df plugin: statvfs(%s) failed: %s", dir, STRERROR(err));
}

static void df_complaints_free(void) {
  while (df_complaints != NULL) {
    df_complaint_t *next = df_complaints->next;
    free(df_complaints->dir);
    free(df_complaints);
    df_complaints = next;
  }
}

/* The key under which a mount is reported, for duplicate detection. */
static const char *df_key(const mount_entry_t *m) {
  return df_opts.report_by_device ? m->device : m->dir;
}

static bool df_seen_before(const mount_entry_t *list, const mount_entry_t *m) {
  for (const mount_entry_t *p = list; p != m; p = p->next)
    if (strcmp(df_key(p), df_key(m)) == 0)
      return true;
  return false;
}

static bool df_is_ignored(const mount_entry_t *m) {
  return ignorelist_match(df_il_device, m->device) ||
         ignorelist_match(df_il_mountpoint, m->dir) ||
         ignorelist_match(df_il_fstype, m->type);
}

/* Fills `name` with the plugin instance; returns false if there is none. */
static bool df_instance_name(const mount_entry_t *m, char *name, size_t size) {
  if (df_opts.report_by_device) {
    const char *dev = m->device;
    if (strncmp(dev, "/dev/", strlen("/dev/")) == 0)
      dev += strlen("/dev/");
    sstrncpy(name, dev, size);
    return name[0] != '\0';
  }

  if (strcmp(m->dir, "/") == 0) {
    sstrncpy(name, "root", size);
    return true;
  }
  sstrncpy(name, m->dir + 1, size);
  for (char *p = name; *p != '\0'; p++)
    if (*p == '/')
      *p = '-';
  return true;
}

/* ---- dispatching -------------------------------------------------------- */

static void df_submit_one(const char *instance, const char *type,
                          const char *type_instance, gauge_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = value};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "df", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, instance, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

/* The three parts of a total; they add up to it. */
typedef struct {
  uint64_t free, reserved, used, total;
} df_parts_t;

/* Single precision on purpose: collectd 5.12 computes these shares with
 * float_t, and its last digits are what users compare with. */
static gauge_t df_percent(uint64_t part, uint64_t total) {
  return (gauge_t)((float)part / (float)total * 100.0f);
}

static void df_submit_parts(const char *instance, const char *abs_type,
                            const char *pct_type, df_parts_t p, uint64_t unit) {
  if (df_opts.values_percentage) {
    df_submit_one(instance, pct_type, "free", df_percent(p.free, p.total));
    df_submit_one(instance, pct_type, "reserved",
                  df_percent(p.reserved, p.total));
    df_submit_one(instance, pct_type, "used", df_percent(p.used, p.total));
  }
  if (df_opts.values_absolute) {
    df_submit_one(instance, abs_type, "free", (gauge_t)(p.free * unit));
    df_submit_one(instance, abs_type, "reserved", (gauge_t)(p.reserved * unit));
    df_submit_one(instance, abs_type, "used", (gauge_t)(p.used * unit));
  }
}

/* Splits a total into parts. The kernel's figures are not taken as
 * consistent: "available" may exceed "free", "free" the total. */
static df_parts_t df_split(uint64_t total, uint64_t free, uint64_t avail) {
  if (free < avail)
    free = avail;
  if (total < free)
    total = free;
  return (df_parts_t){.free = avail,
                      .reserved = free - avail,
                      .used = total - free,
                      .total = total};
}

static void df_submit_fs(const char *instance, const struct statvfs *st) {
  uint64_t blocksize = st->f_frsize ? st->f_frsize : st->f_bsize;
  df_submit_parts(instance, "df_complex", "percent_bytes",
                  df_split(st->f_blocks, st->f_bfree, st->f_bavail), blocksize);

  if (df_opts.report_inodes && st->f_files != 0 && st->f_ffree != 0)
    df_submit_parts(instance, "df_inodes", "percent_inodes",
                    df_split(st->f_files, st->f_ffree, st->f_favail), 1);
}

/* ---- read --------------------------------------------------------------- */

static void df_read_mount(const mount_entry_t *list, const mount_entry_t *m) {
  if (df_seen_before(list, m) || df_is_ignored(m))
    return;

  struct statvfs st;
  if (statvfs(m->dir, &st) != 0) {
    df_complain(m->dir, errno);
    return;
  }
  if (st.f_blocks == 0)
    return;

  char instance[DATA_MAX_NAME_LEN];
  if (!df_instance_name(m, instance, sizeof(instance)))
    return;
  df_submit_fs(instance, &st);
}

static int df_read(void) {
  mount_entry_t *list;
  int status = mount_list_read(&list);
  if (status != 0) {
    ERROR("df plugin: cannot read the mount table: %s", STRERROR(-status));
    return status;
  }

  for (const mount_entry_t *m = list; m != NULL; m = m->next)
    df_read_mount(list, m);

  mount_list_free(list);
  return 0;
}

/* Frees the selections and the LogOnce memory and restores the defaults,
 * so that a later load in this process starts from nothing. */
static int df_shutdown(void) {
  ignorelist_free(df_il_device);
  ignorelist_free(df_il_mountpoint);
  ignorelist_free(df_il_fstype);
  df_il_device = df_il_mountpoint = df_il_fstype = NULL;
  df_complaints_free();
  df_opts = (df_options_t)DF_OPTIONS_DEFAULT;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("df");
  plugin_register_config("df", df_config, df_config_keys,
                         STATIC_ARRAY_SIZE(df_config_keys));
  plugin_register_read("df", df_read);
  plugin_register_shutdown("df", df_shutdown);
}
