/* The unixsock plugin loaded, used and shut down again and again in one
 * process, the way runtime unloading will do it: the object is opened
 * through the core's lifecycle path, clients connect (one idle, one in the
 * middle of a line, one that never reads its replies), and the shutdown
 * must stop every thread it started, remove the socket and close the
 * object, so that the next load starts from scratch. Under valgrind this
 * also shows that nothing is left behind. */
#include "cmds_fixture.h"

#include "liboconfig/oconfig.h"
#include "plugin_dynamic.h"
#include "threads_now.h"

#include <fcntl.h>
#include <sys/un.h>

/* UNIXSOCK_CYCLES overrides, e.g. 1000 for a long run under valgrind
 * (with CK_FORK=no, or CK_TIMEOUT_MULTIPLIER=30). */
static int cycles(void) {
  const char *env = getenv("UNIXSOCK_CYCLES");
  return (env != NULL && atoi(env) > 0) ? atoi(env) : 20;
}

static char sock_path[108];

static int client(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_int_ge(fd, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  sstrncpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  struct timeval tv = {.tv_sec = 10};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

static void exchange(int fd, const char *request, const char *expected) {
  ck_assert_int_eq(send(fd, request, strlen(request), MSG_NOSIGNAL),
                   (ssize_t)strlen(request));
  char buf[256] = "";
  size_t got = 0, want = strlen(expected);
  while (got < want) {
    ssize_t n = recv(fd, buf + got, want - got, 0);
    ck_assert_int_gt(n, 0);
    got += (size_t)n;
  }
  ck_assert_str_eq(buf, expected);
}

static int load(void) {
  char text[256];
  snprintf(text, sizeof(text),
           "<Plugin unixsock>\n  SocketFile \"%s\"\n  SocketPerms \"0600\"\n"
           "</Plugin>\n",
           sock_path);
  oconfig_item_t *root = NULL;
  char err[256];
  ck_assert_int_eq(oconfig_parse_string(text, "test", &root, err, sizeof(err)),
                   0);
  ck_assert_int_eq(root->children_num, 1);
  oconfig_item_t *block = root->children;

  const char *builddir = getenv("top_builddir");
  char dir[PATH_MAX];
  snprintf(dir, sizeof(dir), "%s/.libs", builddir ? builddir : ".");
  plugin_set_dir(dir);

  plugin_conf_t conf = {.name = "unixsock", .blocks = &block, .blocks_num = 1};
  int status = plugin_dynamic_load(&conf, err, sizeof(err));
  ck_assert_msg(status == 0, "load failed: %s", err);
  oconfig_free(root);
  return status;
}

START_TEST(test_cycles) {
  snprintf(sock_path, sizeof(sock_path), "/tmp/test_unixsock.%d",
           (int)getpid());
  unlink(sock_path);
  int threads_before = threads_now();

  int num = cycles();
  for (int cycle = 0; cycle < num; cycle++) {
    load();
    struct stat st;
    ck_assert_int_eq(lstat(sock_path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_eq(st.st_mode & 07777, 0600);

    int a = client();
    char put[128], want[128];
    snprintf(put, sizeof(put),
             "PUTVAL testhost/cycle/gauge-%d 1800000000:%d\nLISTVAL\n", cycle,
             cycle);
    snprintf(want, sizeof(want),
             "0 Success: 1 value has been dispatched.\n%d Value%s found\n",
             cycle + 1, cycle == 0 ? "" : "s");
    exchange(a, put, want);

    /* Each client is served (accepted) before the shutdown: one that is
     * still in the backlog when the socket closes just gets a reset. */
    const char *flush = "FLUSH plugin=none\n";
    const char *done = "0 Done: 1 successful, 0 errors\n";
    int idle = client();
    exchange(idle, flush, done);
    int mid = client();
    exchange(mid, flush, done);
    ck_assert_int_gt(send(mid, "PUTVAL testhost/x/gau", 21, MSG_NOSIGNAL), 0);
    int lazy = client();
    fcntl(lazy, F_SETFL, O_NONBLOCK);
    char junk[8192];
    for (size_t i = 0; i + 8 <= sizeof(junk); i += 8)
      memcpy(junk + i, "LISTVAL\n", 8);
    for (int i = 0; i < 200; i++)
      if (send(lazy, junk, sizeof(junk), MSG_NOSIGNAL) < 0)
        break;
    ck_assert_int_gt(threads_now(), threads_before);

    ck_assert_int_eq(plugin_dynamic_shutdown_all(NULL), 0);

    /* Everything the plugin started is gone, and so is its socket. */
    ck_assert_int_eq(threads_now(), threads_before);
    ck_assert_int_eq(lstat(sock_path, &st), -1);
    char c;
    ck_assert_int_eq(recv(idle, &c, 1, 0), 0); /* the end of the stream */
    ck_assert_int_eq(recv(mid, &c, 1, 0), 0);
    close(a);
    close(idle);
    close(mid);
    close(lazy);

    /* The partial line was not run at shutdown. */
    value_t *v = NULL;
    size_t num = 0;
    ck_assert_int_ne(uc_get_value_by_name("testhost/x/gau", &v, &num), 0);
  }
}
END_TEST

START_TEST(test_failed_init_leaves_nothing) {
  /* A path that is not a socket: init fails, and leaves no thread. */
  snprintf(sock_path, sizeof(sock_path), "/tmp/test_unixsock.%d",
           (int)getpid());
  FILE *fh = fopen(sock_path, "w");
  ck_assert_ptr_nonnull(fh);
  fclose(fh);
  int threads_before = threads_now();

  char text[256], err[256];
  snprintf(text, sizeof(text),
           "<Plugin unixsock>\n  SocketFile \"%s\"\n  DeleteSocket true\n"
           "</Plugin>\n",
           sock_path);
  oconfig_item_t *root = NULL;
  ck_assert_int_eq(oconfig_parse_string(text, "test", &root, err, sizeof(err)),
                   0);
  oconfig_item_t *block = root->children;
  const char *builddir = getenv("top_builddir");
  char dir[PATH_MAX];
  snprintf(dir, sizeof(dir), "%s/.libs", builddir ? builddir : ".");
  plugin_set_dir(dir);
  plugin_conf_t conf = {.name = "unixsock", .blocks = &block, .blocks_num = 1};
  ck_assert_int_lt(plugin_dynamic_load(&conf, err, sizeof(err)), 0);
  ck_assert_ptr_nonnull(strstr(err, "unixsock: init"));
  oconfig_free(root);

  ck_assert_int_eq(threads_now(), threads_before);
  struct stat st;
  ck_assert_int_eq(lstat(sock_path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  plugin_dynamic_shutdown_all(NULL);
  unlink(sock_path);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unixsock_cycles");
  TCase *tc = test_cmds_tcase("cycles");
  tcase_set_timeout(tc, 120); /* CK_TIMEOUT_MULTIPLIER for long runs */
  tcase_add_test(tc, test_cycles);
  tcase_add_test(tc, test_failed_init_leaves_nothing);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
