/* Starting a plugin host (see host_main.h). */
#include "collectd.h"

#include "plugin_host/host_main.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* In the child, between fork() and exec(): only async-signal-safe calls,
 * since another thread of the daemon may have held any lock at the fork.
 * Never returns. */
static _Noreturn void become_host(int chan, const char *exe,
                                  char *const argv[]) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  if (chan != HOST_CHANNEL_FD) {
    if (dup2(chan, HOST_CHANNEL_FD) < 0)
      _exit(126);
  } else if (fcntl(chan, F_SETFD, 0) != 0) { /* keep it across exec */
    _exit(126);
  }
  int null = open("/dev/null", O_RDWR); /* close_range() closes it */
  if (null < 0)
    _exit(126);
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(null, fd) < 0)
      _exit(126);
  /* Whatever else the daemon had open (sockets of other plugins, files of
   * writers) is not the host's business. */
  syscall(SYS_close_range, HOST_CHANNEL_FD + 1, ~0U, 0);
  execv(exe, argv);
  _exit(127);
}

/* The daemon's own binary, to run as the host: its path while that is the
 * file the daemon runs (so that a daemon run under valgrind, whose
 * /proc/self/exe is valgrind's, starts hosts of itself), else -- the file
 * was replaced or removed since, say by an upgrade -- /proc/self/exe,
 * which still is the binary the daemon runs. */
static void own_binary(char *buf, size_t len) {
  ssize_t n = readlink("/proc/self/exe", buf, len - 1);
  if (n > 0 && (size_t)n < len - 1) {
    buf[n] = '\0';
    const char *gone = " (deleted)";
    size_t glen = strlen(gone);
    if (buf[0] == '/' && !((size_t)n > glen &&
                           strcmp(buf + n - glen, gone) == 0))
      return;
  }
  snprintf(buf, len, "/proc/self/exe");
}

int host_spawn(const char *name, pid_t *pid, int *fd, char *errbuf,
               size_t errlen) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    int err = errno;
    snprintf(errbuf, errlen, "cannot make the host's channel: %s",
             strerror(err));
    return -err;
  }
  char *argv[] = {"collectd", HOST_MODE_SWITCH, (char *)name, NULL};
  char exe[PATH_MAX];
  own_binary(exe, sizeof(exe));
  pid_t child = fork();
  if (child < 0) {
    int err = errno;
    snprintf(errbuf, errlen, "cannot start the host: fork: %s", strerror(err));
    close(sv[0]);
    close(sv[1]);
    return -err;
  }
  if (child == 0)
    become_host(sv[1], exe, argv);
  close(sv[1]);
  *pid = child;
  *fd = sv[0];
  return 0;
}
