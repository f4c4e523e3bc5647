/* unixsock plugin: the control socket (collectd-unixsock(5)).
 *
 * Options, as collectd.conf(5): SocketFile (default
 * <localstatedir>/run/collectd-unixsock), SocketGroup (default "collectd"),
 * SocketPerms (octal, default 0770), DeleteSocket (default false); and
 * ours: PluginControl (default false), which lets the commands that load
 * and unload plugins run; MaxConnections (default 1024) and
 * AdminConnections (default 4): connections open at once, the latter kept
 * for root and the daemon's own user once the others hold the former;
 * IdleTimeout (seconds, default 300) and StallTimeout (seconds, default
 * 300): a connection that sends nothing, or reads no reply, for that long
 * is closed.
 *
 * Threads: init opens the socket and starts one listening thread; every
 * connection gets a thread of its own that runs cmd_serve_fd(). A client
 * can only stall its own thread: one that does not read its replies is
 * throttled (nothing more is read from it), and cut off after
 * StallTimeout without progress; line length is bounded.
 * Shutdown wakes the listener through a pipe, shuts every connection down
 * (which wakes its thread in recv or send), joins them all with a deadline
 * and frees everything, so the plugin can be unloaded and loaded again.
 *
 * The socket file: created by bind(), then given its mode and group, and
 * only then listen()ed on, so no client can connect before it has the
 * configured permissions (the process-wide umask is left alone: other
 * threads create files meanwhile). An existing socket file is replaced
 * when DeleteSocket is set or when nobody listens on it (stale, left by a
 * crash); a file that is not a socket is never removed and init fails. At
 * shutdown the file is removed if it is still the one we created (5.12
 * removes it whatever DeleteSocket says, and so do we).
 *
 * Where we differ from 5.12 on purpose: it deletes whatever the path
 * names when DeleteSocket is set (even a regular file), and reports a
 * stale socket without DeleteSocket only by failing in its thread while
 * init succeeds; it reads SocketPerms with strtol(), so "abc" becomes mode
 * 0 -- here a mode that is not octal is a configuration error. */
#include "collectd.h"

#include "plugin.h"
#include "plugin_control.h"
#include "utils/cmds/cmds.h"
#include "utils/common/common.h"
#include "utils_complain.h"

#include <grp.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/un.h>

#ifndef UNIXSOCK_DEFAULT_PATH
#define UNIXSOCK_DEFAULT_PATH "/var/run/collectd-unixsock"
#endif

#define US_BACKLOG 128
/* How long shutdown waits for connection threads. */
#define US_STOP_TIMEOUT_S 10

/* ---- configuration ------------------------------------------------------
 * Written by module_register() and the config callback, which run before
 * init; read by init. Plain arrays, so that nothing is left to free when
 * the plugin fails or is unloaded before init. */

static char us_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char us_group[256];
static bool us_group_set;
static mode_t us_perms;
static bool us_delete_socket;
static cmd_options_t us_cmd_options;
static long us_max_clients;
static long us_admin_clients;

static const char *us_config_keys[] = {
    "SocketFile",       "SocketGroup",   "SocketPerms",
    "DeleteSocket",     "PluginControl", "MaxConnections",
    "AdminConnections", "IdleTimeout",   "StallTimeout"};

/* ---- the running server -------------------------------------------------- */

typedef struct us_server_s us_server_t;
typedef struct us_client_s us_client_t;

struct us_client_s {
  us_server_t *server;
  pthread_t thread;
  int fd;        /* closed by the client thread; -1 then */
  bool finished; /* the thread is about to return: join it */
  bool admin;    /* root or the daemon's user */
  char peer[64]; /* "pid 42 (uid 0)", for the log */
  us_client_t *next;
};

struct us_server_s {
  int listen_fd;
  int wake[2]; /* a byte in wake[0] tells the listener to stop */
  pthread_t listener;
  cmd_options_t options;
  char path[sizeof(us_path)];
  dev_t dev; /* of the socket file we created */
  ino_t ino;

  /* Protects the client list, clients_num and each client's fd and
   * finished. The list itself is changed by the listener only (and by
   * shutdown after the listener is gone). */
  pthread_mutex_t lock;
  us_client_t *clients;
  long clients_num, ordinary_num; /* all, and those not admin */
  long max_clients, admin_clients;
  /* Set once shutdown begins; read by connection threads without the lock. */
  atomic_bool stopping;
};

/* Set by init, cleared by shutdown (which never run concurrently). */
static us_server_t *us_server;

/* ---- configuration ------------------------------------------------------- */

static void us_config_reset(void) {
  sstrncpy(us_path, UNIXSOCK_DEFAULT_PATH, sizeof(us_path));
  sstrncpy(us_group, "collectd", sizeof(us_group));
  us_group_set = false;
  us_perms = 0770;
  us_delete_socket = false;
  us_cmd_options =
      (cmd_options_t){.plugin_control = false,
                      .idle_timeout = TIME_T_TO_CDTIME_T_STATIC(300),
                      .stall_timeout = TIME_T_TO_CDTIME_T_STATIC(300)};
  us_max_clients = 1024;
  us_admin_clients = 4;
}

/* An octal mode such as "0660". A number in the configuration file reaches
 * us as "660.000000", which 5.12 also reads as 0660. */
static int us_parse_perms(const char *value, mode_t *ret) {
  char *end = NULL;
  errno = 0;
  long mode = strtol(value, &end, 8);
  if (end == value || errno != 0 || mode < 0 || mode > 07777)
    return -EINVAL;
  if (*end == '.')
    for (end++; *end == '0'; end++)
      ;
  if (*end != '\0')
    return -EINVAL;
  *ret = (mode_t)mode;
  return 0;
}

static bool us_parse_bool(const char *key, const char *value) {
  if (IS_TRUE(value))
    return true;
  if (!IS_FALSE(value))
    WARNING("unixsock plugin: %s: \"%s\" is not a boolean; taking it as "
            "false.",
            key, value);
  return false;
}

/* A count from `min` up; false (and an error) otherwise. */
static bool us_parse_count(const char *key, const char *value, long min,
                           long *ret) {
  char *end = NULL;
  errno = 0;
  double d = strtod(value, &end);
  if (end == value || *end != '\0' || errno != 0 || d != (long)d || d < min ||
      d > 1000000) {
    ERROR("unixsock plugin: %s \"%s\" is not a whole number from %ld to "
          "1000000.",
          key, value, min);
    return false;
  }
  *ret = (long)d;
  return true;
}

/* Seconds, fractions allowed; 0 turns the timeout off. */
static bool us_parse_seconds(const char *key, const char *value,
                             cdtime_t *ret) {
  char *end = NULL;
  errno = 0;
  double d = strtod(value, &end);
  if (end == value || *end != '\0' || errno != 0 || !(d >= 0) || d > 1e9) {
    ERROR("unixsock plugin: %s \"%s\" is not a number of seconds (0 turns "
          "it off).",
          key, value);
    return false;
  }
  *ret = DOUBLE_TO_CDTIME_T(d);
  return true;
}

static int us_config(const char *key, const char *value) {
  if (strcasecmp(key, "SocketFile") == 0) {
    if (value[0] == '\0' || strlen(value) >= sizeof(us_path)) {
      ERROR("unixsock plugin: SocketFile \"%s\" must have 1 to %zu bytes.",
            value, sizeof(us_path) - 1);
      return -EINVAL;
    }
    sstrncpy(us_path, value, sizeof(us_path));
  } else if (strcasecmp(key, "SocketGroup") == 0) {
    if (value[0] == '\0' || strlen(value) >= sizeof(us_group)) {
      ERROR("unixsock plugin: SocketGroup \"%s\" is not a group name.", value);
      return -EINVAL;
    }
    sstrncpy(us_group, value, sizeof(us_group));
    us_group_set = true;
  } else if (strcasecmp(key, "SocketPerms") == 0) {
    if (us_parse_perms(value, &us_perms) != 0) {
      ERROR("unixsock plugin: SocketPerms \"%s\" is not an octal mode such "
            "as \"0770\".",
            value);
      return -EINVAL;
    }
  } else if (strcasecmp(key, "DeleteSocket") == 0) {
    us_delete_socket = us_parse_bool(key, value);
  } else if (strcasecmp(key, "PluginControl") == 0) {
    us_cmd_options.plugin_control = us_parse_bool(key, value);
  } else if (strcasecmp(key, "MaxConnections") == 0) {
    if (!us_parse_count(key, value, 1, &us_max_clients))
      return -EINVAL;
  } else if (strcasecmp(key, "AdminConnections") == 0) {
    if (!us_parse_count(key, value, 0, &us_admin_clients))
      return -EINVAL;
  } else if (strcasecmp(key, "IdleTimeout") == 0) {
    if (!us_parse_seconds(key, value, &us_cmd_options.idle_timeout))
      return -EINVAL;
  } else if (strcasecmp(key, "StallTimeout") == 0) {
    if (!us_parse_seconds(key, value, &us_cmd_options.stall_timeout))
      return -EINVAL;
  } else {
    ERROR("unixsock plugin: unknown option \"%s\".", key);
    return -EINVAL;
  }
  return 0;
}

/* ---- the socket file ----------------------------------------------------- */

static void us_address(struct sockaddr_un *sa, const char *path) {
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  sstrncpy(sa->sun_path, path, sizeof(sa->sun_path));
}

/* Makes way for our socket: removes a socket file that DeleteSocket lets
 * us remove or that nobody listens on; refuses anything else. */
static int us_clear_path(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT)
      return 0;
    int err = errno;
    ERROR("unixsock plugin: cannot check %s: %s", path, STRERROR(err));
    return -err;
  }
  if (!S_ISSOCK(st.st_mode)) {
    ERROR("unixsock plugin: %s exists and is not a socket; not removing it. "
          "Remove it or set SocketFile to another path.",
          path);
    return -EEXIST;
  }

  if (!us_delete_socket) {
    /* Stale if a connection is refused; a live daemon (even one with a
     * full backlog, EAGAIN) keeps its socket. */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (probe < 0) {
      int err = errno;
      ERROR("unixsock plugin: socket: %s", STRERROR(err));
      return -err;
    }
    struct sockaddr_un sa;
    us_address(&sa, path);
    int status = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
    int err = errno;
    close(probe);
    if (status == 0 || err == EAGAIN || err == EINPROGRESS) {
      ERROR("unixsock plugin: another process listens on %s; set "
            "DeleteSocket true to take the path over.",
            path);
      /* A second daemon on this socket: at start-up it does not start. */
      plugin_control_refuse_start("unixsock",
                                  "another daemon listens on its socket");
      return -EADDRINUSE;
    }
    if (err != ECONNREFUSED) {
      ERROR("unixsock plugin: cannot tell whether %s is in use: %s", path,
            STRERROR(err));
      return -err;
    }
    INFO("unixsock plugin: replacing the stale socket %s.", path);
  }

  if (unlink(path) != 0 && errno != ENOENT) {
    int err = errno;
    ERROR("unixsock plugin: cannot delete %s: %s", path, STRERROR(err));
    return -err;
  }
  if (us_delete_socket)
    INFO("unixsock plugin: Successfully deleted socket file \"%s\".", path);
  return 0;
}

/* Gives the socket file its group. Only a warning when that fails, as in
 * 5.12: the file then keeps the daemon's group, which is narrower. */
static void us_set_group(const char *path) {
  /* Only root can hand a file to any group; others try when asked to. */
  if (!us_group_set && geteuid() != 0)
    return;

  struct group grp, *found = NULL;
  size_t size = 4096;
  char *buf = NULL;
  int status;
  do {
    char *tmp = realloc(buf, size);
    if (tmp == NULL) {
      status = ENOMEM;
      break;
    }
    buf = tmp;
    status = getgrnam_r(us_group, &grp, buf, size, &found);
    size *= 2;
  } while (status == ERANGE && size <= (1 << 20));

  if (found == NULL) {
    if (status != 0)
      WARNING("unixsock plugin: looking up group `%s' failed: %s", us_group,
              STRERROR(status));
    else if (us_group_set)
      WARNING("unixsock plugin: No such group: `%s'", us_group);
    else
      INFO("unixsock plugin: no group `%s'; %s keeps the daemon's group.",
           us_group, path);
  } else if (chown(path, (uid_t)-1, found->gr_gid) != 0) {
    WARNING("unixsock plugin: cannot give %s to group `%s': %s", path, us_group,
            STRERRNO);
  }
  free(buf);
}

/* Removes the socket file if it is still the one we created. */
static void us_unlink_own(const us_server_t *s) {
  struct stat st;
  if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == s->dev &&
      st.st_ino == s->ino)
    unlink(s->path);
}

static int us_open(us_server_t *s) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    int err = errno;
    ERROR("unixsock plugin: socket: %s", STRERROR(err));
    return -err;
  }

  int status = us_clear_path(s->path);
  if (status != 0)
    goto err_close;

  struct sockaddr_un sa;
  us_address(&sa, s->path);
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    status = -errno;
    ERROR("unixsock plugin: cannot create the socket %s: %s", s->path,
          STRERROR(-status));
    goto err_close;
  }
  struct stat st;
  if (lstat(s->path, &st) != 0) {
    status = -errno;
    ERROR("unixsock plugin: the socket %s vanished: %s", s->path,
          STRERROR(-status));
    goto err_close;
  }
  s->dev = st.st_dev;
  s->ino = st.st_ino;

  /* Mode and group before listen(): until then nobody can connect. */
  if (chmod(s->path, us_perms) != 0) {
    status = -errno;
    ERROR("unixsock plugin: cannot set the mode of %s to %04o: %s", s->path,
          (unsigned)us_perms, STRERROR(-status));
    goto err_unlink;
  }
  us_set_group(s->path);

  if (listen(fd, US_BACKLOG) != 0) {
    status = -errno;
    ERROR("unixsock plugin: cannot listen on %s: %s", s->path,
          STRERROR(-status));
    goto err_unlink;
  }
  s->listen_fd = fd;
  return 0;

err_unlink:
  us_unlink_own(s);
err_close:
  close(fd);
  return status;
}

/* ---- connections --------------------------------------------------------- */

/* Says how a connection that did not simply end, ended. */
static void us_report(const us_client_t *c, int status,
                      const cmd_serve_stats_t *st) {
  const cmd_options_t *o = &c->server->options;
  if (status == -ETIMEDOUT)
    WARNING(
        "unixsock plugin: cutting off %s: it has read no reply for %.3g "
        "s (StallTimeout); at least %lu complete command lines it sent were "
        "not run (%lu were)",
        c->peer, CDTIME_T_TO_DOUBLE(o->stall_timeout), st->not_run, st->run);
  else if (status == -ETIME)
    INFO("unixsock plugin: closing the connection of %s: it sent nothing "
         "for %.3g s (IdleTimeout)",
         c->peer, CDTIME_T_TO_DOUBLE(o->idle_timeout));
  else if (status != 0 && !atomic_load(&c->server->stopping))
    WARNING("unixsock plugin: the connection of %s failed: %s", c->peer,
            STRERROR(-status));
  else if (st->unread > 0) {
    DEBUG("unixsock plugin: %s left without reading the replies to its "
          "last %lu commands (all %lu were run)",
          c->peer, st->unread, st->run);
  }
}

static void *us_client_main(void *arg) {
  us_client_t *c = arg;
  us_server_t *s = c->server;

  cmd_serve_stats_t stats;
  int status = cmd_serve_fd(c->fd, &s->options, &s->stopping, &stats);
  us_report(c, status, &stats);

  /* Closed under the lock: shutdown may be calling shutdown(2) on it. */
  pthread_mutex_lock(&s->lock);
  close(c->fd);
  c->fd = -1;
  c->finished = true;
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

/* Joins and frees the connections whose threads have finished. */
static void us_reap(us_server_t *s) {
  us_client_t *done = NULL;
  pthread_mutex_lock(&s->lock);
  for (us_client_t **pp = &s->clients; *pp != NULL;) {
    us_client_t *c = *pp;
    if (!c->finished) {
      pp = &c->next;
      continue;
    }
    *pp = c->next;
    s->clients_num--;
    if (!c->admin)
      s->ordinary_num--;
    c->next = done;
    done = c;
  }
  pthread_mutex_unlock(&s->lock);

  while (done != NULL) {
    us_client_t *next = done->next;
    pthread_join(done->thread, NULL);
    free(done);
    done = next;
  }
}

/* Who is at the other end of `fd`: root and the daemon's own user are
 * administrators. */
static void us_peer(us_client_t *c, int fd) {
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    snprintf(c->peer, sizeof(c->peer), "a client");
    return;
  }
  c->admin = cred.uid == 0 || cred.uid == geteuid();
  snprintf(c->peer, sizeof(c->peer), "pid %ld (uid %ld)", (long)cred.pid,
           (long)cred.uid);
}

static void us_refuse(us_server_t *s, us_client_t *c, int fd) {
  static const char msg[] = "-1 Too many connections; try again later.\n";
  if (c->admin)
    WARNING("unixsock plugin: refusing a connection from %s: all %ld "
            "connections are in use (MaxConnections %ld, AdminConnections "
            "%ld)",
            c->peer, s->max_clients + s->admin_clients, s->max_clients,
            s->admin_clients);
  else
    WARNING("unixsock plugin: refusing a connection from %s: the %ld "
            "connections for clients other than root and the daemon's user "
            "are in use (MaxConnections)",
            c->peer, s->max_clients);
  (void)send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  close(fd);
  free(c);
}

static void us_client_start(us_server_t *s, int fd) {
  us_client_t *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    ERROR("unixsock plugin: out of memory; dropping a connection.");
    close(fd);
    return;
  }
  c->server = s;
  c->fd = fd;
  us_peer(c, fd);
  /* Only this thread adds clients: the counts cannot grow meanwhile. */
  if (c->admin ? s->clients_num >= s->max_clients + s->admin_clients
               : s->ordinary_num >= s->max_clients) {
    us_refuse(s, c, fd);
    return;
  }

  pthread_mutex_lock(&s->lock);
  c->next = s->clients;
  s->clients = c;
  s->clients_num++;
  if (!c->admin)
    s->ordinary_num++;
  pthread_mutex_unlock(&s->lock);

  int status =
      plugin_thread_create(&c->thread, us_client_main, c, "unixsock conn");
  if (status != 0) {
    ERROR("unixsock plugin: cannot start a connection thread: %s",
          STRERROR(status));
    pthread_mutex_lock(&s->lock);
    s->clients = c->next; /* still first: only this thread inserts */
    s->clients_num--;
    if (!c->admin)
      s->ordinary_num--;
    pthread_mutex_unlock(&s->lock);
    close(fd);
    free(c);
  }
}

/* Waits up to `ms` for the wake pipe; true if it says stop. */
static bool us_wait_wake(us_server_t *s, int ms) {
  struct pollfd pfd = {.fd = s->wake[0], .events = POLLIN};
  return poll(&pfd, 1, ms) > 0;
}

static void *us_listen_main(void *arg) {
  us_server_t *s = arg;
  c_complain_t accept_complaint = C_COMPLAIN_INIT_STATIC;

  for (;;) {
    struct pollfd pfd[2] = {
        {.fd = s->listen_fd, .events = POLLIN},
        {.fd = s->wake[0], .events = POLLIN},
    };
    if (poll(pfd, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      ERROR("unixsock plugin: poll: %s; no longer accepting connections.",
            STRERRNO);
      break;
    }
    if (pfd[1].revents != 0)
      break;
    if (pfd[0].revents == 0)
      continue;

    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
        continue;
      /* Out of descriptors or memory: let the backlog wait a little
       * rather than spin on it. */
      c_complain(LOG_ERR, &accept_complaint, "unixsock plugin: accept: %s",
                 STRERRNO);
      if (us_wait_wake(s, 100))
        break;
      continue;
    }
    c_release(LOG_INFO, &accept_complaint,
              "unixsock plugin: accept works again.");

    us_reap(s);
    us_client_start(s, fd);
  }
  return NULL;
}

/* ---- init and shutdown --------------------------------------------------- */

static void us_server_free(us_server_t *s) {
  if (s->wake[0] >= 0)
    close(s->wake[0]);
  if (s->wake[1] >= 0)
    close(s->wake[1]);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

static int us_init(void) {
  if (us_server != NULL)
    return 0;

  us_server_t *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    ERROR("unixsock plugin: out of memory.");
    return -ENOMEM;
  }
  s->listen_fd = -1;
  s->wake[0] = s->wake[1] = -1;
  s->options = us_cmd_options;
  s->max_clients = us_max_clients;
  s->admin_clients = us_admin_clients;
  sstrncpy(s->path, us_path, sizeof(s->path));
  atomic_init(&s->stopping, false);
  pthread_mutex_init(&s->lock, NULL);

  int status;
  if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    status = -errno;
    ERROR("unixsock plugin: pipe: %s", STRERROR(-status));
    goto err_free;
  }
  if ((status = us_open(s)) != 0)
    goto err_free;

  status =
      plugin_thread_create(&s->listener, us_listen_main, s, "unixsock listen");
  if (status != 0) {
    ERROR("unixsock plugin: cannot start the listening thread: %s",
          STRERROR(status));
    status = -status;
    goto err_socket;
  }

  us_server = s;
  return 0;

err_socket:
  close(s->listen_fd);
  us_unlink_own(s);
err_free:
  us_server_free(s);
  return status;
}

static int us_shutdown(void) {
  us_server_t *s = us_server;
  if (s == NULL)
    return 0;
  us_server = NULL;

  /* No new connections: stop the listener, close the socket. */
  if (write(s->wake[1], "x", 1) != 1)
    ERROR("unixsock plugin: cannot wake the listening thread: %s", STRERRNO);
  pthread_join(s->listener, NULL);
  close(s->listen_fd);
  us_unlink_own(s);

  /* Wake every connection thread wherever it waits (recv or send); one in
   * the middle of a command finishes it, then fails to reply. */
  pthread_mutex_lock(&s->lock);
  atomic_store(&s->stopping, true);
  for (us_client_t *c = s->clients; c != NULL; c = c->next)
    if (c->fd >= 0)
      shutdown(c->fd, SHUT_RDWR);
  pthread_mutex_unlock(&s->lock);

  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += US_STOP_TIMEOUT_S;
  size_t stuck = 0;
  for (us_client_t *c = s->clients; c != NULL; c = c->next)
    if (pthread_timedjoin_np(c->thread, NULL, &deadline) != 0)
      stuck++;
  if (stuck > 0) {
    /* Their memory must outlive them: leave the server allocated. */
    ERROR("unixsock plugin: %zu connection thread%s did not stop within %d "
          "seconds; the plugin must not be closed.",
          stuck, stuck == 1 ? "" : "s", US_STOP_TIMEOUT_S);
    return -EBUSY;
  }

  while (s->clients != NULL) {
    us_client_t *next = s->clients->next;
    free(s->clients);
    s->clients = next;
  }
  us_server_free(s);
  return 0;
}

void module_register(void) {
  /* A second load into the same process finds the defaults again. */
  us_config_reset();
  us_server = NULL;

  plugin_register_config("unixsock", us_config, us_config_keys,
                         STATIC_ARRAY_SIZE(us_config_keys));
  plugin_register_init("unixsock", us_init);
  plugin_register_shutdown("unixsock", us_shutdown);
  plugin_register_unloadable("unixsock");
}
