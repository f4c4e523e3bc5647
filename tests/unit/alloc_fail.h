/* Allocation failure injection for unit tests (see the comment below).
 * Include it in one test program only once: it defines malloc(). */
#ifndef ALLOC_FAIL_H
#define ALLOC_FAIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Allocation failure injection: this program's malloc, calloc and realloc
 * replace libc's (glibc supports that, and strdup() goes through them too)
 * and fail the n-th call once armed. The sanitizers bring their own
 * allocator, so the test is left out of sanitizer builds. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OC_NO_ALLOC_FAILURES 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define OC_NO_ALLOC_FAILURES 1
#endif

#ifndef OC_NO_ALLOC_FAILURES
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t num, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

static long alloc_countdown = -1; /* fail when it reaches 0; -1: never */
static bool alloc_failed;

static bool fail_now(void) {
  if (alloc_countdown < 0 || alloc_countdown-- > 0)
    return false;
  alloc_failed = true;
  errno = ENOMEM; /* as the real ones do */
  return true;
}

void *malloc(size_t size) { return fail_now() ? NULL : __libc_malloc(size); }
void *calloc(size_t num, size_t size) {
  return fail_now() ? NULL : __libc_calloc(num, size);
}
void *realloc(void *ptr, size_t size) {
  return fail_now() ? NULL : __libc_realloc(ptr, size);
}

/* Valgrind replaces this program's malloc with its own unless run with
 * --soname-synonyms=somalloc=nouserintercepts; say so rather than fail. */
static bool alloc_failures_work(void) {
  void *(*volatile call)(size_t) = malloc; /* keep the call */
  alloc_countdown = 0;
  void *p = call(16);
  alloc_countdown = -1;
  if (p == NULL)
    return true;
  free(p);
  fprintf(stderr, "allocation failures cannot be injected here (valgrind "
                  "needs --soname-synonyms=somalloc=nouserintercepts)\n");
  return false;
}
#endif

#endif /* ALLOC_FAIL_H */
