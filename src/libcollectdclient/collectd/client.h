/* A small client for the daemon's control socket (the unixsock plugin).
 *
 * The protocol is line based: the client sends one command line, the daemon
 * answers with a status line "<n> <message>". A negative n means the
 * command failed and <message> says why; otherwise n lines of data follow.
 *
 * Conventions, for every function of this header that can fail:
 *  - it returns 0 on success or a negative errno value;
 *  - its last two arguments are a buffer and its size, and on failure it
 *    writes a one-line, human-readable reason there (no trailing period,
 *    no newline); the buffer may be NULL when the caller does not want it;
 *  - on failure, nothing is left for the caller to free.
 * Errors with a meaning of their own:
 *  -EREMOTEIO  the daemon refused the command (negative status); the reason
 *              is "Server error: <the daemon's message>"
 *  -EPROTO     the daemon's reply is not what the protocol allows
 *  -ECONNRESET the daemon closed the connection before the reply was done
 *
 * A connection is not thread-safe: use one per thread, or serialise. */
#ifndef COLLECTD_CLIENT_H
#define COLLECTD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

/* The socket path collectd's unixsock plugin uses when none is configured. */
#define CDC_DEFAULT_SOCKET "/var/run/collectd-unixsock"

/* Room for one field of an identifier, or one data-source name, with its
 * terminating NUL: the daemon's own limit. */
#define CDC_NAME_LEN 128

typedef struct cdc_conn_s cdc_conn_t;

/* ---- connections ---------------------------------------------------- */

/* Connects to the daemon's socket at path (a file system path). The
 * connection belongs to the caller, who closes it with cdc_disconnect. */
int cdc_connect(const char *path, cdc_conn_t **ret, char *err,
                size_t errlen);

/* Wraps a stream socket that is already connected (a socketpair, say). On
 * success the connection owns fd; on failure the caller still does. */
int cdc_attach(int fd, cdc_conn_t **ret, char *err, size_t errlen);

/* Closes the socket and frees the connection. NULL is a no-op. */
void cdc_disconnect(cdc_conn_t *c);

/* One reply as the daemon sent it. */
typedef struct {
  int status;       /* negative: failure; else the number of lines */
  char *message;    /* the status line after the number */
  char **lines;     /* status > 0: the lines that followed, without '\n' */
  size_t lines_num; /* == status when status > 0, else 0 */
} cdc_reply_t;

/* Sends one command line (without its line break; it must not contain
 * one) and reads the whole reply into *reply. Returns 0 as soon as a
 * well-formed reply was read, whatever its status: the caller decides what
 * a negative status means. The caller frees the reply with
 * cdc_reply_free. */
int cdc_request(cdc_conn_t *c, const char *command, cdc_reply_t *reply,
                char *err, size_t errlen);

/* Frees what a reply holds and zeroes it; the struct itself stays. */
void cdc_reply_free(cdc_reply_t *reply);

/* ---- identifiers ---------------------------------------------------- */

/* host/plugin[-plugin_instance]/type[-type_instance] */
typedef struct {
  char host[CDC_NAME_LEN];
  char plugin[CDC_NAME_LEN];
  char plugin_instance[CDC_NAME_LEN];
  char type[CDC_NAME_LEN];
  char type_instance[CDC_NAME_LEN];
} cdc_identifier_t;

/* Parses "[host/]plugin[-plugin_instance]/type[-type_instance]".
 *  - Without a host part, the host is default_host; when that is NULL the
 *    host part is required.
 *  - The first '/' ends the host, the second ends the plugin part; the
 *    type part is the rest, '/' included (the daemon judges the type).
 *  - The first '-' of the plugin and type parts starts the instance.
 * A field longer than CDC_NAME_LEN - 1 is an error (-ENAMETOOLONG), never
 * cut short. */
int cdc_identifier_parse(const char *str, const char *default_host,
                         cdc_identifier_t *id, char *err, size_t errlen);

/* Writes the identifier as host/plugin[-pi]/type[-ti] (an instance only
 * when it is not empty). -ENOBUFS when size is too small. */
int cdc_identifier_format(const cdc_identifier_t *id, char *buf, size_t size,
                          char *err, size_t errlen);

/* ---- values ------------------------------------------------------------ */

typedef enum {
  CDC_VALUE_UNDEF,    /* "U": unknown (gauges only) */
  CDC_VALUE_REAL,     /* written with a '.': gauges */
  CDC_VALUE_UNSIGNED, /* an integer >= 0: counters, derives, absolutes */
  CDC_VALUE_SIGNED,   /* an integer < 0: derives */
} cdc_value_kind_t;

typedef struct {
  cdc_value_kind_t kind;
  union {
    double real;
    uint64_t u;
    int64_t i;
  };
} cdc_value_t;

typedef struct {
  double time;     /* seconds since the epoch; 0: now ("N") */
  double interval; /* seconds; <= 0: the daemon's default */
  cdc_value_t *values;
  size_t values_num;
} cdc_value_list_t;

/* Parses a value list "<time>:<value>[:<value>...]" as collectdctl(1)
 * takes it: the time is "N" (now) or an integer number of seconds; a value
 * is "U", a number with a '.' (a real) or an integer (decimal, 0x hex or 0
 * octal, with an optional sign). Sets vl->time, vl->values and
 * vl->values_num (the values are allocated: cdc_value_list_free), leaves
 * vl->interval alone. */
int cdc_value_list_parse(const char *str, cdc_value_list_t *vl, char *err,
                         size_t errlen);

/* Frees vl->values and clears vl->values_num. */
void cdc_value_list_free(cdc_value_list_t *vl);

/* Writes one value as the daemon reads it: reals with as many digits as
 * they need to read back exactly. -ENOBUFS when size is too small. */
int cdc_value_format(const cdc_value_t *v, char *buf, size_t size, char *err,
                     size_t errlen);

/* ---- commands ---------------------------------------------------------- */

/* One value of GETVAL's reply: a data source and its value (a rate for
 * counters and derives, NaN when unknown). */
typedef struct {
  char name[CDC_NAME_LEN];
  double value;
} cdc_ds_value_t;

/* GETVAL: the latest values of id. *ret is one allocation (free() it);
 * with no values *ret is NULL. */
int cdc_getval(cdc_conn_t *c, const cdc_identifier_t *id,
               cdc_ds_value_t **ret, size_t *ret_num, char *err,
               size_t errlen);

/* PUTVAL: submits one value list (time, interval, values) for id. */
int cdc_putval(cdc_conn_t *c, const cdc_identifier_t *id,
               const cdc_value_list_t *vl, char *err, size_t errlen);

/* One entry of LISTVAL's reply. */
typedef struct {
  double time; /* of the last update */
  cdc_identifier_t id;
} cdc_listval_entry_t;

/* LISTVAL: every identifier in the daemon's cache, in the daemon's order.
 * *ret is one allocation (free() it); with no values *ret is NULL. */
int cdc_listval(cdc_conn_t *c, cdc_listval_entry_t **ret, size_t *ret_num,
                char *err, size_t errlen);

/* FLUSH: asks plugin (NULL: every plugin) to flush id (NULL: everything)
 * older than timeout seconds (<= 0: everything). */
int cdc_flush(cdc_conn_t *c, const char *plugin, const cdc_identifier_t *id,
              double timeout, char *err, size_t errlen);

/* ---- plugins ----------------------------------------------------------- */

/* These commands need "PluginControl true" in the daemon's <Plugin
 * unixsock> block; without it, and against collectd 5.12, they fail with
 * -EREMOTEIO like any refused command. A refusal's reason names the
 * plugin, the step that failed and why ("Server error: cpu: config: ...").
 *
 * LOAD, UNLOAD, RELOAD one plugin, by its plain name (the daemon reads its
 * configuration from its own files). On success the daemon's one-line
 * message ("cpu: ready") is copied into msg, cut to msglen - 1 bytes; msg
 * may be NULL. */
int cdc_plugin_load(cdc_conn_t *c, const char *plugin, char *msg,
                    size_t msglen, char *err, size_t errlen);
int cdc_plugin_unload(cdc_conn_t *c, const char *plugin, char *msg,
                      size_t msglen, char *err, size_t errlen);
int cdc_plugin_reload(cdc_conn_t *c, const char *plugin, char *msg,
                      size_t msglen, char *err, size_t errlen);

/* RELOAD without a name: the daemon reads its configuration files again
 * and applies the difference. Returns once it is done, with its reply in
 * *reply (free it with cdc_reply_free): the summary in reply->message
 * ("Configuration reloaded: 1 loaded, ..."), then a line per plugin
 * ("cpu reloaded: cpu: reloaded, ready", "df unchanged") and per global
 * option that needs a restart ("Interval needs a restart"). A file that
 * cannot be read, or another reload under way, is a failure
 * (-EREMOTEIO, the daemon's reason in err). */
int cdc_config_reload(cdc_conn_t *c, cdc_reply_t *reply, char *err,
                      size_t errlen);

/* One entry of LISTPLUGINS' reply. */
typedef struct {
  char name[CDC_NAME_LEN];
  char state[16]; /* loading, configuring, ready, unloading, failed */
  int unloadable; /* 1: can be unloaded and reloaded; 0: legacy */
  int isolated;   /* 1: it runs in a plugin host */
  int host_pid;   /* that host's pid, while it runs; else 0 */
  /* A failed plugin's "<step>: <reason>" (cut to fit), else empty. */
  char failure[512];
  /* Under OnPluginFailure Restart, the restarts since the last LOAD,
   * UNLOAD or RELOAD of it; -1 under another policy. */
  int restarts;
} cdc_plugin_info_t;

/* LISTPLUGINS: every plugin of the daemon, in the order they were loaded.
 * *ret is one allocation (free() it); with no plugins *ret is NULL. */
int cdc_listplugins(cdc_conn_t *c, cdc_plugin_info_t **ret, size_t *ret_num,
                    char *err, size_t errlen);

#endif /* COLLECTD_CLIENT_H */
