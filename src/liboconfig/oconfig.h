/* The configuration tree: what the parser produces and what every plugin
 * receives in its complex-config callback.
 *
 * The two structs below are part of the plugin ABI: plugin binaries built
 * for collectd 5.12 index `children` as an array and read these fields at
 * fixed offsets, so their layout must never change (value at 0, type at 8,
 * 16 bytes; item fields at 0/8/16/24/32/40, 48 bytes). Anything new, such as
 * source locations, lives outside the structs. */
#ifndef OCONFIG_H
#define OCONFIG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OCONFIG_TYPE_STRING 0
#define OCONFIG_TYPE_NUMBER 1
#define OCONFIG_TYPE_BOOLEAN 2

struct oconfig_value_s {
  union {
    char *string;
    double number;
    int boolean;
  } value;
  int type; /* one of OCONFIG_TYPE_* */
};
typedef struct oconfig_value_s oconfig_value_t;

struct oconfig_item_s;
typedef struct oconfig_item_s oconfig_item_t;
struct oconfig_item_s {
  char *key; /* NULL for the root of a file */
  oconfig_value_t *values;
  int values_num;

  oconfig_item_t *parent;   /* NULL for a root */
  oconfig_item_t *children; /* one array of children_num items */
  int children_num;
};

/* ---- The 5.12 interface (plugin binaries call these) ---- */

/* Parse a file into a tree whose root has key NULL and the top-level
 * statements as children. On error, prints "file:line: reason" to stderr
 * and returns NULL. Free the result with oconfig_free(). */
oconfig_item_t *oconfig_parse_file(const char *file);

/* Same for an open stream, read to its end. */
oconfig_item_t *oconfig_parse_fh(FILE *fh);

/* A deep, standalone copy of `ci` and its subtree (its parent is NULL).
 * Source locations are copied too. NULL when out of memory. */
oconfig_item_t *oconfig_clone(const oconfig_item_t *ci);

/* True if `a` and `b` say the same thing: equal keys (ignoring case, as
 * the configuration does), values and children, in order. Where they come
 * from in the files does not matter. */
bool oconfig_equal(const oconfig_item_t *a, const oconfig_item_t *b);

/* Free `ci`, which must have been returned by one of the functions above,
 * with everything below it. NULL is ignored. */
void oconfig_free(oconfig_item_t *ci);

/* ---- Our additions: errors with a reason, and source locations ---- */

/* Each returns 0 and sets *ret, or returns a negative errno (-EINVAL for a
 * syntax error, -ENOENT etc. when the file cannot be read, -ENOMEM) and
 * writes "file:line: reason" into errbuf (if errlen > 0). */
int oconfig_parse_file_ex(const char *file, oconfig_item_t **ret, char *errbuf,
                          size_t errlen);
/* `name` is what messages and source locations call the text; NULL means
 * "<string>". */
int oconfig_parse_string(const char *text, const char *name,
                         oconfig_item_t **ret, char *errbuf, size_t errlen);
/* Like oconfig_parse_string() for a buffer that need not end in a NUL; a NUL
 * byte inside it is a syntax error. */
int oconfig_parse_buffer(const char *buf, size_t len, const char *name,
                         oconfig_item_t **ret, char *errbuf, size_t errlen);

/* Where an item was read from. *file stays valid as long as the item does;
 * *line is 0 for the root of a file. Returns -ENOENT for an item that the
 * parser did not produce (e.g. one a plugin built itself). */
int oconfig_item_source(const oconfig_item_t *ci, const char **file, int *line);
/* Says where an item came from (file and line), for a tree built from
 * another representation of one that was read from files (the plugin
 * host's CONFIG); the location goes when the item is freed. 0, or
 * -EINVAL / -ENOMEM. */
int oconfig_item_set_source(const oconfig_item_t *ci, const char *file,
                            int line);

/* Text from a configuration (a value, a name, a path) as a message shows
 * it: in full up to OCONFIG_EXCERPT_FULL bytes; longer, its first and last
 * bytes around "..." followed by its length, so that a 10 MB token cannot
 * push the reason out of a message: "aaaa...aaaa" (10485760 bytes).
 * Control characters are escaped as in C. With `quote` the text is put in
 * double quotes, and '"' and '\' in it escaped, as it would be written in
 * the file (the length stays outside the quotes). Writes into buf
 * (OCONFIG_EXCERPT_SIZE bytes are always enough) and returns it. */
#define OCONFIG_EXCERPT_FULL 160
#define OCONFIG_EXCERPT_SIZE (4 * OCONFIG_EXCERPT_FULL + 48)
const char *oconfig_excerpt(const char *text, bool quote, char *buf,
                            size_t len);

/* Called for text that collectd 5.12 silently ignores and so do we, for
 * compatibility (a stray ';' after a value, a trailing '.' in "10."): the
 * message says what was ignored, with the usual "file:line: " prefix.
 * Process-wide; set it once before parsing. NULL, the default, drops them. */
typedef void (*oconfig_warning_hook_t)(const char *message, void *user_data);
void oconfig_set_warning_hook(oconfig_warning_hook_t hook, void *user_data);

/* Replace `remove` children of `parent`, starting at `index`, with all the
 * children of `src`, in order, and free the removed items and `src`. Used to
 * expand Include in place; parent pointers and source locations follow the
 * moved items. On error (-EINVAL, -ENOMEM) nothing has changed and `src`
 * still belongs to the caller. */
int oconfig_children_splice(oconfig_item_t *parent, int index, int remove,
                            oconfig_item_t *src);

#endif /* OCONFIG_H */
