/* meta_data_t: a small list of typed entries in insertion order, guarded by
 * a mutex of its own. Lists stay short (a handful of keys per value list),
 * so a linear search beats anything cleverer. Keys are matched without
 * regard to case, as collectd 5.12 does. */
#include "collectd.h"

#include "plugin.h"
#include "utils/metadata/meta_data.h"

#include <pthread.h>

typedef union {
  char *mv_string; /* owned */
  int64_t mv_signed_int;
  uint64_t mv_unsigned_int;
  double mv_double;
  bool mv_boolean;
} md_value_t;

typedef struct md_entry_s {
  char *key; /* owned */
  int type;  /* MD_TYPE_* */
  md_value_t value;
  struct md_entry_s *next;
} md_entry_t;

struct meta_data_s {
  md_entry_t *head; /* protected by lock */
  pthread_mutex_t lock;
};

/* A failing mutex call means memory corruption; there is no recovery. */
static void md_lock(meta_data_t *md) {
  if (pthread_mutex_lock(&md->lock) != 0)
    abort();
}

static void md_unlock(meta_data_t *md) {
  if (pthread_mutex_unlock(&md->lock) != 0)
    abort();
}

/* ---- entries ------------------------------------------------------------- */

static void md_entry_free(md_entry_t *e) {
  if (e == NULL)
    return;
  if (e->type == MD_TYPE_STRING)
    free(e->value.mv_string);
  free(e->key);
  free(e);
}

static void md_entry_free_all(md_entry_t *e) {
  while (e != NULL) {
    md_entry_t *next = e->next;
    md_entry_free(e);
    e = next;
  }
}

static md_entry_t *md_entry_new(const char *key, int type) {
  md_entry_t *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL;
  e->key = strdup(key);
  if (e->key == NULL) {
    free(e);
    return NULL;
  }
  e->type = type;
  return e;
}

static md_entry_t *md_entry_clone(const md_entry_t *orig) {
  md_entry_t *e = md_entry_new(orig->key, orig->type);
  if (e == NULL)
    return NULL;
  e->value = orig->value;
  if (orig->type == MD_TYPE_STRING) {
    e->value.mv_string = strdup(orig->value.mv_string);
    if (e->value.mv_string == NULL) {
      e->type = 0; /* nothing of its own to free */
      md_entry_free(e);
      return NULL;
    }
  }
  return e;
}

/* Copies a chain of entries; NULL on allocation failure (or empty chain). */
static md_entry_t *md_entry_clone_all(const md_entry_t *orig) {
  md_entry_t *head = NULL;
  md_entry_t **tail = &head;
  for (; orig != NULL; orig = orig->next) {
    *tail = md_entry_clone(orig);
    if (*tail == NULL) {
      md_entry_free_all(head);
      return NULL;
    }
    tail = &(*tail)->next;
  }
  return head;
}

/* The link that points at the entry named `key`, or at the terminating NULL
 * when there is none. Caller holds md->lock. */
static md_entry_t **md_find_link(meta_data_t *md, const char *key) {
  md_entry_t **link = &md->head;
  while (*link != NULL && strcasecmp((*link)->key, key) != 0)
    link = &(*link)->next;
  return link;
}

/* Puts `e` in place of the entry with the same key (keeping its position),
 * or at the end. Takes ownership of `e`. */
static void md_insert(meta_data_t *md, md_entry_t *e) {
  md_lock(md);
  md_entry_t **link = md_find_link(md, e->key);
  md_entry_t *old = *link;
  e->next = (old != NULL) ? old->next : NULL;
  *link = e;
  md_unlock(md);

  if (old != NULL) {
    old->next = NULL;
    md_entry_free(old);
  }
}

/* ---- lifetime ------------------------------------------------------------ */

meta_data_t *meta_data_create(void) {
  meta_data_t *md = calloc(1, sizeof(*md));
  if (md == NULL) {
    ERROR("meta_data_create: out of memory");
    return NULL;
  }
  if (pthread_mutex_init(&md->lock, NULL) != 0) {
    free(md);
    return NULL;
  }
  return md;
}

void meta_data_destroy(meta_data_t *md) {
  if (md == NULL)
    return;
  md_entry_free_all(md->head);
  pthread_mutex_destroy(&md->lock);
  free(md);
}

meta_data_t *meta_data_clone(meta_data_t *orig) {
  if (orig == NULL)
    return NULL;

  meta_data_t *copy = meta_data_create();
  if (copy == NULL)
    return NULL;

  md_lock(orig);
  copy->head = md_entry_clone_all(orig->head);
  bool failed = (copy->head == NULL && orig->head != NULL);
  md_unlock(orig);

  if (failed) {
    meta_data_destroy(copy);
    return NULL;
  }
  return copy;
}

int meta_data_clone_merge(meta_data_t **dest, meta_data_t *orig) {
  if (dest == NULL)
    return -EINVAL;
  if (orig == NULL)
    return 0;
  if (*dest == NULL) {
    *dest = meta_data_clone(orig);
    return (*dest != NULL) ? 0 : -ENOMEM;
  }

  /* Copy first, then merge: holding both locks at once could deadlock
   * against a merge in the other direction. */
  md_lock(orig);
  md_entry_t *copies = md_entry_clone_all(orig->head);
  bool failed = (copies == NULL && orig->head != NULL);
  md_unlock(orig);
  if (failed)
    return -ENOMEM;

  while (copies != NULL) {
    md_entry_t *e = copies;
    copies = e->next;
    md_insert(*dest, e);
  }
  return 0;
}

/* ---- queries ------------------------------------------------------------- */

int meta_data_exists(meta_data_t *md, const char *key) {
  if (md == NULL || key == NULL)
    return -EINVAL;
  md_lock(md);
  bool found = (*md_find_link(md, key) != NULL);
  md_unlock(md);
  return found ? 1 : 0;
}

int meta_data_type(meta_data_t *md, const char *key) {
  if (md == NULL || key == NULL)
    return -EINVAL;
  md_lock(md);
  md_entry_t *e = *md_find_link(md, key);
  int type = (e != NULL) ? e->type : 0;
  md_unlock(md);
  return type;
}

int meta_data_toc(meta_data_t *md, char ***toc) {
  if (md == NULL || toc == NULL)
    return -EINVAL;

  md_lock(md);
  int count = 0;
  for (md_entry_t *e = md->head; e != NULL; e = e->next)
    count++;
  if (count == 0) {
    md_unlock(md);
    return 0;
  }

  char **keys = calloc((size_t)count, sizeof(*keys));
  int i = 0;
  for (md_entry_t *e = md->head; keys != NULL && e != NULL; e = e->next) {
    keys[i] = strdup(e->key);
    if (keys[i] == NULL)
      break;
    i++;
  }
  md_unlock(md);

  if (keys == NULL || i < count) {
    for (int j = 0; keys != NULL && j < i; j++)
      free(keys[j]);
    free(keys);
    return -ENOMEM;
  }
  *toc = keys;
  return count;
}

int meta_data_delete(meta_data_t *md, const char *key) {
  if (md == NULL || key == NULL)
    return -EINVAL;

  md_lock(md);
  md_entry_t **link = md_find_link(md, key);
  md_entry_t *e = *link;
  if (e != NULL)
    *link = e->next;
  md_unlock(md);

  if (e == NULL)
    return -ENOENT;
  md_entry_free(e);
  return 0;
}

/* ---- setters ------------------------------------------------------------- */

/* Stores a new entry of `type` with `value`; a string value is copied. */
static int md_add(meta_data_t *md, const char *key, int type,
                  md_value_t value) {
  if (md == NULL || key == NULL)
    return -EINVAL;
  if (type == MD_TYPE_STRING && value.mv_string == NULL)
    return -EINVAL;

  md_entry_t *e = md_entry_new(key, type);
  if (e == NULL)
    return -ENOMEM;
  e->value = value;
  if (type == MD_TYPE_STRING) {
    e->value.mv_string = strdup(value.mv_string);
    if (e->value.mv_string == NULL) {
      e->type = 0;
      md_entry_free(e);
      return -ENOMEM;
    }
  }
  md_insert(md, e);
  return 0;
}

int meta_data_add_string(meta_data_t *md, const char *key, const char *value) {
  return md_add(md, key, MD_TYPE_STRING,
                (md_value_t){.mv_string = (char *)value});
}

int meta_data_add_signed_int(meta_data_t *md, const char *key, int64_t value) {
  return md_add(md, key, MD_TYPE_SIGNED_INT,
                (md_value_t){.mv_signed_int = value});
}

int meta_data_add_unsigned_int(meta_data_t *md, const char *key,
                               uint64_t value) {
  return md_add(md, key, MD_TYPE_UNSIGNED_INT,
                (md_value_t){.mv_unsigned_int = value});
}

int meta_data_add_double(meta_data_t *md, const char *key, double value) {
  return md_add(md, key, MD_TYPE_DOUBLE, (md_value_t){.mv_double = value});
}

int meta_data_add_boolean(meta_data_t *md, const char *key, bool value) {
  return md_add(md, key, MD_TYPE_BOOLEAN, (md_value_t){.mv_boolean = value});
}

/* ---- getters ------------------------------------------------------------- */

/* Copies the value of `key` into *ret if it has type `type`. A string is
 * duplicated, so the caller owns it. */
static int md_get(meta_data_t *md, const char *key, int type, md_value_t *ret,
                  const char *caller) {
  if (md == NULL || key == NULL || ret == NULL)
    return -EINVAL;

  int status = 0;
  md_lock(md);
  md_entry_t *e = *md_find_link(md, key);
  if (e == NULL) {
    status = -ENOENT;
  } else if (e->type != type) {
    status = -ENOENT;
  } else if (type == MD_TYPE_STRING) {
    ret->mv_string = strdup(e->value.mv_string);
    if (ret->mv_string == NULL)
      status = -ENOMEM;
  } else {
    *ret = e->value;
  }
  md_unlock(md);

  /* Logged outside the lock: a log callback may look at meta data too. */
  if (e != NULL && status == -ENOENT)
    ERROR("%s: type mismatch for key `%s'", caller, key);
  return status;
}

int meta_data_get_string(meta_data_t *md, const char *key, char **value) {
  md_value_t v;
  int status = md_get(md, key, MD_TYPE_STRING, &v, "meta_data_get_string");
  if (status == 0)
    *value = v.mv_string;
  return status;
}

int meta_data_get_signed_int(meta_data_t *md, const char *key,
                             int64_t *value) {
  md_value_t v;
  int status =
      md_get(md, key, MD_TYPE_SIGNED_INT, &v, "meta_data_get_signed_int");
  if (status == 0)
    *value = v.mv_signed_int;
  return status;
}

int meta_data_get_unsigned_int(meta_data_t *md, const char *key,
                               uint64_t *value) {
  md_value_t v;
  int status =
      md_get(md, key, MD_TYPE_UNSIGNED_INT, &v, "meta_data_get_unsigned_int");
  if (status == 0)
    *value = v.mv_unsigned_int;
  return status;
}

int meta_data_get_double(meta_data_t *md, const char *key, double *value) {
  md_value_t v;
  int status = md_get(md, key, MD_TYPE_DOUBLE, &v, "meta_data_get_double");
  if (status == 0)
    *value = v.mv_double;
  return status;
}

int meta_data_get_boolean(meta_data_t *md, const char *key, bool *value) {
  md_value_t v;
  int status = md_get(md, key, MD_TYPE_BOOLEAN, &v, "meta_data_get_boolean");
  if (status == 0)
    *value = v.mv_boolean;
  return status;
}

int meta_data_as_string(meta_data_t *md, const char *key, char **value) {
  if (md == NULL || key == NULL || value == NULL)
    return -EINVAL;

  char buffer[64];
  char *copy = NULL;
  int status = 0;

  md_lock(md);
  md_entry_t *e = *md_find_link(md, key);
  if (e == NULL) {
    status = -ENOENT;
  } else {
    const char *text = buffer;
    switch (e->type) {
    case MD_TYPE_STRING:
      text = e->value.mv_string;
      break;
    case MD_TYPE_SIGNED_INT:
      snprintf(buffer, sizeof(buffer), "%" PRIi64, e->value.mv_signed_int);
      break;
    case MD_TYPE_UNSIGNED_INT:
      snprintf(buffer, sizeof(buffer), "%" PRIu64, e->value.mv_unsigned_int);
      break;
    case MD_TYPE_DOUBLE:
      snprintf(buffer, sizeof(buffer), GAUGE_FORMAT, e->value.mv_double);
      break;
    case MD_TYPE_BOOLEAN:
      text = e->value.mv_boolean ? "true" : "false";
      break;
    }
    copy = strdup(text);
    if (copy == NULL)
      status = -ENOMEM;
  }
  md_unlock(md);

  if (status == 0)
    *value = copy;
  return status;
}
