/* The data set table and the types.db parser.
 *
 * The table is read on every dispatch, so lookups take only a read lock on
 * a hash table. A data set that is replaced or unregistered is not freed at
 * once -- a write queue entry may still point at it -- but kept on a
 * retired list until exit. */
#include "types_list.h"
#include "utils/common/common.h"

#include <pthread.h>
#include <stdatomic.h>

#define DS_BUCKETS 512

typedef struct ds_entry_s ds_entry_t;
struct ds_entry_s {
  data_set_t ds;
  ds_entry_t *next;
  /* The plugin that registered it (NULL: types.db), and the entry it
   * replaced, which comes back when that plugin is unloaded. */
  plugin_t *owner;
  ds_entry_t *replaced;
};

/* Protects buckets[] and retired. */
static pthread_rwlock_t ds_lock = PTHREAD_RWLOCK_INITIALIZER;
static ds_entry_t *buckets[DS_BUCKETS];
static ds_entry_t *retired;
/* Bumped by every change of the table. Each thread remembers its last
 * lookup with the generation it saw, so that a plugin dispatching one type
 * over and over takes no lock at all; a retired data set stays valid, so a
 * stale hit can only be refused, never dangle. */
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

static ds_entry_t **find_locked(const char *name) {
  ds_entry_t **pp = &buckets[ds_hash(name)];
  while (*pp != NULL && strcasecmp((*pp)->ds.type, name) != 0)
    pp = &(*pp)->next;
  return pp;
}

static void retire_locked(ds_entry_t *e) {
  e->next = retired;
  retired = e;
}

int plugin_register_data_set(const data_set_t *ds) {
  if (ds == NULL || ds->type[0] == '\0' || ds->ds_num == 0 || ds->ds == NULL)
    return -EINVAL;

  ds_entry_t *e = calloc(1, sizeof(*e));
  if (e == NULL)
    return -ENOMEM;
  e->ds = *ds;
  e->ds.ds = calloc(ds->ds_num, sizeof(*ds->ds));
  if (e->ds.ds == NULL) {
    free(e);
    return -ENOMEM;
  }
  memcpy(e->ds.ds, ds->ds, ds->ds_num * sizeof(*ds->ds));
  e->owner = plugin__current_owner();

  pthread_rwlock_wrlock(&ds_lock);
  ds_entry_t **pp = find_locked(ds->type);
  if (*pp != NULL) {
    ds_entry_t *old = *pp;
    *pp = old->next;
    retire_locked(old);
    e->replaced = old;
  }
  e->next = buckets[ds_hash(ds->type)];
  buckets[ds_hash(ds->type)] = e;
  atomic_fetch_add(&generation, 1);
  pthread_rwlock_unlock(&ds_lock);
  return 0;
}

int plugin_unregister_data_set(const char *name) {
  if (name == NULL)
    return -EINVAL;
  pthread_rwlock_wrlock(&ds_lock);
  ds_entry_t **pp = find_locked(name);
  ds_entry_t *e = *pp;
  if (e != NULL) {
    *pp = e->next;
    retire_locked(e);
    atomic_fetch_add(&generation, 1);
  }
  pthread_rwlock_unlock(&ds_lock);
  return e != NULL ? 0 : -ENOENT;
}

/* A fresh copy of a retired entry, to put back in the table. */
static ds_entry_t *entry_revive(const ds_entry_t *old) {
  ds_entry_t *e = calloc(1, sizeof(*e));
  if (e == NULL || (e->ds.ds = calloc(old->ds.ds_num, sizeof(*e->ds.ds))) ==
                       NULL) {
    free(e);
    return NULL;
  }
  e->ds.ds_num = old->ds.ds_num;
  sstrncpy(e->ds.type, old->ds.type, sizeof(e->ds.type));
  memcpy(e->ds.ds, old->ds.ds, old->ds.ds_num * sizeof(*old->ds.ds));
  e->owner = old->owner;
  e->replaced = old->replaced;
  return e;
}

void types_remove_owner(plugin_t *owner) {
  if (owner == NULL)
    return;
  pthread_rwlock_wrlock(&ds_lock);
  for (int i = 0; i < DS_BUCKETS; i++) {
    ds_entry_t **pp = &buckets[i];
    while (*pp != NULL) {
      ds_entry_t *e = *pp;
      if (e->owner != owner) {
        pp = &e->next;
        continue;
      }
      *pp = e->next;
      retire_locked(e);
      ds_entry_t *back = e->replaced != NULL ? entry_revive(e->replaced)
                                             : NULL;
      if (back != NULL) {
        back->next = *pp;
        *pp = back;
        pp = &back->next;
      }
    }
  }
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
  ds_entry_t *e = *find_locked(name);
  pthread_rwlock_unlock(&ds_lock);
  if (e != NULL) {
    last_lookup.generation = gen;
    last_lookup.ds = &e->ds;
  }
  if (e == NULL) {
    DEBUG("No such dataset registered: %s", name);
    return NULL;
  }
  return &e->ds;
}

static void free_chain(ds_entry_t *e) {
  while (e != NULL) {
    ds_entry_t *next = e->next;
    free(e->ds.ds);
    free(e);
    e = next;
  }
}

void types_destroy_all(void) {
  pthread_rwlock_wrlock(&ds_lock);
  for (int i = 0; i < DS_BUCKETS; i++) {
    free_chain(buckets[i]);
    buckets[i] = NULL;
  }
  free_chain(retired);
  retired = NULL;
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
  if (n != 4) {
    snprintf(errbuf, errlen,
             "data source \"%s\" is not of the form name:type:min:max",
             fields[0] != NULL && n > 0 ? fields[0] : spec);
    return -EINVAL;
  }
  if (strlen(fields[0]) >= sizeof(dsrc->name)) {
    snprintf(errbuf, errlen, "data source name \"%s\" is too long",
             fields[0]);
    return -EINVAL;
  }
  snprintf(dsrc->name, sizeof(dsrc->name), "%s", fields[0]);
  if ((dsrc->type = ds_type_parse(fields[1])) < 0) {
    snprintf(errbuf, errlen, "unknown data source type \"%s\"", fields[1]);
    return -EINVAL;
  }
  if (parse_limit(fields[2], &dsrc->min) != 0 ||
      parse_limit(fields[3], &dsrc->max) != 0) {
    snprintf(errbuf, errlen, "bad minimum or maximum \"%s:%s\"", fields[2],
             fields[3]);
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
  if (strlen(name) >= sizeof(ds->type)) {
    snprintf(errbuf, errlen, "type name \"%s\" is too long", name);
    return -EINVAL;
  }

  /* The rest is a list of sources separated by commas, blanks or both
   * (collectd 5.12's own file has two lines with blanks alone). */
  char *rest = strtok_r(NULL, "", &save);
  if (rest == NULL) {
    snprintf(errbuf, errlen, "type \"%s\" has no data sources", name);
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
    snprintf(errbuf, errlen, "type \"%s\" has no data sources", name);
    free(ds->ds);
    ds->ds = NULL;
    return -EINVAL;
  }
  return 0;
}

int read_types_list(const char *file) {
  FILE *fh = fopen(file, "r");
  if (fh == NULL) {
    int err = errno;
    ERROR("types.db: cannot open \"%s\": %s", file, strerror(err));
    return -err;
  }

  int status = 0;
  int lineno = 0;
  char line[4096];
  while (fgets(line, sizeof(line), fh) != NULL) {
    lineno++;
    data_set_t ds;
    char err[256];
    int ret = types_parse_line(line, &ds, err, sizeof(err));
    if (ret == 1)
      continue;
    if (ret < 0) {
      ERROR("types.db: %s:%d: %s", file, lineno, err);
      status = ret;
      continue;
    }
    ret = plugin_register_data_set(&ds);
    free(ds.ds);
    if (ret != 0)
      status = ret;
  }
  fclose(fh);
  return status;
}
