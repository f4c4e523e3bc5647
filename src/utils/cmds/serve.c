/* One connection: read lines, run each, write the replies.
 *
 * Lines end in "\n" (a "\r" before it is dropped); a NUL byte ends the
 * command where it stands, as in 5.12. Replies to pipelined commands are
 * sent together, when no complete line is left to run, so a client that
 * writes a thousand PUTVALs in one go gets them in few writes.
 *
 * Nothing a client sent is lost for want of reading: every complete line
 * is run, also when the client has closed its end without reading the
 * replies (they are dropped, and the commands that do nothing but answer
 * are not run). A client that writes more but reads nothing
 * is throttled, not cut off: while its replies wait, nothing more is read
 * from it, so its own writes block once the socket's buffers are full.
 * Only when no byte of a reply has gone out for stall_timeout is it cut
 * off, with the number of lines not run. A connection that sends nothing
 * for idle_timeout is closed.
 *
 * A line longer than CMD_LINE_MAX gets one "-1 Line too long" reply and is
 * skipped up to its end. (5.12 reads through a 1024-byte buffer and runs
 * each 1023-byte piece of a long line as a command of its own.)
 *
 * At the end of the stream an unterminated last line is still run, as 5.12
 * does (`printf 'LISTVAL' | socat - UNIX-CONNECT:...` works), but not when
 * the server is stopping: then the stream ended because we shut it. */
#include "utils/cmds/cmds.h"

#include <poll.h>

#define CMD_BUFFER_MIN 4096

typedef struct {
  int fd;
  const cmd_options_t *opts;
  const atomic_bool *stopping;
  cmd_writer_t *w;
  cmd_serve_stats_t stats;
  char *buf;
  size_t size, len; /* allocated, filled */
  bool discarding;  /* inside a line that was too long */
} conn_t;

static void run_line(conn_t *c, char *line, size_t len) {
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    line[--len] = '\0';
  cmd_dispatch(c->w, line, c->opts);
  c->stats.run++;
  if (c->w->gone)
    c->stats.unread++;
}

/* Runs every complete line in the buffer and keeps the rest. */
static void run_lines(conn_t *c) {
  size_t start = 0;
  char *nl;
  while ((nl = memchr(c->buf + start, '\n', c->len - start)) != NULL) {
    *nl = '\0';
    if (c->discarding)
      c->discarding = false;
    else
      run_line(c, c->buf + start, (size_t)(nl - (c->buf + start)));
    start = (size_t)(nl - c->buf) + 1;
  }
  memmove(c->buf, c->buf + start, c->len - start);
  c->len -= start;
}

static unsigned long count_lines(const char *p, size_t len) {
  unsigned long n = 0;
  for (const char *end = p + len; (p = memchr(p, '\n', end - p)) != NULL; p++)
    n++;
  return n;
}

/* The complete lines a client that is being cut off has sent and we have
 * not run: those in the buffer and those queued in the socket now (up to
 * CMD_LEFT_MAX bytes of them: a client that keeps writing is not followed
 * for ever). */
#define CMD_LEFT_MAX (16 << 20)
static unsigned long lines_left(conn_t *c) {
  unsigned long n = count_lines(c->buf, c->len);
  char chunk[4096];
  ssize_t got;
  size_t total = 0;
  while (total < CMD_LEFT_MAX &&
         (got = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT)) > 0) {
    n += count_lines(chunk, (size_t)got);
    total += (size_t)got;
  }
  return n;
}

/* Waits for input; -ETIME if none came within idle_timeout. */
static int wait_readable(conn_t *c) {
  cdtime_t idle = c->opts->idle_timeout;
  return cmd_wait_fd(c->fd, POLLIN, idle ? cdtime() + idle : 0) ? 0 : -ETIME;
}

/* Makes room for one more read, growing the buffer up to the longest line
 * (plus its "\n" and a terminating NUL). */
static int make_room(conn_t *c) {
  if (c->size - c->len >= 2 || c->size >= CMD_LINE_MAX + 2)
    return 0;
  size_t bigger = MIN(2 * c->size, (size_t)CMD_LINE_MAX + 2);
  char *tmp = realloc(c->buf, bigger);
  if (tmp == NULL)
    return -ENOMEM;
  c->buf = tmp;
  c->size = bigger;
  return 0;
}

static int serve(conn_t *c) {
  for (;;) {
    run_lines(c);
    /* Nothing left to run: the client may be waiting for the replies. */
    int status = cmd_writer_flush(c->w);
    if (status == -ETIMEDOUT)
      c->stats.not_run = lines_left(c);
    if (status != 0)
      return status;

    if (c->len > CMD_LINE_MAX) {
      if (!c->discarding)
        cmd_error(c->w, -E2BIG,
                  "Line too long: a command has at most %d bytes.",
                  CMD_LINE_MAX);
      if ((status = cmd_writer_flush(c->w)) != 0)
        return status;
      c->discarding = true;
      c->len = 0;
    }
    if ((status = make_room(c)) != 0)
      return status;

    if ((status = wait_readable(c)) != 0)
      return status;
    /* Keep one byte for the NUL of an unterminated last line. */
    ssize_t n = recv(c->fd, c->buf + c->len, c->size - c->len - 1, 0);
    if (n < 0 && errno == ENOTSOCK)
      n = read(c->fd, c->buf + c->len, c->size - c->len - 1);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      if (errno != ECONNRESET)
        return -errno;
      /* The client closed without reading its replies: all it sent has
       * been read. */
      n = 0;
    }
    if (n == 0) {
      bool stop = c->stopping != NULL && atomic_load(c->stopping);
      if (c->len > 0 && !c->discarding && !stop) {
        c->buf[c->len] = '\0';
        run_line(c, c->buf, c->len);
      }
      return cmd_writer_flush(c->w);
    }
    c->len += (size_t)n;
  }
}

int cmd_serve_fd(int fd, const cmd_options_t *opts, const atomic_bool *stopping,
                 cmd_serve_stats_t *stats) {
  conn_t c = {.fd = fd,
              .opts = opts,
              .stopping = stopping,
              .w = malloc(sizeof(*c.w)),
              .size = CMD_BUFFER_MIN,
              .buf = malloc(CMD_BUFFER_MIN)};
  int status = -ENOMEM;
  if (c.w != NULL && c.buf != NULL) {
    cmd_writer_init_fd(c.w, fd);
    c.w->stall_timeout = opts->stall_timeout;
    status = serve(&c);
  }
  free(c.buf);
  free(c.w);
  if (stats != NULL)
    *stats = c.stats;
  return status;
}
