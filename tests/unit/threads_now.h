/* How many threads the test process has now, from /proc: the tests that
 * load and unload plugins check that none is left behind. */
#ifndef THREADS_NOW_H
#define THREADS_NOW_H

#include <check.h>
#include <dirent.h>

static inline int threads_now(void) {
  DIR *d = opendir("/proc/self/task");
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

#endif /* THREADS_NOW_H */
