/* Selection lists for plugins; see ignorelist.h for the semantics. */
#include "collectd.h"

#include "plugin.h"
#include "utils/ignorelist/ignorelist.h"

#include <regex.h>

/* One entry. The text is kept for plain matches and for removal; `re` is set
 * only for "/.../" entries. */
typedef struct ignorelist_entry_s {
  char *text;
  regex_t *re;
  struct ignorelist_entry_s *next;
} ignorelist_entry_t;

struct ignorelist_s {
  int invert;
  ignorelist_entry_t *head;
  ignorelist_entry_t *tail; /* appending keeps the configured order */
};

static void ignorelist__entry_free(ignorelist_entry_t *e) {
  if (e->re != NULL) {
    regfree(e->re);
    free(e->re);
  }
  free(e->text);
  free(e);
}

static bool ignorelist__is_regex(const char *entry, size_t len) {
  return len > 2 && entry[0] == '/' && entry[len - 1] == '/';
}

/* Compiles the pattern between the slashes into e->re. */
static int ignorelist__compile(ignorelist_entry_t *e, const char *entry,
                               size_t len) {
  char *pattern = strndup(entry + 1, len - 2);
  e->re = calloc(1, sizeof(*e->re));
  if (pattern == NULL || e->re == NULL) {
    free(pattern);
    return -ENOMEM;
  }

  int status = regcomp(e->re, pattern, REG_EXTENDED | REG_NOSUB);
  if (status != 0) {
    char msg[256];
    regerror(status, e->re, msg, sizeof(msg));
    /* P_ERROR puts the calling plugin's name first. */
    P_ERROR("ignorelist: cannot compile regular expression \"%s\": %s", pattern,
            msg);
    free(e->re); /* regcomp failed: there is nothing to regfree */
    e->re = NULL;
    free(pattern);
    return -EINVAL;
  }
  free(pattern);
  return 0;
}

ignorelist_t *ignorelist_create(int invert) {
  ignorelist_t *il = calloc(1, sizeof(*il));
  if (il != NULL)
    il->invert = invert ? 1 : 0;
  return il;
}

void ignorelist_free(ignorelist_t *il) {
  if (il == NULL)
    return;
  ignorelist_entry_t *e = il->head;
  while (e != NULL) {
    ignorelist_entry_t *next = e->next;
    ignorelist__entry_free(e);
    e = next;
  }
  free(il);
}

void ignorelist_set_invert(ignorelist_t *il, int invert) {
  if (il != NULL)
    il->invert = invert ? 1 : 0;
}

int ignorelist_add(ignorelist_t *il, const char *entry) {
  if (il == NULL || entry == NULL || entry[0] == '\0')
    return -EINVAL;

  ignorelist_entry_t *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return -ENOMEM;
  e->text = strdup(entry);
  if (e->text == NULL) {
    free(e);
    return -ENOMEM;
  }

  size_t len = strlen(entry);
  if (ignorelist__is_regex(entry, len)) {
    int status = ignorelist__compile(e, entry, len);
    if (status != 0) {
      ignorelist__entry_free(e);
      return status;
    }
  }

  if (il->tail == NULL)
    il->head = e;
  else
    il->tail->next = e;
  il->tail = e;
  return 0;
}

int ignorelist_remove(ignorelist_t *il, const char *entry) {
  if (il == NULL || entry == NULL)
    return -EINVAL;

  ignorelist_entry_t *prev = NULL;
  for (ignorelist_entry_t *e = il->head; e != NULL; prev = e, e = e->next) {
    if (strcmp(e->text, entry) != 0)
      continue;
    if (prev == NULL)
      il->head = e->next;
    else
      prev->next = e->next;
    if (il->tail == e)
      il->tail = prev;
    ignorelist__entry_free(e);
    return 0;
  }
  return -ENOENT;
}

static bool ignorelist__entry_matches(const ignorelist_entry_t *e,
                                      const char *entry) {
  if (e->re != NULL)
    return regexec(e->re, entry, 0, NULL, 0) == 0;
  return strcmp(e->text, entry) == 0;
}

int ignorelist_match(ignorelist_t *il, const char *entry) {
  /* Nothing configured means nothing is filtered out. */
  if (il == NULL || il->head == NULL)
    return 0;
  if (entry == NULL || entry[0] == '\0')
    return 0;

  for (const ignorelist_entry_t *e = il->head; e != NULL; e = e->next)
    if (ignorelist__entry_matches(e, entry))
      return il->invert ? 0 : 1;
  return il->invert ? 1 : 0;
}
