/* The connection: one command line out, one reply (a status line and the
 * lines it announces) back. */
#include "client_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* No reply line the daemon sends comes near this; a longer one means the
 * peer is not the daemon, and reading on would only eat memory. */
#define CDC_LINE_MAX (1024 * 1024)

struct cdc_conn_s {
  int fd;
  /* After a failure half-way through a reply the rest of it may still be
   * on its way, and would be taken for the answer to the next command: the
   * connection refuses further commands with this status instead. */
  int broken;
  /* Bytes read from the socket but not consumed yet: buf[start..end). */
  size_t start;
  size_t end;
  char buf[4096];
};

int cdc_attach(int fd, cdc_conn_t **ret, char *err, size_t errlen) {
  if (fd < 0 || ret == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_conn_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  c->fd = fd;
  *ret = c;
  return 0;
}

int cdc_connect(const char *path, cdc_conn_t **ret, char *err,
                size_t errlen) {
  if (path == NULL || ret == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");

  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(sa.sun_path))
    return cdc__error(err, errlen, -ENAMETOOLONG,
                      "Failed to connect to daemon at unix:%s: %s", path,
                      strerror(ENAMETOOLONG));
  strcpy(sa.sun_path, path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    return cdc__error(err, errlen, -e, "Failed to create a socket: %s",
                      strerror(e));
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    int e = errno;
    close(fd);
    return cdc__error(err, errlen, -e,
                      "Failed to connect to daemon at unix:%s: %s", path,
                      strerror(e));
  }
  int status = cdc_attach(fd, ret, err, errlen);
  if (status != 0)
    close(fd);
  return status;
}

void cdc_disconnect(cdc_conn_t *c) {
  if (c == NULL)
    return;
  close(c->fd);
  free(c);
}

void cdc_reply_free(cdc_reply_t *reply) {
  if (reply == NULL)
    return;
  free(reply->message);
  for (size_t i = 0; i < reply->lines_num; i++)
    free(reply->lines[i]);
  free(reply->lines);
  *reply = (cdc_reply_t){0};
}

static int send_all(cdc_conn_t *c, const char *data, size_t len, char *err,
                    size_t errlen) {
  while (len > 0) {
    /* MSG_NOSIGNAL: a daemon that went away is an error to report, not a
     * SIGPIPE that kills the caller. */
    ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      return cdc__error(err, errlen, -e, "Sending to the daemon failed: %s",
                        strerror(e));
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Reads one line into a new string (*ret), without its "\n" (or "\r\n"). */
static int read_line(cdc_conn_t *c, char **ret, char *err, size_t errlen) {
  cdc_strbuf_t line = {0};
  for (;;) {
    char *nl = memchr(c->buf + c->start, '\n', c->end - c->start);
    size_t take = nl ? (size_t)(nl - (c->buf + c->start)) : c->end - c->start;
    if (line.len + take > CDC_LINE_MAX) {
      cdc__strbuf_free(&line);
      return cdc__error(err, errlen, -EMSGSIZE,
                        "The daemon sent a line longer than %d bytes",
                        CDC_LINE_MAX);
    }
    cdc__strbuf_append(&line, c->buf + c->start, take);
    c->start += take;
    if (nl != NULL) {
      c->start++; /* the '\n' */
      break;
    }

    ssize_t n = read(c->fd, c->buf, sizeof(c->buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      cdc__strbuf_free(&line);
      return cdc__error(err, errlen, -e, "Reading from the daemon failed: %s",
                        strerror(e));
    }
    if (n == 0) {
      cdc__strbuf_free(&line);
      return cdc__error(err, errlen, -ECONNRESET,
                        "The daemon closed the connection before its reply "
                        "was complete");
    }
    c->start = 0;
    c->end = (size_t)n;
  }

  if (line.failed) {
    cdc__strbuf_free(&line);
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  if (line.len > 0 && line.buf[line.len - 1] == '\r')
    line.buf[--line.len] = '\0';
  *ret = line.buf;
  return 0;
}

/* "<status> <message>": a number, then nothing or a space and the rest. */
static int parse_status(const char *line, cdc_reply_t *reply, char *err,
                        size_t errlen) {
  const char *p = line;
  if (*p == '-' || *p == '+')
    p++;
  if (*p < '0' || *p > '9')
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed status line from the daemon: \"%s\"", line);
  errno = 0;
  char *end;
  long status = strtol(line, &end, 10);
  if (errno != 0 || status < INT_MIN || status > INT_MAX ||
      (*end != '\0' && *end != ' '))
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed status line from the daemon: \"%s\"", line);
  reply->status = (int)status;
  reply->message = strdup(*end == ' ' ? end + 1 : end);
  if (reply->message == NULL)
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  return 0;
}

static int read_reply(cdc_conn_t *c, cdc_reply_t *reply, char *err,
                      size_t errlen) {
  char *line = NULL;
  int status;
  /* Skip empty lines: some daemons follow an error line with one, and an
   * empty line is never a status line. */
  do {
    free(line);
    line = NULL;
    status = read_line(c, &line, err, errlen);
    if (status != 0)
      return status;
  } while (line[0] == '\0');
  status = parse_status(line, reply, err, errlen);
  free(line);
  if (status != 0)
    return status;

  size_t size = 0;
  for (int i = 0; i < reply->status; i++) {
    /* Grown as lines arrive: the count is the daemon's word, not memory
     * to reserve up front. */
    if (reply->lines_num == size) {
      size_t new_size = size ? 2 * size : 16;
      char **lines = realloc(reply->lines, new_size * sizeof(*lines));
      if (lines == NULL)
        return cdc__error(err, errlen, -ENOMEM, "Out of memory");
      reply->lines = lines;
      size = new_size;
    }
    status = read_line(c, &reply->lines[reply->lines_num], err, errlen);
    if (status != 0)
      return status;
    reply->lines_num++;
  }
  return 0;
}

int cdc_request(cdc_conn_t *c, const char *command, cdc_reply_t *reply,
                char *err, size_t errlen) {
  if (c == NULL || command == NULL || reply == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  *reply = (cdc_reply_t){0};
  /* A line break would end the command early and smuggle in another. */
  if (strpbrk(command, "\r\n") != NULL)
    return cdc__error(err, errlen, -EINVAL,
                      "A command must not contain a line break");
  if (c->broken)
    return cdc__error(err, errlen, c->broken,
                      "The connection is unusable after an earlier error");

  cdc_strbuf_t line = {0};
  cdc__strbuf_printf(&line, "%s\n", command);
  if (line.failed) {
    cdc__strbuf_free(&line);
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  int status = send_all(c, line.buf, line.len, err, errlen);
  cdc__strbuf_free(&line);
  if (status == 0)
    status = read_reply(c, reply, err, errlen);
  if (status != 0) {
    c->broken = status;
    cdc_reply_free(reply);
  }
  return status;
}

int cdc__request_ok(cdc_conn_t *c, const char *command, cdc_reply_t *reply,
                    char *err, size_t errlen) {
  int status = cdc_request(c, command, reply, err, errlen);
  if (status != 0)
    return status;
  if (reply->status < 0) {
    status = cdc__error(err, errlen, -EREMOTEIO, "Server error: %s",
                        reply->message);
    cdc_reply_free(reply);
  }
  return status;
}
