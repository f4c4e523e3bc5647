/* The client library against a scripted server: what it sends for each
 * command, and what it makes of well-formed, failed, malformed and
 * truncated replies. */
#include "collectd/client.h"

#include "check_main.h"
#include "client_fake_server.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static fake_server_t fs;
static char err[256];

/* A connection to a fake server that follows the script. */
static cdc_conn_t *fake_connect(const char *const *replies) {
  int fd;
  fs.replies = replies;
  fake_server_start(&fs, &fd);
  cdc_conn_t *c = NULL;
  ck_assert_int_eq(cdc_attach(fd, &c, err, sizeof(err)), 0);
  ck_assert_ptr_nonnull(c);
  return c;
}

/* Closes the client's end and waits for the server to finish. */
static void fake_finish(cdc_conn_t *c) {
  cdc_disconnect(c);
  fake_server_join(&fs);
}

static void setup(void) {
  memset(&fs, 0, sizeof(fs));
  err[0] = '\0';
}

static cdc_identifier_t ident(const char *s) {
  cdc_identifier_t id;
  ck_assert_int_eq(cdc_identifier_parse(s, "defhost", &id, err, sizeof(err)),
                   0);
  return id;
}

/* ---- the request/reply layer ------------------------------------------ */

START_TEST(test_request_lines) {
  const char *const script[] = {"2 Values found\nvalue=1\nx=2\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_reply_t r;
  ck_assert_int_eq(cdc_request(c, "GETVAL \"a/b/c\"", &r, err, sizeof(err)),
                   0);
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.message, "Values found");
  ck_assert_uint_eq(r.lines_num, 2);
  ck_assert_str_eq(r.lines[0], "value=1");
  ck_assert_str_eq(r.lines[1], "x=2");
  cdc_reply_free(&r);
  ck_assert_ptr_null(r.lines);
  cdc_reply_free(&r); /* twice is harmless */
  fake_finish(c);
  ck_assert_str_eq(fs.received, "GETVAL \"a/b/c\"\n");
}
END_TEST

/* The same replies, written one byte at a time, with CRLF line ends, and
 * with a line longer than the library's read buffer. */
START_TEST(test_request_split_reads) {
  static char long_reply[20000];
  memcpy(long_reply, "1 ok\r\n", 6);
  memset(long_reply + 6, 'x', 10000);
  memcpy(long_reply + 10006, "\r\n", 3);
  const char *const script[] = {"0 Success\r\n", long_reply, NULL};
  cdc_conn_t *c = fake_connect(script);
  fs.trickle = 1;
  cdc_reply_t r;
  ck_assert_int_eq(cdc_request(c, "PUTVAL x", &r, err, sizeof(err)), 0);
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(r.message, "Success");
  ck_assert_uint_eq(r.lines_num, 0);
  cdc_reply_free(&r);
  ck_assert_int_eq(cdc_request(c, "GETVAL y", &r, err, sizeof(err)), 0);
  ck_assert_uint_eq(r.lines_num, 1);
  ck_assert_uint_eq(strlen(r.lines[0]), 10000);
  ck_assert_int_eq(r.lines[0][9999], 'x');
  cdc_reply_free(&r);
  fake_finish(c);
}
END_TEST

START_TEST(test_request_failure_status) {
  const char *const script[] = {"-1 No such value.\n", "-1\n", "-17 why\n",
                                NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_reply_t r;
  /* cdc_request reads a failure like any other reply ... */
  ck_assert_int_eq(cdc_request(c, "GETVAL x", &r, err, sizeof(err)), 0);
  ck_assert_int_eq(r.status, -1);
  ck_assert_str_eq(r.message, "No such value.");
  ck_assert_uint_eq(r.lines_num, 0);
  cdc_reply_free(&r);
  ck_assert_int_eq(cdc_request(c, "GETVAL x", &r, err, sizeof(err)), 0);
  ck_assert_int_eq(r.status, -1);
  ck_assert_str_eq(r.message, "");
  cdc_reply_free(&r);
  /* ... the commands turn it into -EREMOTEIO and the daemon's words. */
  cdc_identifier_t id = ident("h/p/t");
  cdc_ds_value_t *v = (void *)1;
  size_t n = 99;
  ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: why");
  ck_assert_ptr_eq(v, (void *)1); /* untouched on failure */
  ck_assert_uint_eq(n, 99);
  fake_finish(c);
}
END_TEST

/* A failed request leaves nothing allocated and the reply zeroed. */
START_TEST(test_request_malformed_status) {
  const char *const bad[] = {"garbage\n", "12abc ok\n", "- 1 x\n",
                             "99999999999 x\n", "1\tx\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *const script[] = {bad[i], "0 ok\n", NULL};
    cdc_conn_t *c = fake_connect(script);
    cdc_reply_t r = {.status = 42};
    ck_assert_int_eq(cdc_request(c, "LISTVAL", &r, err, sizeof(err)),
                     -EPROTO);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(r.message);
    ck_assert_msg(strstr(err, "Malformed status line") != NULL, "%s", err);
    /* The connection cannot know where the next reply starts: it refuses
     * further commands instead of mixing replies up. */
    ck_assert_int_eq(cdc_request(c, "LISTVAL", &r, err, sizeof(err)),
                     -EPROTO);
    ck_assert_str_eq(err, "The connection is unusable after an earlier error");
    fake_finish(c);
    ck_assert_uint_eq(fs.lines_received, 1);
  }
}
END_TEST

START_TEST(test_request_closed_early) {
  /* Closed before the status line, in the middle of it, and before all
   * announced lines came. */
  const char *const replies[] = {"", "0 Suc", "3 Values found\na\nb\n"};
  for (size_t i = 0; i < 3; i++) {
    const char *const script[] = {replies[i], NULL};
    cdc_conn_t *c = fake_connect(script);
    cdc_reply_t r;
    ck_assert_int_eq(cdc_request(c, "LISTVAL", &r, err, sizeof(err)),
                     -ECONNRESET);
    ck_assert_ptr_null(r.lines);
    ck_assert_uint_eq(r.lines_num, 0);
    fake_finish(c);
  }
}
END_TEST

/* A daemon that is gone when the command is sent: an error, not SIGPIPE. */
START_TEST(test_request_peer_gone) {
  const char *const script[] = {NULL};
  cdc_conn_t *c = fake_connect(script);
  fake_server_join(&fs); /* the server closed its end */
  cdc_reply_t r;
  /* The first send may still succeed into the socket buffer; then the read
   * sees the end. Either way the request fails. */
  int status = cdc_request(c, "LISTVAL", &r, err, sizeof(err));
  ck_assert_msg(status == -EPIPE || status == -ECONNRESET, "%d %s", status,
                err);
  cdc_disconnect(c);
}
END_TEST

/* collectd 5.12 follows some error lines with an empty line; the next
 * reply must still be read as the answer to the next command. */
START_TEST(test_request_skips_empty_lines) {
  const char *const script[] = {"-1 Type `c/d' is unknown.\n\n",
                                "0 Done: 1 successful, 0 errors\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_reply_t r;
  ck_assert_int_eq(cdc_request(c, "GETVAL \"a/b/c/d\"", &r, err, sizeof(err)),
                   0);
  ck_assert_int_eq(r.status, -1);
  cdc_reply_free(&r);
  ck_assert_int_eq(cdc_request(c, "FLUSH", &r, err, sizeof(err)), 0);
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(r.message, "Done: 1 successful, 0 errors");
  cdc_reply_free(&r);
  fake_finish(c);
}
END_TEST

START_TEST(test_request_rejects_line_breaks) {
  const char *const script[] = {"0 ok\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_reply_t r;
  ck_assert_int_eq(
      cdc_request(c, "GETVAL x\nFLUSH", &r, err, sizeof(err)), -EINVAL);
  ck_assert_int_eq(cdc_request(c, "GETVAL x\r", &r, err, sizeof(err)),
                   -EINVAL);
  /* Nothing was sent: the connection still works. */
  ck_assert_int_eq(cdc_request(c, "FLUSH", &r, err, sizeof(err)), 0);
  cdc_reply_free(&r);
  fake_finish(c);
  ck_assert_str_eq(fs.received, "FLUSH\n");
}
END_TEST

START_TEST(test_request_line_too_long) {
  size_t len = 1024 * 1024 + 10;
  char *reply = malloc(len + 1);
  memset(reply, 'x', len);
  reply[len] = '\0';
  const char *const script[] = {reply, NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_reply_t r;
  ck_assert_int_eq(cdc_request(c, "LISTVAL", &r, err, sizeof(err)),
                   -EMSGSIZE);
  fake_finish(c);
  free(reply);
}
END_TEST

/* The count in the status line is the daemon's word: a big one costs no
 * memory until the lines arrive. */
START_TEST(test_request_many_lines) {
  size_t n = 5000;
  char *reply = malloc(n * 40 + 64);
  size_t len = (size_t)sprintf(reply, "%zu Values found\n", n);
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(reply + len, "1700000000.%03zu h/p-%zu/gauge\n",
                           i % 1000, i);
  const char *const script[] = {reply, "2000000000 Values found\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_listval_entry_t *e;
  size_t num;
  ck_assert_int_eq(cdc_listval(c, &e, &num, err, sizeof(err)), 0);
  ck_assert_uint_eq(num, n);
  ck_assert_str_eq(e[4999].id.plugin_instance, "4999");
  ck_assert_double_eq_tol(e[4999].time, 1700000000.999, 1e-3);
  free(e);
  ck_assert_int_eq(cdc_listval(c, &e, &num, err, sizeof(err)), -ECONNRESET);
  fake_finish(c);
  free(reply);
}
END_TEST

START_TEST(test_error_buffer_optional) {
  const char *const script[] = {"-1 no\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  ck_assert_int_eq(cdc_flush(c, NULL, NULL, 0, NULL, 0), -EREMOTEIO);
  cdc_identifier_t id;
  ck_assert_int_eq(cdc_identifier_parse("x", NULL, &id, NULL, 0), -EINVAL);
  /* A short buffer gets a cut but terminated message. */
  char small[8];
  ck_assert_int_eq(cdc_identifier_parse("x", NULL, &id, small, sizeof(small)),
                   -EINVAL);
  ck_assert_str_eq(small, "Malform");
  fake_finish(c);
}
END_TEST

/* ---- connecting by path --------------------------------------------------- */

START_TEST(test_connect_path) {
  char dir[] = "/tmp/test_client_conn.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof(path), "%s/sock", dir);

  int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strcpy(sa.sun_path, path);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  ck_assert_int_eq(listen(lfd, 1), 0);

  cdc_conn_t *c = NULL;
  ck_assert_int_eq(cdc_connect(path, &c, err, sizeof(err)), 0);
  int sfd = accept(lfd, NULL, NULL);
  ck_assert_int_ge(sfd, 0);
  const char *const script[] = {"1 Value found\nvalue=4.200000e+01\n", NULL};
  fs.replies = script;
  fake_server_start_fd(&fs, sfd);
  cdc_identifier_t id = ident("h/p/gauge");
  cdc_ds_value_t *v;
  size_t n;
  ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_double_eq(v[0].value, 42.0);
  free(v);
  fake_finish(c);

  close(lfd);
  unlink(path);
  rmdir(dir);
}
END_TEST

START_TEST(test_connect_errors) {
  cdc_conn_t *c = (void *)1;
  ck_assert_int_eq(cdc_connect("/nonexistent/sock", &c, err, sizeof(err)),
                   -ENOENT);
  ck_assert_str_eq(err, "Failed to connect to daemon at unix:/nonexistent/"
                        "sock: No such file or directory");
  ck_assert_ptr_eq(c, (void *)1);

  char path[200];
  memset(path, 'a', sizeof(path) - 1);
  path[0] = '/';
  path[sizeof(path) - 1] = '\0';
  ck_assert_int_eq(cdc_connect(path, &c, err, sizeof(err)), -ENAMETOOLONG);

  /* Not a socket. */
  ck_assert_int_eq(cdc_connect("/dev/null", &c, err, sizeof(err)),
                   -ECONNREFUSED);
  ck_assert_int_eq(cdc_connect(NULL, &c, err, sizeof(err)), -EINVAL);
  ck_assert_int_eq(cdc_attach(-1, &c, err, sizeof(err)), -EINVAL);
  cdc_disconnect(NULL);
}
END_TEST

/* ---- the commands ---------------------------------------------------------- */

START_TEST(test_getval) {
  const char *const script[] = {
      "3 Values found\nrx=1.500000e+00\ntx=NaN\n=-inf \n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_identifier_t id = ident("my host/if-eth0/if_octets-x");
  cdc_ds_value_t *v;
  size_t n;
  ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(v[0].name, "rx");
  ck_assert_double_eq(v[0].value, 1.5);
  ck_assert_str_eq(v[1].name, "tx");
  ck_assert(isnan(v[1].value));
  ck_assert_str_eq(v[2].name, "");
  ck_assert(isinf(v[2].value) && v[2].value < 0);
  free(v);
  fake_finish(c);
  ck_assert_str_eq(fs.received, "GETVAL \"my host/if-eth0/if_octets-x\"\n");
}
END_TEST

START_TEST(test_getval_empty) {
  const char *const script[] = {"0 Values found\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_identifier_t id = ident("h/p/t");
  cdc_ds_value_t *v = (void *)1;
  size_t n = 5;
  ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), 0);
  ck_assert_ptr_null(v);
  ck_assert_uint_eq(n, 0);
  fake_finish(c);
}
END_TEST

START_TEST(test_getval_malformed) {
  const char *bad[] = {"1 Value found\nnoequals\n", "1 Value found\nx=\n",
                       "1 Value found\nx=abc\n", "1 Value found\nx=1 2\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *const script[] = {bad[i], NULL};
    cdc_conn_t *c = fake_connect(script);
    cdc_identifier_t id = ident("h/p/t");
    cdc_ds_value_t *v;
    size_t n;
    ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), -EPROTO);
    ck_assert_msg(strstr(err, "Malformed value line") != NULL, "%s", err);
    fake_finish(c);
  }
}
END_TEST

/* Identifiers are quoted on the wire, '"' and '\' escaped. */
START_TEST(test_identifier_quoting) {
  const char *const script[] = {"-1 No such value.\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_identifier_t id = ident("h\"q\\/p/t");
  cdc_ds_value_t *v;
  size_t n;
  ck_assert_int_eq(cdc_getval(c, &id, &v, &n, err, sizeof(err)), -EREMOTEIO);
  fake_finish(c);
  ck_assert_str_eq(fs.received, "GETVAL \"h\\\"q\\\\/p/t\"\n");
}
END_TEST

START_TEST(test_putval) {
  const char *const script[] = {
      "0 Success: 1 value has been dispatched.\n",
      "0 Success: 1 value has been dispatched.\n",
      "-1 Parsing the values string failed.\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_identifier_t id = ident("h/p-i/if_octets");
  cdc_value_t values[] = {
      {.kind = CDC_VALUE_REAL, .real = 0.1},
      {.kind = CDC_VALUE_UNDEF},
      {.kind = CDC_VALUE_SIGNED, .i = -3},
      {.kind = CDC_VALUE_UNSIGNED, .u = UINT64_MAX},
  };
  cdc_value_list_t vl = {.time = 1700000000, .interval = 10,
                         .values = values, .values_num = 4};
  ck_assert_int_eq(cdc_putval(c, &id, &vl, err, sizeof(err)), 0);
  vl = (cdc_value_list_t){.values = values, .values_num = 1};
  ck_assert_int_eq(cdc_putval(c, &id, &vl, err, sizeof(err)), 0);
  ck_assert_int_eq(cdc_putval(c, &id, &vl, err, sizeof(err)), -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: Parsing the values string failed.");
  vl.values_num = 0;
  ck_assert_int_eq(cdc_putval(c, &id, &vl, err, sizeof(err)), -EINVAL);
  fake_finish(c);
  ck_assert_str_eq(fs.received,
                   "PUTVAL \"h/p-i/if_octets\" interval=10.000 "
                   "1700000000.000:0.1:U:-3:18446744073709551615\n"
                   "PUTVAL \"h/p-i/if_octets\" N:0.1\n"
                   "PUTVAL \"h/p-i/if_octets\" N:0.1\n");
}
END_TEST

START_TEST(test_listval) {
  const char *const script[] = {
      "3 Values found\n"
      "1795553638.889 peerhost/test-x/if_octets\n"
      "12 a b/c-d-e/f\n"
      "1.5  h/p/t/u\n",
      "0 Values found\n", "-1 nope\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_listval_entry_t *e;
  size_t n;
  ck_assert_int_eq(cdc_listval(c, &e, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_double_eq_tol(e[0].time, 1795553638.889, 1e-6);
  ck_assert_str_eq(e[0].id.host, "peerhost");
  ck_assert_str_eq(e[0].id.plugin, "test");
  ck_assert_str_eq(e[0].id.plugin_instance, "x");
  ck_assert_str_eq(e[0].id.type, "if_octets");
  ck_assert_str_eq(e[1].id.host, "a b");
  ck_assert_str_eq(e[1].id.plugin_instance, "d-e");
  ck_assert_str_eq(e[2].id.type, "t/u");
  free(e);
  ck_assert_int_eq(cdc_listval(c, &e, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_null(e);
  ck_assert_int_eq(cdc_listval(c, &e, &n, err, sizeof(err)), -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: nope");
  fake_finish(c);
  ck_assert_str_eq(fs.received, "LISTVAL\nLISTVAL\nLISTVAL\n");
}
END_TEST

START_TEST(test_listval_malformed) {
  const char *bad[] = {"1 Values found\nnotime\n",
                       "1 Values found\n12 nohostpart\n",
                       "1 Values found\nabc h/p/t\n",
                       "1 Values found\n12\th/p/t\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *const script[] = {bad[i], NULL};
    cdc_conn_t *c = fake_connect(script);
    cdc_listval_entry_t *e = (void *)1;
    size_t n;
    ck_assert_int_eq(cdc_listval(c, &e, &n, err, sizeof(err)), -EPROTO);
    ck_assert_ptr_eq(e, (void *)1);
    fake_finish(c);
  }
}
END_TEST

START_TEST(test_flush) {
  const char *const ok = "0 Done: 1 successful, 0 errors\n";
  const char *const script[] = {ok, ok, ok, ok, "-1 flush failed\n", NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_identifier_t id = ident("x/y-1/z");
  ck_assert_int_eq(cdc_flush(c, NULL, NULL, 0, err, sizeof(err)), 0);
  ck_assert_int_eq(cdc_flush(c, "rrd\"tool", NULL, 2, err, sizeof(err)), 0);
  ck_assert_int_eq(cdc_flush(c, NULL, &id, 2.5, err, sizeof(err)), 0);
  ck_assert_int_eq(cdc_flush(c, "csv", &id, -1, err, sizeof(err)), 0);
  ck_assert_int_eq(cdc_flush(c, "csv", NULL, 0, err, sizeof(err)),
                   -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: flush failed");
  fake_finish(c);
  ck_assert_str_eq(fs.received, "FLUSH\n"
                                "FLUSH timeout=2 plugin=\"rrd\\\"tool\"\n"
                                "FLUSH timeout=2.5 identifier=\"x/y-1/z\"\n"
                                "FLUSH plugin=\"csv\" identifier=\"x/y-1/z\"\n"
                                "FLUSH plugin=\"csv\"\n");
}
END_TEST

START_TEST(test_plugin_commands) {
  const char *const script[] = {"0 cpu: ready\n",
                                "0 my \"odd\" plugin: unloaded\n",
                                "0 csv: reloaded\n",
                                "-1 cpu: unload: not unloadable (legacy)\n",
                                "0 cpu: ready\n",
                                NULL};
  cdc_conn_t *c = fake_connect(script);
  char msg[64] = "untouched";
  ck_assert_int_eq(
      cdc_plugin_load(c, "cpu", msg, sizeof(msg), err, sizeof(err)), 0);
  ck_assert_str_eq(msg, "cpu: ready");
  ck_assert_int_eq(cdc_plugin_unload(c, "my \"odd\\ plugin", msg,
                                     sizeof(msg), err, sizeof(err)),
                   0);
  ck_assert_str_eq(msg, "my \"odd\" plugin: unloaded");
  /* The message is optional, and cut to the buffer. */
  ck_assert_int_eq(cdc_plugin_reload(c, "csv", NULL, 0, err, sizeof(err)), 0);
  strcpy(msg, "untouched");
  ck_assert_int_eq(
      cdc_plugin_unload(c, "cpu", msg, sizeof(msg), err, sizeof(err)),
      -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: cpu: unload: not unloadable (legacy)");
  ck_assert_str_eq(msg, "untouched");
  char small[5];
  ck_assert_int_eq(
      cdc_plugin_load(c, "cpu", small, sizeof(small), err, sizeof(err)), 0);
  ck_assert_str_eq(small, "cpu:");
  ck_assert_int_eq(cdc_plugin_load(c, NULL, msg, sizeof(msg), err,
                                   sizeof(err)),
                   -EINVAL);
  ck_assert_int_eq(cdc_plugin_load(NULL, "cpu", msg, sizeof(msg), err,
                                   sizeof(err)),
                   -EINVAL);
  fake_finish(c);
  /* Names go quoted, '"' and '\' escaped, as identifiers do. */
  ck_assert_str_eq(fs.received, "LOAD \"cpu\"\n"
                                "UNLOAD \"my \\\"odd\\\\ plugin\"\n"
                                "RELOAD \"csv\"\n"
                                "UNLOAD \"cpu\"\n"
                                "LOAD \"cpu\"\n");
}
END_TEST

START_TEST(test_listplugins) {
  const char *const script[] = {
      "3 Plugins loaded\n"
      "logfile ready unloadable\n"
      "cpu ready legacy\n"
      "test_config_fail failed unloadable config: /tmp/x/collectd.conf:14: "
      "option \"Fail\" was rejected\n",
      "0 Plugins loaded\n",
      "-1 LISTPLUGINS is disabled: it needs \"PluginControl true\" in the "
      "<Plugin unixsock> block.\n",
      NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_plugin_info_t *p;
  size_t n;
  ck_assert_int_eq(cdc_listplugins(c, &p, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(p[0].name, "logfile");
  ck_assert_str_eq(p[0].state, "ready");
  ck_assert_int_eq(p[0].unloadable, 1);
  ck_assert_str_eq(p[0].failure, "");
  ck_assert_str_eq(p[1].name, "cpu");
  ck_assert_int_eq(p[1].unloadable, 0);
  ck_assert_str_eq(p[2].state, "failed");
  ck_assert_str_eq(p[2].failure, "config: /tmp/x/collectd.conf:14: option "
                                 "\"Fail\" was rejected");
  free(p);
  ck_assert_int_eq(cdc_listplugins(c, &p, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_null(p);
  ck_assert_int_eq(cdc_listplugins(c, &p, &n, err, sizeof(err)), -EREMOTEIO);
  ck_assert_str_eq(err, "Server error: LISTPLUGINS is disabled: it needs "
                        "\"PluginControl true\" in the <Plugin unixsock> "
                        "block.");
  fake_finish(c);
  ck_assert_str_eq(fs.received, "LISTPLUGINS\nLISTPLUGINS\nLISTPLUGINS\n");
}
END_TEST

START_TEST(test_listplugins_isolated_restarts) {
  const char *const script[] = {
      "4 Plugins loaded\n"
      "cpu ready isolated pid=4711 restarts=2\n"
      "load failed isolated pid=- restarts=0 host: host process died: "
      "signal 11 (Segmentation fault)\n"
      "memory ready unloadable\n"
      "swap failed unloadable restarts=12 init: returned -1\n",
      NULL};
  cdc_conn_t *c = fake_connect(script);
  cdc_plugin_info_t *p;
  size_t n;
  ck_assert_int_eq(cdc_listplugins(c, &p, &n, err, sizeof(err)), 0);
  ck_assert_uint_eq(n, 4);
  ck_assert_int_eq(p[0].isolated, 1);
  ck_assert_int_eq(p[0].unloadable, 1);
  ck_assert_int_eq(p[0].host_pid, 4711);
  ck_assert_int_eq(p[0].restarts, 2);
  ck_assert_str_eq(p[0].failure, "");
  ck_assert_int_eq(p[1].isolated, 1);
  ck_assert_int_eq(p[1].host_pid, 0);
  ck_assert_int_eq(p[1].restarts, 0);
  ck_assert_str_eq(p[1].failure,
                   "host: host process died: signal 11 (Segmentation fault)");
  ck_assert_int_eq(p[2].isolated, 0);
  ck_assert_int_eq(p[2].restarts, -1);
  ck_assert_int_eq(p[3].restarts, 12);
  ck_assert_str_eq(p[3].failure, "init: returned -1");
  free(p);
  fake_finish(c);
}
END_TEST

START_TEST(test_listplugins_malformed) {
  static char long_name[300];
  snprintf(long_name, sizeof(long_name), "1 Plugins loaded\n%0200d ready "
           "legacy\n", 0);
  const char *bad[] = {"1 Plugin loaded\ncpu\n",
                       "1 Plugin loaded\ncpu ready\n",
                       "1 Plugin loaded\ncpu ready maybe\n",
                       "1 Plugin loaded\ncpu  ready legacy\n",
                       "1 Plugin loaded\ncpu ready_for_a_long_while legacy\n",
                       "1 Plugin loaded\ncpu ready isolated pid=0\n",
                       "1 Plugin loaded\ncpu ready isolated 4711\n",
                       "1 Plugin loaded\ncpu ready legacy restarts=x\n",
                       "1 Plugin loaded\ncpu ready legacy restarts=-1\n",
                       "1 Plugin loaded\ncpu ready legacy restarts=\n",
                       long_name};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *const script[] = {bad[i], NULL};
    cdc_conn_t *c = fake_connect(script);
    cdc_plugin_info_t *p = (void *)1;
    size_t n = 7;
    ck_assert_int_eq(cdc_listplugins(c, &p, &n, err, sizeof(err)), -EPROTO);
    ck_assert_msg(strstr(err, "Malformed plugin line") != NULL, "%s", err);
    ck_assert_ptr_eq(p, (void *)1);
    ck_assert_uint_eq(n, 7);
    fake_finish(c);
  }
}
END_TEST

static Suite *client_conn_suite(void) {
  Suite *s = suite_create("client_conn");
  TCase *tc = tcase_create("request");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_request_lines);
  tcase_add_test(tc, test_request_split_reads);
  tcase_add_test(tc, test_request_failure_status);
  tcase_add_test(tc, test_request_malformed_status);
  tcase_add_test(tc, test_request_closed_early);
  tcase_add_test(tc, test_request_peer_gone);
  tcase_add_test(tc, test_request_skips_empty_lines);
  tcase_add_test(tc, test_request_rejects_line_breaks);
  tcase_add_test(tc, test_request_line_too_long);
  tcase_add_test(tc, test_request_many_lines);
  tcase_add_test(tc, test_error_buffer_optional);
  suite_add_tcase(s, tc);

  tc = tcase_create("connect");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_connect_path);
  tcase_add_test(tc, test_connect_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("commands");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, test_getval);
  tcase_add_test(tc, test_getval_empty);
  tcase_add_test(tc, test_getval_malformed);
  tcase_add_test(tc, test_identifier_quoting);
  tcase_add_test(tc, test_putval);
  tcase_add_test(tc, test_listval);
  tcase_add_test(tc, test_listval_malformed);
  tcase_add_test(tc, test_flush);
  tcase_add_test(tc, test_plugin_commands);
  tcase_add_test(tc, test_listplugins);
  tcase_add_test(tc, test_listplugins_isolated_restarts);
  tcase_add_test(tc, test_listplugins_malformed);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return check_main_run(client_conn_suite()); }
