/* Whole-buffer reads and writes, small file helpers, directory creation and
 * directory walks. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <poll.h>

int sread(int fd, void *buf, size_t count) {
  char *pos = buf;

  while (count > 0) {
    ssize_t status = read(fd, pos, count);
    if (status < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (status < 0)
      return -1;
    if (status == 0) {
      DEBUG("sread: end of file on fd %d", fd);
      return -1;
    }
    pos += status;
    count -= (size_t)status;
  }
  return 0;
}

/* True if `fd` is a socket whose peer has closed the connection: poll()
 * reports it readable but a peek finds nothing. Writing to it would only
 * fail later (or raise SIGPIPE), so swrite() says so up front. */
static bool peer_has_closed(int fd) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLHUP};
  if (poll(&pfd, 1, 0) <= 0)
    return false;
  char probe[32];
  return recv(fd, probe, sizeof(probe), MSG_PEEK | MSG_DONTWAIT) == 0;
}

int swrite(int fd, const void *buf, size_t count) {
  const char *pos = buf;
  bool is_socket = true; /* until send() says otherwise */

  if (fd < 0) {
    errno = EINVAL;
    return errno;
  }
  if (peer_has_closed(fd)) {
    errno = ECONNRESET;
    return -1;
  }

  while (count > 0) {
    ssize_t status;
    if (is_socket) {
      /* MSG_NOSIGNAL: a vanished peer is an error, not a signal. */
      status = send(fd, pos, count, MSG_NOSIGNAL);
      if (status < 0 && errno == ENOTSOCK) {
        is_socket = false;
        continue;
      }
    } else {
      status = write(fd, pos, count);
    }
    if (status < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (status < 0)
      return (errno != 0) ? errno : -1;
    pos += status;
    count -= (size_t)status;
  }
  return 0;
}

/* mkdir() that accepts an existing directory, also one that another thread
 * or process creates at the same moment. */
static int ensure_dir(const char *dir) {
  struct stat st;

  if (stat(dir, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return 0;
    P_ERROR("check_create_dir: `%s' exists but is not a directory", dir);
    return -1;
  }
  if (errno != ENOENT) {
    P_ERROR("check_create_dir: stat(%s): %s", dir, STRERRNO);
    return -1;
  }
  if (mkdir(dir, S_IRWXU | S_IRWXG | S_IRWXO) == 0)
    return 0;
  if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
    return 0;
  P_ERROR("check_create_dir: mkdir(%s): %s", dir, STRERRNO);
  return -1;
}

int check_create_dir(const char *file_orig) {
  char path[PATH_MAX];

  if (file_orig == NULL || file_orig[0] == '\0')
    return -1;
  size_t len = strlen(file_orig);
  if (len >= sizeof(path)) {
    P_ERROR("check_create_dir: name `%s' is too long", file_orig);
    return -1;
  }
  memcpy(path, file_orig, len + 1);

  /* Without a trailing slash the last component names a file. */
  if (path[len - 1] != '/') {
    char *last_slash = strrchr(path, '/');
    if (last_slash == NULL)
      return 0;
    last_slash[1] = '\0';
  }

  /* Create each prefix that ends a component, from the root down. */
  char *pos = path;
  while (*pos != '\0') {
    while (*pos == '/')
      pos++;
    if (*pos == '\0')
      break;
    /* Refusing dot components keeps "../" out of paths built from
     * identifiers that a network peer may have chosen. */
    if (*pos == '.') {
      P_ERROR("check_create_dir: refusing to create a directory that starts "
            "with a dot: `%s'",
            file_orig);
      return -2;
    }
    char *end = strchr(pos, '/');
    if (end == NULL)
      end = pos + strlen(pos);
    char saved = *end;
    *end = '\0';
    int status = ensure_dir(path);
    *end = saved;
    if (status != 0)
      return status;
    pos = end;
  }
  return 0;
}

int walk_directory(const char *dir, dirwalk_callback_f callback,
                   void *user_data, int hidden) {
  DIR *dh = opendir(dir);
  if (dh == NULL) {
    P_ERROR("walk_directory: cannot open `%s': %s", dir, STRERRNO);
    return -1;
  }

  int successes = 0;
  int failures = 0;
  struct dirent *ent;
  while ((ent = readdir(dh)) != NULL) {
    const char *name = ent->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    if (!hidden && name[0] == '.')
      continue;
    if (callback(dir, name, user_data) == 0)
      successes++;
    else
      failures++;
  }
  closedir(dh);

  /* Only a walk where nothing worked is a failure. */
  return (successes == 0 && failures > 0) ? -1 : 0;
}

/* Silent on failure: plugins probe optional files (sysfs attributes that
 * only some devices have) and report what matters themselves. */
ssize_t read_file_contents(char const *filename, void *buf, size_t bufsize) {
  int fd = open(filename, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;

  size_t total = 0;
  while (total < bufsize) {
    ssize_t n = read(fd, (char *)buf + total, bufsize - total);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    if (n == 0)
      break;
    total += (size_t)n;
  }
  close(fd);
  return (ssize_t)total;
}

ssize_t read_text_file_contents(char const *filename, char *buf,
                                size_t bufsize) {
  if (buf == NULL || bufsize == 0)
    return -1;
  ssize_t n = read_file_contents(filename, buf, bufsize - 1);
  if (n < 0)
    return n;
  buf[n] = '\0';
  return n + 1;
}
