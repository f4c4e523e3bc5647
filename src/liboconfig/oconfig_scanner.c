/* The scanner: turns the bytes of a configuration file into tokens.
 *
 * Comments, blanks and backslash-newline continuations disappear here, so
 * that the parser only sees words, quoted strings, '<', '/', '>' and ends
 * of lines. What a word means is oconfig_word.c's business. Choices made by
 * comparing with collectd 5.12 (`collectd -f -C`):
 *  - space, tab and the other control characters separate tokens (collectd
 *    ignores the ones it has no rule for, which has the same effect); \r\n
 *    ends a line like \n. A NUL byte is refused: it means a binary file.
 *  - '#' outside quotes starts a comment, even in the middle of a word.
 *  - backslash-newline outside quotes joins lines and separates tokens
 *    ("a\<nl>b" is two words); inside quotes it joins the lines and drops
 *    the blanks that indent the next one.
 *  - inside quotes a backslash keeps the character after it ("\n" is "n"),
 *    and a raw newline is kept (multi-line SQL statements rely on this).
 *  - '/' is a token of its own, so an unquoted path is a syntax error, as
 *    in collectd.
 *  - collectd drops a quote that is never closed and reads on; we report
 *    an unterminated quoted string instead. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void oc_scanner_init(oc_scanner_t *s, const char *buf, size_t len,
                     const oc_err_t *err) {
  *s = (oc_scanner_t){.buf = buf, .len = len, .line = 1, .err = err};
}

void oc_scanner_destroy(oc_scanner_t *s) {
  free(s->scratch);
  s->scratch = NULL;
  s->scratch_cap = 0;
}

/* NUL is not here: it is refused. */
static bool is_blank(int c) {
  return c == ' ' || c == '\t' || (c > 0 && c < 0x20 && c != '\n') || c == 0x7f;
}

/* Bytes that end a word. A backslash ends one only before a line break;
 * elsewhere it is one of the characters the word rules drop. */
static bool is_special(int c) {
  return c <= 0 || is_blank(c) || c == '\n' || c == '"' || c == '<' ||
         c == '>' || c == '/' || c == '#';
}

static int peek(const oc_scanner_t *s, size_t off) {
  if (s->pos + off >= s->len)
    return -1;
  return (unsigned char)s->buf[s->pos + off];
}

/* Length of a line break starting at offset `off` (1 for \n, 2 for \r\n),
 * 0 if there is none. */
static size_t newline_len(const oc_scanner_t *s, size_t off) {
  if (peek(s, off) == '\n')
    return 1;
  if (peek(s, off) == '\r' && peek(s, off + 1) == '\n')
    return 2;
  return 0;
}

static void skip_blanks_and_continuations(oc_scanner_t *s) {
  for (;;) {
    int c = peek(s, 0);
    if (is_blank(c)) {
      s->pos++;
      continue;
    }
    size_t nl = (c == '\\') ? newline_len(s, 1) : 0;
    if (nl > 0) {
      s->pos += 1 + nl;
      s->line++;
      continue;
    }
    /* A backslash right at the end of the file continues into nothing. */
    if (c == '\\' && s->pos + 1 == s->len) {
      s->pos++;
      continue;
    }
    return;
  }
}

static void skip_comment(oc_scanner_t *s) {
  while (s->pos < s->len && s->buf[s->pos] != '\n')
    s->pos++;
}

static int scratch_put(oc_scanner_t *s, size_t at, char c) {
  if (at + 1 >= s->scratch_cap) {
    size_t cap = s->scratch_cap ? s->scratch_cap * 2 : 64;
    char *p = realloc(s->scratch, cap);
    if (p == NULL)
      return oc_error(s->err, s->line, -ENOMEM, "out of memory");
    s->scratch = p;
    s->scratch_cap = cap;
  }
  s->scratch[at] = c;
  s->scratch[at + 1] = '\0';
  return 0;
}

static int finish_text(oc_scanner_t *s, oc_token_t *tok, size_t len) {
  if (len == 0) { /* "" still needs a valid, empty text */
    int status = scratch_put(s, 0, '\0');
    if (status != 0)
      return status;
  }
  tok->text = s->scratch;
  tok->len = len;
  return 0;
}

static bool at_continuation(const oc_scanner_t *s) {
  return peek(s, 0) == '\\' && (newline_len(s, 1) > 0 || s->pos + 1 == s->len);
}

static int scan_word(oc_scanner_t *s, oc_token_t *tok) {
  size_t n = 0;
  while (!is_special(peek(s, 0)) && !at_continuation(s)) {
    int status = scratch_put(s, n++, s->buf[s->pos++]);
    if (status != 0)
      return status;
  }
  tok->type = OC_TOK_WORD;
  return finish_text(s, tok, n);
}

/* Called with s->pos on the opening quote. */
static int scan_quoted(oc_scanner_t *s, oc_token_t *tok) {
  int start_line = s->line;
  size_t n = 0;
  s->pos++;
  for (;;) {
    int c = peek(s, 0);
    if (c < 0)
      return oc_error(s->err, start_line, -EINVAL,
                      "unterminated quoted string");
    if (c == '"') {
      s->pos++;
      break;
    }
    if (c == '\0')
      return oc_error(s->err, s->line, -EINVAL,
                      "NUL byte inside a quoted string");
    if (c == '\\') {
      size_t nl = newline_len(s, 1);
      if (nl > 0) { /* continuation: join lines, drop the indentation */
        s->pos += 1 + nl;
        s->line++;
        while (peek(s, 0) == ' ' || peek(s, 0) == '\t')
          s->pos++;
        continue;
      }
      c = peek(s, 1);
      if (c < 0)
        return oc_error(s->err, start_line, -EINVAL,
                        "unterminated quoted string");
      if (c == '\0')
        return oc_error(s->err, s->line, -EINVAL,
                        "NUL byte inside a quoted string");
      s->pos++; /* the escaped character is taken as it is, below */
    }
    if (c == '\n')
      s->line++;
    int status = scratch_put(s, n++, (char)c);
    if (status != 0)
      return status;
    s->pos++;
  }
  tok->type = OC_TOK_QUOTED;
  return finish_text(s, tok, n);
}

int oc_scan(oc_scanner_t *s, oc_token_t *tok) {
  *tok = (oc_token_t){.type = OC_TOK_EOF};

  skip_blanks_and_continuations(s);
  if (peek(s, 0) == '#')
    skip_comment(s);

  tok->line = s->line;
  int c = peek(s, 0);
  switch (c) {
  case -1:
    /* Report the last line of the file, not the empty one after it. */
    if (s->line > 1 && s->len > 0 && s->buf[s->len - 1] == '\n')
      tok->line = s->line - 1;
    return 0;
  case '\n':
    s->pos++;
    s->line++;
    tok->type = OC_TOK_EOL;
    return 0;
  case '"':
    return scan_quoted(s, tok);
  case '<':
    s->pos++;
    tok->type = OC_TOK_LT;
    return 0;
  case '>':
    s->pos++;
    tok->type = OC_TOK_GT;
    return 0;
  case '/':
    s->pos++;
    tok->type = OC_TOK_SLASH;
    return 0;
  case '\0':
    return oc_error(s->err, s->line, -EINVAL,
                    "NUL byte (is this a text file?)");
  default:
    return scan_word(s, tok);
  }
}
