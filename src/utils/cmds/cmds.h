/* The commands of the plain text control protocol (collectd-unixsock(5)):
 * one command per line, answered by a status line "<n> <message>" where a
 * positive n counts the lines that follow and a negative one is an error.
 *
 * The pieces, each in one place:
 *  - cmds.c: the command table, the lookup of a line's verb in it, and the
 *    writing of every reply (through a cmd_writer_t, so that handlers run
 *    against a socket or, in tests, a FILE*);
 *  - parse_option.c: the two argument syntaxes 5.12 uses (fields with
 *    quoted strings for PUTVAL, GETVAL, LISTVAL, FLUSH; raw key=value
 *    options for PUTNOTIF);
 *  - one file per command (putval.c, getval.c, ...) with its handler;
 *  - serve.c: the loop that reads a connection's lines and runs them.
 *
 * A new command is one new file with a cmd_handler_fn, its prototype
 * below and one row in the table in cmds.c. */
#ifndef UTILS_CMDS_CMDS_H
#define UTILS_CMDS_CMDS_H

#include "collectd.h"

#include "plugin.h"

#include <stdatomic.h>

/* ---- writing replies ----------------------------------------------------- */

/* 5.12 formats a status message into 1024 bytes; longer ones are cut, so
 * an error quoting a long argument is cut at the same byte. */
#define CMD_MESSAGE_MAX 1023

typedef struct cmd_writer_s cmd_writer_t;

/* Where buffered output goes; returns 0 or a negative errno. */
typedef int (*cmd_sink_fn)(cmd_writer_t *w, const char *data, size_t len);

/* Output is buffered and handed to the sink when the buffer is full and on
 * cmd_writer_flush(). The first sink error sticks: later output is dropped
 * and cmd_writer_flush() returns it, so a handler never checks writes. */
struct cmd_writer_s {
  cmd_sink_fn sink;
  int fd;         /* cmd_writer_init_fd */
  bool fd_socket; /* send(MSG_NOSIGNAL) rather than write() */
  FILE *fh;       /* cmd_writer_init_file */
  int error;
  unsigned long replies; /* status lines written so far */
  /* A socket writer waits for a peer that does not read as long as bytes
   * go out at least once every stall_timeout (0: for ever), then fails
   * with -ETIMEDOUT. A peer that has gone (EPIPE, ECONNRESET) is no
   * error: what is written to it from then on is dropped, and `gone` set. */
  cdtime_t stall_timeout;
  bool gone;
  size_t len;
  char buf[4096];
};

/* Waits until `fd` is ready for `events` (POLLIN, POLLOUT) or fails, or
 * until `until` (0: no bound); false when that passed first. */
bool cmd_wait_fd(int fd, short events, cdtime_t until);

/* Writes to a descriptor (a socket, or anything write() takes). */
void cmd_writer_init_fd(cmd_writer_t *w, int fd);
void cmd_writer_init_file(cmd_writer_t *w, FILE *fh);
/* Hands everything buffered to the sink. 0 or the sticky error. */
int cmd_writer_flush(cmd_writer_t *w);

/* The status line "<status> <message>". The message is cut at
 * CMD_MESSAGE_MAX bytes. Returns 0. */
int cmd_reply(cmd_writer_t *w, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* The error status line "-1 <message>". Returns `err` (a negative errno),
 * so that a handler can end with `return cmd_error(w, -EINVAL, ...)`. */
int cmd_error(cmd_writer_t *w, int err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* One of the lines a positive status announced. */
void cmd_reply_line(cmd_writer_t *w, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Makes text that another part of the daemon wrote safe to send as (part
 * of) one line: terminates it within size bytes and turns line breaks into
 * blanks, which would otherwise end the reply early and make the client
 * read the rest as the next one. */
void cmd_one_line(char *text, size_t size);

/* ---- parsing arguments (parse_option.c) ---------------------------------- */

/* Seconds beyond this do not fit a cdtime_t (2^34 s); times and intervals
 * from clients are checked against it before conversion. */
#define CMD_SECONDS_MAX 1.0e10

/* The arguments of one command. For a command with CMD_RAW_ARGS, `raw` is
 * the text after the verb and argv is NULL; otherwise the text has been
 * split into argv (in place) and `raw` is NULL. */
typedef struct {
  char *raw;
  char **argv;
  size_t argc;
} cmd_args_t;

/* Splits `text` in place into fields separated by blanks. A field is a run
 * of plain bytes, optionally followed by a string in double quotes (in which
 * a backslash takes the next byte literally); the closing quote ends the
 * field. On success fills *ret (free it with cmd_args_free) and returns 0;
 * on a syntax error returns -EINVAL and points *ret_error at the message
 * 5.12 sends ("Unterminated quoted string.", "Backslash at end of
 * string."). */
int cmd_split(char *text, cmd_args_t *ret, const char **ret_error);
void cmd_args_free(cmd_args_t *args);

/* Splits one field "key=value" in place at its first '='. -EINVAL when the
 * field has no '=' (the caller decides what such a field is). */
int cmd_split_option(char *field, char **ret_key, char **ret_value);

/* The raw option syntax of PUTNOTIF (and the exec plugin's protocol).
 * parse_string reads, after blanks, either a double-quoted string (with
 * backslash escapes; the closing quote must end the word) or a non-empty
 * run of non-blank bytes. parse_option reads `key=value`, the key being
 * non-empty with no blank, quote or '=', the value a parse_string string.
 * Both work in place, advance *buffer past what they read and return 0,
 * -ENOENT when only blanks are left, or -EINVAL on malformed input. */
int parse_string(char **buffer, char **ret_string);
int parse_option(char **buffer, char **ret_key, char **ret_value);

/* ---- the command table --------------------------------------------------- */

/* How the socket that carries the commands is configured. */
typedef struct {
  /* Commands flagged CMD_PLUGIN_CONTROL (they run code in the daemon) are
   * refused unless this is set ("PluginControl true"). */
  bool plugin_control;
  /* cmd_serve_fd(): a connection that sends nothing for idle_timeout is
   * closed; one whose replies wait unread for stall_timeout is cut off
   * (0: never). */
  cdtime_t idle_timeout, stall_timeout;
} cmd_options_t;

/* A handler writes exactly one status line (plus the lines it announces)
 * and returns 0 or a negative errno. */
typedef int cmd_handler_fn(cmd_writer_t *w, cmd_args_t *args,
                           const cmd_options_t *opts);

enum {
  CMD_RAW_ARGS = 1 << 0,       /* hand over the text after the verb as is */
  CMD_PLUGIN_CONTROL = 1 << 1, /* only with cmd_options_t.plugin_control */
  CMD_ANSWER_ONLY = 1 << 2,    /* does nothing but answer: skipped for a
                                * client that has gone */
};

typedef struct {
  const char *verb; /* matched case-insensitively */
  cmd_handler_fn *handler;
  const char *help; /* one line of usage */
  unsigned flags;   /* CMD_* */
} cmd_def_t;

cmd_handler_fn cmd_handle_flush;
cmd_handler_fn cmd_handle_getval;
cmd_handler_fn cmd_handle_listplugins;
cmd_handler_fn cmd_handle_listval;
cmd_handler_fn cmd_handle_load;
cmd_handler_fn cmd_handle_putnotif;
cmd_handler_fn cmd_handle_putval;
cmd_handler_fn cmd_handle_reload;
cmd_handler_fn cmd_handle_unload;

/* The table entry for `verb`, or NULL. */
const cmd_def_t *cmd_lookup(const char *verb);

/* Runs one line (without its line end; modified in place) and writes its
 * reply. An empty line gets no reply, as in 5.12. Returns the handler's
 * status (0 for an empty line). */
int cmd_dispatch(cmd_writer_t *w, char *line, const cmd_options_t *opts);

/* cmd_dispatch() against another table; for tests. */
int cmd__dispatch_table(const cmd_def_t *table, size_t table_len,
                        cmd_writer_t *w, char *line, const cmd_options_t *opts);

/* ---- serving a connection (serve.c) -------------------------------------- */

/* The longest command line, without its line end. */
#define CMD_LINE_MAX 65535

/* What became of a connection's commands. */
typedef struct {
  unsigned long run;     /* lines run */
  unsigned long unread;  /* replies dropped: the client had gone */
  unsigned long not_run; /* complete lines left when it was cut off (at
                          * least: what was queued in the socket then) */
} cmd_serve_stats_t;

/* Runs every command read from `fd` until the end of the stream, whether
 * or not the client reads the replies or is still there to read them.
 * While a reply waits for the client to read, nothing more is read from
 * it. `stopping` (may be NULL) is set by a server that shuts the
 * connection down; an unterminated last line is then not run. Does not
 * close fd. `stats` (may be NULL) is filled in. Returns 0 at the end of
 * the stream, -ETIMEDOUT when the client read no reply for
 * opts->stall_timeout, -ETIME when it sent nothing for opts->idle_timeout,
 * else a negative errno. */
int cmd_serve_fd(int fd, const cmd_options_t *opts,
                 const atomic_bool *stopping, cmd_serve_stats_t *stats);

#endif /* UTILS_CMDS_CMDS_H */
