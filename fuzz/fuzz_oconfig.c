/* libFuzzer target for the configuration parser. Besides crashes and
 * sanitizer reports, it checks the tree's invariants on every input that
 * parses: parent pointers, a location for every item, a clone equal to the
 * original, and a splice that keeps all of that true.
 *
 * Build: `make fuzz/bin/fuzz_oconfig` (`make fuzz-smoke` builds and runs
 * every target briefly). Run:
 *   fuzz/bin/fuzz_oconfig -max_len=4096 new/ fuzz/corpus/oconfig */
#include "liboconfig/oconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int ok) {
  if (!ok)
    abort();
}

static void check_tree(const oconfig_item_t *ci) {
  const char *file = NULL;
  int line = -1;
  check(oconfig_item_source(ci, &file, &line) == 0);
  check(file != NULL && line >= 0);
  check(ci->values_num >= 0 && ci->children_num >= 0);
  for (int i = 0; i < ci->values_num; i++) {
    int type = ci->values[i].type;
    check(type == OCONFIG_TYPE_STRING || type == OCONFIG_TYPE_NUMBER ||
          type == OCONFIG_TYPE_BOOLEAN);
    if (type == OCONFIG_TYPE_STRING)
      check(ci->values[i].value.string != NULL);
  }
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *child = &ci->children[i];
    check(child->parent == ci);
    check(child->key != NULL && child->key[0] != '\0');
    check(child->values_num > 0 || child->children_num > 0); /* no empties */
    check_tree(child);
  }
}

static void check_same(const oconfig_item_t *a, const oconfig_item_t *b) {
  check((a->key == NULL) == (b->key == NULL));
  check(a->key == NULL || strcmp(a->key, b->key) == 0);
  check(a->values_num == b->values_num && a->children_num == b->children_num);
  for (int i = 0; i < a->values_num; i++) {
    check(a->values[i].type == b->values[i].type);
    if (a->values[i].type == OCONFIG_TYPE_STRING)
      check(strcmp(a->values[i].value.string, b->values[i].value.string) == 0);
  }
  for (int i = 0; i < a->children_num; i++)
    check_same(&a->children[i], &b->children[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  oconfig_item_t *root = NULL;
  if (oconfig_parse_buffer((const char *)data, size, "fuzz.conf", &root, err,
                           sizeof(err)) != 0) {
    check(root == NULL);
    check(strncmp(err, "fuzz.conf:", 10) == 0);
    return 0;
  }
  check(root != NULL && root->key == NULL && root->parent == NULL);
  check_tree(root);

  oconfig_item_t *copy = oconfig_clone(root);
  check(copy != NULL);
  check_same(root, copy);
  check_tree(copy);

  /* Move the copy's statements into the middle of the original. */
  int at = root->children_num / 2;
  int remove = root->children_num > at ? 1 : 0;
  int expect = root->children_num - remove + copy->children_num;
  check(oconfig_children_splice(root, at, remove, copy) == 0);
  check(root->children_num == expect);
  check_tree(root);
  oconfig_free(root);
  return 0;
}
