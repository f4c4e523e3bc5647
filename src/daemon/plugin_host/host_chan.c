/* A plugin host's channel (see host_chan.h). */
#include "collectd.h"

#include "plugin_host/host_chan.h"

#include <sys/socket.h>

/* Reads are made in pieces of this much, or more while a large frame is
 * being read. */
#define CHAN_READ_SIZE (64 * 1024)

void host_chan_init(host_chan_t *ch, int fd) {
  *ch = (host_chan_t){.fd = fd};
  pthread_mutex_init(&ch->send_lock, NULL);
}

void host_chan_destroy(host_chan_t *ch) {
  if (ch->fd >= 0)
    close(ch->fd);
  ch->fd = -1;
  free(ch->in);
  ch->in = NULL;
  ch->in_len = ch->in_cap = ch->in_used = 0;
  pthread_mutex_destroy(&ch->send_lock);
}

int host_chan_send(host_chan_t *ch, host_writer_t *w) {
  int status = 0;
  pthread_mutex_lock(&ch->send_lock);
  for (size_t off = 0; off < w->len;) {
    ssize_t n = send(ch->fd, w->buf + off, w->len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      status = n < 0 ? -errno : -EPIPE;
      break;
    }
    off += (size_t)n;
  }
  pthread_mutex_unlock(&ch->send_lock);
  host_writer_reset(w);
  return status;
}

/* Makes room for at least `want` more bytes after what is unread, moving
 * the unread bytes to the front first. */
static int make_room(host_chan_t *ch, size_t want) {
  if (ch->in_used > 0) {
    memmove(ch->in, ch->in + ch->in_used, ch->in_len - ch->in_used);
    ch->in_len -= ch->in_used;
    ch->in_used = 0;
  }
  if (ch->in_cap - ch->in_len >= want)
    return 0;
  size_t cap = ch->in_cap > 0 ? ch->in_cap : CHAN_READ_SIZE;
  while (cap - ch->in_len < want)
    cap *= 2;
  uint8_t *in = realloc(ch->in, cap);
  if (in == NULL)
    return -ENOMEM;
  ch->in = in;
  ch->in_cap = cap;
  return 0;
}

int host_chan_recv(host_chan_t *ch, host_msg_t *m,
                   bool (*check)(unsigned type, void *arg, char *err,
                                 size_t errlen),
                   void *arg, char *err, size_t errlen) {
  for (;;) {
    host_frame_t f;
    const uint8_t *body;
    size_t used;
    /* Nothing read yet: no buffer either. */
    const uint8_t *unread = ch->in != NULL ? ch->in + ch->in_used : NULL;
    int status = host_frame_next(unread, ch->in_len - ch->in_used, &f, &body,
                                 &used, err, errlen);
    if (status < 0)
      return status;
    if (status > 0) {
      if (check != NULL && !check(f.type, arg, err, errlen))
        return -EPERM;
      ch->in_used += used;
      return host_msg_decode(&f, body, m, err, errlen) == 0 ? 1 : -EBADMSG;
    }

    /* A frame is still incomplete: read at least the rest of its header,
     * or of its body once the header is there. */
    size_t have = ch->in_len - ch->in_used;
    size_t want = CHAN_READ_SIZE;
    if (have >= HOST_PROTO_HEADER_SIZE) {
      size_t whole = HOST_PROTO_HEADER_SIZE +
                     (size_t)host_get_u32(ch->in + ch->in_used);
      if (whole - have > want)
        want = whole - have;
    }
    if (make_room(ch, want) != 0) {
      snprintf(err, errlen, "out of memory reading a frame");
      return -ENOMEM;
    }
    ssize_t n = read(ch->fd, ch->in + ch->in_len, ch->in_cap - ch->in_len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      snprintf(err, errlen, "reading the channel: %s", strerror(e));
      return -e;
    }
    if (n == 0) {
      if (have == 0)
        return 0;
      snprintf(err, errlen, "the channel ended inside a frame (%zu bytes of "
                            "it came)",
               have);
      return -EPIPE;
    }
    ch->in_len += (size_t)n;
  }
}
