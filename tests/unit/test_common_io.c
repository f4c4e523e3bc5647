/* I/O helpers of utils/common: sread/swrite, files, directories, sockets. */
#include "collectd.h"

#include "stub_plugin_log.h"
#include "utils/common/common.h"

#include "check_main.h"
#include <check.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static char tmpdir[64];

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_common_io.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  ck_assert_int_eq(system(cmd), 0);
}

/* tmpdir + "/" + rel, in a static buffer. */
static const char *in_tmp(const char *rel) {
  static char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
  return path;
}

static bool is_dir(const char *rel) {
  struct stat st;
  return stat(in_tmp(rel), &st) == 0 && S_ISDIR(st.st_mode);
}

static void write_file(const char *rel, const char *content) {
  FILE *fh = fopen(in_tmp(rel), "w");
  ck_assert_ptr_nonnull(fh);
  fputs(content, fh);
  fclose(fh);
}

START_TEST(test_sread_swrite) {
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

  ck_assert_int_eq(swrite(sv[1], "hello world", 11), 0);
  char buf[16] = {0};
  ck_assert_int_eq(sread(sv[0], buf, 5), 0);
  ck_assert_str_eq(buf, "hello");
  ck_assert_int_eq(sread(sv[0], buf, 6), 0);
  ck_assert(memcmp(buf, " world", 6) == 0);

  /* End of file before `count` bytes is an error. */
  ck_assert_int_eq(swrite(sv[1], "abc", 3), 0);
  close(sv[1]);
  ck_assert_int_ne(sread(sv[0], buf, 5), 0);

  /* The peer is gone: swrite says so instead of raising SIGPIPE. */
  errno = 0;
  ck_assert_int_eq(swrite(sv[0], "x", 1), -1);
  ck_assert_int_eq(errno, ECONNRESET);
  close(sv[0]);

  ck_assert_int_eq(swrite(-1, "x", 1), EINVAL);
  ck_assert_int_eq(swrite(sv[0], "x", 1), EBADF); /* closed fd */
  ck_assert_int_ne(sread(-1, buf, 1), 0);
}
END_TEST

START_TEST(test_swrite_file_and_pipe) {
  make_tmpdir();
  int fd = open(in_tmp("out"), O_WRONLY | O_CREAT, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(swrite(fd, "file data", 9), 0); /* not a socket */
  close(fd);
  char buf[16];
  ck_assert_int_eq(read_text_file_contents(in_tmp("out"), buf, sizeof(buf)),
                   10);
  ck_assert_str_eq(buf, "file data");

  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(swrite(p[1], "pipe", 4), 0);
  ck_assert_int_eq(sread(p[0], buf, 4), 0);
  ck_assert(memcmp(buf, "pipe", 4) == 0);
  close(p[0]);
  close(p[1]);
  remove_tmpdir();
}
END_TEST

START_TEST(test_check_create_dir) {
  make_tmpdir();

  /* Without a trailing slash the last component is a file name. */
  ck_assert_int_eq(check_create_dir(in_tmp("a/b/file")), 0);
  ck_assert(is_dir("a/b"));
  ck_assert(!is_dir("a/b/file"));
  ck_assert_int_eq(check_create_dir(in_tmp("c/d/")), 0);
  ck_assert(is_dir("c/d"));
  ck_assert_int_eq(check_create_dir(in_tmp("c/d/")), 0); /* exists: fine */
  ck_assert_int_eq(check_create_dir(in_tmp("e//f/")), 0);
  ck_assert(is_dir("e/f"));

  /* Dot components are refused, a dot file name is not. */
  ck_assert_int_eq(check_create_dir(in_tmp(".x/y")), -2);
  ck_assert_int_eq(check_create_dir(in_tmp("../y/z")), -2);
  ck_assert(!is_dir(".x"));
  ck_assert_int_eq(check_create_dir(in_tmp("g/.file")), 0);
  ck_assert(is_dir("g"));

  write_file("plain", "x");
  ck_assert_int_eq(check_create_dir(in_tmp("plain/x")), -1);

  ck_assert_int_eq(check_create_dir("file"), 0); /* nothing to create */
  ck_assert_int_eq(check_create_dir(""), -1);
  ck_assert_int_eq(check_create_dir(NULL), -1);

  char *long_path = malloc(PATH_MAX + 10);
  memset(long_path, 'a', PATH_MAX + 9);
  long_path[PATH_MAX + 9] = '\0';
  ck_assert_int_eq(check_create_dir(long_path), -1);
  free(long_path);

  remove_tmpdir();
}
END_TEST

static int count_named(const char *dir, const char *file, void *ud) {
  (void)dir;
  const char *want = ((const char **)ud)[0];
  int *calls = (int *)((void **)ud)[1];
  (*calls)++;
  return strcmp(file, want) == 0 ? 0 : -1;
}

static int walk(const char *dir, const char *want, int hidden, int *calls) {
  *calls = 0;
  void *ud[2] = {(void *)want, calls};
  return walk_directory(dir, count_named, ud, hidden);
}

START_TEST(test_walk_directory) {
  make_tmpdir();
  write_file("a", "");
  write_file("b", "");
  write_file(".h", "");
  int calls;

  /* It fails only when every callback failed. */
  ck_assert_int_eq(walk(tmpdir, "a", 0, &calls), 0);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(walk(tmpdir, "zz", 0, &calls), -1);
  ck_assert_int_eq(walk(tmpdir, ".h", 0, &calls), -1);
  ck_assert_int_eq(walk(tmpdir, ".h", 1, &calls), 0);
  ck_assert_int_eq(calls, 3);
  ck_assert_int_eq(walk(in_tmp("missing"), "a", 0, &calls), -1);
  ck_assert_int_eq(calls, 0);

  ck_assert_int_eq(mkdir(in_tmp("empty"), 0700), 0);
  ck_assert_int_eq(walk(in_tmp("empty"), "a", 0, &calls), 0);
  remove_tmpdir();
}
END_TEST

START_TEST(test_read_file_contents) {
  make_tmpdir();
  write_file("tf", "hello");
  char buf[16];

  memset(buf, 'x', sizeof(buf));
  ck_assert_int_eq(read_file_contents(in_tmp("tf"), buf, sizeof(buf)), 5);
  ck_assert(memcmp(buf, "hellox", 6) == 0); /* no terminator added */
  ck_assert_int_eq(read_file_contents(in_tmp("tf"), buf, 3), 3);

  /* The text variant terminates and counts the terminator. */
  ck_assert_int_eq(read_text_file_contents(in_tmp("tf"), buf, sizeof(buf)),
                   6);
  ck_assert_str_eq(buf, "hello");
  ck_assert_int_eq(read_text_file_contents(in_tmp("tf"), buf, 3), 3);
  ck_assert_str_eq(buf, "he");
  ck_assert_int_eq(read_text_file_contents(in_tmp("tf"), buf, 0), -1);

  stub_log_reset();
  ck_assert_int_eq(read_file_contents(in_tmp("none"), buf, 3), -1);
  ck_assert_int_eq(read_text_file_contents(in_tmp("none"), buf, 3), -1);
  ck_assert_int_eq(stub_log_count, 0); /* silent, as in 5.12 */

  /* parse_value_file() reads the first line only. */
  write_file("vf", " 42 \nxx\n");
  value_t v;
  ck_assert_int_eq(parse_value_file(in_tmp("vf"), &v, DS_TYPE_DERIVE), 0);
  ck_assert_int_eq(v.derive, 42);
  write_file("gf", "0.5\n");
  ck_assert_int_eq(parse_value_file(in_tmp("gf"), &v, DS_TYPE_GAUGE), 0);
  ck_assert_double_eq(v.gauge, 0.5);
  write_file("empty", "");
  ck_assert_int_ne(parse_value_file(in_tmp("empty"), &v, DS_TYPE_GAUGE), 0);
  ck_assert_int_ne(parse_value_file(in_tmp("none"), &v, DS_TYPE_GAUGE), 0);
  remove_tmpdir();
}
END_TEST

static int get_int_opt(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof(value);
  ck_assert_int_eq(getsockopt(fd, level, name, &value, &len), 0);
  return value;
}

START_TEST(test_set_sock_opts) {
  stub_interval = TIME_T_TO_CDTIME_T(10);
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(tcp, 0);
  set_sock_opts(tcp);
  ck_assert_int_ne(get_int_opt(tcp, SOL_SOCKET, SO_KEEPALIVE), 0);
  /* Ten intervals idle, one interval between probes. */
  ck_assert_int_eq(get_int_opt(tcp, IPPROTO_TCP, TCP_KEEPIDLE), 100);
  ck_assert_int_eq(get_int_opt(tcp, IPPROTO_TCP, TCP_KEEPINTVL), 10);
  close(tcp);

  stub_interval = MS_TO_CDTIME_T(1500);
  tcp = socket(AF_INET, SOCK_STREAM, 0);
  set_sock_opts(tcp);
  ck_assert_int_eq(get_int_opt(tcp, IPPROTO_TCP, TCP_KEEPIDLE), 15);
  ck_assert_int_eq(get_int_opt(tcp, IPPROTO_TCP, TCP_KEEPINTVL), 2);
  close(tcp);
  stub_interval = TIME_T_TO_CDTIME_T(10);

  /* Datagram sockets are left alone. */
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  set_sock_opts(udp);
  ck_assert_int_eq(get_int_opt(udp, SOL_SOCKET, SO_KEEPALIVE), 0);
  close(udp);
}
END_TEST

START_TEST(test_service_and_capability) {
  ck_assert_int_eq(service_name_to_port_number("80"), 80);
  ck_assert_int_eq(service_name_to_port_number("65535"), 65535);
  ck_assert_int_eq(service_name_to_port_number("0"), -1);
  ck_assert_int_eq(service_name_to_port_number(NULL), -1);
  ck_assert_int_eq(service_name_to_port_number("no-such-service-name"), -1);

  ck_assert_int_lt(check_capability(-1), 0);
  ck_assert_int_lt(check_capability(999), 0);
  /* Whatever we run as, the answer agrees with /proc. */
  int want = (geteuid() == 0) ? 0 : -1;
  FILE *fh = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long long eff = 0;
  while (fh != NULL && fgets(line, sizeof(line), fh) != NULL)
    if (sscanf(line, "CapEff: %llx", &eff) == 1)
      want = (eff & (1ULL << CAP_NET_RAW)) ? 0 : -1;
  if (fh != NULL)
    fclose(fh);
  ck_assert_int_eq(check_capability(CAP_NET_RAW), want);
}
END_TEST

static Suite *io_suite(void) {
  Suite *s = suite_create("common_io");
  TCase *tc = tcase_create("io");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_sread_swrite);
  tcase_add_test(tc, test_swrite_file_and_pipe);
  tcase_add_test(tc, test_check_create_dir);
  tcase_add_test(tc, test_walk_directory);
  tcase_add_test(tc, test_read_file_contents);
  tcase_add_test(tc, test_set_sock_opts);
  tcase_add_test(tc, test_service_and_capability);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return check_main_run(io_suite());
}
