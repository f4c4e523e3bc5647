/* The command table, the dispatch of one line to its handler, and the
 * writing of replies. */
#include "utils/cmds/cmds.h"

#include <poll.h>

/* Blanks separate the verb and the fields (isspace() in the C locale). */
static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/* ---- the table ----------------------------------------------------------- */

static const cmd_def_t cmd_table[] = {
    {.verb = "FLUSH",
     .handler = cmd_handle_flush,
     .help = "FLUSH [timeout=<seconds>] [plugin=<name> ...] "
             "[identifier=<host/plugin/type> ...]"},
    {.verb = "GETVAL",
     .handler = cmd_handle_getval,
     .help = "GETVAL <host>/<plugin>[-<instance>]/<type>[-<instance>]",
     .flags = CMD_ANSWER_ONLY},
    {.verb = "LISTPLUGINS",
     .handler = cmd_handle_listplugins,
     .help = "LISTPLUGINS",
     .flags = CMD_PLUGIN_CONTROL | CMD_ANSWER_ONLY},
    {.verb = "LISTVAL",
     .handler = cmd_handle_listval,
     .help = "LISTVAL",
     .flags = CMD_ANSWER_ONLY},
    {.verb = "LOAD",
     .handler = cmd_handle_load,
     .help = "LOAD <plugin>",
     .flags = CMD_PLUGIN_CONTROL},
    {.verb = "PUTNOTIF",
     .handler = cmd_handle_putnotif,
     .help = "PUTNOTIF severity=<failure|warning|okay> time=<epoch> "
             "[host=|plugin=|plugin_instance=|type=|type_instance=<name>] "
             "[s:<key>=<string>] message=<text>",
     .flags = CMD_RAW_ARGS},
    {.verb = "PUTVAL",
     .handler = cmd_handle_putval,
     .help = "PUTVAL <identifier> [interval=<seconds>] "
             "[meta:<key>=\"\\\"<string>\\\"\"] <time|N>:<value>[:<value>...] "
             "..."},
    {.verb = "RELOAD",
     .handler = cmd_handle_reload,
     .help = "RELOAD [<plugin>]",
     .flags = CMD_PLUGIN_CONTROL},
    {.verb = "UNLOAD",
     .handler = cmd_handle_unload,
     .help = "UNLOAD <plugin>",
     .flags = CMD_PLUGIN_CONTROL},
};

static const cmd_def_t *lookup(const cmd_def_t *table, size_t table_len,
                               const char *verb) {
  for (size_t i = 0; i < table_len; i++)
    if (strcasecmp(table[i].verb, verb) == 0)
      return table + i;
  return NULL;
}

const cmd_def_t *cmd_lookup(const char *verb) {
  return lookup(cmd_table, STATIC_ARRAY_SIZE(cmd_table), verb);
}

/* ---- dispatch ------------------------------------------------------------ */

int cmd__dispatch_table(const cmd_def_t *table, size_t table_len,
                        cmd_writer_t *w, char *line,
                        const cmd_options_t *opts) {
  /* 5.12 answers nothing to an empty line (or one starting with a NUL). */
  if (line[0] == '\0')
    return 0;

  /* The verb is the first word, taken literally (no quoting). */
  char *p = line;
  while (is_blank(*p))
    p++;
  if (*p == '\0')
    return cmd_error(w, -EINVAL, "Missing command.");
  char *verb = p;
  while (*p != '\0' && !is_blank(*p))
    p++;
  if (*p != '\0')
    *p++ = '\0';

  const cmd_def_t *def = lookup(table, table_len, verb);
  if (def == NULL)
    return cmd_error(w, -ENOENT, "Unknown command: %s", verb);
  /* Nobody is left to read the answer, which is all it would do. */
  if ((def->flags & CMD_ANSWER_ONLY) && w->gone)
    return 0;
  if ((def->flags & CMD_PLUGIN_CONTROL) &&
      (opts == NULL || !opts->plugin_control))
    return cmd_error(w, -EPERM,
                     "%s is disabled: it needs \"PluginControl true\" in the "
                     "<Plugin unixsock> block.",
                     def->verb);

  cmd_args_t args = {0};
  if (def->flags & CMD_RAW_ARGS) {
    args.raw = p;
  } else {
    const char *why = NULL;
    int status = cmd_split(p, &args, &why);
    if (status != 0)
      return cmd_error(w, status, "%s", why);
  }

  unsigned long before = w->replies;
  int status = def->handler(w, &args, opts);
  cmd_args_free(&args);

  /* Every command gets exactly one status line, or the client would wait
   * for ever; a handler that forgot is a bug, answered here. */
  if (w->replies == before)
    status = cmd_error(w, status < 0 ? status : -EIO,
                       "Internal error: %s sent no reply.", def->verb);
  return status;
}

int cmd_dispatch(cmd_writer_t *w, char *line, const cmd_options_t *opts) {
  return cmd__dispatch_table(cmd_table, STATIC_ARRAY_SIZE(cmd_table), w, line,
                             opts);
}

/* ---- the writer ---------------------------------------------------------- */

bool cmd_wait_fd(int fd, short events, cdtime_t until) {
  for (;;) {
    int ms = -1;
    if (until != 0) {
      cdtime_t now = cdtime();
      if (now >= until)
        return false;
      ms = (int)MIN(CDTIME_T_TO_MS(until - now) + 1, 1000);
    }
    struct pollfd pfd = {.fd = fd, .events = events};
    int n = poll(&pfd, 1, ms);
    if (n > 0 || (n < 0 && errno != EINTR))
      return true; /* ready, or an error that the next call will tell */
  }
}

static int sink_fd(cmd_writer_t *w, const char *data, size_t len) {
  if (w->gone)
    return 0;
  cdtime_t until = w->stall_timeout ? cdtime() + w->stall_timeout : 0;
  while (len > 0) {
    ssize_t n = w->fd_socket
                    ? send(w->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT)
                    : write(w->fd, data, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ENOTSOCK && w->fd_socket) {
        w->fd_socket = false;
        continue;
      }
      if (errno == EPIPE || errno == ECONNRESET) {
        w->gone = true;
        return 0;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        /* The peer does not read: wait while it makes progress. */
        if (!cmd_wait_fd(w->fd, POLLOUT, until))
          return -ETIMEDOUT;
        continue;
      }
      return -errno;
    }
    data += n;
    len -= (size_t)n;
    if (w->stall_timeout)
      until = cdtime() + w->stall_timeout;
  }
  return 0;
}

static int sink_file(cmd_writer_t *w, const char *data, size_t len) {
  if (fwrite(data, 1, len, w->fh) != len)
    return -EIO;
  return 0;
}

void cmd_writer_init_fd(cmd_writer_t *w, int fd) {
  memset(w, 0, offsetof(cmd_writer_t, buf));
  w->sink = sink_fd;
  w->fd = fd;
  w->fd_socket = true;
  w->fh = NULL;
}

void cmd_writer_init_file(cmd_writer_t *w, FILE *fh) {
  memset(w, 0, offsetof(cmd_writer_t, buf));
  w->sink = sink_file;
  w->fd = -1;
  w->fh = fh;
}

static int drain(cmd_writer_t *w) {
  if (w->error == 0 && w->len > 0)
    w->error = w->sink(w, w->buf, w->len);
  w->len = 0;
  return w->error;
}

int cmd_writer_flush(cmd_writer_t *w) {
  drain(w);
  if (w->error == 0 && w->fh != NULL && fflush(w->fh) != 0)
    w->error = -EIO;
  return w->error;
}

static void put(cmd_writer_t *w, const char *data, size_t len) {
  while (len > 0 && w->error == 0) {
    if (w->len == sizeof(w->buf) && drain(w) != 0)
      return;
    size_t n = MIN(len, sizeof(w->buf) - w->len);
    memcpy(w->buf + w->len, data, n);
    w->len += n;
    data += n;
    len -= n;
  }
}

/* Formats into `buf` (cutting at buf_size - 1 bytes); returns the length. */
static size_t format_cut(char *buf, size_t buf_size, const char *format,
                         va_list ap) {
  int n = vsnprintf(buf, buf_size, format, ap);
  if (n < 0) {
    buf[0] = '\0';
    return 0;
  }
  return MIN((size_t)n, buf_size - 1);
}

static void status_line(cmd_writer_t *w, int status, const char *format,
                        va_list ap) {
  char msg[CMD_MESSAGE_MAX + 1];
  size_t len = format_cut(msg, sizeof(msg), format, ap);
  char head[16];
  int head_len = snprintf(head, sizeof(head), "%d ", status);
  put(w, head, (size_t)head_len);
  put(w, msg, len);
  put(w, "\n", 1);
  w->replies++;
}

int cmd_reply(cmd_writer_t *w, int status, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  status_line(w, status, format, ap);
  va_end(ap);
  return 0;
}

int cmd_error(cmd_writer_t *w, int err, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  status_line(w, -1, format, ap);
  va_end(ap);
  return err;
}

void cmd_one_line(char *text, size_t size) {
  if (size == 0)
    return;
  text[size - 1] = '\0';
  for (char *p = text; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
}

void cmd_reply_line(cmd_writer_t *w, const char *format, ...) {
  /* Lines are identifiers and values: short, but not cut. */
  char small[512];
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(small, sizeof(small), format, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof(small)) {
    put(w, small, (size_t)n);
  } else {
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
      w->error = w->error ? w->error : -ENOMEM;
      return;
    }
    va_start(ap, format);
    vsnprintf(big, (size_t)n + 1, format, ap);
    va_end(ap);
    put(w, big, (size_t)n);
    free(big);
  }
  put(w, "\n", 1);
}
