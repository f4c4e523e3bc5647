/* What the libFuzzer targets share: an invariant check that libFuzzer
 * reports as a crash (with the input that broke it), a scratch directory
 * removed at exit, and whole-file writes. Each target includes it once. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* nftw's FTW_DEPTH */
#endif

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* abort() with the condition and where it is: the input is saved as a
 * crash artifact. */
#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: invariant does not hold: %s\n", __FILE__,        \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* The same, printing what was being looked at (a reply, a message). */
#define FUZZ_CHECK_MSG(cond, what)                                             \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: invariant does not hold: %s\n  in: \"%s\"\n",    \
              __FILE__, __LINE__, #cond, (what));                              \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static char fuzz_dir[256];

static inline int fuzz_remove_one(const char *path, const struct stat *st,
                                  int flag, struct FTW *ftw) {
  remove(path);
  return 0;
}

static inline void fuzz_dir_remove(void) {
  if (fuzz_dir[0] != '\0')
    nftw(fuzz_dir, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the scratch directory (under $TMPDIR or /tmp) and returns its
 * path; it is removed when the process exits normally. A target that
 * crashes leaves it behind, with what the crash saw. */
static inline const char *fuzz_dir_create(const char *name) {
  const char *tmp = getenv("TMPDIR");
  snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/%s.XXXXXX",
           tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", name);
  FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL);
  atexit(fuzz_dir_remove);
  return fuzz_dir;
}

/* Writes `len` bytes to `path` (relative paths: below the working
 * directory), replacing what was there. */
static inline void fuzz_write_file(const char *path, const void *data,
                                   size_t len) {
  FILE *fh = fopen(path, "w");
  FUZZ_CHECK(fh != NULL);
  FUZZ_CHECK(len == 0 || fwrite(data, 1, len, fh) == len);
  FUZZ_CHECK(fclose(fh) == 0);
}

static inline void fuzz_write_text(const char *path, const char *text) {
  fuzz_write_file(path, text, strlen(text));
}

/* Moves the process into `dir` for good, from LLVMFuzzerInitialize().
 * libFuzzer reads its arguments after that call, so the relative paths
 * among them (corpus directories and files, -artifact_prefix and the other
 * path flags) are made absolute first; without an -artifact_prefix one is
 * added, so that a crash is saved where the run started, not in `dir`.
 * (-seed_inputs, a list, is left as it is: give it absolute paths.) */
static inline void fuzz_chdir(int *argc, char ***argv, const char *dir) {
  static const char *const path_flags[] = {
      "-artifact_prefix=", "-exact_artifact_path=", "-dict=",
      "-features_dir=",    "-stop_file=",           "-data_flow_trace=",
  };
  char cwd[PATH_MAX];
  FUZZ_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
  char **args = calloc((size_t)*argc + 2, sizeof(*args));
  FUZZ_CHECK(args != NULL);
  int n = 0;
  args[n++] = (*argv)[0];
  bool prefix = false;
  for (int i = 1; i < *argc; i++) {
    const char *a = (*argv)[i];
    char *abs = NULL;
    if (a[0] != '-') {
      if (a[0] != '/')
        FUZZ_CHECK(asprintf(&abs, "%s/%s", cwd, a) > 0);
    } else {
      for (size_t f = 0; f < sizeof(path_flags) / sizeof(path_flags[0]); f++) {
        size_t len = strlen(path_flags[f]);
        if (strncmp(a, path_flags[f], len) != 0)
          continue;
        prefix |= (f == 0);
        if (a[len] != '/')
          FUZZ_CHECK(asprintf(&abs, "%s%s/%s", path_flags[f], cwd, a + len) >
                     0);
      }
    }
    args[n++] = abs != NULL ? abs : (*argv)[i];
  }
  if (!prefix)
    FUZZ_CHECK(asprintf(&args[n++], "-artifact_prefix=%s/", cwd) > 0);
  /* The new arguments live as long as the process. */
  *argc = n;
  *argv = args;
  FUZZ_CHECK(chdir(dir) == 0);
}

#endif /* FUZZ_UTIL_H */
