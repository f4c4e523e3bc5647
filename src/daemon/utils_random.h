/* A process-wide pseudo random generator (not for cryptography), seeded
 * from the clock on first use. All functions are thread-safe. */
#ifndef UTILS_RANDOM_H
#define UTILS_RANDOM_H 1

#include <stdint.h>

/* Uniform in [0, 1). */
double cdrand_d(void);

/* Uniform over all 32-bit values. */
uint32_t cdrand_u(void);

/* Uniform in [min, max], both included. Requires min <= max. */
long cdrand_range(long min, long max);

#endif /* UTILS_RANDOM_H */
