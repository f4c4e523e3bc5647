/* test_thread_stuck: a plugin that breaks its unloadable promise. Init
 * starts a thread (plugin_thread_create, named "test_thread_stuck") that
 * sleeps 50 ms at a time forever; shutdown returns 0 without stopping it.
 * The core must notice the thread still running and refuse to close the
 * object, whose code that thread is executing. No options.
 *
 * The thread is neither joined nor detached: whatever the core uses to
 * tell that it still runs must keep working on it. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "test_sleep.h"

static pthread_t tts_thread;
static bool tts_started;

static void *tts_main(void *arg) {
  for (;;)
    test_sleep(MS_TO_CDTIME_T(50));
  return NULL;
}

static int tts_init(void) {
  if (tts_started)
    return 0;

  int status =
      plugin_thread_create(&tts_thread, tts_main, NULL, "test_thread_stuck");
  if (status != 0) {
    ERROR("test_thread_stuck: cannot start the thread: %s", STRERROR(status));
    return -status;
  }
  tts_started = true;
  return 0;
}

/* The lie: claims success and leaves the thread running. */
static int tts_shutdown(void) {
  INFO("test_thread_stuck: shutdown leaves its thread running");
  return 0;
}

void module_register(void) {
  plugin_register_unloadable("test_thread_stuck");
  plugin_register_init("test_thread_stuck", tts_init);
  plugin_register_shutdown("test_thread_stuck", tts_shutdown);
}
