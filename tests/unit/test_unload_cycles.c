/* LOAD and UNLOAD of unloadable plugins, over and over in one process,
 * through the calls the control socket makes (plugin_control_load and
 * plugin_control_unload, configuration read from a file), while the read
 * and write threads run, another thread keeps dispatching values and a
 * third cycles another plugin at the same time.
 *
 * Run by `make check` (a few dozen cycles), by `make check-valgrind` (1000
 * cycles: valgrind must find nothing definitely lost, in the plugins or in
 * the core) and by `make check-tsan` (built with ThreadSanitizer: no race).
 * UNLOAD_CYCLES overrides the number of cycles of the memory plugin. */
#include "configfile_internal.h"
#include "plugin_control.h"
#include "plugin_dynamic.h"
#include "types_list.h"
#include "utils/common/common.h"
#include "utils_cache.h"

#include "check_main.h"
#include "threads_now.h"
#include <check.h>
#include <pthread.h>

static char dir[] = "/tmp/test_unload_cycles.XXXXXX";
static char conf_path[PATH_MAX];
static char out_path[PATH_MAX];

static int cycles(int def) {
  const char *env = getenv("UNLOAD_CYCLES");
  return env != NULL && atoi(env) > 0 ? atoi(env) : def;
}

/* <dir>/plugins/<name>.so -> the built object. */
static void link_plugin(const char *subdir, const char *name) {
  const char *top = getenv("top_builddir");
  char target[PATH_MAX], link_path[PATH_MAX];
  snprintf(target, sizeof(target), "%s/%s/.libs/%s.so", top ? top : ".",
           subdir, name);
  char *abs = realpath(target, NULL);
  ck_assert_msg(abs != NULL, "%s is not built", target);
  snprintf(link_path, sizeof(link_path), "%s/plugins/%s.so", dir, name);
  ck_assert_int_eq(symlink(abs, link_path), 0);
  free(abs);
}

/* The daemon starts with the global options only; then the operator adds
 * the plugins to the file, as one does before a LOAD. */
static void write_config(bool with_plugins) {
  const char *src = getenv("top_srcdir");
  snprintf(conf_path, sizeof(conf_path), "%s/collectd.conf", dir);
  snprintf(out_path, sizeof(out_path), "%s/written", dir);
  FILE *fh = fopen(conf_path, "w");
  ck_assert_ptr_nonnull(fh);
  fprintf(fh,
          "Hostname \"cycles\"\n"
          "BaseDir \"%s\"\n"
          "PluginDir \"%s/plugins\"\n"
          "TypesDB \"%s/src/types.db\"\n"
          "Interval 0.01\n"
          "UnloadTimeout 30\n",
          dir, dir, src ? src : ".");
  if (with_plugins)
    fprintf(fh,
            "<LoadPlugin memory>\n  Interval 0.002\n</LoadPlugin>\n"
            "LoadPlugin test_thread\n"
            "LoadPlugin test_slow_write\n"
            "<Plugin test_slow_write>\n  File \"%s\"\n</Plugin>\n",
            out_path);
  fclose(fh);
}

/* Keeps values flowing into the write queue while plugins come and go. */
static atomic_bool dispatching;

static void *dispatcher(void *arg) {
  value_list_t vl = VALUE_LIST_INIT;
  value_t v;
  vl.values = &v;
  vl.values_len = 1;
  sstrncpy(vl.plugin, "cycles", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  for (long i = 0; atomic_load(&dispatching); i++) {
    v.gauge = (gauge_t)i;
    vl.time = 0;
    plugin_dispatch_values(&vl);
    const struct timespec pause = {.tv_nsec = 100 * 1000};
    nanosleep(&pause, NULL);
  }
  return NULL;
}

/* One value from this thread, dispatched only while the slow writer is
 * ready: the unload that follows must deliver it first. */
static void dispatch_marker(void) {
  value_t v = {.gauge = -1};
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &v;
  vl.values_len = 1;
  sstrncpy(vl.plugin, "marker", sizeof(vl.plugin));
  sstrncpy(vl.type, "gauge", sizeof(vl.type));
  ck_assert_int_eq(plugin_dispatch_values(&vl), 0);
}

static void cycle(const char *name, bool marker) {
  char msg[1024];
  int status = plugin_control_load(name, msg, sizeof(msg));
  ck_assert_msg(status == 0, "LOAD %s: %d %s", name, status, msg);
  ck_assert_msg(strstr(msg, "ready") != NULL, "LOAD %s: %s", name, msg);
  if (marker)
    dispatch_marker();
  status = plugin_control_unload(name, msg, sizeof(msg));
  ck_assert_msg(status == 0, "UNLOAD %s: %d %s", name, status, msg);
}

/* Another client cycling another plugin at the same time: lifecycle
 * commands for different plugins run concurrently. Check's assertions
 * belong to the test's own thread, so this one only counts. */
static atomic_bool cycling;
static int concurrent_cycles, concurrent_failures;
static char concurrent_error[1024];

static void *cycler(void *arg) {
  const char *name = arg;
  while (atomic_load(&cycling)) {
    char msg[1024];
    int status = plugin_control_load(name, msg, sizeof(msg));
    if (status == 0)
      status = plugin_control_unload(name, msg, sizeof(msg));
    if (status != 0 && concurrent_failures++ == 0)
      sstrncpy(concurrent_error, msg, sizeof(concurrent_error));
    concurrent_cycles++;
  }
  return NULL;
}

START_TEST(test_cycles) {
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char plugins[PATH_MAX];
  snprintf(plugins, sizeof(plugins), "%s/plugins", dir);
  ck_assert_int_eq(mkdir(plugins, 0700), 0);
  link_plugin("", "memory");
  link_plugin("tests/plugins", "test_thread");
  link_plugin("tests/plugins", "test_slow_write");
  write_config(false);

  plugin_init_ctx();
  ck_assert_int_eq(cf_read(conf_path), 0);
  write_config(true);
  uc_init();
  ck_assert_int_eq(plugin__write_start(2), 0);
  ck_assert_int_eq(plugin__read_start(2), 0);
  int threads_before = threads_now();

  atomic_store(&dispatching, true);
  pthread_t t, c;
  ck_assert_int_eq(pthread_create(&t, NULL, dispatcher, NULL), 0);
  atomic_store(&cycling, true);
  ck_assert_int_eq(pthread_create(&c, NULL, cycler, "test_thread"), 0);

  int n = cycles(50);
  for (int i = 0; i < n; i++) {
    cycle("memory", false);
    /* The slow writer less often: each of its cycles opens a file. */
    if (i % 10 == 0)
      cycle("test_slow_write", true);
  }
  atomic_store(&cycling, false);
  pthread_join(c, NULL);
  atomic_store(&dispatching, false);
  pthread_join(t, NULL);
  ck_assert_msg(concurrent_failures == 0, "%d of %d test_thread cycles "
                                          "failed, the first with: %s",
                concurrent_failures, concurrent_cycles, concurrent_error);
  ck_assert_int_gt(concurrent_cycles, 0);

  /* Nothing is left loaded, and no thread of a plugin is left running. */
  plugin_info_t *info = NULL;
  size_t num = 0;
  ck_assert_int_eq(plugin_control_list(&info, &num), 0);
  ck_assert_uint_eq(num, 0);
  free(info);
  ck_assert_int_eq(threads_now(), threads_before);

  /* Each time it was loaded, the slow writer got the marker value queued
   * before its unload. */
  FILE *fh = fopen(out_path, "r");
  ck_assert_ptr_nonnull(fh);
  char line[256];
  int markers = 0;
  while (fgets(line, sizeof(line), fh) != NULL)
    markers += strncmp(line, "marker/gauge ", 13) == 0;
  fclose(fh);
  ck_assert_int_eq(markers, (n + 9) / 10);

  plugin__read_stop();
  plugin__write_stop(CDTIME_ONE_SECOND);
  plugin_dynamic_shutdown_all(NULL);
  uc_shutdown();
  types_destroy_all();
  cf_free();

  unlink(out_path);
  unlink(conf_path);
  const char *names[] = {"memory", "test_thread", "test_slow_write"};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(names); i++) {
    char link_path[PATH_MAX];
    snprintf(link_path, sizeof(link_path), "%s/%s.so", plugins, names[i]);
    unlink(link_path);
  }
  rmdir(plugins);
  rmdir(dir);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unload_cycles");
  TCase *tc = tcase_create("cycles");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_cycles);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
