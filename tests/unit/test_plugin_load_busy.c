/* plugin_load(), which a plugin may call to load another plugin, is
 * serialized with the control socket's LOAD, UNLOAD and RELOAD like a LOAD
 * of its own: while a command holds the plugin's name, plugin_load() of
 * that name returns -EBUSY instead of acting on a plugin that is half
 * loaded (or half unloaded).
 *
 * A LOAD of test_slow_init runs in a thread of the test and stays in the
 * plugin's init until the test creates the release file; meanwhile the
 * test calls plugin_load() of the same name. Built like
 * test_unload_cycles, from the core's sources, exporting them to the
 * plugin it loads. */
#include "configfile_internal.h"
#include "plugin_control.h"
#include "plugin_dynamic.h"
#include "types_list.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>

static char dir[] = "/tmp/test_plugin_load_busy.XXXXXX";
static char conf_path[PATH_MAX];
static char plugins_path[PATH_MAX];
static char link_path[PATH_MAX];
static char init_marker[PATH_MAX];
static char release_file[PATH_MAX];

/* The daemon starts with the global options only; then the plugin's
 * block is added, as one does before a LOAD. */
static void write_config(bool with_plugin) {
  const char *src = getenv("top_srcdir");
  FILE *fh = fopen(conf_path, "w");
  ck_assert_ptr_nonnull(fh);
  fprintf(fh,
          "Hostname \"busy\"\n"
          "BaseDir \"%s\"\n"
          "PluginDir \"%s\"\n"
          "TypesDB \"%s/src/types.db\"\n"
          "UnloadTimeout 30\n",
          dir, plugins_path, src ? src : ".");
  /* InitSeconds only bounds a test that fails to release the init. */
  if (with_plugin)
    fprintf(fh,
            "LoadPlugin test_slow_init\n"
            "<Plugin test_slow_init>\n"
            "  InitSeconds 300\n"
            "  InitMarker \"%s\"\n"
            "  ReleaseFile \"%s\"\n"
            "</Plugin>\n",
            init_marker, release_file);
  fclose(fh);
}

static int load_status;
static char load_msg[1024];

static void *loader(void *arg) {
  load_status = plugin_control_load("test_slow_init", load_msg,
                                    sizeof(load_msg));
  return NULL;
}

/* Polls (10 ms) for `path`, for at most `seconds`. */
static bool appears(const char *path, int seconds) {
  for (int i = 0; i < seconds * 100; i++) {
    if (access(path, F_OK) == 0)
      return true;
    const struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return access(path, F_OK) == 0;
}

static void touch(const char *path) {
  FILE *fh = fopen(path, "w");
  ck_assert_ptr_nonnull(fh);
  fclose(fh);
}

START_TEST(test_load_during_load) {
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(conf_path, sizeof(conf_path), "%s/collectd.conf", dir);
  snprintf(plugins_path, sizeof(plugins_path), "%s/plugins", dir);
  snprintf(link_path, sizeof(link_path), "%s/test_slow_init.so",
           plugins_path);
  snprintf(init_marker, sizeof(init_marker), "%s/init_started", dir);
  snprintf(release_file, sizeof(release_file), "%s/release", dir);
  ck_assert_int_eq(mkdir(plugins_path, 0700), 0);
  const char *top = getenv("top_builddir");
  char target[PATH_MAX];
  snprintf(target, sizeof(target), "%s/tests/plugins/.libs/test_slow_init.so",
           top ? top : ".");
  char *abs = realpath(target, NULL);
  ck_assert_msg(abs != NULL, "%s is not built", target);
  ck_assert_int_eq(symlink(abs, link_path), 0);
  free(abs);

  plugin_init_ctx();
  write_config(false);
  ck_assert_int_eq(cf_read(conf_path), 0);
  write_config(true);

  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, loader, NULL), 0);
  bool in_init = appears(init_marker, 120);
  int status = -1;
  if (in_init) /* the LOAD holds the name and is in the plugin's init */
    status = plugin_load("test_slow_init", false);
  touch(release_file);
  pthread_join(t, NULL);

  ck_assert_msg(in_init, "the LOAD never reached test_slow_init's init");
  ck_assert_msg(status == -EBUSY,
                "plugin_load() during a LOAD of the same plugin returned "
                "%d, not -EBUSY (%d)",
                status, -EBUSY);
  ck_assert_msg(load_status == 0, "LOAD: %d %s", load_status, load_msg);

  /* Once nothing holds the name, a plugin loaded already is success, as
   * in collectd. */
  ck_assert_int_eq(plugin_load("test_slow_init", false), 0);
  char msg[1024];
  status = plugin_control_unload("test_slow_init", msg, sizeof(msg));
  ck_assert_msg(status == 0, "UNLOAD: %d %s", status, msg);

  plugin_dynamic_shutdown_all(NULL);
  types_destroy_all();
  cf_free();
  unlink(init_marker);
  unlink(release_file);
  unlink(link_path);
  unlink(conf_path);
  rmdir(plugins_path);
  rmdir(dir);
}
END_TEST

int main(void) {
  Suite *s = suite_create("plugin_load_busy");
  TCase *tc = tcase_create("busy");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_load_during_load);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
