/* The data set table and the types.db parser.
 *
 * Two layers. A definition (ds_def_t: a type name and its sources) is
 * immutable and interned: registering a definition identical to one seen
 * before reuses it. Definitions are never freed before exit, because a
 * pointer handed out by plugin_get_ds() may be held anywhere (a write
 * queue entry, a thread between its lookup and its enqueue, a thread's
 * last_lookup) and nothing cheap tells when the last one is gone. What
 * stays is therefore bounded by the number of distinct definitions ever
 * registered, not by how often plugins come and go: a plugin loaded and
 * unloaded a thousand times registers the same definition a thousand
 * times, and finds it. (A plugin that makes up a new definition each time
 * it loads still grows the set, by one definition per new one.)
 *
 * Above them, the table maps each type name (case-insensitively) to a
 * stack of registrations, the latest on top; the one on top is in force.
 * A registration records its owner (the plugin in whose context it was
 * made; NULL for the core, i.e. types.db) and holds no memory that is
 * handed out, so it is freed as soon as it goes. The rules:
 *   - an owner has at most one registration per type: registering again
 *     drops its earlier one and puts the new one on top (the latest
 *     registration wins, as in collectd, where it replaces the entry);
 *   - when an owner goes (types_remove_owner, called by the unload before
 *     the plugin's record is freed) its registrations go, wherever they are
 *     in their stacks: one on top uncovers the one below (types.db's, or
 *     another plugin's), one below changes nothing in force. So a type that
 *     plugins A and B both register stays, with the definition of whichever
 *     of them registered last and is still there, until both are gone, and
 *     a definition never comes back after its owner went;
 *   - a type whose last registration goes is no longer defined.
 * Nothing in the table points at an owner after types_remove_owner(owner).
 *
 * The table is read on every dispatch, so lookups take only a read lock on
 * a hash table, or no lock at all when a thread asks for the type it asked
 * for last (see last_lookup). */
#include "types_list.h"
#include "utils/common/common.h"

#include <pthread.h>
#include <stdatomic.h>

#define DS_BUCKETS 512

/* An interned definition: immutable once in def_buckets, freed at exit. */
typedef struct ds_def_s ds_def_t;
struct ds_def_s {
  data_set_t ds;
  ds_def_t *next;
};

/* One owner's registration of a type; `below` is the one it hides. */
typedef struct ds_reg_s ds_reg_t;
struct ds_reg_s {
  const ds_def_t *def;
  plugin_t *owner; /* NULL: the core (types.db) */
  ds_reg_t *below;
};

/* A defined type: its registrations, never empty. */
typedef struct ds_type_s ds_type_t;
struct ds_type_s {
  ds_reg_t *top;
  ds_type_t *next;
};

/* Protects everything below: the table (buckets[], the types and their
 * registrations) and the interned definitions (def_buckets[]). */
static pthread_rwlock_t ds_lock = PTHREAD_RWLOCK_INITIALIZER;
static ds_type_t *buckets[DS_BUCKETS];
static ds_def_t *def_buckets[DS_BUCKETS];
/* Bumped by every change of the table. Each thread remembers its last
 * lookup with the generation it saw, so that a plugin dispatching one type
 * over and over takes no lock at all; a definition is never freed before
 * exit, so a stale hit can only be refused, never dangle. */
static _Atomic unsigned long generation = 1;
static __thread struct {
  unsigned long generation;
  const data_set_t *ds;
} last_lookup;

static unsigned ds_hash(const char *name) {
  unsigned h = 2166136261u;
  for (const unsigned char *s = (const unsigned char *)name; *s; s++)
    h = (h ^ (unsigned)tolower(*s)) * 16777619u;
  return h % DS_BUCKETS;
}

static ds_type_t **find_locked(const char *name) {
  ds_type_t **pp = &buckets[ds_hash(name)];
  while (*pp != NULL && strcasecmp((*pp)->top->def->ds.type, name) != 0)
    pp = &(*pp)->next;
  return pp;
}

/* NaN (unbounded) equals NaN here. */
static bool limit_equal(double a, double b) {
  return (isnan(a) && isnan(b)) || a == b;
}

static bool def_equal(const data_set_t *a, const data_set_t *b) {
  if (strcmp(a->type, b->type) != 0 || a->ds_num != b->ds_num)
    return false;
  for (size_t i = 0; i < a->ds_num; i++) {
    const data_source_t *x = &a->ds[i], *y = &b->ds[i];
    if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
        !limit_equal(x->min, y->min) || !limit_equal(x->max, y->max))
      return false;
  }
  return true;
}

/* The interned copy of `ds`, made if there is none yet; NULL when out of
 * memory. */
static const ds_def_t *def_intern_locked(const data_set_t *ds) {
  ds_def_t **head = &def_buckets[ds_hash(ds->type)];
  for (ds_def_t *d = *head; d != NULL; d = d->next)
    if (def_equal(&d->ds, ds))
      return d;

  ds_def_t *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return NULL;
  d->ds = *ds;
  d->ds.ds = calloc(ds->ds_num, sizeof(*ds->ds));
  if (d->ds.ds == NULL) {
    free(d);
    return NULL;
  }
  memcpy(d->ds.ds, ds->ds, ds->ds_num * sizeof(*ds->ds));
  d->next = *head;
  *head = d;
  return d;
}

/* Unlinks and frees the registration of `owner` in `t` (which may be left
 * empty). Returns whether there was one. */
static bool type_drop_owner_locked(ds_type_t *t, plugin_t *owner) {
  ds_reg_t **rp = &t->top;
  while (*rp != NULL && (*rp)->owner != owner)
    rp = &(*rp)->below;
  if (*rp == NULL)
    return false;
  ds_reg_t *r = *rp;
  *rp = r->below;
  free(r);
  return true;
}

/* Unlinks and frees the type *tp if it has no registration left. Returns
 * whether it did (then *tp is the next type of the bucket). */
static bool type_free_if_empty_locked(ds_type_t **tp) {
  ds_type_t *t = *tp;
  if (t->top != NULL)
    return false;
  *tp = t->next;
  free(t);
  return true;
}

int plugin_register_data_set(const data_set_t *ds) {
  if (ds == NULL || ds->type[0] == '\0' || ds->ds_num == 0 || ds->ds == NULL)
    return -EINVAL;
  plugin_t *owner = plugin__current_owner();

  /* Allocated before taking the lock; `fresh` is freed if the type is
   * there already. */
  ds_reg_t *r = calloc(1, sizeof(*r));
  ds_type_t *fresh = calloc(1, sizeof(*fresh));
  if (r == NULL || fresh == NULL) {
    free(r);
    free(fresh);
    return -ENOMEM;
  }

  pthread_rwlock_wrlock(&ds_lock);
  r->def = def_intern_locked(ds);
  if (r->def == NULL) {
    pthread_rwlock_unlock(&ds_lock);
    free(r);
    free(fresh);
    return -ENOMEM;
  }
  r->owner = owner;
  ds_type_t *t = *find_locked(ds->type);
  if (t != NULL) {
    /* Its earlier registration goes; t may be left empty for a moment. */
    type_drop_owner_locked(t, owner);
  } else {
    t = fresh;
    fresh = NULL;
    t->next = buckets[ds_hash(ds->type)];
    buckets[ds_hash(ds->type)] = t;
  }
  r->below = t->top;
  t->top = r;
  atomic_fetch_add(&generation, 1);
  pthread_rwlock_unlock(&ds_lock);
  free(fresh);
  return 0;
}

/* Takes away the caller's own registration of the type, or, if it has
 * none, the one in force (collectd 5.12 removes the type, whoever
 * registered it; with several owners, the caller's is the one it means). */
int plugin_unregister_data_set(const char *name) {
  if (name == NULL)
    return -EINVAL;
  plugin_t *owner = plugin__current_owner();
  pthread_rwlock_wrlock(&ds_lock);
  ds_type_t **tp = find_locked(name);
  ds_type_t *t = *tp;
  if (t != NULL) {
    if (!type_drop_owner_locked(t, owner))
      type_drop_owner_locked(t, t->top->owner);
    type_free_if_empty_locked(tp);
    atomic_fetch_add(&generation, 1);
  }
  pthread_rwlock_unlock(&ds_lock);
  return t != NULL ? 0 : -ENOENT;
}

void types_remove_owner(plugin_t *owner) {
  if (owner == NULL)
    return;
  bool changed = false;
  pthread_rwlock_wrlock(&ds_lock);
  for (int i = 0; i < DS_BUCKETS; i++) {
    ds_type_t **tp = &buckets[i];
    while (*tp != NULL) {
      if (type_drop_owner_locked(*tp, owner))
        changed = true;
      if (!type_free_if_empty_locked(tp))
        tp = &(*tp)->next;
    }
  }
  if (changed)
    atomic_fetch_add(&generation, 1);
  pthread_rwlock_unlock(&ds_lock);
}

const data_set_t *plugin_get_ds(const char *name) {
  if (name == NULL)
    return NULL;
  unsigned long gen = atomic_load_explicit(&generation, memory_order_acquire);
  if (last_lookup.generation == gen && last_lookup.ds != NULL &&
      strcasecmp(last_lookup.ds->type, name) == 0)
    return last_lookup.ds;

  pthread_rwlock_rdlock(&ds_lock);
  gen = atomic_load_explicit(&generation, memory_order_relaxed);
  ds_type_t *t = *find_locked(name);
  const data_set_t *ds = t != NULL ? &t->top->def->ds : NULL;
  pthread_rwlock_unlock(&ds_lock);
  if (ds == NULL) {
    DEBUG("No such dataset registered: %s", name);
    return NULL;
  }
  last_lookup.generation = gen;
  last_lookup.ds = ds;
  return ds;
}

void types_destroy_all(void) {
  pthread_rwlock_wrlock(&ds_lock);
  for (int i = 0; i < DS_BUCKETS; i++) {
    while (buckets[i] != NULL) {
      ds_type_t *t = buckets[i];
      buckets[i] = t->next;
      while (t->top != NULL) {
        ds_reg_t *r = t->top;
        t->top = r->below;
        free(r);
      }
      free(t);
    }
    while (def_buckets[i] != NULL) {
      ds_def_t *d = def_buckets[i];
      def_buckets[i] = d->next;
      free(d->ds.ds);
      free(d);
    }
  }
  atomic_fetch_add(&generation, 1);
  pthread_rwlock_unlock(&ds_lock);
}

/* ---- types.db ------------------------------------------------------------ */

static int parse_limit(const char *s, double *ret) {
  if (strcmp(s, "U") == 0) {
    *ret = NAN;
    return 0;
  }
  char *end;
  errno = 0;
  *ret = strtod(s, &end);
  return (errno != 0 || end == s || *end != '\0') ? -EINVAL : 0;
}

static int ds_type_parse(const char *s) {
  static const struct {
    const char *name;
    int type;
  } types[] = {{"COUNTER", DS_TYPE_COUNTER},
               {"GAUGE", DS_TYPE_GAUGE},
               {"DERIVE", DS_TYPE_DERIVE},
               {"ABSOLUTE", DS_TYPE_ABSOLUTE}};
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(types); i++)
    if (strcasecmp(s, types[i].name) == 0)
      return types[i].type;
  return -1;
}

/* One "name:TYPE:min:max" source. */
static int parse_source(char *spec, data_source_t *dsrc, char *errbuf,
                        size_t errlen) {
  char *fields[5];
  int n = 0;
  char *save = NULL;
  for (char *f = strtok_r(spec, ":", &save); f != NULL && n < 5;
       f = strtok_r(NULL, ":", &save))
    fields[n++] = f;
  char q[OCONFIG_EXCERPT_SIZE], q2[OCONFIG_EXCERPT_SIZE];
  if (n != 4) {
    snprintf(errbuf, errlen,
             "data source %s is not of the form name:type:min:max",
             oconfig_excerpt(n > 0 ? fields[0] : spec, true, q, sizeof(q)));
    return -EINVAL;
  }
  size_t len = strlen(fields[0]);
  if (len >= sizeof(dsrc->name)) {
    snprintf(errbuf, errlen,
             "a data source name is %zu bytes long; at most %zu fit", len,
             sizeof(dsrc->name) - 1);
    return -EINVAL;
  }
  snprintf(dsrc->name, sizeof(dsrc->name), "%s", fields[0]);
  if ((dsrc->type = ds_type_parse(fields[1])) < 0) {
    snprintf(errbuf, errlen, "unknown data source type %s",
             oconfig_excerpt(fields[1], true, q, sizeof(q)));
    return -EINVAL;
  }
  if (parse_limit(fields[2], &dsrc->min) != 0 ||
      parse_limit(fields[3], &dsrc->max) != 0) {
    snprintf(errbuf, errlen, "bad minimum or maximum %s:%s",
             oconfig_excerpt(fields[2], true, q, sizeof(q)),
             oconfig_excerpt(fields[3], true, q2, sizeof(q2)));
    return -EINVAL;
  }
  return 0;
}

int types_parse_line(char *line, data_set_t *ds, char *errbuf,
                     size_t errlen) {
  char *hash = strchr(line, '#');
  if (hash != NULL)
    *hash = '\0';

  char *save = NULL;
  char *name = strtok_r(line, " \t\r\n", &save);
  if (name == NULL)
    return 1;
  char q[OCONFIG_EXCERPT_SIZE];
  size_t len = strlen(name);
  if (len >= sizeof(ds->type)) {
    snprintf(errbuf, errlen, "the type name is %zu bytes long; at most %zu fit",
             len, sizeof(ds->type) - 1);
    return -EINVAL;
  }

  /* The rest is a list of sources separated by commas, blanks or both
   * (collectd 5.12's own file has two lines with blanks alone). */
  char *rest = strtok_r(NULL, "", &save);
  if (rest == NULL) {
    snprintf(errbuf, errlen, "type %s has no data sources",
             oconfig_excerpt(name, true, q, sizeof(q)));
    return -EINVAL;
  }
  static const char separators[] = ", \t\r\n";
  size_t count = 1; /* at most one source more than separators */
  for (const char *c = rest; *c; c++)
    count += strchr(separators, *c) != NULL;

  *ds = (data_set_t){0};
  snprintf(ds->type, sizeof(ds->type), "%s", name);
  ds->ds = calloc(count, sizeof(*ds->ds));
  if (ds->ds == NULL)
    return -ENOMEM;

  char *save2 = NULL;
  for (char *spec = strtok_r(rest, separators, &save2); spec != NULL;
       spec = strtok_r(NULL, separators, &save2)) {
    int status = parse_source(spec, &ds->ds[ds->ds_num], errbuf, errlen);
    if (status != 0) {
      free(ds->ds);
      ds->ds = NULL;
      return status;
    }
    ds->ds_num++;
  }
  if (ds->ds_num == 0) {
    snprintf(errbuf, errlen, "type %s has no data sources",
             oconfig_excerpt(name, true, q, sizeof(q)));
    free(ds->ds);
    ds->ds = NULL;
    return -EINVAL;
  }
  return 0;
}

/* Logs that `file` cannot be read, with where it was named. */
static int read_error(const char *file, const char *from, const char *what,
                      int err) {
  char q[OCONFIG_EXCERPT_SIZE];
  oconfig_excerpt(file, true, q, sizeof(q));
  if (from != NULL)
    ERROR("%s: TypesDB: cannot %s %s: %s", from, what, q, strerror(err));
  else
    ERROR("types.db: cannot %s %s: %s", what, q, strerror(err));
  return -err;
}

int read_types_list(const char *file, const char *from) {
  FILE *fh = fopen(file, "r");
  if (fh == NULL)
    return read_error(file, from, "open", errno != 0 ? errno : EIO);

  int status = 0;
  int lineno = 0;
  char *line = NULL;
  size_t cap = 0;
  errno = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, fh)) >= 0) {
    lineno++;
    data_set_t ds;
    char err[512];
    int ret;
    if (strlen(line) != (size_t)n) { /* the rest would go unread */
      snprintf(err, sizeof(err), "NUL byte (is this a text file?)");
      ret = -EINVAL;
    } else {
      ret = types_parse_line(line, &ds, err, sizeof(err));
    }
    if (ret == 1)
      continue;
    if (ret < 0) {
      ERROR("types.db: %s:%d: %s%s%s%s", file, lineno, err,
            from != NULL ? " (TypesDB at " : "", from != NULL ? from : "",
            from != NULL ? ")" : "");
      status = ret;
      continue;
    }
    ret = plugin_register_data_set(&ds);
    free(ds.ds);
    if (ret != 0)
      status = ret;
  }
  /* A directory opens, and fails here (EISDIR). */
  if (ferror(fh))
    status = read_error(file, from, "read", errno != 0 ? errno : EIO);
  free(line);
  fclose(fh);
  return status;
}
