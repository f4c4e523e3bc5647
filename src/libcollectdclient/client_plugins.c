/* The plugin lifecycle commands: LOAD, UNLOAD, RELOAD and LISTPLUGINS. */
#include "client_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies src into dst[size], cut if need be; a NULL dst is fine. */
static void copy_cut(char *dst, size_t size, const char *src) {
  if (dst != NULL && size > 0)
    snprintf(dst, size, "%s", src);
}

/* "<verb> \"<plugin>\"", and the daemon's message on success. */
static int plugin_command(cdc_conn_t *c, const char *verb, const char *plugin,
                          char *msg, size_t msglen, char *err,
                          size_t errlen) {
  if (c == NULL || plugin == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_strbuf_t sb = {0};
  cdc__strbuf_printf(&sb, "%s ", verb);
  cdc__strbuf_quoted(&sb, plugin);
  if (sb.failed) {
    cdc__strbuf_free(&sb);
    return cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  cdc_reply_t reply;
  int status = cdc__request_ok(c, sb.buf, &reply, err, errlen);
  cdc__strbuf_free(&sb);
  if (status != 0)
    return status;
  copy_cut(msg, msglen, reply.message);
  cdc_reply_free(&reply);
  return 0;
}

int cdc_plugin_load(cdc_conn_t *c, const char *plugin, char *msg,
                    size_t msglen, char *err, size_t errlen) {
  return plugin_command(c, "LOAD", plugin, msg, msglen, err, errlen);
}

int cdc_plugin_unload(cdc_conn_t *c, const char *plugin, char *msg,
                      size_t msglen, char *err, size_t errlen) {
  return plugin_command(c, "UNLOAD", plugin, msg, msglen, err, errlen);
}

int cdc_plugin_reload(cdc_conn_t *c, const char *plugin, char *msg,
                      size_t msglen, char *err, size_t errlen) {
  return plugin_command(c, "RELOAD", plugin, msg, msglen, err, errlen);
}

int cdc_config_reload(cdc_conn_t *c, cdc_reply_t *reply, char *err,
                      size_t errlen) {
  if (c == NULL || reply == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  return cdc__request_ok(c, "RELOAD", reply, err, errlen);
}

/* Copies the word at *p (up to a blank or the end) into dst[size] and
 * steps past it and one blank. -1 when the word is empty or too long. */
static int take_word(const char **p, char *dst, size_t size) {
  size_t len = strcspn(*p, " ");
  if (len == 0 || len >= size)
    return -1;
  memcpy(dst, *p, len);
  dst[len] = '\0';
  *p += len;
  if (**p == ' ')
    (*p)++;
  return 0;
}

/* "<name> <state> <kind>[ restarts=<n>][ <step>: <reason>]", where kind is
 * unloadable, legacy, or "isolated pid=<pid>" ("pid=-" once its host has
 * ended). */
static int parse_plugin_line(const char *line, cdc_plugin_info_t *info,
                             char *err, size_t errlen) {
  const char *p = line;
  char kind[16], pid[32];
  bool ok = take_word(&p, info->name, sizeof(info->name)) == 0 &&
            take_word(&p, info->state, sizeof(info->state)) == 0 &&
            take_word(&p, kind, sizeof(kind)) == 0;
  info->isolated = ok && strcmp(kind, "isolated") == 0;
  info->host_pid = 0;
  if (info->isolated) {
    char *end = NULL;
    ok = take_word(&p, pid, sizeof(pid)) == 0 && strncmp(pid, "pid=", 4) == 0;
    if (ok && strcmp(pid + 4, "-") != 0) {
      errno = 0;
      long n = strtol(pid + 4, &end, 10);
      ok = errno == 0 && end != pid + 4 && *end == '\0' && n > 0 &&
           n <= INT_MAX;
      info->host_pid = ok ? (int)n : 0;
    }
  } else if (ok) {
    ok = strcmp(kind, "unloadable") == 0 || strcmp(kind, "legacy") == 0;
  }
  /* "restarts=<n>": its OnPluginFailure is Restart. No step of a failure
   * starts so. */
  info->restarts = -1;
  if (ok && strncmp(p, "restarts=", 9) == 0) {
    char word[32], *end = NULL;
    ok = take_word(&p, word, sizeof(word)) == 0;
    if (ok) {
      errno = 0;
      unsigned long n = strtoul(word + 9, &end, 10);
      ok = errno == 0 && end != word + 9 && *end == '\0' && n <= INT_MAX &&
           word[9] != '-';
      info->restarts = ok ? (int)n : -1;
    }
  }
  if (!ok)
    return cdc__error(err, errlen, -EPROTO,
                      "Malformed plugin line from the daemon: \"%s\"", line);
  info->unloadable = info->isolated || strcmp(kind, "unloadable") == 0;
  copy_cut(info->failure, sizeof(info->failure), p);
  return 0;
}

int cdc_listplugins(cdc_conn_t *c, cdc_plugin_info_t **ret, size_t *ret_num,
                    char *err, size_t errlen) {
  if (c == NULL || ret == NULL || ret_num == NULL)
    return cdc__error(err, errlen, -EINVAL, "Invalid arguments");
  cdc_reply_t reply;
  int status = cdc__request_ok(c, "LISTPLUGINS", &reply, err, errlen);
  if (status != 0)
    return status;

  cdc_plugin_info_t *plugins = NULL;
  if (reply.lines_num > 0) {
    plugins = calloc(reply.lines_num, sizeof(*plugins));
    if (plugins == NULL)
      status = cdc__error(err, errlen, -ENOMEM, "Out of memory");
  }
  for (size_t i = 0; status == 0 && i < reply.lines_num; i++)
    status = parse_plugin_line(reply.lines[i], &plugins[i], err, errlen);
  if (status == 0) {
    *ret = plugins;
    *ret_num = reply.lines_num;
  } else {
    free(plugins);
  }
  cdc_reply_free(&reply);
  return status;
}
