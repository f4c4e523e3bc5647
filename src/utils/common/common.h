/* Helpers shared by the core and the plugins: safe string and I/O wrappers,
 * parsing and formatting of values and identifiers, rate conversion.
 *
 * Plugin binaries built for collectd 5.12 import these functions from the
 * daemon, so every name, signature, macro and struct below matches 5.12.
 * The implementation is split by idea:
 *   common_string.c  bounded copies, allocation, splitting, escaping
 *   common_io.c      read/write loops, files, directories, sockets
 *   common_parse.c   parse_value*, strto*, identifiers
 *   common_format.c  format_name, format_values, notification_init
 *   common_rate.c    counter_diff, rate_to_value, value_to_rate
 *   common_time.c    timeval_cmp
 *   common_net.c     byte order, service names, socket options,
 *                    capabilities */
#ifndef UTILS_COMMON_COMMON_H
#define UTILS_COMMON_COMMON_H

#include "collectd.h"

#include "plugin.h"

#include <pwd.h>

/* free() that also clears the pointer, so a second sfree is harmless. */
#define sfree(ptr)                                                             \
  do {                                                                         \
    free(ptr);                                                                 \
    (ptr) = NULL;                                                              \
  } while (0)

#ifndef STATIC_ARRAY_SIZE
#define STATIC_ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#endif

/* Boolean words accepted in configuration values, case-insensitively. */
#define IS_TRUE(s)                                                             \
  ((strcasecmp("true", (s)) == 0) || (strcasecmp("yes", (s)) == 0) ||          \
   (strcasecmp("on", (s)) == 0))
#define IS_FALSE(s)                                                            \
  ((strcasecmp("false", (s)) == 0) || (strcasecmp("no", (s)) == 0) ||          \
   (strcasecmp("off", (s)) == 0))

/* State kept between calls of rate_to_value() (one per data source). */
struct rate_to_value_state_s {
  value_t last_value;
  cdtime_t last_time;
  gauge_t residual; /* fraction not yet added to last_value */
};
typedef struct rate_to_value_state_s rate_to_value_state_t;

/* State kept between calls of value_to_rate() (one per data source). */
struct value_to_rate_state_s {
  value_t last_value;
  cdtime_t last_time;
};
typedef struct value_to_rate_state_s value_to_rate_state_t;

/* ---- strings and memory (common_string.c) ------------------------------ */

/* strncpy() that always terminates `dest` (when n > 0). Returns dest. */
char *sstrncpy(char *dest, const char *src, size_t n);

/* snprintf(); returns what vsnprintf() returns. */
__attribute__((format(printf, 3, 4))) int ssnprintf(char *str, size_t size,
                                                    char const *format, ...);

/* Formats into a freshly allocated string; NULL on error. */
__attribute__((format(printf, 1, 2))) char *ssnprintf_alloc(char const *format,
                                                            ...);

/* Copy of `s` (NULL for NULL, or when out of memory). */
char *sstrdup(const char *s);
size_t sstrnlen(const char *s, size_t n);
/* Copy of at most `n` bytes of `s`, always terminated. */
char *sstrndup(const char *s, size_t n);
/* malloc() that never returns NULL: it logs and exits instead. */
void *smalloc(size_t size);
/* The message for `errnum`, copied into `buf`. Returns buf. */
char *sstrerror(int errnum, char *buf, size_t buflen);

#ifndef ERRBUF_SIZE
#define ERRBUF_SIZE 256
#endif

/* Message for an errno value, in a buffer that lives as long as the
 * enclosing block (a compound literal). */
#define STRERROR(e) sstrerror((e), (char[ERRBUF_SIZE]){0}, ERRBUF_SIZE)
#define STRERRNO STRERROR(errno)

/* Splits `string` in place at runs of blanks (space, tab, CR, LF) and stores
 * at most `size` pointers to the parts in `fields`. Returns their number. */
int strsplit(char *string, char **fields, size_t size);

/* Joins `fields` with `sep` (NULL means "") into `dst`, which may be NULL
 * when dst_len is 0. Returns the length of the full result, like snprintf:
 * a value >= dst_len means `dst` holds a truncated (terminated) prefix.
 * A separator is never written in part. Negative on error. */
int strjoin(char *dst, size_t dst_len, char **fields, size_t fields_num,
            const char *sep);

/* Makes one identifier part free of slashes: "/" becomes "root", one
 * leading slash is dropped, other slashes become '_'. 0 or negative. */
int escape_slashes(char *buffer, size_t buffer_size);

/* Quotes `buffer` for the plain text protocol when it contains a blank, a
 * double quote or a backslash (escaping the last two); otherwise leaves it
 * alone. A result that does not fit is truncated inside the quotes.
 * Returns 0 on success, even when truncated. */
int escape_string(char *buffer, size_t buffer_size);

/* Replaces every byte that is not alphanumeric or '-' with '_'. */
void replace_special(char *buffer, size_t buffer_size);

/* Undoes backslash escapes in place: \t, \n, \r become control characters,
 * any other escaped byte stands for itself. A lone trailing backslash is an
 * error (negative); the string is cut there. */
int strunescape(char *buf, size_t buf_len);

/* Drops trailing CR and LF bytes; returns the new length. */
__attribute__((nonnull(1))) size_t strstripnewline(char *buffer);

/* Appends a copy of `str` to a malloc'ed array of strings. 0 or an errno. */
int strarray_add(char ***ret_array, size_t *ret_array_len, char const *str);
void strarray_free(char **array, size_t array_len);

/* ---- time (common_time.c) ----------------------------------------------- */

/* Compares two timevals (<0, 0, >0) and stores |tv0 - tv1| in *delta if
 * delta is not NULL. */
int timeval_cmp(struct timeval tv0, struct timeval tv1, struct timeval *delta);

/* Carry whole seconds out of the sub-second field. */
#define NORMALIZE_TIMEVAL(tv)                                                  \
  do {                                                                         \
    (tv).tv_sec += (tv).tv_usec / 1000000;                                     \
    (tv).tv_usec = (tv).tv_usec % 1000000;                                     \
  } while (0)

#define NORMALIZE_TIMESPEC(tv)                                                 \
  do {                                                                         \
    (tv).tv_sec += (tv).tv_nsec / 1000000000;                                  \
    (tv).tv_nsec = (tv).tv_nsec % 1000000000;                                  \
  } while (0)

/* ---- files and I/O (common_io.c) ---------------------------------------- */

/* read()/write() exactly `count` bytes, retrying on EINTR and EAGAIN.
 * 0 on success. sread: -1 on error (errno set) or early end of file.
 * swrite: the errno value on error, or -1 with errno ECONNRESET when the
 * peer of a socket has closed it (checked before writing). */
int sread(int fd, void *buf, size_t count);
int swrite(int fd, const void *buf, size_t count);

/* Creates every directory on the way to `file_orig`. The last component is
 * a file name unless the path ends in '/'. Components starting with '.' are
 * refused (-2). 0 on success, negative on error. */
int check_create_dir(const char *file_orig);

typedef int (*dirwalk_callback_f)(const char *dirname, const char *filename,
                                  void *user_data);
/* Calls `callback` for each entry of `dir` except "." and ".." (and, unless
 * `hidden`, names starting with '.'). Fails only if the directory cannot be
 * read or every callback failed. */
int walk_directory(const char *dir, dirwalk_callback_f callback,
                   void *user_data, int hidden);

/* Returns the number of bytes read or negative on error. */
ssize_t read_file_contents(char const *filename, void *buf, size_t bufsize);
/* Same, for text: the result is terminated, and the returned count includes
 * the terminating NUL. Negative on error. */
ssize_t read_text_file_contents(char const *filename, char *buf,
                                size_t bufsize);

/* ---- byte order, services, capabilities (common_net.c) ------------------ */

#ifndef HAVE_HTONLL
unsigned long long ntohll(unsigned long long n);
unsigned long long htonll(unsigned long long n);
#endif

/* Doubles travel in x86 (little endian) order in the network protocol. */
#if defined(__FLOAT_WORD_ORDER__) &&                                           \
    __FLOAT_WORD_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&                         \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ntohd(d) (d)
#define htond(d) (d)
#else
double ntohd(double d);
double htond(double d);
#endif

/* Turns on TCP keep-alive for stream sockets, probing after about ten
 * intervals of silence, once per interval. */
void set_sock_opts(int sockfd);

/* Port number (1..65535) for a service name or number; negative on error. */
int service_name_to_port_number(const char *service_name);

/* 0 if the process has capability `arg` (see capabilities(7)) in its
 * effective set, negative if not or on error. */
int check_capability(int arg);

/* ---- identifiers and values (common_parse.c, common_format.c) ----------- */

/* Writes "host/plugin[-plugin_instance]/type[-type_instance]" into `ret`.
 * Returns 0, or ENOBUFS when it does not fit. */
int format_name(char *ret, int ret_len, const char *hostname,
                const char *plugin, const char *plugin_instance,
                const char *type, const char *type_instance);
#define FORMAT_VL(ret, ret_len, vl)                                            \
  format_name(ret, ret_len, (vl)->host, (vl)->plugin, (vl)->plugin_instance,   \
              (vl)->type, (vl)->type_instance)

/* Writes "time:value[:value...]" (time with millisecond precision, gauges
 * with GAUGE_FORMAT; with store_rates, every value as a rate taken from the
 * value cache). 0 on success, negative if it does not fit or on error. */
int format_values(char *ret, size_t ret_len, const data_set_t *ds,
                  const value_list_t *vl, bool store_rates);

/* Splits "[host/]plugin[-inst]/type[-inst]" in place. Missing instances are
 * returned as NULL; a missing host is allowed only if default_host is set. */
int parse_identifier(char *str, char **ret_host, char **ret_plugin,
                     char **ret_plugin_instance, char **ret_type,
                     char **ret_type_instance, char *default_host);
/* The same into the name fields of `vl` (a host is required). */
int parse_identifier_vl(const char *str, value_list_t *vl);

/* Parses one number of data source type `ds_type` (integers in any C base,
 * surrounding blanks allowed, trailing garbage logged and ignored). */
int parse_value(const char *value, value_t *ret_value, int ds_type);
/* Parses "time:value[:value...]" ("N" = now, "U" = NAN for gauges) into
 * vl->time and vl->values, which must have room for vl->values_len values.
 * Fewer values than data sources are accepted, more are not. `buffer` is
 * modified. */
int parse_values(char *buffer, value_list_t *vl, const data_set_t *ds);

/* parse_value() on the first line of the file `path`. 0 or non-zero. */
int parse_value_file(char const *path, value_t *ret_value, int ds_type);

/* String to derive_t (any C base; trailing text ignored): 0 or -1.
 * String to gauge_t (the whole string must be a number): 0 or an errno.
 * On failure *ret_value is left untouched. */
int strtoderive(const char *string, derive_t *ret_value);
int strtogauge(const char *string, gauge_t *ret_value);

/* ---- notifications ------------------------------------------------------- */

/* Clears `n` and fills in the given fields (NULL ones stay empty). */
int notification_init(notification_t *n, int severity, const char *message,
                      const char *host, const char *plugin,
                      const char *plugin_instance, const char *type,
                      const char *type_instance);
#define NOTIFICATION_INIT_VL(n, vl)                                            \
  notification_init(n, NOTIF_FAILURE, NULL, (vl)->host, (vl)->plugin,          \
                    (vl)->plugin_instance, (vl)->type, (vl)->type_instance)

/* ---- counters and rates (common_rate.c) --------------------------------- */

/* new - old for a counter, assuming it wrapped at 2^32 or 2^64 when it
 * went down. */
counter_t counter_diff(counter_t old_value, counter_t new_value);

/* Turns a rate back into a value of type `ds_type` at time `t`, carrying
 * fractions over to the next call. Returns 0, EAGAIN on the first call (no
 * value yet), or another errno on error. */
int rate_to_value(value_t *ret_value, gauge_t rate,
                  rate_to_value_state_t *state, int ds_type, cdtime_t t);

/* Turns a value into a rate per second against the previous call. Returns
 * 0, EAGAIN on the first call (no rate yet), or EINVAL. */
int value_to_rate(gauge_t *ret_rate, value_t value, int ds_type, cdtime_t t,
                  value_to_rate_state_t *state);

#endif /* UTILS_COMMON_COMMON_H */
