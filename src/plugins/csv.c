/* csv plugin: appends every value list to a comma-separated file, one file
 * per identifier and day, or prints it as PUTVAL lines on stdout/stderr.
 *
 * Output format, as observed on collectd 5.12 (Debian) and matched here:
 *
 *  - Path: <DataDir>/<host>/<plugin>[-<plugin instance>]/<type>[-<type
 *    instance>]-YYYY-MM-DD. The date is today's date in local time when the
 *    row is written, not the date of the value's time stamp, so one file
 *    holds one day of writing. Without DataDir the path is relative to the
 *    working directory (the BaseDir). Trailing slashes of DataDir are
 *    dropped. Names are used as they are (spaces, quotes, backslashes).
 *    Missing directories are created.
 *  - A new file starts with a header: "epoch" followed by ",<name>" for each
 *    data source of the type, e.g. "epoch,value" or "epoch,rx,tx".
 *  - Each row: the value's time in seconds with three decimals ("%.3f"),
 *    then ",<value>" per data source: gauges with six decimals ("%f", so
 *    "nan", "-nan", "inf", "-inf" and "-0.000000" come out as printf writes
 *    them), counters and absolutes as unsigned decimal, derives as signed
 *    decimal. With StoreRates true every column is the rate from the value
 *    cache printed with "%f" (the first rate of a counter or derive is nan).
 *  - A row longer than 4095 bytes is not written (5.12 drops it too; we
 *    also log why).
 *  - DataDir "stdout" or "stderr" (any case) prints instead
 *    "PUTVAL <identifier> interval=<seconds, %.3f> <row>" with the row's
 *    commas turned into colons and the identifier quoted/escaped when it
 *    contains blanks, quotes or backslashes, e.g.
 *    PUTVAL h/t/load interval=7.500 1795551973.113:1.000000:2.000000:3.000000
 *  - Like 5.12, the file is opened for each row (so it can be moved away at
 *    any time) and a whole-file fcntl write lock is taken for the write, for
 *    readers that lock it.
 *
 * Where we differ on purpose: 5.12 creates a missing file and writes its
 * header without a lock, so two write threads hitting a new file at once
 * can overwrite each other's first row (seen on the peer). Here a mutex per
 * file name (a striped set) covers create, header and row, and the header
 * is written whenever the file is empty. Output to stdout/stderr is flushed
 * after each line. */

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"
#include "utils_cache.h"

/* 5.12 formats a row into a buffer of this size and drops what does not
 * fit; keeping the size keeps the same rows. */
#define CSV_ROW_SIZE 4096

/* Writers of the same file must be serialized inside the process (fcntl
 * locks do not exclude threads of one process). A mutex per file would need
 * a table to free at shutdown; hashing the path onto a fixed set of mutexes
 * gives the same exclusion with no allocation, at the price of an
 * occasional wait between two unrelated files. */
#define CSV_LOCK_STRIPES 64

typedef enum {
  CSV_TO_FILES,
  CSV_TO_STDOUT,
  CSV_TO_STDERR,
} csv_target_t;

/* The options. Written by the config and shutdown callbacks only, which run
 * while the plugin is not ready, so write callbacks never see a change. */
static char *csv_datadir; /* NULL: paths relative to the working directory */
static csv_target_t csv_target = CSV_TO_FILES;
static bool csv_store_rates;

/* Serialize open + header + row of the files whose names hash to them.
 * Statically initialized and unlocked whenever no write is running, so a
 * second load in the same process finds them ready. */
static pthread_mutex_t csv_file_locks[CSV_LOCK_STRIPES] = {
    [0 ... CSV_LOCK_STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER};

static const char *csv_config_keys[] = {"DataDir", "StoreRates"};

/* ---- configuration ------------------------------------------------------ */

static int csv_set_datadir(const char *value) {
  sfree(csv_datadir);
  csv_target = CSV_TO_FILES;

  if (strcasecmp(value, "stdout") == 0) {
    csv_target = CSV_TO_STDOUT;
    return 0;
  }
  if (strcasecmp(value, "stderr") == 0) {
    csv_target = CSV_TO_STDERR;
    return 0;
  }

  /* No file below a longer one has a path the system takes. */
  size_t vlen = strlen(value);
  if (vlen >= PATH_MAX) {
    ERROR("csv plugin: DataDir: the path is %zu bytes long; at most %d fit",
          vlen, PATH_MAX - 1);
    return -ENAMETOOLONG;
  }
  csv_datadir = strdup(value);
  if (csv_datadir == NULL) {
    ERROR("csv plugin: DataDir: out of memory.");
    return -ENOMEM;
  }
  /* "/var/lib/csv/" and "/var/lib/csv" name the same place; "/" becomes
   * "", which still yields absolute paths below. */
  size_t len = strlen(csv_datadir);
  while (len > 0 && csv_datadir[len - 1] == '/')
    csv_datadir[--len] = '\0';
  return 0;
}

static int csv_config(const char *key, const char *value) {
  if (strcasecmp("DataDir", key) == 0)
    return csv_set_datadir(value);
  if (strcasecmp("StoreRates", key) == 0) {
    /* Anything but a true word means false, as in 5.12. */
    csv_store_rates = IS_TRUE(value);
    return 0;
  }
  ERROR("csv plugin: unknown option \"%s\".", key);
  return -EINVAL;
}

/* ---- formatting ---------------------------------------------------------- */

/* Appends one printf-formatted field at *len; -ENOBUFS once it no longer
 * fits, leaving `buf` terminated. */
__attribute__((format(printf, 4, 5))) static int
csv_append(char *buf, size_t size, size_t *len, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(buf + *len, size - *len, format, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= size - *len)
    return -ENOBUFS;
  *len += (size_t)n;
  return 0;
}

static int csv_append_value(char *buf, size_t size, size_t *len, int ds_type,
                            value_t value) {
  switch (ds_type) {
  case DS_TYPE_GAUGE:
    return csv_append(buf, size, len, ",%f", value.gauge);
  case DS_TYPE_COUNTER:
    return csv_append(buf, size, len, ",%llu", value.counter);
  case DS_TYPE_DERIVE:
    return csv_append(buf, size, len, ",%" PRIi64, value.derive);
  case DS_TYPE_ABSOLUTE:
    return csv_append(buf, size, len, ",%" PRIu64, value.absolute);
  }
  return -EINVAL;
}

/* Writes "epoch,v1,v2,..." for `vl` into `buf`. `rates` (one per data
 * source) replaces the raw values when not NULL. Returns the length, or
 * -ENOBUFS if the row does not fit, -EINVAL on an unknown data source type. */
static int csv_format_row(char *buf, size_t size, const data_set_t *ds,
                          const value_list_t *vl, const gauge_t *rates) {
  size_t len = 0;
  int status =
      csv_append(buf, size, &len, "%.3f", CDTIME_T_TO_DOUBLE(vl->time));

  for (size_t i = 0; status == 0 && i < ds->ds_num; i++) {
    if (rates != NULL)
      status = csv_append(buf, size, &len, ",%f", rates[i]);
    else
      status = csv_append_value(buf, size, &len, ds->ds[i].type, vl->values[i]);
  }
  return status < 0 ? status : (int)len;
}

/* csv_format_row() with the rates fetched from the value cache when
 * StoreRates is on. */
static int csv_build_row(char *buf, size_t size, const data_set_t *ds,
                         const value_list_t *vl) {
  gauge_t *rates = NULL;
  if (csv_store_rates) {
    rates = uc_get_rate(ds, vl);
    if (rates == NULL) {
      ERROR("csv plugin: uc_get_rate failed.");
      return -EIO;
    }
  }

  int status = csv_format_row(buf, size, ds, vl, rates);
  free(rates);

  if (status == -ENOBUFS)
    ERROR("csv plugin: the row of %s/%s does not fit in %d bytes; dropped.",
          vl->host, vl->type, CSV_ROW_SIZE);
  else if (status < 0)
    ERROR("csv plugin: type \"%s\" has a data source of unknown type.",
          ds->type);
  return status;
}

/* <DataDir>/<identifier>-YYYY-MM-DD for today (local time). */
static int csv_file_name(char *buf, size_t size, const value_list_t *vl) {
  size_t len = 0;
  if (csv_datadir != NULL &&
      csv_append(buf, size, &len, "%s/", csv_datadir) != 0)
    return -ENOBUFS;

  if (FORMAT_VL(buf + len, (int)(size - len), vl) != 0)
    return -ENOBUFS;
  len += strlen(buf + len);

  time_t now = time(NULL);
  struct tm tm;
  if (localtime_r(&now, &tm) == NULL) {
    ERROR("csv plugin: localtime_r failed.");
    return -EINVAL;
  }
  if (strftime(buf + len, size - len, "-%Y-%m-%d", &tm) == 0)
    return -ENOBUFS;
  return 0;
}

/* ---- files --------------------------------------------------------------- */

static pthread_mutex_t *csv_lock_for(const char *path) {
  /* FNV-1a: cheap and spreads similar names well enough. */
  uint32_t hash = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)path; *p != 0; p++)
    hash = (hash ^ *p) * 16777619u;
  return &csv_file_locks[hash % CSV_LOCK_STRIPES];
}

/* Opens `path` for appending, creating it and its directories as needed.
 * O_NONBLOCK keeps a FIFO planted at the path from blocking a write thread;
 * anything but a regular file is refused. Returns the fd or -errno. */
static int csv_open(const char *path) {
  const int flags =
      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

  int fd = open(path, flags, 0666);
  if (fd < 0 && errno == ENOENT) {
    if (check_create_dir(path) != 0) {
      ERROR("csv plugin: cannot create the directories of %s.", path);
      return -ENOENT;
    }
    fd = open(path, flags, 0666);
  }
  if (fd < 0) {
    int err = errno;
    ERROR("csv plugin: cannot open %s: %s", path, STRERROR(err));
    return -err;
  }

  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ERROR("csv plugin: %s is not a regular file.", path);
    close(fd);
    return -EINVAL;
  }
  return fd;
}

/* Whole-file write lock for readers that lock the file; like 5.12 we do not
 * wait for it, a locked file costs one row rather than a write thread. */
static int csv_lock_file(int fd, const char *path) {
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  if (fcntl(fd, F_SETLK, &fl) != 0) {
    int err = errno;
    ERROR("csv plugin: cannot lock %s: %s", path, STRERROR(err));
    return -err;
  }
  return 0;
}

static void csv_print_header(FILE *fh, const data_set_t *ds) {
  fputs("epoch", fh);
  for (size_t i = 0; i < ds->ds_num; i++)
    fprintf(fh, ",%s", ds->ds[i].name);
  fputc('\n', fh);
}

/* Writes the header if the file is empty, then the row; takes over `fd`. */
static int csv_write_lines(int fd, const char *path, const data_set_t *ds,
                           const char *row) {
  struct stat st;
  bool empty = fstat(fd, &st) == 0 && st.st_size == 0;

  FILE *fh = fdopen(fd, "a");
  if (fh == NULL) {
    int err = errno;
    ERROR("csv plugin: fdopen of %s failed: %s", path, STRERROR(err));
    close(fd);
    return -err;
  }

  if (empty)
    csv_print_header(fh, ds);
  fprintf(fh, "%s\n", row);

  /* One buffered flush: header and row reach the file in one write. */
  bool failed = ferror(fh) != 0;
  if (fclose(fh) != 0)
    failed = true;
  if (failed) {
    int err = errno;
    ERROR("csv plugin: writing to %s failed: %s", path, STRERROR(err));
    return err > 0 ? -err : -EIO;
  }
  return 0;
}

static int csv_write_file(const data_set_t *ds, const value_list_t *vl,
                          const char *row) {
  char path[PATH_MAX];
  if (csv_file_name(path, sizeof(path), vl) != 0) {
    ERROR("csv plugin: the file name of %s/%s/%s is too long.", vl->host,
          vl->plugin, vl->type);
    return -ENAMETOOLONG;
  }

  pthread_mutex_t *lock = csv_lock_for(path);
  pthread_mutex_lock(lock);

  int status = csv_open(path);
  if (status >= 0) {
    int fd = status;
    status = csv_lock_file(fd, path);
    if (status == 0)
      status = csv_write_lines(fd, path, ds, row); /* closes fd */
    else
      close(fd);
  }

  pthread_mutex_unlock(lock);
  return status;
}

/* PUTVAL <identifier> interval=<s> <time:v1:v2...>, one line per call. */
static int csv_write_stream(FILE *fh, const value_list_t *vl, char *row) {
  /* Room for the identifier with every byte escaped, plus the quotes. */
  char name[2 * 5 * DATA_MAX_NAME_LEN + 3];
  if (FORMAT_VL(name, sizeof(name), vl) != 0) {
    ERROR("csv plugin: the identifier of %s/%s/%s is too long.", vl->host,
          vl->plugin, vl->type);
    return -ENAMETOOLONG;
  }
  escape_string(name, sizeof(name));

  for (char *p = row; *p != '\0'; p++)
    if (*p == ',')
      *p = ':';

  flockfile(fh);
  fprintf(fh, "PUTVAL %s interval=%.3f %s\n", name,
          CDTIME_T_TO_DOUBLE(vl->interval), row);
  fflush(fh);
  funlockfile(fh);
  return 0;
}

/* ---- callbacks ----------------------------------------------------------- */

static int csv_write(const data_set_t *ds, const value_list_t *vl,
                     user_data_t __attribute__((unused)) * ud) {
  if (strcmp(ds->type, vl->type) != 0 || ds->ds_num != vl->values_len) {
    ERROR("csv plugin: value list of type \"%s\" does not match data set "
          "\"%s\".",
          vl->type, ds->type);
    return -EINVAL;
  }

  char row[CSV_ROW_SIZE];
  int status = csv_build_row(row, sizeof(row), ds, vl);
  if (status < 0)
    return status;

  switch (csv_target) {
  case CSV_TO_STDOUT:
    return csv_write_stream(stdout, vl, row);
  case CSV_TO_STDERR:
    return csv_write_stream(stderr, vl, row);
  case CSV_TO_FILES:
    break;
  }
  return csv_write_file(ds, vl, row);
}

/* Back to the state of a fresh load, so the plugin can be loaded again. */
static int csv_shutdown(void) {
  sfree(csv_datadir);
  csv_target = CSV_TO_FILES;
  csv_store_rates = false;
  return 0;
}

void module_register(void) {
  plugin_register_config("csv", csv_config, csv_config_keys,
                         STATIC_ARRAY_SIZE(csv_config_keys));
  plugin_register_write("csv", csv_write, /* user_data = */ NULL);
  plugin_register_shutdown("csv", csv_shutdown);
  plugin_register_unloadable("csv");
}
