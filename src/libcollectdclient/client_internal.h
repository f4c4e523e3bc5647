/* What the files of the client library share and its users must not see. */
#ifndef CLIENT_INTERNAL_H
#define CLIENT_INTERNAL_H

#include "collectd/client.h"

#include <stdarg.h>
#include <stddef.h>

/* Writes the reason into err (when there is one) and returns status, so
 * that a failure is reported and returned in one statement:
 *   return cdc__error(err, errlen, -EINVAL, "Bad thing: %s", s); */
__attribute__((format(printf, 4, 5))) int
cdc__error(char *err, size_t errlen, int status, const char *fmt, ...);

/* A growable string; every append keeps it NUL-terminated. On allocation
 * failure it sets failed and keeps what it had, so that a caller can append
 * several pieces and check once. */
typedef struct {
  char *buf;
  size_t len;
  size_t size;
  int failed;
} cdc_strbuf_t;

/* Appends len bytes of data; the buffer exists after the first call even
 * when len is 0. */
void cdc__strbuf_append(cdc_strbuf_t *sb, const char *data, size_t len);
__attribute__((format(printf, 2, 3))) void
cdc__strbuf_printf(cdc_strbuf_t *sb, const char *fmt, ...);
/* Appends s between double quotes, with '"' and '\\' escaped, as the
 * daemon's command parser reads a quoted word. */
void cdc__strbuf_quoted(cdc_strbuf_t *sb, const char *s);
void cdc__strbuf_free(cdc_strbuf_t *sb);

/* Appends the identifier, quoted. */
void cdc__strbuf_identifier(cdc_strbuf_t *sb, const cdc_identifier_t *id);

/* Sends command and fails unless the daemon accepts it: a negative status
 * becomes -EREMOTEIO with "Server error: <message>". */
int cdc__request_ok(cdc_conn_t *c, const char *command, cdc_reply_t *reply,
                    char *err, size_t errlen);

#endif /* CLIENT_INTERNAL_H */
