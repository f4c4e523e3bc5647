/* One 48-bit linear congruential generator (the drand48 family) shared by
 * the whole process. The *rand48 functions with an explicit state are
 * reentrant; the mutex serialises access to that shared state. */
#include "collectd.h"

#include "utils_random.h"
#include "utils_time.h"

#include <pthread.h>

static pthread_mutex_t rand_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned short rand_state[3]; /* protected by rand_lock */
static bool rand_seeded;             /* protected by rand_lock */

/* Caller holds rand_lock. Seeded lazily from the clock, so that two
 * daemons started in the same second still differ. */
static void rand_seed_locked(void) {
  if (rand_seeded)
    return;
  cdtime_t now = cdtime();
  uint64_t mix = now ^ ((uint64_t)getpid() << 32);
  rand_state[0] = (unsigned short)mix;
  rand_state[1] = (unsigned short)(mix >> 16);
  rand_state[2] = (unsigned short)(mix >> 32);
  rand_seeded = true;
}

double cdrand_d(void) {
  pthread_mutex_lock(&rand_lock);
  rand_seed_locked();
  double r = erand48(rand_state);
  pthread_mutex_unlock(&rand_lock);
  return r;
}

uint32_t cdrand_u(void) {
  pthread_mutex_lock(&rand_lock);
  rand_seed_locked();
  long r = jrand48(rand_state); /* signed 32 bits, all of them random */
  pthread_mutex_unlock(&rand_lock);
  return (uint32_t)r;
}

long cdrand_range(long min, long max) {
  /* Unsigned arithmetic: max - min may not fit in a long. */
  uint64_t range = (uint64_t)max - (uint64_t)min;
  double x = cdrand_d() * ((double)range + 1.0);
  /* Rounding may land on or past the top; keep max reachable, not beyond. */
  uint64_t offset = (x >= (double)range) ? range : (uint64_t)x;
  return (long)((uint64_t)min + offset);
}
