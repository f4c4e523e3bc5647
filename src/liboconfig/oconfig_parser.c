/* The parser: a recursive descent over the scanner's tokens.
 *
 *   file      = { statement } EOF
 *   statement = EOL | option | block
 *   option    = KEY value { value } (EOL | EOF)
 *   block     = "<" KEY { value } ">" EOL { statement } "<" "/" KEY ">"
 *   value     = WORD | QUOTED
 *
 * Behaviour matched with collectd 5.12: an option needs at least one value,
 * a block tag may have none; a tag must be alone on its line; blanks may
 * appear anywhere inside a tag ("< /Plugin >"); the closing name must be
 * spelled exactly like the opening one (case matters); a block with neither
 * values nor children disappears from the tree, as it does in collectd.
 *
 * Each block collects its children in a growing array; when the block ends
 * the array is final, so that is when the children's parent pointers are set
 * and their locations recorded (the table is keyed by address). */
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

/* The children of one block while it is being read. */
typedef struct {
  oconfig_item_t *items;
  int *lines;
  int num;
  int cap;
} children_t;

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

/* A short description of the current token for error messages. */
static const char *describe(const parser_t *p, char *buf, size_t len) {
  switch (p->tok.type) {
  case OC_TOK_EOF:
    return "end of file";
  case OC_TOK_EOL:
    return "end of line";
  case OC_TOK_LT:
    return "'<'";
  case OC_TOK_GT:
    return "'>'";
  case OC_TOK_WORD:
    snprintf(buf, len, "\"%.40s%s\"", p->tok.text,
             p->tok.len > 40 ? "..." : "");
    return buf;
  case OC_TOK_QUOTED:
    snprintf(buf, len, "quoted string \"%.40s%s\"", p->tok.text,
             p->tok.len > 40 ? "..." : "");
    return buf;
  }
  return "token";
}

static int unexpected(parser_t *p, const char *where, const char *name) {
  char buf[80];
  return oc_error(p->err, p->tok.line, -EINVAL, "unexpected %s %s%s%s",
                  describe(p, buf, sizeof(buf)), where, name ? name : "",
                  name ? ">" : "");
}

static void children_discard(children_t *c) {
  for (int i = 0; i < c->num; i++)
    oc_item_clear(&c->items[i]);
  free(c->items);
  free(c->lines);
  *c = (children_t){0};
}

/* Appends a zeroed item and returns it, NULL when out of memory. The
 * pointer is valid until the next push. */
static oconfig_item_t *children_push(children_t *c, int line) {
  if (c->num == c->cap) {
    if (c->cap > INT_MAX / 2)
      return NULL;
    int cap = c->cap ? c->cap * 2 : 8;
    oconfig_item_t *items = realloc(c->items, (size_t)cap * sizeof(*items));
    if (items == NULL)
      return NULL;
    c->items = items;
    int *lines = realloc(c->lines, (size_t)cap * sizeof(*lines));
    if (lines == NULL)
      return NULL;
    c->lines = lines;
    c->cap = cap;
  }
  c->lines[c->num] = line;
  c->items[c->num] = (oconfig_item_t){0};
  return &c->items[c->num++];
}

/* Hands the collected children over to `item`. Afterwards `item` owns them
 * even on failure (freeing it frees them). */
static int children_finish(parser_t *p, children_t *c, oconfig_item_t *item) {
  if (c->num > 0 && c->num < c->cap) {
    oconfig_item_t *items = realloc(c->items, (size_t)c->num * sizeof(*items));
    if (items != NULL)
      c->items = items;
  } else if (c->num == 0) {
    free(c->items);
    c->items = NULL;
  }
  item->children = c->items;
  item->children_num = c->num;
  oc_item_adopt_children(item);

  int status = 0;
  for (int i = 0; i < c->num && status == 0; i++) {
    oc_item_adopt_children(&item->children[i]); /* it may have moved */
    status = oc_source_add(&item->children[i], p->err->name, c->lines[i]);
  }
  free(c->lines);
  *c = (children_t){0};
  if (status != 0)
    return oc_error(p->err, 0, status, "out of memory");
  return 0;
}

static int add_value(parser_t *p, oconfig_item_t *item, int *cap) {
  if (item->values_num == *cap) {
    if (*cap > INT_MAX / 2)
      return oc_error(p->err, p->tok.line, -EINVAL, "too many values");
    int n = *cap ? *cap * 2 : 4;
    oconfig_value_t *v = realloc(item->values, (size_t)n * sizeof(*v));
    if (v == NULL)
      return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
    item->values = v;
    *cap = n;
  }

  oconfig_value_t *v = &item->values[item->values_num];
  if (p->tok.type == OC_TOK_QUOTED) {
    char *s = strdup(p->tok.text);
    if (s == NULL)
      return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
    *v = (oconfig_value_t){.value.string = s, .type = OCONFIG_TYPE_STRING};
  } else {
    int status = oc_word_value(p->tok.text, v);
    if (status == -ENOMEM)
      return oc_error(p->err, p->tok.line, status, "out of memory");
    if (status == -ERANGE)
      return oc_error(p->err, p->tok.line, -EINVAL,
                      "number out of range \"%s\"", p->tok.text);
    if (status != 0)
      return oc_error(p->err, p->tok.line, -EINVAL, "bad number \"%s\"",
                      p->tok.text);
  }
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

/* Checks the current token as a key and stores a copy in item->key. */
static int take_key(parser_t *p, oconfig_item_t *item, const char *what) {
  if (p->tok.type != OC_TOK_WORD) {
    char buf[80];
    return oc_error(p->err, p->tok.line, -EINVAL, "expected %s, got %s", what,
                    describe(p, buf, sizeof(buf)));
  }
  if (!oc_word_is_key(p->tok.text))
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "invalid name \"%s\": a name is made of letters, digits "
                    "and '_' and is not a number or boolean",
                    p->tok.text);
  item->key = strdup(p->tok.text);
  if (item->key == NULL)
    return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
  return 0;
}

static int parse_option(parser_t *p, children_t *c) {
  oconfig_item_t *item = children_push(c, p->tok.line);
  if (item == NULL)
    return oc_error(p->err, p->tok.line, -ENOMEM, "out of memory");
  int status = take_key(p, item, "an option name");
  if (status == 0)
    status = advance(p);
  if (status == 0)
    status = parse_values(p, item);
  if (status != 0)
    return status;
  if (!at_line_end(p)) {
    char buf[80];
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "unexpected %s after the values of option \"%s\"",
                    describe(p, buf, sizeof(buf)), item->key);
  }
  if (item->values_num == 0)
    return oc_error(p->err, p->tok.line, -EINVAL,
                    "option \"%s\" needs at least one value", item->key);
  return 0;
}

static int parse_body(parser_t *p, oconfig_item_t *item,
                      const open_block_t *open);

/* Called after "<" with a token that is not a closing "/". */
static int parse_block(parser_t *p, children_t *c, int depth) {
  int line = p->tok.line;
  if (depth > OC_MAX_NESTING)
    return oc_error(p->err, line, -EINVAL,
                    "blocks nested deeper than %d levels", OC_MAX_NESTING);

  oconfig_item_t *item = children_push(c, line);
  if (item == NULL)
    return oc_error(p->err, line, -ENOMEM, "out of memory");
  int status = take_key(p, item, "a block name after '<'");
  if (status == 0)
    status = advance(p);
  if (status == 0)
    status = parse_values(p, item);
  if (status != 0)
    return status;

  if (p->tok.type != OC_TOK_GT) {
    if (at_line_end(p))
      return oc_error(p->err, p->tok.line, -EINVAL,
                      "missing '>' at the end of <%s", item->key);
    return unexpected(p, "in <", item->key);
  }
  status = advance(p);
  if (status != 0)
    return status;
  if (!at_line_end(p))
    return unexpected(p, "after the block tag <", item->key);

  open_block_t open = {.key = item->key, .line = line, .depth = depth};
  status = parse_body(p, item, &open);
  if (status != 0)
    return status;

  if (item->values_num == 0 && item->children_num == 0) {
    oc_item_clear(item); /* collectd drops an empty "<A></A>" too */
    c->num--;
  }
  return 0;
}

/* Called after "<" with a word starting with '/'. */
static int parse_close(parser_t *p, const open_block_t *open) {
  int line = p->tok.line;
  if (p->tok.text[1] == '\0') { /* "< / Name>": the name is the next word */
    int status = advance(p);
    if (status != 0)
      return status;
    if (p->tok.type != OC_TOK_WORD) {
      char buf[80];
      return oc_error(p->err, p->tok.line, -EINVAL,
                      "expected a block name after '</', got %s",
                      describe(p, buf, sizeof(buf)));
    }
  } else {
    memmove(p->tok.text, p->tok.text + 1, p->tok.len); /* drop the '/' */
  }
  const char *name = p->tok.text;

  if (open == NULL)
    return oc_error(p->err, line, -EINVAL, "</%s> without an open block",
                    name);
  if (strcmp(name, open->key) != 0)
    return oc_error(p->err, line, -EINVAL,
                    "</%s> closes <%s> opened at line %d", name, open->key,
                    open->line);

  int status = advance(p);
  if (status != 0)
    return status;
  if (p->tok.type != OC_TOK_GT) {
    if (at_line_end(p))
      return oc_error(p->err, p->tok.line, -EINVAL,
                      "missing '>' at the end of </%s", open->key);
    return unexpected(p, "in </", open->key);
  }
  status = advance(p);
  if (status != 0)
    return status;
  if (!at_line_end(p))
    return unexpected(p, "after the closing tag </", open->key);
  return 0;
}

static int parse_statements(parser_t *p, children_t *c,
                            const open_block_t *open) {
  for (;;) {
    int status = 0;
    switch (p->tok.type) {
    case OC_TOK_EOF:
      if (open != NULL)
        return oc_error(p->err, p->tok.line, -EINVAL,
                        "block <%s> opened at line %d is never closed",
                        open->key, open->line);
      return 0;
    case OC_TOK_EOL:
      break;
    case OC_TOK_WORD:
      status = parse_option(p, c);
      break;
    case OC_TOK_LT:
      status = advance(p);
      if (status != 0)
        return status;
      if (p->tok.type == OC_TOK_WORD && p->tok.text[0] == '/')
        return parse_close(p, open);
      status = parse_block(p, c, open ? open->depth + 1 : 1);
      break;
    default:
      return unexpected(p, "at the start of a statement", NULL);
    }
    if (status == 0 && p->tok.type != OC_TOK_EOF)
      status = advance(p); /* past the EOL that ended the statement */
    if (status != 0)
      return status;
  }
}

/* Reads statements into `item` until its closing tag (or EOF for a root). */
static int parse_body(parser_t *p, oconfig_item_t *item,
                      const open_block_t *open) {
  children_t c = {0};
  int status = parse_statements(p, &c, open);
  if (status != 0) {
    children_discard(&c);
    return status;
  }
  return children_finish(p, &c, item);
}

int oc_parse(const char *buf, size_t len, const oc_err_t *err,
             oconfig_item_t **ret) {
  parser_t p = {.err = err};
  oc_scanner_init(&p.scanner, buf, len, err);

  oconfig_item_t *root = calloc(1, sizeof(*root));
  int status = (root != NULL) ? 0 : oc_error(err, 0, -ENOMEM, "out of memory");
  if (status == 0)
    status = advance(&p);
  if (status == 0)
    status = parse_body(&p, root, NULL);
  if (status == 0 && oc_source_add(root, err->name, 0) != 0)
    status = oc_error(err, 0, -ENOMEM, "out of memory");
  oc_scanner_destroy(&p.scanner);

  if (status != 0) {
    oconfig_free(root);
    return status;
  }
  *ret = root;
  return 0;
}
