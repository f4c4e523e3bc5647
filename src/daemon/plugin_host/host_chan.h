/* One end of a plugin host's channel: the stream socket between the daemon
 * and a host, read as frames and written as whole buffers of frames. Both
 * the daemon (host_proxy.c) and the host (host_main.c) use it. */
#ifndef PLUGIN_HOST_HOST_CHAN_H
#define PLUGIN_HOST_HOST_CHAN_H

#include "plugin_host/host_proto.h"

#include <pthread.h>

#pragma GCC visibility push(hidden)

typedef struct {
  int fd;
  /* Bytes read and not yet taken as frames; only the reading thread
   * touches them. */
  uint8_t *in;
  size_t in_len, in_cap, in_used;
  /* Serializes writers: several threads of a host dispatch at once, and
   * each of their frames must reach the stream whole. */
  pthread_mutex_t send_lock;
} host_chan_t;

void host_chan_init(host_chan_t *ch, int fd);
/* Closes the descriptor and frees the buffer. */
void host_chan_destroy(host_chan_t *ch);

/* Writes every byte w holds (whole frames), then empties w. Returns 0 or a
 * negative errno (-EPIPE: the other end is gone). The caller holds no
 * lock; this takes send_lock. */
int host_chan_send(host_chan_t *ch, host_writer_t *w);

/* Reads the next frame and decodes it into m. Returns 1 with a message, 0
 * at the end of the stream (between frames), or a negative errno with the
 * reason in err: the stream is broken and must be closed. `check` (if not
 * NULL) is asked about each frame's type before its body is decoded; it
 * returns false, with the reason in err, to refuse it. */
int host_chan_recv(host_chan_t *ch, host_msg_t *m,
                   bool (*check)(unsigned type, void *arg, char *err,
                                 size_t errlen),
                   void *arg, char *err, size_t errlen);

#pragma GCC visibility pop

#endif /* PLUGIN_HOST_HOST_CHAN_H */
