/* libFuzzer target for the control socket's command parser: the input is
 * what a client writes to the socket, and it goes through cmd_serve_fd()
 * (src/utils/cmds/serve.c), the loop the unixsock plugin runs for each
 * connection: line splitting, the command table, the argument syntaxes
 * and every handler (PUTVAL, PUTNOTIF, GETVAL, LISTVAL, FLUSH, LOAD,
 * UNLOAD, RELOAD, LISTPLUGINS). Each input is served twice, with
 * PluginControl off and on.
 *
 * Behind the commands is the real core, not fakes: the types (from a
 * types.db), the value cache, a write thread, dispatch, notifications and
 * the lifecycle (plugin_control.c, plugin_dynamic.c), configured by
 * cf_read() from a collectd.conf in a scratch directory whose PluginDir
 * holds no loadable object (a file that is not ELF, a directory named
 * x.so). So LOAD, RELOAD and UNLOAD run their real checks and fail at the
 * open step at the latest; after each input every plugin record is
 * unloaded and the value cache cleared, so each input starts afresh.
 *
 * Checked besides crashes, leaks and undefined behaviour:
 *  - every command line gets exactly one status line, "<n> <text>", and
 *    a positive n is followed by n lines; nothing else is written;
 *  - an error status is -1; a refused lifecycle command names its plugin;
 *  - with PluginControl off, LOAD, UNLOAD, RELOAD and LISTPLUGINS answer
 *    "... is disabled" and no plugin record appears;
 *  - every value list that a PUTVAL reports dispatched reaches the write
 *    callback, with as many values as its type has data sources, host and
 *    type set and no '/' in a name (they are normalised to '_');
 *  - every notification has a severity, a time and a message, and with
 *    PluginControl off only PUTNOTIF's "0 Success" dispatch one.
 *
 * Build: `make fuzz/bin/fuzz_unixsock` (clang-14, ASan, UBSan; `make
 * fuzz-smoke` builds and runs every target briefly). Run:
 *   fuzz/bin/fuzz_unixsock -max_len=8192 -timeout=25 new/ fuzz/corpus/unixsock
 * (new inputs go to new/; FUZZ_LOG=1 prints the daemon's log.) */
#include "fuzz_core.h"

#include "configfile.h"
#include "plugin_control.h"
#include "utils/cmds/cmds.h"
#include "utils/common/common.h"
#include "utils_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

/* Inputs stay well inside a socket's buffer (the client writes all of its
 * input before it reads) and below CMD_LINE_MAX. */
#define FUZZ_INPUT_MAX 60000

static const char types_db[] =
    "gauge value:GAUGE:U:U\n"
    "derive value:DERIVE:0:U\n"
    "counter value:COUNTER:U:U\n"
    "absolute value:ABSOLUTE:0:U\n"
    "cpu value:DERIVE:0:U\n"
    "if_octets rx:DERIVE:0:U, tx:DERIVE:0:U\n"
    "load shortterm:GAUGE:0:5000, midterm:GAUGE:0:5000, "
    "longterm:GAUGE:0:5000\n"
    /* More sources than the dispatch path keeps on its stack (8). */
    "wide a:GAUGE:U:U b:GAUGE:U:U c:GAUGE:U:U d:GAUGE:U:U e:GAUGE:U:U "
    "f:GAUGE:U:U g:GAUGE:U:U h:GAUGE:U:U i:GAUGE:U:U j:GAUGE:U:U\n";

/* What the core handed to the callbacks during one run. */
static _Atomic long values_written;
static _Atomic long notifications;

static bool name_ok(const char *name, size_t size, bool may_be_empty) {
  return memchr(name, '\0', size) != NULL &&
         (may_be_empty || name[0] != '\0') && strchr(name, '/') == NULL;
}

static int check_write(const data_set_t *ds, const value_list_t *vl,
                       user_data_t *ud) {
  FUZZ_CHECK(ds != NULL && vl != NULL && vl->values != NULL);
  FUZZ_CHECK(vl->values_len == ds->ds_num);
  FUZZ_CHECK(strcasecmp(vl->type, ds->type) == 0);
  FUZZ_CHECK(name_ok(vl->host, sizeof(vl->host), false));
  FUZZ_CHECK(name_ok(vl->plugin, sizeof(vl->plugin), true));
  FUZZ_CHECK(name_ok(vl->plugin_instance, sizeof(vl->plugin_instance), true));
  FUZZ_CHECK(name_ok(vl->type_instance, sizeof(vl->type_instance), true));
  FUZZ_CHECK(vl->type[0] != '\0');
  FUZZ_CHECK(vl->time > 0 && vl->interval > 0);
  atomic_fetch_add(&values_written, 1);
  return 0;
}

static int check_notification(const notification_t *n, user_data_t *ud) {
  FUZZ_CHECK(n->severity == NOTIF_FAILURE || n->severity == NOTIF_WARNING ||
             n->severity == NOTIF_OKAY);
  FUZZ_CHECK(n->time != 0);
  FUZZ_CHECK(memchr(n->message, '\0', sizeof(n->message)) != NULL &&
             n->message[0] != '\0');
  FUZZ_CHECK(memchr(n->host, '\0', sizeof(n->host)) != NULL);
  FUZZ_CHECK(memchr(n->plugin, '\0', sizeof(n->plugin)) != NULL);
  FUZZ_CHECK(memchr(n->type_instance, '\0', sizeof(n->type_instance)) != NULL);
  atomic_fetch_add(&notifications, 1);
  return 0;
}

static int check_flush(cdtime_t timeout, const char *identifier,
                       user_data_t *ud) {
  return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  /* The files are made there; libFuzzer's paths stay relative to where
   * it was started. */
  char cwd[PATH_MAX];
  FUZZ_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
  const char *dir = fuzz_dir_create("fuzz_unixsock");
  FUZZ_CHECK(chdir(dir) == 0);
  FUZZ_CHECK(mkdir("plugins", 0700) == 0);
  FUZZ_CHECK(mkdir("plugins/dir.so", 0700) == 0);
  fuzz_write_text("plugins/garbage.so", "not an ELF object\n");
  fuzz_write_text("types.db", types_db);

  char conf[4096];
  snprintf(conf, sizeof(conf),
           "Hostname \"fuzzhost\"\n"
           "FQDNLookup false\n"
           "Interval 10\n"
           "PluginDir \"%s/plugins\"\n"
           "TypesDB \"%s/types.db\"\n"
           "LoadPlugin cpu\n"
           "LoadPlugin garbage\n"
           "<LoadPlugin \"csv\">\n"
           "  Interval 30\n"
           "  OnPluginFailure Skip\n"
           "</LoadPlugin>\n"
           "<Plugin csv>\n"
           "  DataDir \"%s/csv\"\n"
           "</Plugin>\n",
           dir, dir, dir);
  fuzz_write_text("collectd.conf", conf);
  FUZZ_CHECK(chdir(cwd) == 0);

  /* LOAD and RELOAD read it again: an absolute path. */
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/collectd.conf", dir);
  fuzz_log_init();
  FUZZ_CHECK(cf_read(path) == 0);
  FUZZ_CHECK(uc_init() == 0);
  FUZZ_CHECK(plugin__write_start(1) == 0);
  FUZZ_CHECK(plugin_register_write("fuzz", check_write, NULL) == 0);
  FUZZ_CHECK(plugin_register_notification("fuzz", check_notification, NULL) ==
             0);
  FUZZ_CHECK(plugin_register_flush("fuzz", check_flush, NULL) == 0);
  return 0;
}

/* ---- the client side of the connection ----------------------------------- */

typedef struct {
  int fd;
  const uint8_t *data;
  size_t size;
  char *reply; /* everything the server wrote, NUL-terminated */
  size_t reply_len;
} client_t;

/* Writes the whole input, half-closes, then reads every reply. */
static void *client_main(void *arg) {
  client_t *c = arg;
  for (size_t done = 0; done < c->size;) {
    ssize_t n = send(c->fd, c->data + done, c->size - done, MSG_NOSIGNAL);
    FUZZ_CHECK(n > 0);
    done += (size_t)n;
  }
  FUZZ_CHECK(shutdown(c->fd, SHUT_WR) == 0);

  size_t size = 4096;
  c->reply = malloc(size);
  FUZZ_CHECK(c->reply != NULL);
  for (;;) {
    if (size - c->reply_len < 2048) {
      size *= 2;
      c->reply = realloc(c->reply, size);
      FUZZ_CHECK(c->reply != NULL);
    }
    ssize_t n =
        recv(c->fd, c->reply + c->reply_len, size - c->reply_len - 1, 0);
    FUZZ_CHECK(n >= 0);
    if (n == 0)
      break;
    c->reply_len += (size_t)n;
  }
  c->reply[c->reply_len] = '\0';
  return NULL;
}

/* ---- what the replies must look like ----------------------------------- */

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/* The next command of the input as the server sees it: up to the next
 * "\n" (or the end), without trailing "\r", up to a NUL. Returns false at
 * the end of the input. */
static bool next_command(const uint8_t *data, size_t size, size_t *pos,
                         char *cmd, size_t cmd_size) {
  if (*pos >= size)
    return false;
  const uint8_t *start = data + *pos;
  const uint8_t *nl = memchr(start, '\n', size - *pos);
  size_t len = nl != NULL ? (size_t)(nl - start) : size - *pos;
  *pos += len + (nl != NULL);
  while (len > 0 && start[len - 1] == '\r')
    len--;
  FUZZ_CHECK(len < cmd_size);
  memcpy(cmd, start, len);
  cmd[len] = '\0';
  return true;
}

/* The verb (first word) and, if the rest is a single plain plugin name,
 * that name. */
static void split_command(const char *cmd, char *verb, size_t verb_size,
                          char *name, size_t name_size) {
  const char *p = cmd;
  while (is_blank(*p))
    p++;
  size_t len = 0;
  while (p[len] != '\0' && !is_blank(p[len]))
    len++;
  snprintf(verb, verb_size, "%.*s", (int)len, p);
  p += len;

  name[0] = '\0';
  while (is_blank(*p))
    p++;
  len = 0;
  while (isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '-')
    len++;
  const char *rest = p + len;
  while (is_blank(*rest))
    rest++;
  if (len > 0 && len < name_size && len < DATA_MAX_NAME_LEN && *rest == '\0')
    snprintf(name, name_size, "%.*s", (int)len, p);
}

/* Takes one reply (status line and the lines it announces) off *reply and
 * returns its status; *line is its status line, NUL-terminated in place. */
static long next_reply(char **reply, char **line) {
  char *p = *reply;
  char *end = strchr(p, '\n');
  FUZZ_CHECK_MSG(end != NULL, p);
  *end = '\0';
  *line = p;

  const char *digits = (*p == '-') ? p + 1 : p;
  FUZZ_CHECK_MSG(isdigit((unsigned char)*digits), p);
  char *after;
  long status = strtol(p, &after, 10);
  FUZZ_CHECK_MSG(*after == ' ', p);
  FUZZ_CHECK_MSG(status >= -1, p);

  p = end + 1;
  for (long i = 0; i < status; i++) {
    end = strchr(p, '\n');
    FUZZ_CHECK_MSG(end != NULL, *line);
    p = end + 1;
  }
  *reply = p;
  return status;
}

static bool is_control_verb(const char *verb) {
  return strcasecmp(verb, "LOAD") == 0 || strcasecmp(verb, "UNLOAD") == 0 ||
         strcasecmp(verb, "RELOAD") == 0 ||
         strcasecmp(verb, "LISTPLUGINS") == 0;
}

/* Matches the replies to the commands; returns the value lists PUTVAL
 * said it dispatched and (through *notified) the notifications PUTNOTIF
 * did. */
static long check_replies(const uint8_t *data, size_t size, char *reply,
                          bool control, long *notified) {
  static char cmd[FUZZ_INPUT_MAX + 1];
  char verb[32], name[DATA_MAX_NAME_LEN];
  long dispatched = 0;
  *notified = 0;

  size_t pos = 0;
  while (next_command(data, size, &pos, cmd, sizeof(cmd))) {
    if (cmd[0] == '\0')
      continue; /* an empty line gets no reply */
    char *line;
    next_reply(&reply, &line);
    split_command(cmd, verb, sizeof(verb), name, sizeof(name));

    if (is_control_verb(verb)) {
      char disabled[128];
      snprintf(disabled, sizeof(disabled),
               "-1 %s is disabled: it needs \"PluginControl true\"", verb);
      bool refused = strncasecmp(line, disabled, strlen(disabled)) == 0;
      FUZZ_CHECK_MSG(refused == !control, line);
      if (control && name[0] != '\0' && strcasecmp(verb, "LISTPLUGINS") != 0)
        FUZZ_CHECK_MSG(strstr(line, name) != NULL, line);
    }

    size_t n;
    if (strcasecmp(verb, "PUTVAL") == 0 &&
        sscanf(line, "0 Success: %zu value", &n) == 1)
      dispatched += (long)n;
    if (strcasecmp(verb, "PUTNOTIF") == 0 && strcmp(line, "0 Success") == 0)
      (*notified)++;
  }
  FUZZ_CHECK_MSG(*reply == '\0', reply); /* nothing but the replies */
  return dispatched;
}

/* ---- one run ------------------------------------------------------------ */

static size_t plugins_listed(void) {
  plugin_info_t *list = NULL;
  size_t num = 0;
  FUZZ_CHECK(plugin_control_list(&list, &num) == 0);
  free(list);
  return num;
}

/* Unloads every plugin record a LOAD left (each failed to open). */
static void unload_all(void) {
  plugin_info_t *list = NULL;
  size_t num = 0;
  FUZZ_CHECK(plugin_control_list(&list, &num) == 0);
  for (size_t i = 0; i < num; i++) {
    char msg[1024] = "";
    int status = plugin_control_unload(list[i].name, msg, sizeof(msg));
    FUZZ_CHECK_MSG(status == 0, msg);
  }
  free(list);
  FUZZ_CHECK(plugins_listed() == 0);
}

static void serve(const uint8_t *data, size_t size, bool control) {
  atomic_store(&values_written, 0);
  atomic_store(&notifications, 0);

  int sv[2];
  FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  client_t client = {.fd = sv[0], .data = data, .size = size};
  pthread_t tid;
  FUZZ_CHECK(pthread_create(&tid, NULL, client_main, &client) == 0);

  cmd_options_t opts = {.plugin_control = control};
  int status = cmd_serve_fd(sv[1], &opts, NULL, NULL);
  FUZZ_CHECK(status == 0); /* the client reads every reply */
  close(sv[1]);
  FUZZ_CHECK(pthread_join(tid, NULL) == 0);
  close(sv[0]);

  /* Every value queued has reached the write callback. */
  FUZZ_CHECK(plugin__write_drain(TIME_T_TO_CDTIME_T(30)) == 0);
  long notified;
  long dispatched = check_replies(data, size, client.reply, control, &notified);
  FUZZ_CHECK(atomic_load(&values_written) == dispatched);
  if (!control) {
    FUZZ_CHECK(atomic_load(&notifications) == notified);
    FUZZ_CHECK(plugins_listed() == 0);
  } else {
    FUZZ_CHECK(atomic_load(&notifications) >= notified);
    unload_all();
  }
  free(client.reply);
  uc_shutdown(); /* empties the value cache */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > FUZZ_INPUT_MAX)
    return 0;
  serve(data, size, false);
  serve(data, size, true);
  return 0;
}
