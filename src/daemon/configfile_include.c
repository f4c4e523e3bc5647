/* Include expansion: reads the configuration and replaces each Include
 * statement by the statements of the files it names, in place and in order.
 *
 * What collectd 5.12 does, checked with `collectd -f -C` on Debian:
 *  - the path goes through wordexp(3) without command substitution, so
 *    "~", "$VAR" and shell wildcards work; relative paths are relative to
 *    the working directory, also inside included files;
 *  - a directory is read recursively; the entries of each directory are
 *    taken in strcmp() order, subdirectories in their place among the
 *    files, and names starting with '.' are skipped; symlinks are followed;
 *  - `<Include "path"> Filter "*.conf" </Include>` keeps only the files
 *    whose name (not path) matches, with fnmatch(3); directories are always
 *    entered; the last Filter wins;
 *  - at most 8 files in a chain of includes, the main file included;
 *  - the main path (-C) is read as if it were an Include: it may be a
 *    directory or a pattern too.
 * Where collectd only logs and carries on, we stop with an error naming
 * file and line: a missing file, a bad Include statement, an unknown option
 * in an <Include> block, a file that is neither regular nor a directory. A
 * pattern that matches nothing is not an error (a conf.d directory may be
 * empty). An include loop is reported as such, not as a depth problem.
 * collectd expands Include only at the top level; we also expand it inside
 * blocks unless CF_INCLUDE_TOPLEVEL_ONLY is given. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "configfile_include.h"
#include "liboconfig/oconfig_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <wordexp.h>

typedef struct {
  dev_t dev;
  ino_t ino;
} file_id_t;

typedef struct {
  unsigned int flags;
  /* The chain of files being read, outermost first, to find loops. */
  file_id_t chain[CF_INCLUDE_MAX_DEPTH];
  int depth;
  size_t found; /* paths that existed, to tell an unmatched -C pattern */
  char *errbuf;
  size_t errlen;
} ctx_t;

/* Directories being walked, innermost first, to stop at symlink loops. */
typedef struct dir_frame_s {
  file_id_t id;
  const struct dir_frame_s *outer;
} dir_frame_t;

/* Writes "file:line: message" for the statement `ci` (just "message" when
 * its location is unknown) and returns err. */
static int include_error(ctx_t *ctx, const oconfig_item_t *ci, int err,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int include_error(ctx_t *ctx, const oconfig_item_t *ci, int err,
                         const char *fmt, ...) {
  if (ctx->errbuf == NULL || ctx->errlen == 0)
    return err;
  const char *file = NULL;
  int line = 0;
  int n = 0;
  if (ci != NULL && oconfig_item_source(ci, &file, &line) == 0)
    n = snprintf(ctx->errbuf, ctx->errlen, "%s:%d: ", file, line);
  if (n < 0 || (size_t)n >= ctx->errlen)
    return err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errbuf + n, ctx->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return err;
}

/* Adds " (included from file:line)" to a message from an included file. */
static void add_included_from(ctx_t *ctx, const oconfig_item_t *ci) {
  const char *file;
  int line;
  if (ctx->errbuf == NULL || ci == NULL ||
      oconfig_item_source(ci, &file, &line) != 0)
    return;
  size_t used = strnlen(ctx->errbuf, ctx->errlen);
  if (used + 1 < ctx->errlen)
    snprintf(ctx->errbuf + used, ctx->errlen - used, " (included from %s:%d)",
             file, line);
}

static bool same_file(file_id_t a, file_id_t b) {
  return a.dev == b.dev && a.ino == b.ino;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

static int expand_children(ctx_t *ctx, oconfig_item_t *parent);

/* A path or name in a message: cut when long (oconfig_excerpt()). */
#define SHOW(text, buf) oconfig_excerpt((text), true, (buf), sizeof(buf))

/* Appends the statements of the file at `path` to `into`, with their own
 * Include statements expanded. `from` is the Include statement. */
static int include_file(ctx_t *ctx, const oconfig_item_t *from,
                        const char *path, const struct stat *st,
                        oconfig_item_t *into) {
  file_id_t id = {.dev = st->st_dev, .ino = st->st_ino};
  char q[OCONFIG_EXCERPT_SIZE];
  for (int i = 0; i < ctx->depth && i < CF_INCLUDE_MAX_DEPTH; i++)
    if (same_file(ctx->chain[i], id))
      return include_error(ctx, from, -ELOOP,
                           "include loop: %s is already being read",
                           SHOW(path, q));
  if (ctx->depth >= CF_INCLUDE_MAX_DEPTH)
    return include_error(ctx, from, -ELOOP,
                         "not including %s: includes nested deeper than %d "
                         "files",
                         SHOW(path, q), CF_INCLUDE_MAX_DEPTH);

  oconfig_item_t *root = NULL;
  int status = oconfig_parse_file_ex(path, &root, ctx->errbuf, ctx->errlen);
  if (status != 0) {
    add_included_from(ctx, from);
    return status;
  }

  ctx->chain[ctx->depth++] = id;
  status = expand_children(ctx, root);
  ctx->depth--;
  if (status != 0) {
    add_included_from(ctx, from); /* the message names the inner file */
    oconfig_free(root);
    return status;
  }
  status = oconfig_children_splice(into, into->children_num, 0, root);
  if (status != 0) {
    oconfig_free(root); /* the splice takes it only when it succeeds */
    return include_error(ctx, from, status, "out of memory");
  }
  return 0;
}

static int include_path(ctx_t *ctx, const oconfig_item_t *from,
                        const char *path, const char *filter, bool listed,
                        const dir_frame_t *outer, oconfig_item_t *into);

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

static int free_entries(struct dirent **entries, int num, int status) {
  for (int i = 0; i < num; i++)
    free(entries[i]);
  free(entries);
  return status;
}

/* Includes the files below directory `dir`, in name order. */
static int include_dir(ctx_t *ctx, const oconfig_item_t *from, const char *dir,
                       const struct stat *st, const char *filter,
                       const dir_frame_t *outer, oconfig_item_t *into) {
  dir_frame_t frame = {.id = {st->st_dev, st->st_ino}, .outer = outer};
  char q[OCONFIG_EXCERPT_SIZE];
  for (const dir_frame_t *f = outer; f != NULL; f = f->outer)
    if (same_file(f->id, frame.id))
      return include_error(ctx, from, -ELOOP,
                           "directory loop: %s is inside itself", SHOW(dir, q));

  struct dirent **entries = NULL;
  errno = 0;
  int num = scandir(dir, &entries, not_hidden, by_name);
  if (num < 0) {
    int err = errno ? errno : EIO;
    return include_error(ctx, from, -err, "cannot read directory %s: %s",
                         SHOW(dir, q), strerror(err));
  }

  int status = 0;
  for (int i = 0; i < num && status == 0; i++) {
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, entries[i]->d_name) < 0)
      return free_entries(entries, num,
                          include_error(ctx, from, -ENOMEM, "out of memory"));
    status = include_path(ctx, from, path, filter, true, &frame, into);
    free(path);
  }
  return free_entries(entries, num, status);
}

/* Includes one path: a file or a directory. `listed` says that the path
 * came from a pattern or a directory listing rather than from the user, so
 * that it may have gone away (a dangling symlink) or be something else (a
 * FIFO); those are skipped, as collectd skips them. */
static int include_path(ctx_t *ctx, const oconfig_item_t *from,
                        const char *path, const char *filter, bool listed,
                        const dir_frame_t *outer, oconfig_item_t *into) {
  struct stat st;
  char q[OCONFIG_EXCERPT_SIZE];
  errno = 0;
  if (stat(path, &st) != 0) {
    int err = errno ? errno : EIO;
    if (listed && err == ENOENT)
      return 0;
    /* A missing directory in the block form (<Include dir> Filter ...)
     * includes nothing, with a warning: Debian's stock collectd.conf names
     * /etc/collectd/collectd.conf.d that way whether it exists or not. A
     * plain Include of a missing file stays an error. */
    if (filter != NULL && err == ENOENT && from != NULL) {
      const char *file = "?";
      int line = 0;
      oconfig_item_source(from, &file, &line);
      oc_err_t where = {.name = file};
      oc_warn(&where, line, "%s does not exist; nothing included",
              SHOW(path, q));
      return 0;
    }
    return include_error(ctx, from, -err, "cannot %s %s: %s",
                         from != NULL ? "include" : "read", SHOW(path, q),
                         strerror(err));
  }
  ctx->found++;
  if (S_ISDIR(st.st_mode))
    return include_dir(ctx, from, path, &st, filter, outer, into);
  if (!S_ISREG(st.st_mode)) {
    if (listed)
      return 0;
    return include_error(ctx, from, -EINVAL,
                         "cannot %s %s: neither a file nor a directory",
                         from != NULL ? "include" : "read", SHOW(path, q));
  }
  if (filter != NULL && fnmatch(filter, base_name(path), 0) != 0)
    return 0;
  return include_file(ctx, from, path, &st, into);
}

/* Escapes blanks so that wordexp() keeps a path with spaces in one piece
 * (collectd splits it, which can only be a surprise). */
static char *escape_blanks(const char *path) {
  size_t len = strlen(path);
  char *out = malloc(2 * len + 1);
  if (out == NULL)
    return NULL;
  char *o = out;
  for (const char *p = path; *p != '\0'; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n')
      *o++ = '\\';
    *o++ = *p;
  }
  *o = '\0';
  return out;
}

static const char *wordexp_reason(int rc) {
  switch (rc) {
  case WRDE_BADCHAR:
    return "it contains one of |&;<>(){} unquoted";
  case WRDE_CMDSUB:
    return "command substitution is not allowed";
  case WRDE_SYNTAX:
    return "shell syntax error (an unbalanced quote?)";
  default:
    return "wordexp failed";
  }
}

/* Includes what `pattern` names: expanded like a shell word, each result a
 * file or a directory. */
static int include_pattern(ctx_t *ctx, const oconfig_item_t *from,
                           const char *pattern, const char *filter,
                           oconfig_item_t *into) {
  char q[OCONFIG_EXCERPT_SIZE];
  size_t len = strlen(pattern);
  if (len >= PATH_MAX) /* say so rather than "File name too long" */
    return include_error(ctx, from, -ENAMETOOLONG,
                         "%s: the path is %zu bytes long; at most %d fit",
                         from != NULL ? "Include" : "cannot read", len,
                         PATH_MAX - 1);
  if (strpbrk(pattern, "~$*?[") == NULL) /* nothing to expand */
    return include_path(ctx, from, pattern, filter, false, NULL, into);

  char *escaped = escape_blanks(pattern);
  if (escaped == NULL)
    return include_error(ctx, from, -ENOMEM, "out of memory");
  wordexp_t we = {0};
  int rc = wordexp(escaped, &we, WRDE_NOCMD);
  free(escaped);
  if (rc == WRDE_NOSPACE) {
    wordfree(&we);
    return include_error(ctx, from, -ENOMEM, "out of memory");
  }
  if (rc != 0)
    return include_error(ctx, from, -EINVAL, "cannot expand %s: %s",
                         SHOW(pattern, q), wordexp_reason(rc));

  /* A wildcard that matches nothing comes back as itself: skip it then. */
  bool wild = strpbrk(pattern, "*?[") != NULL;
  int status = 0;
  for (size_t i = 0; i < we.we_wordc && status == 0; i++)
    status = include_path(ctx, from, we.we_wordv[i], filter, wild, NULL, into);
  wordfree(&we);
  return status;
}

/* The Filter of an <Include> block, or NULL. */
static int include_filter(ctx_t *ctx, const oconfig_item_t *ci,
                          const char **ret) {
  *ret = NULL;
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *child = &ci->children[i];
    char q[OCONFIG_EXCERPT_SIZE];
    if (strcasecmp(child->key, "Filter") != 0)
      return include_error(ctx, child, -EINVAL,
                           "option %s is not allowed in an <Include> block "
                           "(only Filter is)",
                           SHOW(child->key, q));
    if (child->values_num != 1 ||
        child->values[0].type != OCONFIG_TYPE_STRING ||
        child->children_num != 0)
      return include_error(ctx, child, -EINVAL,
                           "Filter needs exactly one string value (a pattern)");
    *ret = child->values[0].value.string; /* the last one wins */
  }
  return 0;
}

/* Collects into `into` what the Include statement `ci` names. */
static int include_statement(ctx_t *ctx, const oconfig_item_t *ci,
                             oconfig_item_t *into) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
    return include_error(ctx, ci, -EINVAL,
                         "Include needs exactly one string value (a path)");
  const char *filter;
  int status = include_filter(ctx, ci, &filter);
  if (status != 0)
    return status;
  return include_pattern(ctx, ci, ci->values[0].value.string, filter, into);
}

static bool is_include(const oconfig_item_t *ci) {
  return ci->key != NULL && strcasecmp(ci->key, "Include") == 0;
}

/* Replaces each Include among the children of `parent` (and, unless
 * CF_INCLUDE_TOPLEVEL_ONLY, below them) by what it names. */
static int expand_children(ctx_t *ctx, oconfig_item_t *parent) {
  for (int i = 0; i < parent->children_num;) {
    oconfig_item_t *ci = &parent->children[i];
    if (!is_include(ci)) {
      if (!(ctx->flags & CF_INCLUDE_TOPLEVEL_ONLY) && ci->children_num > 0) {
        int status = expand_children(ctx, ci);
        if (status != 0)
          return status;
      }
      i++;
      continue;
    }

    oconfig_item_t *included = calloc(1, sizeof(*included));
    if (included == NULL)
      return include_error(ctx, ci, -ENOMEM, "out of memory");
    int status = include_statement(ctx, ci, included);
    int num = included->children_num; /* already expanded: skip them */
    if (status == 0) {
      status = oconfig_children_splice(parent, i, 1, included);
      if (status != 0)
        include_error(ctx, ci, status, "out of memory");
    }
    if (status != 0) {
      oconfig_free(included);
      return status;
    }
    i += num;
  }
  return 0;
}

int cf_include_expand(oconfig_item_t *root, unsigned int flags, char *errbuf,
                      size_t errlen) {
  /* The file `root` came from, if any, is not known here: it is not in the
   * chain, and a file including it again is caught one level later. */
  ctx_t ctx = {.flags = flags, .errbuf = errbuf, .errlen = errlen};
  if (errbuf != NULL && errlen > 0)
    errbuf[0] = '\0';
  if (root == NULL)
    return include_error(&ctx, NULL, -EINVAL, "no configuration tree");
  return expand_children(&ctx, root);
}

int cf_include_read_flags(const char *path, unsigned int flags,
                          oconfig_item_t **ret, char *errbuf, size_t errlen) {
  ctx_t ctx = {.flags = flags, .errbuf = errbuf, .errlen = errlen};
  if (errbuf != NULL && errlen > 0)
    errbuf[0] = '\0';
  if (path == NULL || ret == NULL)
    return include_error(&ctx, NULL, -EINVAL, "invalid arguments");

  oconfig_item_t *root = calloc(1, sizeof(*root));
  if (root == NULL)
    return include_error(&ctx, NULL, -ENOMEM, "out of memory");
  int status = include_pattern(&ctx, NULL, path, NULL, root);
  /* An empty file is a valid, empty configuration, but a pattern that
   * matches nothing at all is a mistake on the command line. */
  char q[OCONFIG_EXCERPT_SIZE];
  if (status == 0 && ctx.found == 0)
    status =
        include_error(&ctx, NULL, -ENOENT, "no file matches %s", SHOW(path, q));
  if (status != 0) {
    oconfig_free(root);
    return status;
  }
  *ret = root;
  return 0;
}

int cf_include_read(const char *path, oconfig_item_t **ret, char *errbuf,
                    size_t errlen) {
  return cf_include_read_flags(path, 0, ret, errbuf, errlen);
}
