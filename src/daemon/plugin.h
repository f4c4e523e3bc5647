/* The plugin author's contract.
 *
 * A plugin written for collectd 5.12 compiles against this header unchanged,
 * and a plugin binary built for collectd 5.12 runs against this daemon: the
 * type, field and function names, the field order and the constants below
 * are that interface and must not change. Everything the core keeps for
 * itself lives in plugin_internal.h. */
#ifndef PLUGIN_H
#define PLUGIN_H

#include "collectd.h"

#include "configfile.h"
#include "utils/metadata/meta_data.h"
#include "utils_time.h"

#include <inttypes.h>
#include <pthread.h>

/* ---- constants ---------------------------------------------------------- */

/* Data source types, as they appear in types.db. */
#define DS_TYPE_COUNTER 0
#define DS_TYPE_GAUGE 1
#define DS_TYPE_DERIVE 2
#define DS_TYPE_ABSOLUTE 3

#define DS_TYPE_TO_STRING(t)                                                   \
  ((t) == DS_TYPE_COUNTER    ? "counter"                                       \
   : (t) == DS_TYPE_GAUGE    ? "gauge"                                         \
   : (t) == DS_TYPE_DERIVE   ? "derive"                                        \
   : (t) == DS_TYPE_ABSOLUTE ? "absolute"                                      \
                             : "unknown")

/* Log severities; the values are syslog's. */
#ifndef LOG_ERR
#define LOG_ERR 3
#endif
#ifndef LOG_WARNING
#define LOG_WARNING 4
#endif
#ifndef LOG_NOTICE
#define LOG_NOTICE 5
#endif
#ifndef LOG_INFO
#define LOG_INFO 6
#endif
#ifndef LOG_DEBUG
#define LOG_DEBUG 7
#endif

/* Notification severities and the size of their message. */
#define NOTIF_MAX_MSG_LEN 256
#define NOTIF_FAILURE 1
#define NOTIF_WARNING 2
#define NOTIF_OKAY 4

/* The interval of the plugin whose callback is running. */
#define plugin_interval (plugin_get_ctx().interval)

/* ---- values ------------------------------------------------------------- */

typedef unsigned long long counter_t;
typedef double gauge_t;
typedef int64_t derive_t;
typedef uint64_t absolute_t;

union value_u {
  counter_t counter;
  gauge_t gauge;
  derive_t derive;
  absolute_t absolute;
};
typedef union value_u value_t;

/* The five parts of a value's name, as pointers (parse_identifier). */
struct identifier_s {
  char *host;
  char *plugin;
  char *plugin_instance;
  char *type;
  char *type_instance;
};
typedef struct identifier_s identifier_t;

/* One measurement: `values_len` values of the data set named by `type`. */
struct value_list_s {
  value_t *values;
  size_t values_len;
  cdtime_t time;     /* 0: the core stamps the dispatch time */
  cdtime_t interval; /* 0: the core uses the plugin's interval */
  char host[DATA_MAX_NAME_LEN];
  char plugin[DATA_MAX_NAME_LEN];
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  meta_data_t *meta;
};
typedef struct value_list_s value_list_t;

#define VALUE_LIST_INIT                                                        \
  { .values = NULL, .meta = NULL }

/* A type from types.db: its name and the data sources of each value. */
struct data_source_s {
  char name[DATA_MAX_NAME_LEN];
  int type; /* DS_TYPE_* */
  double min;
  double max;
};
typedef struct data_source_s data_source_t;

struct data_set_s {
  char type[DATA_MAX_NAME_LEN];
  size_t ds_num;
  data_source_t *ds;
};
typedef struct data_set_s data_set_t;

/* ---- notifications ------------------------------------------------------ */

enum notification_meta_type_e {
  NM_TYPE_STRING,
  NM_TYPE_SIGNED_INT,
  NM_TYPE_UNSIGNED_INT,
  NM_TYPE_DOUBLE,
  NM_TYPE_BOOLEAN
};

typedef struct notification_meta_s {
  char name[DATA_MAX_NAME_LEN];
  enum notification_meta_type_e type;
  union {
    const char *nm_string; /* owned by the meta entry */
    int64_t nm_signed_int;
    uint64_t nm_unsigned_int;
    double nm_double;
    bool nm_boolean;
  } nm_value;
  struct notification_meta_s *next;
} notification_meta_t;

typedef struct notification_s {
  int severity; /* NOTIF_* */
  cdtime_t time;
  char message[NOTIF_MAX_MSG_LEN];
  char host[DATA_MAX_NAME_LEN];
  char plugin[DATA_MAX_NAME_LEN];
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  notification_meta_t *meta;
} notification_t;

/* ---- callbacks ---------------------------------------------------------- */

/* Passed back to a callback on every call. If free_func is set, the core
 * calls it on `data` when the callback is unregistered -- and also when the
 * registration itself fails, so the caller never frees it after passing it. */
struct user_data_s {
  void *data;
  void (*free_func)(void *);
};
typedef struct user_data_s user_data_t;

enum cache_event_type_e { CE_VALUE_NEW, CE_VALUE_UPDATE, CE_VALUE_EXPIRED };

typedef struct cache_event_s {
  enum cache_event_type_e type;
  const value_list_t *value_list;
  const char *value_list_name;
  int ret; /* set to non-zero on CE_VALUE_NEW to get the later events */
} cache_event_t;

/* What the core knows about the plugin a thread is working for. */
struct plugin_ctx_s {
  char *name;
  cdtime_t interval;
  cdtime_t flush_interval;
  cdtime_t flush_timeout;
};
typedef struct plugin_ctx_s plugin_ctx_t;

typedef int (*plugin_init_cb)(void);
typedef int (*plugin_read_cb)(user_data_t *);
typedef int (*plugin_write_cb)(const data_set_t *, const value_list_t *,
                               user_data_t *);
typedef int (*plugin_flush_cb)(cdtime_t timeout, const char *identifier,
                               user_data_t *);
/* < 0: error; 0: call the next missing callback; > 0: stop here. */
typedef int (*plugin_missing_cb)(const value_list_t *, user_data_t *);
typedef int (*plugin_cache_event_cb)(cache_event_t *, user_data_t *);
typedef void (*plugin_log_cb)(int severity, const char *message, user_data_t *);
typedef int (*plugin_shutdown_cb)(void);
typedef int (*plugin_notification_cb)(const notification_t *, user_data_t *);

/* ---- the daemon's side (called by the core, exported for compatibility) - */

void plugin_set_dir(const char *dir);
/* Loads the plugin `name` from the plugin directory; `global` opens it with
 * RTLD_GLOBAL. Returns 0 or a negative errno. */
int plugin_load(const char *name, bool global);
bool plugin_is_loaded(char const *name);

int plugin_init_all(void);
void plugin_read_all(void);
int plugin_read_all_once(void);
int plugin_shutdown_all(void);

/* Calls one write callback (`plugin` non-NULL) or all of them. */
int plugin_write(const char *plugin, const data_set_t *ds,
                 const value_list_t *vl);
/* Asks the flush callback of `plugin` (or of every plugin when NULL). */
int plugin_flush(const char *plugin, cdtime_t timeout, const char *identifier);

/* ---- registration --------------------------------------------------------
 * Called from module_register() (or later, from a plugin's own callbacks).
 * The callback belongs to the plugin whose context the calling thread is in.
 * All return 0 on success. */

int plugin_register_config(const char *name,
                           int (*callback)(const char *key, const char *val),
                           const char **keys, int keys_num);
int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *));
int plugin_register_init(const char *name, plugin_init_cb callback);
int plugin_register_read(const char *name, int (*callback)(void));
/* `interval` 0 means the plugin's interval. The core copies *user_data. */
int plugin_register_complex_read(const char *group, const char *name,
                                 plugin_read_cb callback, cdtime_t interval,
                                 user_data_t const *user_data);
int plugin_register_write(const char *name, plugin_write_cb callback,
                          user_data_t const *user_data);
int plugin_register_flush(const char *name, plugin_flush_cb callback,
                          user_data_t const *user_data);
int plugin_register_missing(const char *name, plugin_missing_cb callback,
                            user_data_t const *user_data);
int plugin_register_cache_event(const char *name,
                                plugin_cache_event_cb callback,
                                user_data_t const *user_data);
int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback);
int plugin_register_data_set(const data_set_t *ds);
int plugin_register_log(const char *name, plugin_log_cb callback,
                        user_data_t const *user_data);
int plugin_register_notification(const char *name,
                                 plugin_notification_cb callback,
                                 user_data_t const *user_data);

/* Not in collectd 5.12: declares, from module_register(), that the plugin
 * `name` (the one being loaded) may be unloaded and reconfigured while the
 * daemon runs. The plugin promises that its shutdown callback releases
 * everything it allocated and stops every thread it started. Returns 0,
 * -EINVAL outside module_register(), -EPERM for another plugin's name. */
int plugin_register_unloadable(const char *name);

int plugin_unregister_config(const char *name);
int plugin_unregister_complex_config(const char *name);
int plugin_unregister_init(const char *name);
int plugin_unregister_read(const char *name);
int plugin_unregister_read_group(const char *group);
int plugin_unregister_write(const char *name);
int plugin_unregister_flush(const char *name);
int plugin_unregister_missing(const char *name);
int plugin_unregister_cache_event(const char *name);
int plugin_unregister_shutdown(const char *name);
int plugin_unregister_data_set(const char *name);
int plugin_unregister_log(const char *name);
int plugin_unregister_notification(const char *name);

/* Logs the names of every registered write callback. */
void plugin_log_available_writers(void);

/* ---- dispatch ------------------------------------------------------------ */

/* Checks `vl` against its data set, updates the value cache and queues a
 * copy for the write threads. The caller keeps ownership of `vl`. */
int plugin_dispatch_values(value_list_t const *vl);

/* Dispatches one value list per (type instance, value) pair given after
 * `store_percentage` and `store_type`; the list ends with NULL. store_type is
 * DS_TYPE_GAUGE (values are gauge_t) or DS_TYPE_DERIVE etc. With
 * store_percentage, gauges are converted to percentages of their sum. */
__attribute__((sentinel)) int plugin_dispatch_multivalue(value_list_t const *vl,
                                                         bool store_percentage,
                                                         int store_type, ...);

int plugin_dispatch_missing(const value_list_t *vl);
void plugin_dispatch_cache_event(enum cache_event_type_e event_type,
                                 unsigned long callbacks_mask, const char *name,
                                 const value_list_t *vl);

int plugin_dispatch_notification(const notification_t *notif);

/* ---- logging ------------------------------------------------------------- */

void plugin_log(int level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* "emerg".."debug" (and their aliases) to LOG_*; -1 if unknown. */
int parse_log_severity(const char *severity);
/* "failure", "warning", "okay" to NOTIF_*; -1 if unknown. */
int parse_notif_severity(const char *severity);

#define ERROR(...) plugin_log(LOG_ERR, __VA_ARGS__)
#define WARNING(...) plugin_log(LOG_WARNING, __VA_ARGS__)
#define NOTICE(...) plugin_log(LOG_NOTICE, __VA_ARGS__)
#define INFO(...) plugin_log(LOG_INFO, __VA_ARGS__)
#if COLLECT_DEBUG
#define DEBUG(...) plugin_log(LOG_DEBUG, __VA_ARGS__)
#else
#define DEBUG(...) /* compiled out */
#endif

/* Like plugin_log(), with the calling plugin's name put in front. */
void daemon_log(int level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#define P_ERROR(...) daemon_log(LOG_ERR, __VA_ARGS__)
#define P_WARNING(...) daemon_log(LOG_WARNING, __VA_ARGS__)
#define P_NOTICE(...) daemon_log(LOG_NOTICE, __VA_ARGS__)
#define P_INFO(...) daemon_log(LOG_INFO, __VA_ARGS__)

/* ---- data sets and notification meta data ------------------------------- */

const data_set_t *plugin_get_ds(const char *name);

int plugin_notification_meta_add_string(notification_t *n, const char *name,
                                        const char *value);
int plugin_notification_meta_add_signed_int(notification_t *n, const char *name,
                                            int64_t value);
int plugin_notification_meta_add_unsigned_int(notification_t *n,
                                              const char *name, uint64_t value);
int plugin_notification_meta_add_double(notification_t *n, const char *name,
                                        double value);
int plugin_notification_meta_add_boolean(notification_t *n, const char *name,
                                         bool value);
int plugin_notification_meta_copy(notification_t *dst,
                                  const notification_t *src);
/* Frees the whole list starting at `n`. */
int plugin_notification_meta_free(notification_meta_t *n);

/* ---- plugin context ------------------------------------------------------ */

void plugin_init_ctx(void);
plugin_ctx_t plugin_get_ctx(void);
/* Sets the calling thread's context and returns the previous one. */
plugin_ctx_t plugin_set_ctx(plugin_ctx_t ctx);

/* The interval of the calling plugin, or the global one. */
cdtime_t plugin_get_interval(void);

/* pthread_create() for plugins: the new thread inherits the caller's plugin
 * context, and `name` (may be NULL) becomes the thread's name. */
int plugin_thread_create(pthread_t *thread, void *(*start_routine)(void *),
                         void *arg, char const *name);

/* Every plugin defines this; the core calls it once after opening it. */
void module_register(void);

#endif /* PLUGIN_H */
