/* Sends N PUTVAL commands to a unixsock socket over C connections and
 * reports values per second. Each connection has a writer that streams its
 * share of the commands and a reader that counts the replies, so the
 * measurement is the daemon's, not a ping-pong of round trips.
 *
 * Usage: putval_client SOCKET N CONNECTIONS
 * Prints: "<values> <seconds> <errors>" */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define IDENTIFIERS 100 /* distinct type instances per connection */

typedef struct {
  const char *path;
  int index;
  long count;
  int fd;
  long errors;
} conn_t;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg) {
  conn_t *c = arg;
  FILE *out = fdopen(dup(c->fd), "w");
  if (out == NULL)
    return NULL;
  /* Every identifier's time goes up by a second per round, so no value
   * is ever too old for the cache. */
  const long base = 1700000000;
  for (long i = 0; i < c->count; i++)
    fprintf(out, "PUTVAL bench/putval-c%d/gauge-%ld %ld:%ld\n", c->index,
            i % IDENTIFIERS, base + i / IDENTIFIERS, i);
  fclose(out);
  return NULL;
}

static void *reader(void *arg) {
  conn_t *c = arg;
  FILE *in = fdopen(dup(c->fd), "r");
  if (in == NULL)
    return NULL;
  char line[1024];
  for (long i = 0; i < c->count && fgets(line, sizeof(line), in) != NULL; i++)
    if (strncmp(line, "0 ", 2) != 0)
      c->errors++;
  fclose(in);
  return NULL;
}

static int connect_to(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    perror(path);
    exit(1);
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s SOCKET N CONNECTIONS\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  int conns = atoi(argv[3]);
  if (n <= 0 || conns <= 0)
    return 2;
  conn_t *c = calloc((size_t)conns, sizeof(*c));
  pthread_t *threads = calloc(2 * (size_t)conns, sizeof(*threads));
  for (int i = 0; i < conns; i++)
    c[i] = (conn_t){.path = argv[1], .index = i, .count = n / conns,
                    .fd = connect_to(argv[1])};

  double start = now();
  for (int i = 0; i < conns; i++) {
    pthread_create(&threads[2 * i], NULL, writer, &c[i]);
    pthread_create(&threads[2 * i + 1], NULL, reader, &c[i]);
  }
  long total = 0, errors = 0;
  for (int i = 0; i < conns; i++) {
    pthread_join(threads[2 * i], NULL);
    pthread_join(threads[2 * i + 1], NULL);
    total += c[i].count;
    errors += c[i].errors;
    close(c[i].fd);
  }
  double seconds = now() - start;
  printf("%ld %.6f %ld\n", total, seconds, errors);
  free(c);
  free(threads);
  return errors == 0 ? 0 : 1;
}
