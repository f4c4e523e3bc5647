/* AVL tree with parent links. Parent links make in-order iteration O(1)
 * amortised without a stack, and let rebalancing walk up from the changed
 * node. Each node stores the height of its subtree; after every change the
 * heights on the path to the root are refreshed and any node whose
 * children differ by more than one is rotated. */
#include "utils/avltree/avltree.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct c_avl_node_s {
  void *key;
  void *value;
  int height; /* of the subtree rooted here; a leaf has 1 */
  struct c_avl_node_s *left;
  struct c_avl_node_s *right;
  struct c_avl_node_s *parent;
} c_avl_node_t;

struct c_avl_tree_s {
  c_avl_node_t *root;
  int (*compare)(const void *, const void *);
  int size;
};

struct c_avl_iterator_s {
  c_avl_tree_t *tree;
  c_avl_node_t *node; /* last node returned; NULL before the first step */
};

/* ---- heights and rotations ---------------------------------------------- */

static int height(const c_avl_node_t *n) { return (n != NULL) ? n->height : 0; }

static void update_height(c_avl_node_t *n) {
  int l = height(n->left);
  int r = height(n->right);
  n->height = 1 + ((l > r) ? l : r);
}

static int balance(const c_avl_node_t *n) {
  return height(n->left) - height(n->right);
}

/* Makes `new_child` take the place of `old_child` under `parent`. */
static void replace_child(c_avl_tree_t *t, c_avl_node_t *parent,
                          c_avl_node_t *old_child, c_avl_node_t *new_child) {
  if (parent == NULL)
    t->root = new_child;
  else if (parent->left == old_child)
    parent->left = new_child;
  else
    parent->right = new_child;
  if (new_child != NULL)
    new_child->parent = parent;
}

/* x's right child y becomes the subtree root; returns y. */
static c_avl_node_t *rotate_left(c_avl_tree_t *t, c_avl_node_t *x) {
  c_avl_node_t *y = x->right;
  x->right = y->left;
  if (y->left != NULL)
    y->left->parent = x;
  replace_child(t, x->parent, x, y);
  y->left = x;
  x->parent = y;
  update_height(x);
  update_height(y);
  return y;
}

/* Mirror image of rotate_left(). */
static c_avl_node_t *rotate_right(c_avl_tree_t *t, c_avl_node_t *x) {
  c_avl_node_t *y = x->left;
  x->left = y->right;
  if (y->right != NULL)
    y->right->parent = x;
  replace_child(t, x->parent, x, y);
  y->right = x;
  x->parent = y;
  update_height(x);
  update_height(y);
  return y;
}

/* Restores the height and balance invariants from `n` up to the root. */
static void rebalance_up(c_avl_tree_t *t, c_avl_node_t *n) {
  while (n != NULL) {
    update_height(n);
    int b = balance(n);
    if (b > 1) {
      if (balance(n->left) < 0) /* left-right case */
        rotate_left(t, n->left);
      n = rotate_right(t, n);
    } else if (b < -1) {
      if (balance(n->right) > 0) /* right-left case */
        rotate_right(t, n->right);
      n = rotate_left(t, n);
    }
    n = n->parent;
  }
}

/* ---- navigation ---------------------------------------------------------- */

static c_avl_node_t *leftmost(c_avl_node_t *n) {
  while (n != NULL && n->left != NULL)
    n = n->left;
  return n;
}

static c_avl_node_t *rightmost(c_avl_node_t *n) {
  while (n != NULL && n->right != NULL)
    n = n->right;
  return n;
}

static c_avl_node_t *successor(c_avl_node_t *n) {
  if (n->right != NULL)
    return leftmost(n->right);
  while (n->parent != NULL && n->parent->right == n)
    n = n->parent;
  return n->parent;
}

static c_avl_node_t *predecessor(c_avl_node_t *n) {
  if (n->left != NULL)
    return rightmost(n->left);
  while (n->parent != NULL && n->parent->left == n)
    n = n->parent;
  return n->parent;
}

static c_avl_node_t *find(const c_avl_tree_t *t, const void *key) {
  c_avl_node_t *n = t->root;
  while (n != NULL) {
    int cmp = t->compare(key, n->key);
    if (cmp == 0)
      return n;
    n = (cmp < 0) ? n->left : n->right;
  }
  return NULL;
}

/* Unlinks and frees `n`, which has at most one child. */
static void unlink_node(c_avl_tree_t *t, c_avl_node_t *n) {
  c_avl_node_t *child = (n->left != NULL) ? n->left : n->right;
  c_avl_node_t *parent = n->parent;
  replace_child(t, parent, n, child);
  free(n);
  t->size--;
  rebalance_up(t, parent);
}

/* ---- public API ---------------------------------------------------------- */

c_avl_tree_t *c_avl_create(int (*compare)(const void *, const void *)) {
  if (compare == NULL)
    return NULL;
  c_avl_tree_t *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return NULL;
  t->compare = compare;
  return t;
}

/* Recursion depth is the tree height, about 1.44 log2(size). */
static void free_subtree(c_avl_node_t *n) {
  if (n == NULL)
    return;
  free_subtree(n->left);
  free_subtree(n->right);
  free(n);
}

void c_avl_destroy(c_avl_tree_t *t) {
  if (t == NULL)
    return;
  free_subtree(t->root);
  free(t);
}

int c_avl_insert(c_avl_tree_t *t, void *key, void *value) {
  if (t == NULL)
    return -1;

  c_avl_node_t *parent = NULL;
  c_avl_node_t **link = &t->root;
  while (*link != NULL) {
    int cmp = t->compare(key, (*link)->key);
    if (cmp == 0)
      return 1;
    parent = *link;
    link = (cmp < 0) ? &parent->left : &parent->right;
  }

  c_avl_node_t *n = calloc(1, sizeof(*n));
  if (n == NULL)
    return -1;
  n->key = key;
  n->value = value;
  n->height = 1;
  n->parent = parent;
  *link = n;
  t->size++;

  rebalance_up(t, parent);
  return 0;
}

int c_avl_remove(c_avl_tree_t *t, const void *key, void **rkey,
                 void **rvalue) {
  if (t == NULL)
    return -1;
  c_avl_node_t *n = find(t, key);
  if (n == NULL)
    return -1;

  if (rkey != NULL)
    *rkey = n->key;
  if (rvalue != NULL)
    *rvalue = n->value;

  /* A node with two children takes its successor's entry; the successor
   * (which has no left child) is the node that goes away. */
  if (n->left != NULL && n->right != NULL) {
    c_avl_node_t *s = leftmost(n->right);
    n->key = s->key;
    n->value = s->value;
    n = s;
  }
  unlink_node(t, n);
  return 0;
}

int c_avl_get(c_avl_tree_t *t, const void *key, void **value) {
  if (t == NULL)
    return -1;
  c_avl_node_t *n = find(t, key);
  if (n == NULL)
    return -1;
  if (value != NULL)
    *value = n->value;
  return 0;
}

int c_avl_exists(c_avl_tree_t *t, const void *key) {
  return (t != NULL && find(t, key) != NULL) ? 1 : 0;
}

int c_avl_pick(c_avl_tree_t *t, void **key, void **value) {
  if (t == NULL || t->root == NULL || key == NULL || value == NULL)
    return -1;

  /* Walk down the taller side to a leaf: removing a leaf needs the least
   * rebalancing, and taking from the taller side keeps the tree even. */
  c_avl_node_t *n = t->root;
  while (n->left != NULL || n->right != NULL)
    n = (height(n->left) >= height(n->right)) ? n->left : n->right;

  *key = n->key;
  *value = n->value;
  unlink_node(t, n);
  return 0;
}

c_avl_iterator_t *c_avl_get_iterator(c_avl_tree_t *t) {
  if (t == NULL)
    return NULL;
  c_avl_iterator_t *iter = calloc(1, sizeof(*iter));
  if (iter == NULL)
    return NULL;
  iter->tree = t;
  return iter;
}

/* Moves the iterator to `n` and reports its entry; stays put at the end. */
static int iterator_step(c_avl_iterator_t *iter, c_avl_node_t *n, void **key,
                         void **value) {
  if (n == NULL)
    return -1;
  iter->node = n;
  *key = n->key;
  *value = n->value;
  return 0;
}

int c_avl_iterator_next(c_avl_iterator_t *iter, void **key, void **value) {
  if (iter == NULL || key == NULL || value == NULL)
    return -1;
  c_avl_node_t *n = (iter->node == NULL) ? leftmost(iter->tree->root)
                                         : successor(iter->node);
  return iterator_step(iter, n, key, value);
}

int c_avl_iterator_prev(c_avl_iterator_t *iter, void **key, void **value) {
  if (iter == NULL || key == NULL || value == NULL)
    return -1;
  c_avl_node_t *n = (iter->node == NULL) ? rightmost(iter->tree->root)
                                         : predecessor(iter->node);
  return iterator_step(iter, n, key, value);
}

void c_avl_iterator_destroy(c_avl_iterator_t *iter) { free(iter); }

int c_avl_size(c_avl_tree_t *t) { return (t != NULL) ? t->size : 0; }

/* ---- invariant check (unit tests only) ----------------------------------- */

/* Returns the subtree's height, or -1 if an invariant is broken: order
 * against the bounding nodes, parent links, stored heights, balance. */
static int check_subtree(const c_avl_tree_t *t, const c_avl_node_t *n,
                         const c_avl_node_t *parent, const c_avl_node_t *lo,
                         const c_avl_node_t *hi, int *count) {
  if (n == NULL)
    return 0;
  if (n->parent != parent)
    return -1;
  if ((lo != NULL && t->compare(n->key, lo->key) <= 0) ||
      (hi != NULL && t->compare(n->key, hi->key) >= 0))
    return -1;
  int l = check_subtree(t, n->left, n, lo, n, count);
  int r = check_subtree(t, n->right, n, n, hi, count);
  if (l < 0 || r < 0 || l - r > 1 || r - l > 1)
    return -1;
  int h = 1 + ((l > r) ? l : r);
  if (h != n->height)
    return -1;
  (*count)++;
  return h;
}

int c_avl__check(c_avl_tree_t *t) {
  int count = 0;
  int h = check_subtree(t, t->root, NULL, NULL, NULL, &count);
  if (h < 0 || count != t->size)
    return -1;
  return h;
}
