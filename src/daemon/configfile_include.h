/* Reading the configuration: the main file with every Include expanded in
 * place, as collectd.conf(5) describes. */
#ifndef CONFIGFILE_INCLUDE_H
#define CONFIGFILE_INCLUDE_H 1

#include "liboconfig/oconfig.h"

#include <stddef.h>

/* At most this many files are open in one chain of includes, the main file
 * counting as one (collectd 5.12 has the same limit). */
#define CF_INCLUDE_MAX_DEPTH 8

/* Expand Include only among the top-level statements, as collectd 5.12
 * does, and leave an "Include" inside a block to whoever owns the block. */
#define CF_INCLUDE_TOPLEVEL_ONLY 0x1

/* Reads `path` and replaces every Include (at the top level and inside
 * blocks) by the statements of the files it names, in order. `path` itself
 * may name a file, a directory or a pattern, like an Include. Returns 0 and
 * sets *ret (free it with oconfig_free), or returns a negative errno and
 * writes "file:line: reason" into errbuf. Patterns go through wordexp(3),
 * which reads the environment: do not call setenv() concurrently. */
int cf_include_read(const char *path, oconfig_item_t **ret, char *errbuf,
                    size_t errlen);

/* The same with CF_INCLUDE_* flags. */
int cf_include_read_flags(const char *path, unsigned int flags,
                          oconfig_item_t **ret, char *errbuf, size_t errlen);

/* Expands the Include statements of a tree that is already parsed (from a
 * file or a string); on error the tree may be partly expanded but stays
 * valid and is still the caller's to free. */
int cf_include_expand(oconfig_item_t *root, unsigned int flags, char *errbuf,
                      size_t errlen);

#endif /* CONFIGFILE_INCLUDE_H */
