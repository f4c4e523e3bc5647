/* Substring replacement into a caller-supplied buffer (collectd 5.12 API).
 * Results that do not fit are truncated and always terminated. */
#ifndef UTILS_SUBST_H
#define UTILS_SUBST_H 1

#include <stddef.h>

/* Writes `string` into `buf` with the bytes [off1, off2) replaced by
 * `replacement`; a buffer of off1 + strlen(replacement) + strlen(string) -
 * off2 + 1 bytes holds the whole result. Returns buf, or NULL on bad
 * arguments (offsets outside the string or off1 > off2). */
char *subst(char *buf, size_t buflen, const char *string, size_t off1,
            size_t off2, const char *replacement);

/* Writes `string` into `buf` with every occurrence of `needle` replaced,
 * searching again from the start after each replacement. At most `buflen`
 * replacements are made (a replacement that contains the needle would never
 * end); hitting that limit is logged. Returns buf, or NULL on bad
 * arguments. */
char *subst_string(char *buf, size_t buflen, const char *string,
                   const char *needle, const char *replacement);

#endif /* UTILS_SUBST_H */
