/* The parser: a recursive descent over the scanner's tokens.
 *
 *   file      = { statement } EOF
 *   statement = EOL | option | block
 *   option    = NAME value { value } (EOL | EOF)
 *   block     = "<" NAME { value } ">" EOL { statement } "<" "/" NAME ">"
 *   value     = WORD | QUOTED
 *
 * Behaviour matched with collectd 5.12: an option needs at least one value,
 * a block tag may have none; a tag must be alone on its line; blanks may
 * appear anywhere inside a tag ("< /Plugin >"); the closing name must be
 * spelled exactly like the opening one (case matters); a block with neither
 * values nor children disappears from the tree, as it does in collectd.
 * Words collectd ignores entirely (a stray ";") may appear anywhere. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  oc_scanner_t scanner;
  oc_token_t tok; /* the current token */
  const oc_err_t *err;
} parser_t;

/* An open block, for "never closed" and mismatch messages. */
typedef struct {
  const char *key;
  int line;
  int depth;
} open_block_t;

static int advance(parser_t *p) { return oc_scan(&p->scanner, &p->tok); }

static bool at_line_end(const parser_t *p) {
  return p->tok.type == OC_TOK_EOL || p->tok.type == OC_TOK_EOF;
}

/* A description of the current token for error messages; `buf` holds
 * DESCRIBE_SIZE bytes. */
#define DESCRIBE_SIZE (OCONFIG_EXCERPT_SIZE + 16)
static const char *describe(const parser_t *p, char *buf, size_t len) {
  const char *what = "";
  switch (p->tok.type) {
  case OC_TOK_EOF:
    return "end of file";
  case OC_TOK_EOL:
    return "end of line";
  case OC_TOK_LT:
    return "'<'";
  case OC_TOK_GT:
    return "'>'";
  case OC_TOK_SLASH:
    return "'/' (paths must be quoted)";
  case OC_TOK_QUOTED:
    what = "quoted string ";
    break;
  case OC_TOK_WORD:
    break;
  }
  char text[OCONFIG_EXCERPT_SIZE];
  snprintf(buf, len, "%s%s", what,
           oconfig_excerpt(p->tok.text, true, text, sizeof(text)));
  return buf;
}

/* "unexpected <token> <where><name>>" */
static int unexpected(parser_t *p, const char *where, const char *name) {
  char buf[DESCRIBE_SIZE], n[OCONFIG_EXCERPT_SIZE];
  return oc_error(p->err, p->tok.line, -EINVAL, "unexpected %s %s%s%s",
                  describe(p, buf, sizeof(buf)), where,
                  name ? oconfig_excerpt(name, false, n, sizeof(n)) : "",
                  name ? ">" : "");
}

/* Warns that the current word is read as its first piece, as collectd
 * 5.12 reads it ("10;" as "10"). */
static void warn_reading_as(parser_t *p, const oc_word_t *w) {
  const char *text = p->tok.text;
  char *piece = strndup(text + w->start, w->len);
  char q[OCONFIG_EXCERPT_SIZE], q2[OCONFIG_EXCERPT_SIZE];
  oc_warn(p->err, p->tok.line, "reading %s as %s (as collectd 5.12 does)",
          oconfig_excerpt(text, true, q, sizeof(q)),
          piece != NULL ? oconfig_excerpt(piece, true, q2, sizeof(q2))
                        : "its first part");
  free(piece);
}

/* Scans the current word the way collectd 5.12 would (oconfig_word.c) and
 * refuses it where collectd would make several values of it or drop its
 * start. Sets *ignored for a word collectd ignores entirely. */
static int check_word(parser_t *p, oc_word_t *w, bool *ignored) {
  const char *text = p->tok.text;
  char q[OCONFIG_EXCERPT_SIZE];
  oc_word_scan(text, w);
  *ignored = (w->pieces == 0);
  if (*ignored) {
    oc_warn(p->err, p->tok.line, "ignoring %s (as collectd 5.12 does)",
            oconfig_excerpt(text, true, q, sizeof(q)));
    return 0;
  }
  if (w->pieces > 1 || w->dropped_before) {
    if (w->type == OC_PIECE_NUMBER && !w->dropped_before)
      return oc_error(p->err, p->tok.line, -EINVAL, "bad number %s",
                      oconfig_excerpt(text, true, q, sizeof(q)));
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "%s must be in double quotes (unquoted, collectd 5.12 "
                    "would not read it as one value)",
                    oconfig_excerpt(text, true, q, sizeof(q)));
  }
  if (w->dropped_after)
    warn_reading_as(p, w);
  return 0;
}

/* Skips words collectd ignores entirely; they may come before a name. */
static int skip_ignored(parser_t *p) {
  while (p->tok.type == OC_TOK_WORD) {
    oc_word_t w;
    oc_word_scan(p->tok.text, &w);
    if (w.pieces > 0)
      return 0;
    char q[OCONFIG_EXCERPT_SIZE];
    oc_warn(p->err, p->tok.line, "ignoring %s (as collectd 5.12 does)",
            oconfig_excerpt(p->tok.text, true, q, sizeof(q)));
    int status = advance(p);
    if (status != 0)
      return status;
  }
  return 0;
}

static int advance_skip(parser_t *p) {
  int status = advance(p);
  return status != 0 ? status : skip_ignored(p);
}

/* Returns a copy of the name in the current token. collectd takes one
 * plain word that is not a number or boolean: "1A" is a name, "1", "0x1F"
 * and "true" are syntax errors. */
static int take_name(parser_t *p, char **ret, const char *what) {
  if (p->tok.type != OC_TOK_WORD) {
    char buf[DESCRIBE_SIZE];
    return oc_error(p->err, p->tok.line, -EINVAL, "expected %s, got %s", what,
                    describe(p, buf, sizeof(buf)));
  }
  oc_word_t w;
  oc_word_scan(p->tok.text, &w);
  if (w.pieces != 1 || w.dropped_before || w.type != OC_PIECE_PLAIN) {
    char q[OCONFIG_EXCERPT_SIZE];
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "invalid name %s: names are letters, digits and '_', "
                    "and not a number or boolean",
                    oconfig_excerpt(p->tok.text, true, q, sizeof(q)));
  }
  if (w.dropped_after)
    warn_reading_as(p, &w);
  *ret = strndup(p->tok.text + w.start, w.len);
  if (*ret == NULL)
    return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
  return 0;
}

static int grow_values(parser_t *p, oconfig_item_t *item, int *cap) {
  if (item->values_num < *cap)
    return 0;
  if (*cap > INT_MAX / 2)
    return oc_error(p->err, p->tok.line, -EINVAL, "too many values");
  int n = *cap ? *cap * 2 : 4;
  oconfig_value_t *v = realloc(item->values, (size_t)n * sizeof(*v));
  if (v == NULL)
    return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
  item->values = v;
  *cap = n;
  return 0;
}

static int add_value(parser_t *p, oconfig_item_t *item, int *cap) {
  int status = grow_values(p, item, cap);
  if (status != 0)
    return status;
  oconfig_value_t *v = &item->values[item->values_num];

  if (p->tok.type == OC_TOK_QUOTED) {
    char *s = strdup(p->tok.text);
    if (s == NULL)
      return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
    *v = (oconfig_value_t){.value.string = s, .type = OCONFIG_TYPE_STRING};
    item->values_num++;
    return 0;
  }

  oc_word_t w;
  bool ignored;
  status = check_word(p, &w, &ignored);
  if (status != 0 || ignored)
    return status;
  status = oc_word_value(p->tok.text, &w, v);
  if (status == -ERANGE) {
    char q[OCONFIG_EXCERPT_SIZE];
    return oc_error(p->err, p->tok.line, -EINVAL, "number out of range %s",
                    oconfig_excerpt(p->tok.text, true, q, sizeof(q)));
  }
  if (status != 0)
    return oc_error(p->err, p->tok.line, status, "out of memory");
  item->values_num++;
  return 0;
}

/* Reads values up to the first token that is not one. */
static int parse_values(parser_t *p, oconfig_item_t *item) {
  int cap = 0;
  while (p->tok.type == OC_TOK_WORD || p->tok.type == OC_TOK_QUOTED) {
    int status = add_value(p, item, &cap);
    if (status == 0)
      status = advance(p);
    if (status != 0)
      return status;
  }
  return 0;
}

/* Called on the name of an option. */
static int parse_option(parser_t *p, oc_children_t *c) {
  oconfig_item_t *item = oc_children_push(c, p->tok.line);
  if (item == NULL)
    return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
  int status = take_name(p, &item->key, "an option name");
  if (status == 0)
    status = advance(p);
  if (status == 0)
    status = parse_values(p, item);
  if (status != 0)
    return status;
  char key[OCONFIG_EXCERPT_SIZE];
  if (!at_line_end(p)) {
    char buf[DESCRIBE_SIZE];
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "unexpected %s after the values of option %s",
                    describe(p, buf, sizeof(buf)),
                    oconfig_excerpt(item->key, true, key, sizeof(key)));
  }
  if (item->values_num == 0)
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "option %s needs at least one value",
                    oconfig_excerpt(item->key, true, key, sizeof(key)));
  return 0;
}

/* Expects '>' and the end of the line after the name and values of a tag;
 * `tag` is "<" or "</", for messages. */
static int end_tag(parser_t *p, const char *tag, const char *name) {
  if (p->tok.type != OC_TOK_GT) {
    char n[OCONFIG_EXCERPT_SIZE];
    if (at_line_end(p))
      return oc_error(p->err, p->tok.line, -EINVAL,
                      "missing '>' at the end of %s%s", tag,
                      oconfig_excerpt(name, false, n, sizeof(n)));
    char where[8];
    snprintf(where, sizeof(where), "in %s", tag);
    return unexpected(p, where, name);
  }
  int status = advance_skip(p);
  if (status != 0)
    return status;
  if (!at_line_end(p)) {
    char where[12];
    snprintf(where, sizeof(where), "after %s", tag);
    return unexpected(p, where, name);
  }
  return 0;
}

static int parse_statements(parser_t *p, oc_children_t *c,
                            const open_block_t *open);

/* Called after "<" on the name of a block. */
static int parse_block(parser_t *p, oc_children_t *c, int depth) {
  int line = p->tok.line;
  if (depth > OC_MAX_NESTING)
    return oc_error(p->err, line, -EINVAL,
                    "blocks nested deeper than %d levels", OC_MAX_NESTING);

  oconfig_item_t *item = oc_children_push(c, line);
  if (item == NULL)
    return oc_error(p->err, line, -ENOMEM, "out of memory");
  int status = take_name(p, &item->key, "a block name after '<'");
  if (status == 0)
    status = advance(p);
  if (status == 0)
    status = parse_values(p, item);
  if (status == 0)
    status = end_tag(p, "<", item->key);
  if (status != 0)
    return status;

  /* `item` stays valid: nothing is pushed to `c` while its body is read. */
  open_block_t open = {.key = item->key, .line = line, .depth = depth};
  oc_children_t body = {0};
  status = parse_statements(p, &body, &open);
  if (status != 0) {
    oc_children_discard(&body);
    return status;
  }
  status = oc_children_finish(&body, item, p->err->name);
  if (status != 0)
    return oc_error(p->err, line, status, "out of memory");

  if (item->values_num == 0 && item->children_num == 0)
    oc_children_pop(c); /* collectd drops an empty "<A></A>" too */
  return 0;
}

/* Called after "<" "/"; checks the name against the open block. */
static int parse_close(parser_t *p, const open_block_t *open) {
  int line = p->tok.line;
  char *name = NULL;
  int status = advance_skip(p);
  if (status == 0)
    status = take_name(p, &name, "a block name after '</'");
  if (status != 0)
    return status;

  char n[OCONFIG_EXCERPT_SIZE], o[OCONFIG_EXCERPT_SIZE];
  if (open == NULL)
    status = oc_error(p->err, line, -EINVAL, "</%s> without an open block",
                      oconfig_excerpt(name, false, n, sizeof(n)));
  else if (strcmp(name, open->key) != 0)
    status =
        oc_error(p->err, line, -EINVAL, "</%s> closes <%s> opened at line %d",
                 oconfig_excerpt(name, false, n, sizeof(n)),
                 oconfig_excerpt(open->key, false, o, sizeof(o)), open->line);
  free(name);
  if (status == 0)
    status = advance_skip(p);
  if (status == 0)
    status = end_tag(p, "</", open->key);
  return status;
}

/* Reads statements into `c` up to the closing tag of `open`, or to the end
 * of the file when `open` is NULL. */
static int parse_statements(parser_t *p, oc_children_t *c,
                            const open_block_t *open) {
  for (;;) {
    int status = skip_ignored(p);
    if (status != 0)
      return status;

    switch (p->tok.type) {
    case OC_TOK_EOF:
      if (open != NULL) {
        char key[OCONFIG_EXCERPT_SIZE];
        return oc_error(p->err, p->tok.line, -EINVAL,
                        "block <%s> opened at line %d is never closed",
                        oconfig_excerpt(open->key, false, key, sizeof(key)),
                        open->line);
      }
      return 0;
    case OC_TOK_EOL:
      break;
    case OC_TOK_WORD:
      status = parse_option(p, c);
      break;
    case OC_TOK_LT:
      status = advance_skip(p);
      if (status == 0 && p->tok.type == OC_TOK_SLASH)
        return parse_close(p, open);
      if (status == 0)
        status = parse_block(p, c, open ? open->depth + 1 : 1);
      break;
    default:
      return unexpected(p, "at the start of a statement", NULL);
    }
    if (status == 0 && p->tok.type != OC_TOK_EOF)
      status = advance(p); /* past the end of the statement's line */
    if (status != 0)
      return status;
  }
}

int oc_parse(const char *buf, size_t len, const oc_err_t *err,
             oconfig_item_t **ret) {
  oconfig_item_t *root = calloc(1, sizeof(*root));
  if (root == NULL)
    return oc_error(err, 0, -ENOMEM, "out of memory");

  parser_t p = {.err = err};
  oc_scanner_init(&p.scanner, buf, len, err);
  oc_children_t top = {0};
  int status = advance(&p);
  if (status == 0)
    status = parse_statements(&p, &top, NULL);
  if (status != 0) {
    oc_children_discard(&top); /* the message is written already */
  } else {
    status = oc_children_finish(&top, root, err->name);
    if (status == 0)
      status = oc_source_add(root, err->name, 0);
    if (status != 0)
      oc_error(err, 0, status, "out of memory");
  }
  oc_scanner_destroy(&p.scanner);

  if (status != 0) {
    oconfig_free(root);
    return status;
  }
  *ret = root;
  return 0;
}
