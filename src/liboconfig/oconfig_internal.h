/* What the parts of liboconfig share and plugins must not see: the error
 * sink, the scanner's tokens, word classification and the location table. */
#ifndef OCONFIG_INTERNAL_H
#define OCONFIG_INTERNAL_H 1

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strtod_l() and newlocale() */
#endif

#include "liboconfig/oconfig.h"

#include <stdbool.h>
#include <stddef.h>

/* The daemon exports its symbols to plugins (-export-dynamic); these are
 * not for them, and a plugin's own function of the same name must not be
 * bound to ours. */
#pragma GCC visibility push(hidden)

/* Deeper block nesting is refused: the parser recurses once per level, and
 * no real configuration comes anywhere near this. */
#define OC_MAX_NESTING 128

/* ---- Errors (oconfig_error.c) ---- */

/* Where a message goes. errbuf may be NULL; `name` is the file name. */
typedef struct {
  const char *name;
  char *errbuf;
  size_t errlen;
} oc_err_t;

/* Writes "name:line: reason" (or "name: reason" when line <= 0) and returns
 * `err`, so that callers can write `return oc_error(...)`. */
int oc_error(const oc_err_t *e, int line, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Passes "name:line: message" to the warning hook, if one is set. */
void oc_warn(const oc_err_t *e, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Scanner (oconfig_scanner.c) ---- */

typedef enum {
  OC_TOK_EOF,
  OC_TOK_EOL,    /* end of a logical line (after comments and continuations) */
  OC_TOK_WORD,   /* unquoted: key, number, boolean or string */
  OC_TOK_QUOTED, /* "..." with escapes resolved */
  OC_TOK_LT,     /* '<' */
  OC_TOK_GT,     /* '>' */
  OC_TOK_SLASH,  /* '/': only valid in a closing tag */
} oc_tok_type_t;

typedef struct {
  oc_tok_type_t type;
  int line;   /* where the token starts */
  char *text; /* WORD and QUOTED: NUL-terminated, valid until the next scan */
  size_t len;
} oc_token_t;

typedef struct {
  const char *buf;
  size_t len;
  size_t pos;
  int line;
  char *scratch; /* token text; reused for every token */
  size_t scratch_cap;
  const oc_err_t *err;
} oc_scanner_t;

void oc_scanner_init(oc_scanner_t *s, const char *buf, size_t len,
                     const oc_err_t *err);
void oc_scanner_destroy(oc_scanner_t *s);
/* Returns 0 with the next token in *tok, or a negative errno after writing
 * the reason through s->err. */
int oc_scan(oc_scanner_t *s, oc_token_t *tok);

/* ---- Words (oconfig_word.c) ---- */

typedef enum {
  OC_PIECE_BOOLEAN,
  OC_PIECE_NUMBER,
  OC_PIECE_ADDRESS, /* IPv4 or IPv6: a string */
  OC_PIECE_PLAIN,   /* [A-Za-z0-9_]+: a string, or a name */
} oc_piece_type_t;

/* How collectd 5.12 would read one unquoted word. */
typedef struct {
  int pieces;        /* tokens it would make of the word, counted up to 2 */
  size_t start, len; /* the first of them */
  oc_piece_type_t type;
  bool dropped_before; /* characters it would ignore before that token */
  bool dropped_after;  /* ... and after the last token */
} oc_word_t;

void oc_word_scan(const char *word, oc_word_t *w);
/* The value of the first piece of a scanned word. Returns 0, -ERANGE for a
 * number too large for a double, or -ENOMEM; *v is untouched on error. */
int oc_word_value(const char *word, const oc_word_t *w, oconfig_value_t *v);

/* ---- Tree helpers (oconfig_tree.c) ---- */

/* Frees what `ci` owns (key, values, subtree, locations) but not `ci`. */
void oc_item_clear(oconfig_item_t *ci);
/* Makes every child of `ci` point back to it (after `ci` has moved). */
void oc_item_adopt_children(oconfig_item_t *ci);

/* ---- Source locations (oconfig_source.c) ---- */

int oc_source_add(const oconfig_item_t *ci, const char *file, int line);
void oc_source_remove(const oconfig_item_t *ci);
/* Re-keys the entry of an item that was moved in memory; never allocates,
 * so that tree surgery cannot fail half-way. */
void oc_source_move(const oconfig_item_t *from, const oconfig_item_t *to);

/* ---- Children of a block being parsed (oconfig_children.c) ---- */

typedef struct {
  oconfig_item_t *items;
  int *lines; /* lines[i] is where items[i] starts */
  int num;
  int cap;
} oc_children_t;

/* Appends a zeroed item; NULL when out of memory. The pointer is valid
 * until the next push. */
oconfig_item_t *oc_children_push(oc_children_t *c, int line);
/* Frees the last item pushed (an empty block that is dropped). */
void oc_children_pop(oc_children_t *c);
/* Hands the items over to `item`, sets parent pointers and records their
 * locations in `file`. `item` owns them afterwards, even when this fails
 * (-ENOMEM); freeing it frees them. */
int oc_children_finish(oc_children_t *c, oconfig_item_t *item,
                       const char *file);
void oc_children_discard(oc_children_t *c);

/* ---- Parser (oconfig_parser.c) ---- */

/* Parses buf[0..len) into a new root. Returns 0 or a negative errno. */
int oc_parse(const char *buf, size_t len, const oc_err_t *err,
             oconfig_item_t **ret);

#pragma GCC visibility pop

#endif /* OCONFIG_INTERNAL_H */
