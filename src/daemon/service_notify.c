/* See service_notify.h. The socket is a path, or an abstract name written
 * with a leading '@'; each notification is one sendto() on a socket of its
 * own, so that no descriptor stays open (a plugin host must inherit only
 * its channel) and any thread may send. */
#include "collectd.h"

#include "service_notify.h"
#include "utils/common/common.h"

#include <stdatomic.h>
#include <sys/un.h>

static _Atomic bool complained;
/* READY=1 went out: a reload before that is part of the start-up. */
static _Atomic bool started;

bool service_notify_wanted(void) {
  const char *path = getenv("NOTIFY_SOCKET");
  return path != NULL && path[0] != '\0';
}

/* The address of NOTIFY_SOCKET, or -EINVAL for one that is not usable. */
static int notify_address(struct sockaddr_un *sa, socklen_t *len) {
  const char *path = getenv("NOTIFY_SOCKET");
  size_t n = path != NULL ? strlen(path) : 0;
  if (n == 0 || n >= sizeof(sa->sun_path) || (path[0] != '/' && path[0] != '@'))
    return -EINVAL;
  *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
  memcpy(sa->sun_path, path, n);
  if (path[0] == '@')
    sa->sun_path[0] = '\0'; /* the abstract namespace */
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
  return 0;
}

void service_notify(const char *state) {
  if (!service_notify_wanted())
    return;
  struct sockaddr_un sa;
  socklen_t len;
  int err = notify_address(&sa, &len);
  int fd = err == 0 ? socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
  if (err == 0 && fd < 0)
    err = -errno;
  if (fd >= 0) {
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               len) < 0)
      err = -errno;
    close(fd);
  }
  if (err != 0 && !atomic_exchange(&complained, true))
    WARNING("NOTIFY_SOCKET \"%s\": cannot tell the service manager \"%s\": "
            "%s",
            getenv("NOTIFY_SOCKET"), state, STRERROR(-err));
}

void service_notify_ready(void) {
  atomic_store(&started, true);
  service_notify("READY=1\nSTATUS=Initialization complete, reading.");
}

void service_notify_reloaded(void) {
  if (atomic_load(&started))
    service_notify("READY=1");
}

void service_notify_reloading(void) {
  if (!atomic_load(&started))
    return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  char state[96];
  snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
           (unsigned long long)ts.tv_sec * 1000000ULL +
               (unsigned long long)ts.tv_nsec / 1000ULL);
  service_notify(state);
}
