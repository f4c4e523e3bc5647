/* One connection: read lines, run each, write the replies.
 *
 * Lines end in "\n" (a "\r" before it is dropped); a NUL byte ends the
 * command where it stands, as in 5.12. Replies to pipelined commands are
 * sent together, when no complete line is left to run, so a client that
 * writes a thousand PUTVALs in one go gets them in few writes.
 *
 * A line longer than CMD_LINE_MAX gets one "-1 Line too long" reply and is
 * skipped up to its end. (5.12 reads through a 1024-byte buffer and runs
 * each 1023-byte piece of a long line as a command of its own.)
 *
 * At the end of the stream an unterminated last line is still run, as 5.12
 * does (`printf 'LISTVAL' | socat - UNIX-CONNECT:...` works), but not when
 * the server is stopping: then the stream ended because we shut it. */
#include "utils/cmds/cmds.h"

#define CMD_BUFFER_MIN 4096

static void run_line(cmd_writer_t *w, char *line, size_t len,
                     const cmd_options_t *opts) {
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    line[--len] = '\0';
  cmd_dispatch(w, line, opts);
}

int cmd_serve_fd(int fd, const cmd_options_t *opts,
                 const atomic_bool *stopping) {
  cmd_writer_t *w = malloc(sizeof(*w));
  /* Room for the longest line, its "\n" and a terminating NUL. */
  size_t size = CMD_BUFFER_MIN;
  char *buf = malloc(size);
  if (w == NULL || buf == NULL) {
    free(w);
    free(buf);
    return -ENOMEM;
  }
  cmd_writer_init_fd(w, fd);

  size_t len = 0;          /* bytes in buf */
  bool discarding = false; /* inside a line that was too long */
  int status = 0;

  for (;;) {
    /* Run every complete line in the buffer. */
    size_t start = 0;
    char *nl;
    while (w->error == 0 &&
           (nl = memchr(buf + start, '\n', len - start)) != NULL) {
      *nl = '\0';
      if (discarding)
        discarding = false;
      else
        run_line(w, buf + start, (size_t)(nl - (buf + start)), opts);
      start = (size_t)(nl - buf) + 1;
    }
    memmove(buf, buf + start, len - start);
    len -= start;

    /* Nothing left to run: the client may be waiting for the replies. */
    if ((status = cmd_writer_flush(w)) != 0)
      break;

    if (len > CMD_LINE_MAX) {
      if (!discarding)
        cmd_error(w, -E2BIG, "Line too long: a command has at most %d bytes.",
                  CMD_LINE_MAX);
      if ((status = cmd_writer_flush(w)) != 0)
        break;
      discarding = true;
      len = 0;
    }
    if (size - len < 2 && size < CMD_LINE_MAX + 2) {
      size_t bigger = MIN(2 * size, (size_t)CMD_LINE_MAX + 2);
      char *tmp = realloc(buf, bigger);
      if (tmp == NULL) {
        status = -ENOMEM;
        break;
      }
      buf = tmp;
      size = bigger;
    }

    /* Keep one byte for the NUL of an unterminated last line. */
    ssize_t n = recv(fd, buf + len, size - len - 1, 0);
    if (n < 0 && errno == ENOTSOCK)
      n = read(fd, buf + len, size - len - 1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      status = -errno;
      break;
    }
    if (n == 0) {
      bool stop = stopping != NULL && atomic_load(stopping);
      if (len > 0 && !discarding && !stop) {
        buf[len] = '\0';
        run_line(w, buf, len, opts);
      }
      status = cmd_writer_flush(w);
      break;
    }
    len += (size_t)n;
  }

  free(buf);
  free(w);
  return status;
}
