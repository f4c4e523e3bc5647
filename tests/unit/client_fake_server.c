/* The scripted control-socket server of the client tests. */
#include "client_fake_server.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads up to and including the next '\n' into fs->received; 0 at the end
 * of the connection. */
static int read_line(fake_server_t *fs) {
  size_t start = fs->received_len;
  for (;;) {
    char c;
    ssize_t n = read(fs->fd, &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return 0;
    if (fs->received_len + 1 < sizeof(fs->received)) {
      fs->received[fs->received_len++] = c;
      fs->received[fs->received_len] = '\0';
    }
    if (c == '\n')
      return fs->received_len > start;
  }
}

static void write_all(int fd, const char *s, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return; /* the client went away; its test checks what it saw */
    s += n;
    len -= (size_t)n;
  }
}

static void *serve(void *arg) {
  fake_server_t *fs = arg;
  for (size_t i = 0; fs->replies[i] != NULL; i++) {
    if (!read_line(fs))
      break;
    fs->lines_received++;
    const char *r = fs->replies[i];
    if (fs->trickle)
      for (size_t j = 0; r[j] != '\0'; j++)
        write_all(fs->fd, r + j, 1);
    else
      write_all(fs->fd, r, strlen(r));
  }
  close(fs->fd);
  return NULL;
}

void fake_server_start_fd(fake_server_t *fs, int fd) {
  fs->fd = fd;
  fs->received[0] = '\0';
  fs->received_len = 0;
  fs->lines_received = 0;
  ck_assert_int_eq(pthread_create(&fs->thread, NULL, serve, fs), 0);
}

void fake_server_start(fake_server_t *fs, int *client_fd) {
  int sv[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  *client_fd = sv[0];
  fake_server_start_fd(fs, sv[1]);
}

void fake_server_join(fake_server_t *fs) {
  ck_assert_int_eq(pthread_join(fs->thread, NULL), 0);
}
