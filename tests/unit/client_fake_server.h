/* A scripted stand-in for the daemon's control socket, for the client
 * library's tests: a thread that reads command lines from one end of a
 * connection and answers each with the next reply of its script. */
#ifndef CLIENT_FAKE_SERVER_H
#define CLIENT_FAKE_SERVER_H

#include <pthread.h>
#include <stddef.h>

typedef struct {
  /* One reply per command line received, sent as is (several lines, or
   * none, or half of one). A NULL entry ends the script: the server then
   * closes the connection without answering. */
  const char *const *replies;
  /* Write replies one byte at a time, to split lines across reads. */
  int trickle;

  /* What the server received, every line with its '\n'; NUL-terminated.
   * Read it after fake_server_join. */
  char received[64 * 1024];
  size_t received_len;
  size_t lines_received;

  int fd;
  pthread_t thread;
} fake_server_t;

/* Serves on one end of a new socketpair; *client_fd is the other end. */
void fake_server_start(fake_server_t *fs, int *client_fd);

/* Serves on fd, a connection that is already open (an accepted one). */
void fake_server_start_fd(fake_server_t *fs, int fd);

/* Waits for the script to end (the client must have closed its end, or the
 * script must end with NULL). */
void fake_server_join(fake_server_t *fs);

#endif /* CLIENT_FAKE_SERVER_H */
