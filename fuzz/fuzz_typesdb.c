/* libFuzzer target for the types.db parser (src/daemon/types_list.c): the
 * input is a types.db file, read by read_types_list() as the daemon reads
 * TypesDB, which registers every type of it in the real data set table.
 * Each line is also parsed alone with types_parse_line(), as the file
 * reader sees it (getline(): a line of any length; one with a NUL byte is
 * an error), to know what the table must hold afterwards.
 *
 * Checked besides crashes, leaks and undefined behaviour:
 *  - a parsed type has a name without blanks or '#', at least one data
 *    source, and each source a non-empty name without ':' or separators,
 *    one of the four types;
 *  - after read_types_list(), plugin_get_ds() finds every type, with the
 *    sources of the last line that defined it (names are
 *    case-insensitive);
 *  - read_types_list() fails exactly when a line does, and logs one error
 *    per bad line.
 * The table is emptied after each input.
 *
 * Build: `make fuzz/bin/fuzz_typesdb` (`make fuzz-smoke` builds and runs
 * every target briefly). Run:
 *   fuzz/bin/fuzz_typesdb -max_len=16384 new/ fuzz/corpus/typesdb */
#include "fuzz_core.h"

#include "types_list.h"
#include "utils/common/common.h"

#include <stdint.h>

static char db_path[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  snprintf(db_path, sizeof(db_path), "%s/types.db",
           fuzz_dir_create("fuzz_typesdb"));
  fuzz_log_init();
  return 0;
}

static void check_parsed(const data_set_t *ds) {
  FUZZ_CHECK(memchr(ds->type, '\0', sizeof(ds->type)) != NULL);
  FUZZ_CHECK(ds->type[0] != '\0' && strpbrk(ds->type, " \t\r\n#") == NULL);
  FUZZ_CHECK(ds->ds_num > 0 && ds->ds != NULL);
  for (size_t i = 0; i < ds->ds_num; i++) {
    const data_source_t *s = ds->ds + i;
    FUZZ_CHECK(memchr(s->name, '\0', sizeof(s->name)) != NULL);
    FUZZ_CHECK(s->name[0] != '\0' && strpbrk(s->name, ":, \t\r\n#") == NULL);
    FUZZ_CHECK(s->type == DS_TYPE_COUNTER || s->type == DS_TYPE_GAUGE ||
               s->type == DS_TYPE_DERIVE || s->type == DS_TYPE_ABSOLUTE);
  }
}

static bool limit_same(double a, double b) {
  return (isnan(a) && isnan(b)) || a == b;
}

static bool same_sources(const data_set_t *a, const data_set_t *b) {
  if (a->ds_num != b->ds_num)
    return false;
  for (size_t i = 0; i < a->ds_num; i++)
    if (strcmp(a->ds[i].name, b->ds[i].name) != 0 ||
        a->ds[i].type != b->ds[i].type ||
        !limit_same(a->ds[i].min, b->ds[i].min) ||
        !limit_same(a->ds[i].max, b->ds[i].max))
      return false;
  return true;
}

/* The types one input defines, the last definition of each name. */
typedef struct {
  data_set_t *sets;
  size_t num;
} expected_t;

static void expect(expected_t *e, data_set_t *ds) {
  for (size_t i = 0; i < e->num; i++)
    if (strcasecmp(e->sets[i].type, ds->type) == 0) {
      free(e->sets[i].ds);
      e->sets[i] = *ds;
      return;
    }
  e->sets = realloc(e->sets, (e->num + 1) * sizeof(*e->sets));
  FUZZ_CHECK(e->sets != NULL);
  e->sets[e->num++] = *ds;
}

/* The next line as getline() reads it, NUL-terminated in `line` (room for
 * the whole input), its length in *len; false at the end. */
static bool next_line(const uint8_t *data, size_t size, size_t *pos,
                      char *line, size_t *len) {
  if (*pos >= size)
    return false;
  const uint8_t *nl = memchr(data + *pos, '\n', size - *pos);
  *len = nl != NULL ? (size_t)(nl - (data + *pos)) + 1 : size - *pos;
  memcpy(line, data + *pos, *len);
  line[*len] = '\0';
  *pos += *len;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *line = malloc(size + 1);
  FUZZ_CHECK(line != NULL);
  expected_t e = {0};
  size_t bad = 0;
  size_t pos = 0;
  size_t len;
  while (next_line(data, size, &pos, line, &len)) {
    /* A NUL byte makes the whole line an error, read no further. */
    if (strlen(line) != len) {
      bad++;
      continue;
    }
    data_set_t ds;
    char err[256] = "";
    int status = types_parse_line(line, &ds, err, sizeof(err));
    FUZZ_CHECK(status == 0 || status == 1 || status == -EINVAL);
    if (status == -EINVAL) {
      FUZZ_CHECK(err[0] != '\0');
      bad++;
    } else if (status == 0) {
      check_parsed(&ds);
      expect(&e, &ds);
    }
  }
  free(line);

  fuzz_write_file(db_path, data, size);
  long errors = fuzz_logged(LOG_ERR);
  int status = read_types_list(db_path, NULL);
  FUZZ_CHECK((status != 0) == (bad > 0));
  FUZZ_CHECK(fuzz_logged(LOG_ERR) - errors == (long)bad);

  for (size_t i = 0; i < e.num; i++) {
    const data_set_t *ds = plugin_get_ds(e.sets[i].type);
    FUZZ_CHECK_MSG(ds != NULL, e.sets[i].type);
    FUZZ_CHECK_MSG(strcmp(ds->type, e.sets[i].type) == 0, ds->type);
    FUZZ_CHECK_MSG(same_sources(ds, &e.sets[i]), ds->type);
    free(e.sets[i].ds);
  }
  free(e.sets);
  types_destroy_all();
  return 0;
}
