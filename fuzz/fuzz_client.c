/* libFuzzer target for the client library's reading of replies
 * (src/libcollectdclient): the input, after its first byte, is everything
 * a daemon sends on the connection, and the client issues commands
 * against it until the stream is used up or the connection gives up:
 * GETVAL, LISTVAL, LISTPLUGINS, PUTVAL, FLUSH, LOAD and a plain
 * cdc_request(), in that order, round and round; the first byte says
 * which one goes first: '0' GETVAL ... '6' cdc_request() (other bytes
 * count on modulo 7 from there). So a seed is "1" followed by a LISTVAL
 * reply, for instance. What the client sends
 * is never read: the reply stream is the whole conversation.
 *
 * Checked besides crashes, leaks and undefined behaviour:
 *  - a reply read by cdc_request() has as many lines as its status
 *    announces, none with a line break;
 *  - a command that fails says why (err is not empty) and leaves its
 *    results untouched; one that succeeds returns as many entries as the
 *    reply had lines, with every name NUL-terminated in its field;
 *  - an identifier of LISTVAL's reply reads back the same once formatted
 *    (cdc_identifier_format, cdc_identifier_parse);
 *  - after a failure inside a reply the connection refuses every further
 *    command with the same error.
 *
 * Build: `make fuzz/bin/fuzz_client` (`make fuzz-smoke` builds and runs
 * every target briefly). Run:
 *   fuzz/bin/fuzz_client -max_len=16384 -timeout=25 new/ fuzz/corpus/client */
#include "fuzz_util.h"

#include "collectd/client.h"

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

/* The stream must fit the socket's buffer: nobody reads while it is
 * written. */
#define FUZZ_INPUT_MAX 100000
/* Commands per input at the most. */
#define FUZZ_COMMANDS 64
#define COMMAND_KINDS 7

static bool terminated(const char *field, size_t size) {
  return memchr(field, '\0', size) != NULL;
}

static bool same_id(const cdc_identifier_t *a, const cdc_identifier_t *b) {
  return strcmp(a->host, b->host) == 0 && strcmp(a->plugin, b->plugin) == 0 &&
         strcmp(a->plugin_instance, b->plugin_instance) == 0 &&
         strcmp(a->type, b->type) == 0 &&
         strcmp(a->type_instance, b->type_instance) == 0;
}

static const cdc_identifier_t id = {.host = "host",
                                    .plugin = "plugin",
                                    .plugin_instance = "0",
                                    .type = "gauge",
                                    .type_instance = "x"};

/* A failure says why; err was cleared before the call. */
static void check_failure(int status, const char *err) {
  FUZZ_CHECK(status < 0);
  FUZZ_CHECK_MSG(err[0] != '\0', "(no reason given)");
}

static int run_getval(cdc_conn_t *c, char *err, size_t errlen) {
  cdc_ds_value_t *values = (void *)&id; /* must stay as it is on failure */
  size_t num = 12345;
  int status = cdc_getval(c, &id, &values, &num, err, errlen);
  if (status != 0) {
    FUZZ_CHECK(values == (void *)&id && num == 12345);
    return status;
  }
  FUZZ_CHECK((num == 0) == (values == NULL));
  for (size_t i = 0; i < num; i++)
    FUZZ_CHECK(terminated(values[i].name, sizeof(values[i].name)));
  free(values);
  return 0;
}

static int run_listval(cdc_conn_t *c, char *err, size_t errlen) {
  cdc_listval_entry_t *entries = (void *)&id;
  size_t num = 12345;
  int status = cdc_listval(c, &entries, &num, err, errlen);
  if (status != 0) {
    FUZZ_CHECK(entries == (void *)&id && num == 12345);
    return status;
  }
  FUZZ_CHECK((num == 0) == (entries == NULL));
  for (size_t i = 0; i < num; i++) {
    const cdc_identifier_t *e = &entries[i].id;
    FUZZ_CHECK(terminated(e->host, sizeof(e->host)) &&
               terminated(e->plugin, sizeof(e->plugin)) &&
               terminated(e->plugin_instance, sizeof(e->plugin_instance)) &&
               terminated(e->type, sizeof(e->type)) &&
               terminated(e->type_instance, sizeof(e->type_instance)));
    char text[5 * CDC_NAME_LEN];
    FUZZ_CHECK(cdc_identifier_format(e, text, sizeof(text), NULL, 0) == 0);
    cdc_identifier_t again;
    FUZZ_CHECK_MSG(cdc_identifier_parse(text, NULL, &again, NULL, 0) == 0,
                   text);
    FUZZ_CHECK_MSG(same_id(&again, e), text);
  }
  free(entries);
  return 0;
}

static int run_listplugins(cdc_conn_t *c, char *err, size_t errlen) {
  cdc_plugin_info_t *plugins = (void *)&id;
  size_t num = 12345;
  int status = cdc_listplugins(c, &plugins, &num, err, errlen);
  if (status != 0) {
    FUZZ_CHECK(plugins == (void *)&id && num == 12345);
    return status;
  }
  FUZZ_CHECK((num == 0) == (plugins == NULL));
  for (size_t i = 0; i < num; i++) {
    const cdc_plugin_info_t *p = plugins + i;
    FUZZ_CHECK(terminated(p->name, sizeof(p->name)) && p->name[0] != '\0');
    FUZZ_CHECK(terminated(p->state, sizeof(p->state)) && p->state[0] != '\0');
    FUZZ_CHECK(p->unloadable == 0 || p->unloadable == 1);
    FUZZ_CHECK(terminated(p->failure, sizeof(p->failure)));
  }
  free(plugins);
  return 0;
}

static int run_putval(cdc_conn_t *c, char *err, size_t errlen) {
  cdc_value_t values[] = {{.kind = CDC_VALUE_REAL, .real = 0.5},
                          {.kind = CDC_VALUE_UNDEF},
                          {.kind = CDC_VALUE_SIGNED, .i = -3}};
  cdc_value_list_t vl = {
      .time = 1700000000, .interval = 10, .values = values, .values_num = 3};
  return cdc_putval(c, &id, &vl, err, errlen);
}

static int run_flush(cdc_conn_t *c, char *err, size_t errlen) {
  return cdc_flush(c, "csv", &id, 5, err, errlen);
}

static int run_load(cdc_conn_t *c, char *err, size_t errlen) {
  char msg[64];
  memset(msg, 'x', sizeof(msg));
  int status = cdc_plugin_load(c, "cpu", msg, sizeof(msg), err, errlen);
  if (status == 0)
    FUZZ_CHECK(terminated(msg, sizeof(msg)));
  else
    FUZZ_CHECK(msg[0] == 'x'); /* untouched */
  return status;
}

static int run_request(cdc_conn_t *c, char *err, size_t errlen) {
  cdc_reply_t reply;
  int status = cdc_request(c, "LISTVAL", &reply, err, errlen);
  if (status != 0) {
    FUZZ_CHECK(reply.message == NULL && reply.lines == NULL &&
               reply.lines_num == 0);
    return status;
  }
  FUZZ_CHECK(reply.message != NULL);
  FUZZ_CHECK(reply.lines_num == (reply.status > 0 ? (size_t)reply.status : 0));
  for (size_t i = 0; i < reply.lines_num; i++)
    FUZZ_CHECK(strchr(reply.lines[i], '\n') == NULL);
  cdc_reply_free(&reply);
  FUZZ_CHECK(reply.message == NULL && reply.lines == NULL);
  return 0;
}

typedef int run_fn(cdc_conn_t *c, char *err, size_t errlen);
static run_fn *const commands[COMMAND_KINDS] = {
    run_getval, run_listval, run_listplugins, run_putval,
    run_flush,  run_load,    run_request,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > FUZZ_INPUT_MAX)
    return 0;
  int sv[2];
  FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  for (size_t done = 1; done < size;) {
    ssize_t n = send(sv[1], data + done, size - done, MSG_NOSIGNAL);
    FUZZ_CHECK(n > 0);
    done += (size_t)n;
  }
  FUZZ_CHECK(shutdown(sv[1], SHUT_WR) == 0);

  cdc_conn_t *c = NULL;
  FUZZ_CHECK(cdc_attach(sv[0], &c, NULL, 0) == 0);
  size_t next = (uint8_t)(data[0] - '0') % COMMAND_KINDS;
  int broken = 0; /* the error that ended a cdc_request() */
  for (int i = 0; i < FUZZ_COMMANDS; i++) {
    char err[256] = "";
    int status = commands[next](c, err, sizeof(err));
    next = (next + 1) % COMMAND_KINDS;
    if (status == 0)
      continue;
    check_failure(status, err);
    if (broken != 0) {
      FUZZ_CHECK(status == broken);
      break; /* it stays broken; no need to ask again */
    }
    /* Failures that leave the connection usable: the daemon said no, or
     * a line of a complete reply did not parse. Anything else ended the
     * conversation, which must now refuse commands. */
    if (status != -EREMOTEIO && status != -EPROTO)
      broken = status;
  }
  cdc_disconnect(c);
  close(sv[1]);
  return 0;
}
