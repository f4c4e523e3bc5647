/* test_crash: a legacy plugin (no plugin_register_unloadable) that kills
 * or wedges the process it runs in, for testing plugins run in a separate
 * host process: the daemon must notice the host's death or hang, and
 * survive it.
 *
 *   <Plugin test_crash>
 *     Mode "segv_read"   # default "none"; see tc_modes below
 *     After 3            # reads that succeed before read misbehaves
 *     Listen 4711        # init binds 127.0.0.1:4711 (TCP) and holds it
 *   </Plugin>
 *
 * Every read that returns dispatches test_crash/gauge = the number of
 * reads so far (1, 2, 3...). */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

typedef enum {
  TC_NONE,        /* behaves well */
  TC_SEGV_READ,   /* read number After + 1 dereferences NULL */
  TC_ABORT_INIT,  /* init calls abort() */
  TC_EXIT_THREAD, /* init starts a thread that calls exit(3) after 0.2 s */
  TC_SPIN_READ,   /* read number After + 1 never returns, burning CPU */
  TC_LEAK_READ,   /* every read after After keeps 4 MiB more, touched */
} tc_mode_t;

static const struct {
  const char *name;
  tc_mode_t mode;
} tc_modes[] = {
    {.name = "none", .mode = TC_NONE},
    {.name = "segv_read", .mode = TC_SEGV_READ},
    {.name = "abort_init", .mode = TC_ABORT_INIT},
    {.name = "exit_thread", .mode = TC_EXIT_THREAD},
    {.name = "spin_read", .mode = TC_SPIN_READ},
    {.name = "leak_read", .mode = TC_LEAK_READ},
};

static tc_mode_t tc_mode = TC_NONE;
static int tc_after = 3;

/* Only the read callback touches it, and the core never runs one read
 * callback twice at once. */
static uint64_t tc_reads;

static pthread_t tc_thread;
static void *tc_leaked; /* TC_LEAK_READ's blocks */
static int tc_listen_port; /* 0: none */
static int tc_listen_fd = -1;

static int tc_config_mode(oconfig_item_t *opt) {
  char *name = NULL;
  if (cf_util_get_string(opt, &name) != 0)
    return -EINVAL;

  for (size_t i = 0; i < STATIC_ARRAY_SIZE(tc_modes); i++) {
    if (strcasecmp(name, tc_modes[i].name) == 0) {
      tc_mode = tc_modes[i].mode;
      sfree(name);
      return 0;
    }
  }
  ERROR("test_crash: unknown mode \"%s\"", name);
  sfree(name);
  return -EINVAL;
}

static int tc_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *opt = ci->children + i;

    if (strcasecmp(opt->key, "Mode") == 0) {
      if (tc_config_mode(opt) != 0)
        return -EINVAL;
    } else if (strcasecmp(opt->key, "After") == 0) {
      if (cf_util_get_int(opt, &tc_after) != 0)
        return -EINVAL;
      if (tc_after < 0) {
        ERROR("test_crash: After must not be negative, got %d", tc_after);
        return -EINVAL;
      }
    } else if (strcasecmp(opt->key, "Listen") == 0) {
      if (cf_util_get_int(opt, &tc_listen_port) != 0)
        return -EINVAL;
    } else {
      ERROR("test_crash: unknown option \"%s\"", opt->key);
      return -EINVAL;
    }
  }
  return 0;
}

static void *tc_exit_main(void *arg) {
  (void)arg;
  test_sleep(MS_TO_CDTIME_T(200));
  exit(3);
}

/* Holds 127.0.0.1:port, as a server plugin holds its port: a second
 * instance cannot have it while the first runs. */
static int tc_listen(void) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)tc_listen_port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  tc_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (tc_listen_fd < 0 ||
      bind(tc_listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      listen(tc_listen_fd, 1) != 0) {
    ERROR("test_crash: bind 127.0.0.1:%d: %s", tc_listen_port, STRERRNO);
    if (tc_listen_fd >= 0)
      close(tc_listen_fd);
    tc_listen_fd = -1;
    return -1;
  }
  return 0;
}

static int tc_init(void) {
  if (tc_mode == TC_ABORT_INIT)
    abort();
  if (tc_listen_port > 0 && tc_listen() != 0)
    return -1;

  if (tc_mode == TC_EXIT_THREAD) {
    int status =
        plugin_thread_create(&tc_thread, tc_exit_main, NULL, "test_crash");
    if (status != 0) {
      ERROR("test_crash: cannot start the thread: %s", STRERROR(status));
      return -status;
    }
  }
  return 0;
}

static int tc_read(void) {
  tc_reads++;

  if (tc_reads > (uint64_t)tc_after) {
    if (tc_mode == TC_SEGV_READ) {
      /* volatile, so the compiler must emit the load. */
      int *volatile null = NULL;
      return *null;
    }
    if (tc_mode == TC_SPIN_READ) {
      for (volatile unsigned long i = 0;; i++)
        ;
    }
    if (tc_mode == TC_LEAK_READ) {
      /* Written to, so that it is resident; never freed, as a leak. */
      size_t size = 4 << 20;
      void **leak = malloc(size);
      if (leak != NULL) {
        memset(leak, 1, size);
        *leak = tc_leaked; /* kept in a list, so the stores must happen */
        tc_leaked = leak;
      }
    }
  }

  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = (gauge_t)tc_reads};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_crash", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  return plugin_dispatch_values(&vl);
}

static int tc_shutdown(void) {
  if (tc_listen_fd >= 0)
    close(tc_listen_fd);
  INFO("test_crash: shutdown");
  return 0;
}

void module_register(void) {
  plugin_register_complex_config("test_crash", tc_config);
  plugin_register_init("test_crash", tc_init);
  plugin_register_read("test_crash", tc_read);
  plugin_register_shutdown("test_crash", tc_shutdown);
}
