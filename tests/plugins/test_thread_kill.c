/* test_thread_kill: a plugin whose thread blocks in a system call with no
 * timeout, and whose shutdown breaks it out with pthread_kill(thread,
 * SIGTERM), as collectd 5.12's statsd and network plugins do. The signal
 * must interrupt the call (EINTR) and must not stop the daemon.
 *
 * The thread dispatches test_thread_kill/gauge = 1 once it blocks, so
 * that a test knows it is in the call. No options. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <poll.h>
#include <stdatomic.h>
#include <signal.h>

static pthread_t ttk_thread;
static bool ttk_running;
static _Atomic bool ttk_stop;
static int ttk_pipe[2] = {-1, -1}; /* nobody ever writes to it */

static void *ttk_main(void *arg) {
  (void)arg;
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = 1};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "test_thread_kill", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  plugin_dispatch_values(&vl);

  while (!atomic_load(&ttk_stop)) {
    struct pollfd fd = {.fd = ttk_pipe[0], .events = POLLIN};
    int status = poll(&fd, 1, -1);
    if (status < 0 && errno == EINTR)
      INFO("test_thread_kill: poll() interrupted");
  }
  return NULL;
}

static int ttk_init(void) {
  if (pipe(ttk_pipe) != 0)
    return -errno;
  atomic_store(&ttk_stop, false);
  int status = plugin_thread_create(&ttk_thread, ttk_main, NULL,
                                    "test_thread_kill");
  if (status != 0)
    return -status;
  ttk_running = true;
  return 0;
}

static int ttk_shutdown(void) {
  if (ttk_running) {
    atomic_store(&ttk_stop, true);
    pthread_kill(ttk_thread, SIGTERM);
    pthread_join(ttk_thread, NULL);
    ttk_running = false;
  }
  for (int i = 0; i < 2; i++) {
    if (ttk_pipe[i] >= 0)
      close(ttk_pipe[i]);
    ttk_pipe[i] = -1;
  }
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_thread_kill");
  plugin_register_init("test_thread_kill", ttk_init);
  plugin_register_shutdown("test_thread_kill", ttk_shutdown);
}
