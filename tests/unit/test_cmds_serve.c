/* One connection served by cmd_serve_fd(): pipelining, line ends, NUL
 * bytes, over-long lines, the end of the stream, a client that does not
 * read. The client side is the other end of a socketpair. */
#include "cmds_fixture.h"

#include <fcntl.h>
#include <sys/socket.h>

typedef struct {
  int fd;
  cmd_options_t opts;
  atomic_bool stopping;
  atomic_bool done;
  int status;
  cmd_serve_stats_t stats;
  pthread_t thread;
} server_t;

static void *serve_main(void *arg) {
  server_t *s = arg;
  s->status = cmd_serve_fd(s->fd, &s->opts, &s->stopping, &s->stats);
  atomic_store(&s->done, true);
  return NULL;
}

/* Starts a server on one end with `opts`; returns the client's end. */
static int start_with(server_t *s, cmd_options_t opts) {
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  s->fd = sv[0];
  s->opts = opts;
  atomic_init(&s->stopping, false);
  atomic_init(&s->done, false);
  s->status = 1;
  ck_assert_int_eq(pthread_create(&s->thread, NULL, serve_main, s), 0);
  return sv[1];
}

static int start(server_t *s) { return start_with(s, (cmd_options_t){0}); }

static int finish(server_t *s, int client) {
  close(client);
  pthread_join(s->thread, NULL);
  close(s->fd);
  return s->status;
}

static void send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    ck_assert_int_gt(n, 0);
    data += n;
    len -= (size_t)n;
  }
}

/* Reads until `len` bytes came (or the stream ends); returns them. */
static char *receive(int fd, size_t len) {
  char *buf = calloc(1, len + 1);
  size_t got = 0;
  while (got < len) {
    ssize_t n = recv(fd, buf + got, len - got, 0);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  return buf;
}

#define ck_exchange(client, request, request_len, expected)                    \
  do {                                                                         \
    send_all(client, request, request_len);                                    \
    char *ck__got = receive(client, strlen(expected));                         \
    ck_assert_str_eq(ck__got, expected);                                       \
    free(ck__got);                                                             \
  } while (0)

START_TEST(test_pipelining_and_line_ends) {
  server_t s;
  int c = start(&s);
  const char req[] = "LISTVAL\nFOO\r\n\nLISTVAL\r\n  \n";
  ck_exchange(c, req, sizeof(req) - 1,
              "0 Values found\n-1 Unknown command: FOO\n0 Values found\n"
              "-1 Missing command.\n");
  /* A NUL ends the command where it stands; binary bytes are echoed. */
  const char nul[] = "LIST\0VAL\n\0junk\n\x01\x02\xff\n";
  ck_exchange(c, nul, sizeof(nul) - 1,
              "-1 Unknown command: LIST\n-1 Unknown command: \x01\x02\xff\n");
  ck_assert_int_eq(finish(&s, c), 0);
}
END_TEST

START_TEST(test_long_lines) {
  server_t s;
  int c = start(&s);

  /* The longest line is run (and its message cut as 5.12 cuts it). */
  size_t len = CMD_LINE_MAX;
  char *line = malloc(len + 1);
  memcpy(line, "GETVAL ", 7);
  memset(line + 7, 'x', len - 7);
  line[len] = '\n';
  char expected[CMD_MESSAGE_MAX + 8];
  snprintf(expected, sizeof(expected), "-1 Cannot parse identifier `%.*s",
           (int)(len - 7), line + 7);
  expected[3 + CMD_MESSAGE_MAX] = '\n';
  expected[4 + CMD_MESSAGE_MAX] = '\0';
  ck_exchange(c, line, len + 1, expected);
  free(line);

  /* One byte more gets one error, and the connection goes on. */
  char too_long[64];
  snprintf(too_long, sizeof(too_long),
           "-1 Line too long: a command has at most %d bytes.\n", CMD_LINE_MAX);
  line = malloc(len + 2);
  memset(line, 'x', len + 1);
  line[len + 1] = '\n';
  char want[160];
  snprintf(want, sizeof(want), "%s0 Values found\n", too_long);
  send_all(c, line, len + 2);
  ck_exchange(c, "LISTVAL\n", 8, want);
  free(line);

  /* A megabyte without a line end, then more commands. */
  size_t big = 1 << 20;
  line = malloc(big);
  memset(line, 'y', big);
  send_all(c, line, big);
  ck_exchange(c, "\nLISTVAL\n", 9, want);
  free(line);

  ck_assert_int_eq(finish(&s, c), 0);
}
END_TEST

START_TEST(test_end_of_stream) {
  /* An unterminated last line is run, as 5.12 does... */
  server_t s;
  int c = start(&s);
  send_all(c, "FOO\nLISTVAL", 11);
  shutdown(c, SHUT_WR);
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, 0);
  close(s.fd);
  char *got = receive(c, 100);
  ck_assert_str_eq(got, "-1 Unknown command: FOO\n0 Values found\n");
  free(got);
  close(c);

  /* ...unless the server is stopping. */
  c = start(&s);
  send_all(c, "FOO\nLISTVAL", 11);
  got = receive(c, strlen("-1 Unknown command: FOO\n"));
  atomic_store(&s.stopping, true);
  shutdown(c, SHUT_WR);
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, 0);
  free(got);
  close(s.fd);
  got = receive(c, 100);
  ck_assert_str_eq(got, "");
  free(got);
  close(c);
}
END_TEST

START_TEST(test_shutdown_wakes_the_reader) {
  server_t s;
  int c = start(&s);
  ck_exchange(c, "LISTVAL\n", 8, "0 Values found\n");
  atomic_store(&s.stopping, true);
  shutdown(s.fd, SHUT_RDWR); /* what the plugin does at unload */
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, 0);
  close(c);
  close(s.fd);
}
END_TEST

/* Writes `n` LISTVAL lines to `fd` from a thread of its own (they block
 * once the socket's buffers are full, as a client's would). */
typedef struct {
  int fd;
  int n;
  pthread_t thread;
} feeder_t;

static void *feed_main(void *arg) {
  feeder_t *f = arg;
  for (int i = 0; i < f->n; i++)
    if (send(f->fd, "LISTVAL\n", 8, MSG_NOSIGNAL) != 8)
      break;
  return NULL;
}

static void feed(feeder_t *f, int fd, int n) {
  *f = (feeder_t){.fd = fd, .n = n};
  ck_assert_int_eq(pthread_create(&f->thread, NULL, feed_main, f), 0);
}

/* Reads "0 Values found\n" replies until `n` came (or the stream ends);
 * returns how many did. */
static int read_replies(int fd, int n) {
  static const char reply[] = "0 Values found\n";
  size_t want = (size_t)n * (sizeof(reply) - 1), got = 0;
  char buf[4096];
  int count = 0;
  while (got < want) {
    ssize_t r = recv(fd, buf, MIN(sizeof(buf), want - got), 0);
    if (r <= 0)
      break;
    for (ssize_t i = 0; i < r; i++)
      count += buf[i] == '\n';
    got += (size_t)r;
  }
  return count;
}

START_TEST(test_client_that_reads_late) {
  /* Far more commands than the socket's buffers hold, and no reply read
   * until they are all written: the server stops reading while its
   * replies wait (the client's writes block), and runs them all once the
   * client reads. */
  server_t s;
  int c = start(&s);
  feeder_t f;
  enum { N = 100000 };
  feed(&f, c, N);
  /* The feeder blocks; the server (no stall timeout) waits with it. */
  for (int i = 0; i < 100 && !atomic_load(&s.done); i++)
    usleep(10000);
  ck_assert(!atomic_load(&s.done));
  ck_assert_int_eq(read_replies(c, N), N);
  pthread_join(f.thread, NULL);
  ck_assert_int_eq(finish(&s, c), 0);
  ck_assert_uint_eq(s.stats.run, N);
}
END_TEST

START_TEST(test_client_that_does_not_read) {
  /* Commands keep coming, replies are never read: once no reply byte has
   * gone out for the stall timeout, the server gives up, and counts the
   * lines it did not run. */
  server_t s;
  int c = start_with(&s, (cmd_options_t){.stall_timeout = MS_TO_CDTIME_T(200)});
  feeder_t f;
  enum { N = 100000 };
  feed(&f, c, N);
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, -ETIMEDOUT);
  ck_assert_uint_gt(s.stats.run, 0);
  ck_assert_uint_gt(s.stats.not_run, 0);
  ck_assert_uint_le(s.stats.run + s.stats.not_run, N);
  shutdown(c, SHUT_RDWR); /* the feeder, if still blocked, fails */
  pthread_join(f.thread, NULL);
  close(c);
  close(s.fd);
}
END_TEST

START_TEST(test_idle_client) {
  /* A client that sends nothing is closed after the idle timeout, also
   * after a command. */
  server_t s;
  int c = start_with(&s, (cmd_options_t){.idle_timeout = MS_TO_CDTIME_T(100)});
  ck_exchange(c, "LISTVAL\n", 8, "0 Values found\n");
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, -ETIME);
  ck_assert_uint_eq(s.stats.run, 1);
  close(c);
  close(s.fd);
}
END_TEST

START_TEST(test_client_gone) {
  /* A client that sends its commands in one go and leaves without
   * reading: every one of them is still run. (3,000 lines and their
   * replies, in few writes, fit in the socket's buffers.) */
  server_t s;
  int c = start(&s);
  enum { N = 3000 };
  char *lines = malloc(8 * N);
  for (int i = 0; i < N; i++)
    memcpy(lines + 8 * i, "LISTVAL\n", 8);
  send_all(c, lines, 8 * N);
  free(lines);
  close(c);
  pthread_join(s.thread, NULL);
  ck_assert_int_eq(s.status, 0);
  ck_assert_uint_eq(s.stats.run, N);
  ck_assert_uint_gt(s.stats.unread, 0);
  close(s.fd);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cmds_serve");
  TCase *tc = test_cmds_tcase("serve");
  tcase_add_test(tc, test_pipelining_and_line_ends);
  tcase_add_test(tc, test_long_lines);
  tcase_add_test(tc, test_end_of_stream);
  tcase_add_test(tc, test_shutdown_wakes_the_reader);
  tcase_add_test(tc, test_client_that_reads_late);
  tcase_add_test(tc, test_client_that_does_not_read);
  tcase_add_test(tc, test_idle_client);
  tcase_add_test(tc, test_client_gone);
  suite_add_tcase(s, tc);
  return check_main_run(s);
}
