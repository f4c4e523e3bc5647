/* test_log_free: a log plugin whose state does not outlive its shutdown,
 * so that a log callback the core makes after that shutdown cannot go
 * unnoticed. Init allocates the buffer every message is formatted into and
 * opens the file; shutdown closes the file and frees the buffer. A log
 * call that comes once shutdown has begun prints "LOG AFTER SHUTDOWN" on
 * standard error and aborts the daemon (status 134), instead of writing
 * into freed memory and maybe getting away with it.
 *
 *   <Plugin test_log_free>
 *     File "/path"   # every message is appended there, one a line
 *     Echo true      # a FLUSH of it logs and notifies (default false)
 *   </Plugin>
 *
 * Lines read "<severity> <message>", the severity as a number, and
 * "notification <message>" for each notification it is given.
 *
 * With Echo, its flush callback logs "test_log_free: flushed" and
 * dispatches a notification saying the same, which in process come back
 * to its own log and notification callbacks, as they must in a plugin host.
 *
 * Its shutdown logs "test_log_free: shutting down" once the flag is set,
 * as any plugin may: that line must not come back to its own log callback
 * (the core takes a plugin out of ready before its shutdown runs) but go
 * to the other log plugins, or to standard error. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <stdatomic.h>

#define TLF_BUFFER_SIZE 2048

static char *tlf_path;
static FILE *tlf_file;
static char *tlf_buffer;
/* Set first thing in shutdown, cleared by init. */
static _Atomic bool tlf_down;
static bool tlf_echo;

static int tlf_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "File") == 0) {
      if (cf_util_get_string(opt, &tlf_path) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "Echo") == 0) {
      if (cf_util_get_boolean(opt, &tlf_echo) != 0)
        return -EINVAL;
    } else {
      ERROR("test_log_free: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static int tlf_init(void) {
  if (tlf_path == NULL) {
    ERROR("test_log_free: the File option is required");
    return -EINVAL;
  }
  tlf_buffer = malloc(TLF_BUFFER_SIZE);
  if (tlf_buffer == NULL)
    return -ENOMEM;
  tlf_file = fopen(tlf_path, "a");
  if (tlf_file == NULL) {
    int err = errno;
    free(tlf_buffer);
    tlf_buffer = NULL;
    /* Not ERROR(): we are a log plugin, and not ready. */
    fprintf(stderr, "test_log_free: cannot open \"%s\": %s\n", tlf_path,
            strerror(err));
    return -err;
  }
  atomic_store(&tlf_down, false);
  return 0;
}

/* Aborts the daemon if called once shutdown has begun. */
static void tlf_check_alive(void) {
  if (atomic_load(&tlf_down)) {
    static const char said[] = "LOG AFTER SHUTDOWN\n";
    /* write(2): stdio may itself be what the exit is tearing down. */
    if (write(STDERR_FILENO, said, sizeof(said) - 1) < 0) {
      /* nothing better to do */
    }
    abort();
  }
}

static void tlf_log(int severity, const char *msg, user_data_t *ud) {
  (void)ud;
  tlf_check_alive();
  /* Through the buffer init allocated and shutdown frees: a call racing
   * the shutdown reads freed memory, which valgrind reports. */
  snprintf(tlf_buffer, TLF_BUFFER_SIZE, "%d %s\n", severity, msg);
  fputs(tlf_buffer, tlf_file);
  fflush(tlf_file);
}

static int tlf_notification(const notification_t *n, user_data_t *ud) {
  (void)ud;
  tlf_check_alive();
  snprintf(tlf_buffer, TLF_BUFFER_SIZE, "notification %s\n", n->message);
  fputs(tlf_buffer, tlf_file);
  fflush(tlf_file);
  return 0;
}

static int tlf_flush(cdtime_t timeout, const char *identifier,
                     user_data_t *ud) {
  (void)timeout;
  (void)identifier;
  (void)ud;
  if (!tlf_echo)
    return 0;
  INFO("test_log_free: flushed");
  notification_t n = {.severity = NOTIF_OKAY, .time = cdtime()};
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, "test_log_free", sizeof(n.plugin));
  sstrncpy(n.message, "test_log_free: flushed", sizeof(n.message));
  plugin_dispatch_notification(&n);
  return 0;
}

static int tlf_shutdown(void) {
  atomic_store(&tlf_down, true);
  INFO("test_log_free: shutting down");
  if (tlf_file != NULL)
    fclose(tlf_file);
  tlf_file = NULL;
  free(tlf_buffer);
  tlf_buffer = NULL;
  free(tlf_path);
  tlf_path = NULL;
  tlf_echo = false;
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_log_free");
  plugin_register_complex_config("test_log_free", tlf_config);
  plugin_register_init("test_log_free", tlf_init);
  plugin_register_log("test_log_free", tlf_log, /* user_data = */ NULL);
  plugin_register_notification("test_log_free", tlf_notification, NULL);
  plugin_register_flush("test_log_free", tlf_flush, NULL);
  plugin_register_shutdown("test_log_free", tlf_shutdown);
}
