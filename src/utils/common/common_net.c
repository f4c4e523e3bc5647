/* Network helpers: 64-bit and double byte order, service names, socket
 * options, and the capability check plugins make before opening raw
 * sockets. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <linux/capability.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef HAVE_HTONLL
unsigned long long ntohll(unsigned long long n) { return be64toh(n); }
unsigned long long htonll(unsigned long long n) { return htobe64(n); }
#endif

#ifndef ntohd
/* Big-endian hosts: the wire format of doubles is little endian. */
static double swap_double(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof(bits));
  bits = htole64(bits);
  memcpy(&d, &bits, sizeof(d));
  return d;
}
double ntohd(double d) { return swap_double(d); }
double htond(double d) { return swap_double(d); }
#endif

int service_name_to_port_number(const char *service_name) {
  if (service_name == NULL)
    return -1;

  struct addrinfo hints = {.ai_family = AF_UNSPEC};
  struct addrinfo *list = NULL;
  int status = getaddrinfo(NULL, service_name, &hints, &list);
  if (status != 0) {
    P_ERROR("service_name_to_port_number: getaddrinfo(%s): %s", service_name,
          gai_strerror(status));
    return -1;
  }

  int port = -1;
  for (struct addrinfo *ai = list; ai != NULL && port <= 0; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET)
      port = ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port);
    else if (ai->ai_family == AF_INET6)
      port = ntohs(((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
  }
  freeaddrinfo(list);

  return (port > 0 && port <= 65535) ? port : -1;
}

/* Whole seconds in `ms` divided by `per`, rounded up and at least 1. */
static int ceil_div(uint64_t ms, uint64_t per) {
  return (ms == 0) ? 1 : (int)((ms - 1) / per + 1);
}

void set_sock_opts(int sockfd) {
  int type = 0;
  socklen_t len = sizeof(type);
  if (getsockopt(sockfd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    P_WARNING("set_sock_opts: cannot determine the socket type: %s", STRERRNO);
    return;
  }
  if (type != SOCK_STREAM)
    return;

  int on = 1;
  if (setsockopt(sockfd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0)
    P_WARNING("set_sock_opts: cannot enable keep-alive: %s", STRERRNO);

  /* A dead peer is noticed after about ten intervals of silence, then
   * probed once per interval (the kernel default waits two hours). */
  uint64_t interval_ms = CDTIME_T_TO_MS(plugin_get_interval());
  int idle = ceil_div(interval_ms, 100);
  int probe = ceil_div(interval_ms, 1000);
  if (setsockopt(sockfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0)
    P_WARNING("set_sock_opts: cannot set TCP_KEEPIDLE: %s", STRERRNO);
  if (setsockopt(sockfd, IPPROTO_TCP, TCP_KEEPINTVL, &probe, sizeof(probe)) !=
      0)
    P_WARNING("set_sock_opts: cannot set TCP_KEEPINTVL: %s", STRERRNO);
}

int check_capability(int arg) {
  /* Unknown to this kernel (also rejects negative numbers). */
  if (prctl(PR_CAPBSET_READ, (unsigned long)arg, 0, 0, 0) < 0)
    return -1;

  /* capget(2) directly: the daemon does not otherwise need libcap. */
  struct __user_cap_header_struct header = {
      .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof(data));
  if (syscall(SYS_capget, &header, data) != 0) {
    P_ERROR("check_capability: capget failed: %s", STRERRNO);
    return -1;
  }

  unsigned idx = (unsigned)arg / 32;
  if (idx >= _LINUX_CAPABILITY_U32S_3)
    return -1;
  uint32_t bit = UINT32_C(1) << ((unsigned)arg % 32);
  return (data[idx].effective & bit) ? 0 : -1;
}
