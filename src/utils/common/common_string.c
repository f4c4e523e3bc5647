/* Bounded string copies, allocation helpers, splitting, joining and the
 * escaping rules of the plain text protocol and of identifiers. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

char *sstrncpy(char *dest, const char *src, size_t n) {
  if (n == 0)
    return dest;
  if (src == NULL)
    src = "";
  /* strncpy() zero-fills the tail, which keeps fixed-size name fields
   * comparable with memcmp(); it just may leave the last byte unset. */
  strncpy(dest, src, n - 1);
  dest[n - 1] = '\0';
  return dest;
}

int ssnprintf(char *str, size_t size, char const *format, ...) {
  va_list ap;
  va_start(ap, format);
  int status = vsnprintf(str, size, format, ap);
  va_end(ap);
  return status;
}

char *ssnprintf_alloc(char const *format, ...) {
  va_list ap;

  va_start(ap, format);
  int len = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (len < 0)
    return NULL;

  char *str = malloc((size_t)len + 1);
  if (str == NULL)
    return NULL;

  va_start(ap, format);
  int status = vsnprintf(str, (size_t)len + 1, format, ap);
  va_end(ap);
  if (status != len) {
    free(str);
    return NULL;
  }
  return str;
}

char *sstrdup(const char *s) {
  if (s == NULL)
    return NULL;
  size_t size = strlen(s) + 1;
  char *copy = malloc(size);
  if (copy == NULL) {
    P_ERROR("sstrdup: out of memory");
    return NULL;
  }
  memcpy(copy, s, size);
  return copy;
}

size_t sstrnlen(const char *s, size_t n) {
  const char *end = memchr(s, '\0', n);
  return (end != NULL) ? (size_t)(end - s) : n;
}

char *sstrndup(const char *s, size_t n) {
  if (s == NULL)
    return NULL;
  size_t len = sstrnlen(s, n);
  char *copy = malloc(len + 1);
  if (copy == NULL) {
    P_ERROR("sstrndup: out of memory");
    return NULL;
  }
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

void *smalloc(size_t size) {
  void *ptr = malloc(size);
  if (ptr == NULL) {
    /* Callers rely on never seeing NULL (the 5.12 contract). */
    P_ERROR("smalloc: out of memory allocating %zu bytes", size);
    exit(3);
  }
  return ptr;
}

char *sstrerror(int errnum, char *buf, size_t buflen) {
  if (buf == NULL || buflen == 0)
    return buf;
  /* GNU strerror_r may return a static string instead of filling buf. */
  const char *msg = strerror_r(errnum, buf, buflen);
  if (msg != buf)
    sstrncpy(buf, msg, buflen);
  return buf;
}

static bool is_split_char(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int strsplit(char *string, char **fields, size_t size) {
  size_t count = 0;
  char *pos = string;

  while (count < size) {
    while (is_split_char(*pos))
      pos++;
    if (*pos == '\0')
      break;

    fields[count++] = pos;
    while (*pos != '\0' && !is_split_char(*pos))
      pos++;
    if (*pos == '\0')
      break;
    *pos++ = '\0';
  }
  return (int)count;
}

int strjoin(char *dst, size_t dst_len, char **fields, size_t fields_num,
            const char *sep) {
  if ((fields_num > 0 && fields == NULL) || (dst_len > 0 && dst == NULL))
    return -EINVAL;
  if (dst_len > 0)
    dst[0] = '\0';

  size_t sep_len = (sep != NULL) ? strlen(sep) : 0;
  size_t total = 0; /* length of the full result */
  size_t pos = 0;   /* bytes written to dst */
  size_t room = (dst_len > 0) ? dst_len - 1 : 0; /* left before the NUL */

  for (size_t i = 0; i < fields_num; i++) {
    if (i > 0 && sep_len > 0) {
      total += sep_len;
      /* A separator with nothing after it would look like an empty field:
       * it is written only whole and with room to spare, else never. */
      if (sep_len >= room) {
        room = 0;
      } else {
        memcpy(dst + pos, sep, sep_len);
        pos += sep_len;
        room -= sep_len;
      }
    }

    size_t field_len = strlen(fields[i]);
    total += field_len;
    size_t n = (field_len < room) ? field_len : room;
    if (n > 0) {
      memcpy(dst + pos, fields[i], n);
      pos += n;
      room -= n;
    }
  }
  if (dst_len > 0)
    dst[pos] = '\0';

  if (total > INT_MAX)
    return -EOVERFLOW;
  return (int)total;
}

int escape_slashes(char *buffer, size_t buffer_size) {
  size_t len = strlen(buffer);

  if (len <= 1) {
    if (strcmp(buffer, "/") == 0) {
      if (buffer_size < sizeof("root"))
        return -1;
      sstrncpy(buffer, "root", buffer_size);
    }
    return 0;
  }

  if (buffer[0] == '/') {
    memmove(buffer, buffer + 1, len); /* moves the NUL too */
    len--;
  }
  for (size_t i = 0; i < len; i++)
    if (buffer[i] == '/')
      buffer[i] = '_';
  return 0;
}

static bool needs_backslash(char c) { return c == '"' || c == '\\'; }

int escape_string(char *buffer, size_t buffer_size) {
  if (strpbrk(buffer, " \t\"\\") == NULL)
    return 0;
  if (buffer_size < 3) /* room for "" and the NUL */
    return EINVAL;

  /* First pass: how many input bytes fit, and how long the output is,
   * keeping room for the closing quote and the NUL. */
  size_t out_len = 1; /* opening quote */
  size_t in_len = 0;
  for (; buffer[in_len] != '\0'; in_len++) {
    size_t width = needs_backslash(buffer[in_len]) ? 2 : 1;
    if (out_len + width > buffer_size - 2)
      break;
    out_len += width;
  }

  /* Second pass, from the end: each byte moves right (never left), so
   * filling backwards never overwrites input that is still to be read. */
  buffer[out_len] = '"';
  buffer[out_len + 1] = '\0';
  size_t dst = out_len;
  while (in_len > 0) {
    char c = buffer[--in_len];
    buffer[--dst] = c;
    if (needs_backslash(c))
      buffer[--dst] = '\\';
  }
  buffer[0] = '"';
  return 0;
}

void replace_special(char *buffer, size_t buffer_size) {
  for (size_t i = 0; i < buffer_size && buffer[i] != '\0'; i++)
    if (!isalnum((unsigned char)buffer[i]) && buffer[i] != '-')
      buffer[i] = '_';
}

static char unescaped(char c) {
  switch (c) {
  case 't':
    return '\t';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  default:
    return c;
  }
}

int strunescape(char *buf, size_t buf_len) {
  size_t r = 0;
  size_t w = 0;

  while (r < buf_len && buf[r] != '\0') {
    if (buf[r] != '\\') {
      buf[w++] = buf[r++];
      continue;
    }
    if (r + 1 >= buf_len || buf[r + 1] == '\0') {
      P_ERROR("strunescape: backslash at the end of the string");
      buf[w] = '\0';
      return -1;
    }
    buf[w++] = unescaped(buf[r + 1]);
    r += 2;
  }
  if (w < buf_len)
    buf[w] = '\0';
  return 0;
}

size_t strstripnewline(char *buffer) {
  size_t len = strlen(buffer);
  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';
  return len;
}

int strarray_add(char ***ret_array, size_t *ret_array_len, char const *str) {
  if (ret_array == NULL || ret_array_len == NULL || str == NULL)
    return EINVAL;

  size_t len = *ret_array_len;
  char **array = realloc(*ret_array, (len + 1) * sizeof(*array));
  if (array == NULL)
    return ENOMEM;
  *ret_array = array;

  array[len] = strdup(str);
  if (array[len] == NULL)
    return ENOMEM;
  *ret_array_len = len + 1;
  return 0;
}

void strarray_free(char **array, size_t array_len) {
  for (size_t i = 0; i < array_len; i++)
    free(array[i]);
  free(array);
}
