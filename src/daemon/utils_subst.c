/* Substring replacement into bounded buffers. */
#include "collectd.h"

#include "plugin.h"
#include "utils_subst.h"

/* Appends `len` bytes of `src` at *pos, as many as fit before the NUL. */
static void append_bounded(char *buf, size_t buflen, size_t *pos,
                           const char *src, size_t len) {
  size_t room = buflen - 1 - *pos;
  if (len > room)
    len = room;
  memcpy(buf + *pos, src, len);
  *pos += len;
  buf[*pos] = '\0';
}

char *subst(char *buf, size_t buflen, const char *string, size_t off1,
            size_t off2, const char *replacement) {
  if (buf == NULL || buflen == 0 || string == NULL || replacement == NULL)
    return NULL;
  size_t len = strlen(string);
  if (off1 > len || off2 > len || off1 > off2)
    return NULL;

  /* `string` may be `buf` itself: build the result aside first. */
  char *out = malloc(buflen);
  if (out == NULL)
    return NULL;
  size_t pos = 0;
  out[0] = '\0';
  append_bounded(out, buflen, &pos, string, off1);
  append_bounded(out, buflen, &pos, replacement, strlen(replacement));
  append_bounded(out, buflen, &pos, string + off2, len - off2);

  memcpy(buf, out, pos + 1);
  free(out);
  return buf;
}

char *subst_string(char *buf, size_t buflen, const char *string,
                   const char *needle, const char *replacement) {
  if (buf == NULL || buflen == 0 || string == NULL || needle == NULL ||
      replacement == NULL)
    return NULL;

  size_t needle_len = strlen(needle);
  size_t len = strlen(string);
  if (len >= buflen)
    len = buflen - 1;
  memmove(buf, string, len);
  buf[len] = '\0';
  if (needle_len == 0) /* an empty needle matches everywhere: nothing to do */
    return buf;

  /* Rescan from the start after each replacement, as 5.12 does; the
   * bound stops a replacement that contains the needle. */
  size_t rounds = 0;
  char *hit;
  while (rounds < buflen && (hit = strstr(buf, needle)) != NULL) {
    size_t off = (size_t)(hit - buf);
    if (subst(buf, buflen, buf, off, off + needle_len, replacement) == NULL)
      return NULL;
    rounds++;
  }
  if (rounds >= buflen)
    WARNING("subst_string: stopped after %zu replacements: string = %s; "
            "needle = %s; replacement = %s",
            rounds, string, needle, replacement);
  return buf;
}
