/* Entry points: get the text of a file, stream or string into memory and
 * hand it to the parser, with the name that messages and locations use. */
#include "liboconfig/oconfig_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Larger files are refused rather than read: a configuration this big is a
 * mistake (a log file passed by accident), not a configuration. This is the
 * only limit on what the parser reads: tokens and lines may be as long as
 * the file. */
#define OC_MAX_FILE_MIB 64
#define OC_MAX_FILE_SIZE ((size_t)OC_MAX_FILE_MIB * 1024 * 1024)

int oconfig_parse_buffer(const char *buf, size_t len, const char *name,
                         oconfig_item_t **ret, char *errbuf, size_t errlen) {
  oc_err_t err = {.name = name != NULL ? name : "<string>",
                  .errbuf = errbuf,
                  .errlen = errlen};
  if (errbuf != NULL && errlen > 0)
    errbuf[0] = '\0';
  if (ret == NULL || (buf == NULL && len > 0))
    return oc_error(&err, 0, -EINVAL, "invalid arguments");
  return oc_parse(buf != NULL ? buf : "", len, &err, ret);
}

int oconfig_parse_string(const char *text, const char *name,
                         oconfig_item_t **ret, char *errbuf, size_t errlen) {
  return oconfig_parse_buffer(text, text != NULL ? strlen(text) : 0, name, ret,
                              errbuf, errlen);
}

/* Reads all of `fh` into a new buffer. Returns 0 or a negative errno; for
 * -EFBIG the buffer holds the first OC_MAX_FILE_SIZE bytes and more. */
static int slurp(FILE *fh, char **ret_buf, size_t *ret_len) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      if (cap > OC_MAX_FILE_SIZE) {
        *ret_buf = buf;
        *ret_len = len;
        return -EFBIG;
      }
      /* One byte beyond the limit tells a file of exactly the limit from
       * a larger one. */
      if (cap == 0)
        cap = 16384;
      else if (cap < OC_MAX_FILE_SIZE)
        cap = cap * 2 < OC_MAX_FILE_SIZE ? cap * 2 : OC_MAX_FILE_SIZE;
      else
        cap = OC_MAX_FILE_SIZE + 1;
      char *p = realloc(buf, cap);
      if (p == NULL) {
        free(buf);
        return -ENOMEM;
      }
      buf = p;
    }
    size_t n = fread(buf + len, 1, cap - len, fh);
    len += n;
    if (n == 0)
      break;
  }
  if (ferror(fh)) {
    int err = errno ? errno : EIO;
    free(buf);
    return -err;
  }
  *ret_buf = buf;
  *ret_len = len;
  return 0;
}

static int parse_stream(FILE *fh, const char *name, oconfig_item_t **ret,
                        char *errbuf, size_t errlen) {
  oc_err_t err = {.name = name, .errbuf = errbuf, .errlen = errlen};
  char *buf = NULL;
  size_t len = 0;
  errno = 0;
  int status = slurp(fh, &buf, &len);
  if (status == -EFBIG) {
    /* Name the line where the limit falls, so that the operator sees
     * what the file holds there. */
    int line = 1;
    for (size_t i = 0; i < OC_MAX_FILE_SIZE; i++)
      line += buf[i] == '\n';
    free(buf);
    return oc_error(&err, line, status,
                    "the file is larger than %d MiB (%zu bytes), the most a "
                    "configuration file may hold; the limit falls on this "
                    "line",
                    OC_MAX_FILE_MIB, OC_MAX_FILE_SIZE);
  }
  if (status != 0)
    return oc_error(&err, 0, status, "cannot read: %s", strerror(-status));
  status = oconfig_parse_buffer(buf, len, name, ret, errbuf, errlen);
  free(buf);
  return status;
}

int oconfig_parse_file_ex(const char *file, oconfig_item_t **ret, char *errbuf,
                          size_t errlen) {
  oc_err_t err = {.name = file, .errbuf = errbuf, .errlen = errlen};
  if (file == NULL || ret == NULL)
    return oc_error(&err, 0, -EINVAL, "invalid arguments");

  errno = 0;
  FILE *fh = fopen(file, "r");
  if (fh == NULL) {
    int status = errno ? -errno : -EIO; /* never report success */
    return oc_error(&err, 0, status, "cannot open: %s", strerror(-status));
  }
  int status = parse_stream(fh, file, ret, errbuf, errlen);
  fclose(fh);
  return status;
}

oconfig_item_t *oconfig_parse_file(const char *file) {
  char errbuf[1024];
  oconfig_item_t *root = NULL;
  if (oconfig_parse_file_ex(file, &root, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "%s\n", errbuf);
    return NULL;
  }
  return root;
}

/* Names a stream after the file behind it, when /proc can tell. */
static void stream_name(FILE *fh, char *buf, size_t len) {
  snprintf(buf, len, "<stream>");
  int fd = fileno(fh);
  if (fd < 0)
    return;
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, len - 1);
  if (n <= 0 || buf[0] != '/') {
    snprintf(buf, len, "<stream>");
    return;
  }
  buf[n] = '\0';
}

oconfig_item_t *oconfig_parse_fh(FILE *fh) {
  char errbuf[1024];
  if (fh == NULL) {
    fprintf(stderr, "oconfig_parse_fh: no stream\n");
    return NULL;
  }
  char name[4096];
  stream_name(fh, name, sizeof(name));
  oconfig_item_t *root = NULL;
  if (parse_stream(fh, name, &root, errbuf, sizeof(errbuf)) != 0) {
    fprintf(stderr, "%s\n", errbuf);
    return NULL;
  }
  return root;
}
