/* See daemon_signals.h. A SIGTERM sent to the process is handled by
 * whichever thread the kernel picks (the main thread, unless it blocks it)
 * and reaches the main loop through a pipe; one a thread of ours sent to
 * another with pthread_kill() or tgkill() has done its work by arriving
 * (the system call it interrupted returns EINTR) and is dropped. */
#include "collectd.h"

#include "daemon_signals.h"
#include "plugin.h"

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/signalfd.h>

static int stop_pipe[2] = {-1, -1};
static int other_fd = -1; /* signalfd for SIGUSR1 and SIGHUP */
static _Atomic bool stop_requested;

static void on_stop_signal(int sig, siginfo_t *info, void *unused) {
  (void)sig;
  (void)unused;
  /* Sent to one thread from inside this process: an interruption, not a
   * request to stop (collectd 5.12's plugins do this in their shutdown). */
  if (info != NULL && info->si_code == SI_TKILL && info->si_pid == getpid())
    return;
  int saved = errno;
  atomic_store(&stop_requested, true);
  ssize_t unused_status = write(stop_pipe[1], "T", 1);
  (void)unused_status; /* a full pipe already holds a request */
  errno = saved;
}

int signals_init(void) {
  if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return -errno;

  /* No SA_RESTART: as in collectd, the signal interrupts a blocking call
   * of the thread it lands on, which is what pthread_kill() is for. */
  struct sigaction sa = {.sa_sigaction = on_stop_signal,
                         .sa_flags = SA_SIGINFO};
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
    return -errno;
  signal(SIGPIPE, SIG_IGN);

  sigset_t others;
  sigemptyset(&others);
  sigaddset(&others, SIGUSR1);
  sigaddset(&others, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &others, NULL);
  other_fd = signalfd(-1, &others, SFD_CLOEXEC | SFD_NONBLOCK);
  return other_fd >= 0 ? 0 : -errno;
}

bool signals_stop_requested(void) { return atomic_load(&stop_requested); }

bool signals_wait_stop(int fd) {
  struct pollfd fds[] = {{.fd = stop_pipe[0], .events = POLLIN},
                         {.fd = fd, .events = POLLIN}};
  while (!signals_stop_requested()) {
    if (poll(fds, STATIC_ARRAY_SIZE(fds), -1) < 0 && errno != EINTR)
      return false;
    if (fds[1].revents != 0)
      return signals_stop_requested();
  }
  return true;
}

int signals_wait(cdtime_t timeout) {
  struct pollfd fds[] = {{.fd = stop_pipe[0], .events = POLLIN},
                         {.fd = other_fd, .events = POLLIN}};
  if (signals_stop_requested())
    return SIGTERM;
  int ms = (int)CDTIME_T_TO_MS(timeout);
  if (poll(fds, STATIC_ARRAY_SIZE(fds), ms > 0 ? ms : 1) <= 0)
    return signals_stop_requested() ? SIGTERM : 0;
  if (fds[0].revents != 0 || signals_stop_requested())
    return SIGTERM;
  struct signalfd_siginfo si;
  if (read(other_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
    return 0;
  return (int)si.ssi_signo;
}
