/* Times what a plugin change costs: LOAD and UNLOAD over the unixsock
 * socket of a running daemon, a reload of its whole configuration, or a
 * whole restart of a daemon.
 *
 * In C rather than Python: a round trip is a fraction of a millisecond,
 * and an interpreter's own jitter (allocation, garbage collection) would
 * show in the p99; this client does nothing between the clock reads but
 * one write() and the read()s of the reply.
 *
 * Usage:
 *   lifecycle_client cycle SOCKET N PLUGIN...
 *     On one connection, N times for each PLUGIN in turn: "LOAD PLUGIN",
 *     then "UNLOAD PLUGIN", each timed from just before the request is
 *     written to the end of its status line. Any reply but "0 ..." ends
 *     the run with status 1 (the figures of failing cycles mean nothing).
 *     Prints a line per cycle: "PLUGIN load_us unload_us".
 *   lifecycle_client restart SOCKET N LOG DAEMON ARG...
 *     N times: start DAEMON ARG... (output appended to LOG), time until
 *     SOCKET answers LISTVAL (all of the reply read), then SIGTERM it and
 *     time until it has exited. A daemon that takes over 30 s for either,
 *     or exits with a non-zero status, ends the run with status 1.
 *     Prints a line per restart: "start_us stop_us".
 *   lifecycle_client restart-running SOCKET N MS LOG DAEMON ARG...
 *     N restarts of a running daemon: start DAEMON as above and let it run
 *     (untimed: its plugins read), then N times: SIGTERM it, time until
 *     it has exited, start it again, time until it answers, let it run.
 *     The k-th daemon (k = 0 ... N) runs MS * (1 + k / N) milliseconds
 *     after it answered, so that the SIGTERMs fall at different points of
 *     the plugins' read intervals; the last one is stopped untimed.
 *     Prints a line per restart: "start_us stop_us sigterm", sigterm the
 *     wall-clock time (seconds since the epoch) the SIGTERM was sent, so
 *     that what the daemons wrote can be told apart from before and after.
 *   lifecycle_client reload SOCKET N
 *     On one connection, N times "RELOAD" (the whole configuration), each
 *     timed from just before the request is written to the last line of
 *     the reply (the status line "C Configuration reloaded: ..." and its
 *     C lines). An error reply ("-1 ...") ends the run with status 1.
 *     Prints per reload "reload_us" and the status line, then the C lines
 *     of the reply indented by two spaces: the caller checks what changed.
 *
 * Samples go out raw (bench/lifecycle.sh takes medians and percentiles),
 * written when the run is over so that printing costs nothing measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a daemon may take to start answering, or to exit. */
#define DEADLINE_US 30e6
/* How often a starting daemon's socket is tried. Short against start-up
 * times of tens of milliseconds, long enough not to steal the CPU the
 * daemon starts on. */
#define POLL_US 500

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void sleep_us(long us) {
  struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* A connected socket, or -1 (errno set) when nobody listens yet. */
static int try_connect(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  /* A daemon that accepts but never answers ends the run, not hangs it. */
  struct timeval tv = {.tv_sec = (time_t)(DEADLINE_US / 1e6)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* A line reader over one connection; replies are read straight from the
 * socket, without stdio, so nothing is left buffered between requests. */
typedef struct {
  int fd;
  char buf[65536];
  size_t len;
} conn_t;

/* Reads one line (without its "\n") into line; 0 on success, -1 on EOF or
 * error. */
static int read_line(conn_t *c, char *line, size_t size) {
  for (;;) {
    char *nl = memchr(c->buf, '\n', c->len);
    if (nl != NULL) {
      size_t n = (size_t)(nl - c->buf);
      snprintf(line, size, "%.*s", (int)n, c->buf);
      c->len -= n + 1;
      memmove(c->buf, nl + 1, c->len);
      return 0;
    }
    if (c->len == sizeof(c->buf))
      c->len = 0; /* a line this long is not a status line: drop it */
    ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    c->len += (size_t)r;
  }
}

static int write_all(int fd, const char *s, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, s, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    s += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Sends one command and reads its status line into reply; returns the
 * round trip in microseconds, or -1 if the connection failed. */
static double round_trip(conn_t *c, const char *cmd, char *reply, size_t size) {
  size_t len = strlen(cmd);
  double t0 = now_us();
  if (write_all(c->fd, cmd, len) != 0 || read_line(c, reply, size) != 0)
    return -1;
  return now_us() - t0;
}

static int cycle(const char *path, long n, int nplugins, char **plugins) {
  conn_t *c = calloc(1, sizeof(*c));
  double *load = calloc((size_t)n, sizeof(double));
  double *unload = calloc((size_t)n, sizeof(double));
  if (c == NULL || load == NULL || unload == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  if ((c->fd = try_connect(path)) < 0) {
    perror(path);
    return 1;
  }

  for (int p = 0; p < nplugins; p++) {
    char load_cmd[256], unload_cmd[256], reply[1024];
    snprintf(load_cmd, sizeof(load_cmd), "LOAD %s\n", plugins[p]);
    snprintf(unload_cmd, sizeof(unload_cmd), "UNLOAD %s\n", plugins[p]);
    for (long i = 0; i < n; i++) {
      const char *cmd = load_cmd;
      double t = round_trip(c, cmd, reply, sizeof(reply));
      if (t >= 0 && strncmp(reply, "0 ", 2) == 0) {
        load[i] = t;
        cmd = unload_cmd;
        t = round_trip(c, cmd, reply, sizeof(reply));
        unload[i] = t;
      }
      if (t < 0 || strncmp(reply, "0 ", 2) != 0) {
        fprintf(stderr, "cycle %ld: %.*s: %s\n", i + 1, (int)strlen(cmd) - 1,
                cmd,
                t < 0 ? "no reply (connection lost or 30 s passed)" : reply);
        return 1;
      }
    }
    for (long i = 0; i < n; i++)
      printf("%s %.1f %.1f\n", plugins[p], load[i], unload[i]);
  }
  close(c->fd);
  free(c);
  free(load);
  free(unload);
  return 0;
}

/* The longest reply to RELOAD kept for printing: a line per plugin of
 * the configuration; one that does not fit is cut short. */
#define REPLY_MAX 16384

/* Appends a line to a reply kept for later, without allocating (this
 * runs while the clock does). */
static void keep_line(char *reply, size_t *len, const char *indent,
                      const char *line) {
  int n = snprintf(reply + *len, REPLY_MAX - *len, "%s%s\n", indent, line);
  if (n < 0)
    return;
  if ((size_t)n < REPLY_MAX - *len) {
    *len += (size_t)n;
    return;
  }
  *len = REPLY_MAX - 1; /* cut short, but still a line */
  reply[REPLY_MAX - 2] = '\n';
}

/* The reply to RELOAD is a status line and as many lines as its count
 * says; all of it is read before the clock stops. */
static int reload(const char *path, long n) {
  conn_t *c = calloc(1, sizeof(*c));
  double *t = calloc((size_t)n, sizeof(double));
  char *reply = calloc((size_t)n, REPLY_MAX);
  if (c == NULL || t == NULL || reply == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  if ((c->fd = try_connect(path)) < 0) {
    perror(path);
    return 1;
  }

  for (long i = 0; i < n; i++) {
    char line[1024];
    char *r = reply + i * REPLY_MAX;
    size_t len = 0;
    double t0 = now_us();
    if (write_all(c->fd, "RELOAD\n", 7) != 0 ||
        read_line(c, line, sizeof(line)) != 0) {
      fprintf(stderr, "reload %ld: no reply (connection lost or 30 s passed)\n",
              i + 1);
      return 1;
    }
    long count = strtol(line, NULL, 10);
    if (count < 0) {
      fprintf(stderr, "reload %ld: %s\n", i + 1, line);
      return 1;
    }
    keep_line(r, &len, "", line);
    for (long k = 0; k < count; k++) {
      if (read_line(c, line, sizeof(line)) != 0) {
        fprintf(stderr, "reload %ld: the reply ended after %ld of %ld lines\n",
                i + 1, k, count);
        return 1;
      }
      keep_line(r, &len, "  ", line);
    }
    t[i] = now_us() - t0;
  }
  for (long i = 0; i < n; i++)
    printf("%.1f %s", t[i], reply + i * REPLY_MAX);
  close(c->fd);
  free(c);
  free(t);
  free(reply);
  return 0;
}

static void on_alarm(int sig) { (void)sig; }

/* Waits for pid for at most DEADLINE_US; its wait status, or -1. Blocks in
 * waitpid() rather than polling, so the exit is seen the moment it
 * happens; an alarm, installed without SA_RESTART, ends the wait. */
static int wait_exit(pid_t pid) {
  struct sigaction sa = {.sa_handler = on_alarm};
  sigaction(SIGALRM, &sa, NULL);
  alarm((unsigned)(DEADLINE_US / 1e6));
  int status;
  pid_t r = waitpid(pid, &status, 0);
  alarm(0);
  return r == pid ? status : -1;
}

/* Ends a daemon that went wrong. */
static void kill_daemon(pid_t pid) {
  int status;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

/* Starts DAEMON ARG... (argv) and waits until its socket answers LISTVAL;
 * its pid, with the time taken in *start, or -1 (nothing left running). */
static pid_t start_daemon(const char *path, const char *log, char **argv,
                          double *start) {
  unlink(path); /* a stale socket file would answer connect() with
                   ECONNREFUSED, which is handled, but not confuse us */
  double t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return -1;
  }
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(argv[0], argv);
    perror(argv[0]);
    _exit(127);
  }

  /* Until the socket answers LISTVAL: connect, ask, read the whole reply
   * ("N Values found" and N lines). */
  int status;
  conn_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    goto kill_it;
  for (;;) {
    if (now_us() - t0 > DEADLINE_US) {
      fprintf(stderr, "%s did not answer within 30 s\n", argv[0]);
      goto kill_it;
    }
    if (waitpid(pid, &status, WNOHANG) == pid) {
      fprintf(stderr, "%s exited during start-up (status %d)\n", argv[0],
              status);
      free(c);
      return -1;
    }
    if ((c->fd = try_connect(path)) < 0) {
      sleep_us(POLL_US);
      continue;
    }
    char line[1024];
    c->len = 0;
    long values = -1;
    if (write_all(c->fd, "LISTVAL\n", 8) == 0 &&
        read_line(c, line, sizeof(line)) == 0)
      values = strtol(line, NULL, 10);
    for (long i = 0; i < values; i++)
      if (read_line(c, line, sizeof(line)) != 0)
        values = -1;
    close(c->fd);
    if (values >= 0)
      break;
    sleep_us(POLL_US); /* connected too early (not serving yet?): retry */
  }
  *start = now_us() - t0;
  free(c);
  return pid;

kill_it:
  free(c);
  kill_daemon(pid);
  return -1;
}

/* SIGTERMs pid and waits for its exit; 0 on a clean exit, with the time
 * taken in *stop, else -1 (nothing left running). */
static int stop_daemon(pid_t pid, const char *name, double *stop) {
  double t1 = now_us();
  kill(pid, SIGTERM);
  int status = wait_exit(pid);
  *stop = now_us() - t1;
  if (status == -1) {
    fprintf(stderr, "%s did not exit within 30 s of SIGTERM\n", name);
    kill_daemon(pid);
    return -1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "%s: exit status %d after SIGTERM\n", name, status);
    return -1;
  }
  return 0;
}

static int restart(const char *path, long n, const char *log, char **argv) {
  double *start = calloc((size_t)n, sizeof(double));
  double *stop = calloc((size_t)n, sizeof(double));
  if (start == NULL || stop == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (long i = 0; i < n; i++) {
    pid_t pid = start_daemon(path, log, argv, start + i);
    if (pid < 0 || stop_daemon(pid, argv[0], stop + i) != 0) {
      fprintf(stderr, "restart %ld of %ld failed (log: %s)\n", i + 1, n, log);
      return 1;
    }
  }
  for (long i = 0; i < n; i++)
    printf("%.1f %.1f\n", start[i], stop[i]);
  free(start);
  free(stop);
  return 0;
}

static double wall_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The daemon runs between restarts, so that the restart shows in what
 * its plugins wrote; the runs are not timed. */
static int restart_running(const char *path, long n, long ms, const char *log,
                           char **argv) {
  double *start = calloc((size_t)n, sizeof(double));
  double *stop = calloc((size_t)n, sizeof(double));
  double *sigterm = calloc((size_t)n, sizeof(double));
  if (start == NULL || stop == NULL || sigterm == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  double first;
  pid_t pid = start_daemon(path, log, argv, &first);
  if (pid < 0) {
    fprintf(stderr, "the first start failed (log: %s)\n", log);
    return 1;
  }
  for (long i = 0; i < n; i++) {
    sleep_us(ms * 1000 + ms * 1000 * i / n);
    sigterm[i] = wall_clock();
    if (stop_daemon(pid, argv[0], stop + i) != 0 ||
        (pid = start_daemon(path, log, argv, start + i)) < 0) {
      fprintf(stderr, "restart %ld of %ld failed (log: %s)\n", i + 1, n, log);
      return 1;
    }
  }
  sleep_us(ms * 2000);
  double last;
  if (stop_daemon(pid, argv[0], &last) != 0) {
    fprintf(stderr, "the last stop failed (log: %s)\n", log);
    return 1;
  }
  for (long i = 0; i < n; i++)
    printf("%.1f %.1f %.3f\n", start[i], stop[i], sigterm[i]);
  free(start);
  free(stop);
  free(sigterm);
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  long n = argc > 3 ? atol(argv[3]) : 0;
  if (argc >= 5 && strcmp(argv[1], "cycle") == 0 && n > 0)
    return cycle(argv[2], n, argc - 4, argv + 4);
  if (argc >= 6 && strcmp(argv[1], "restart") == 0 && n > 0)
    return restart(argv[2], n, argv[4], argv + 5);
  if (argc >= 7 && strcmp(argv[1], "restart-running") == 0 && n > 0 &&
      atol(argv[4]) >= 0)
    return restart_running(argv[2], n, atol(argv[4]), argv[5], argv + 6);
  if (argc == 4 && strcmp(argv[1], "reload") == 0 && n > 0)
    return reload(argv[2], n);
  fprintf(stderr,
          "usage: %s cycle SOCKET N PLUGIN...\n"
          "       %s restart SOCKET N LOG DAEMON [ARG...]\n"
          "       %s restart-running SOCKET N MS LOG DAEMON [ARG...]\n"
          "       %s reload SOCKET N\n",
          argv[0], argv[0], argv[0], argv[0]);
  return 2;
}
