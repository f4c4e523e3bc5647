/* An ordered map from opaque keys to opaque values: a height-balanced
 * (AVL) binary tree. Keys and values are stored as given, never copied or
 * freed by the tree. Not thread-safe: callers lock around it.
 *
 * Names and signatures match collectd 5.12 (plugins call them). */
#ifndef UTILS_AVLTREE_AVLTREE_H
#define UTILS_AVLTREE_AVLTREE_H 1

struct c_avl_tree_s;
typedef struct c_avl_tree_s c_avl_tree_t;

struct c_avl_iterator_s;
typedef struct c_avl_iterator_s c_avl_iterator_t;

/* `compare` orders two keys like strcmp() does. NULL on failure. */
c_avl_tree_t *c_avl_create(int (*compare)(const void *, const void *));
/* Frees the tree, not the keys and values it holds. */
void c_avl_destroy(c_avl_tree_t *t);

/* Stores `key` -> `value`. Returns 0, > 0 if the key is already present (the
 * tree is unchanged), < 0 on error. The key must outlive its entry. */
int c_avl_insert(c_avl_tree_t *t, void *key, void *value);
/* Removes `key`; the stored key and value are handed back through rkey and
 * rvalue (either may be NULL) so the caller can free them. 0, or non-zero
 * if the key is absent. */
int c_avl_remove(c_avl_tree_t *t, const void *key, void **rkey, void **rvalue);
/* Looks `key` up; `value` may be NULL. 0, or non-zero if absent. */
int c_avl_get(c_avl_tree_t *t, const void *key, void **value);
/* 1 if `key` is present, 0 if not (an extension; 5.12 lacks it). */
int c_avl_exists(c_avl_tree_t *t, const void *key);
/* Removes some entry, in no particular order, to empty a tree one entry at
 * a time. 0, or non-zero if the tree is empty or key/value is NULL. */
int c_avl_pick(c_avl_tree_t *t, void **key, void **value);

/* Walks the tree in key order. The first next() yields the smallest key,
 * the first prev() the largest; at either end they return non-zero and
 * stay put. key and value must not be NULL. The tree must not change
 * while an iterator exists. */
c_avl_iterator_t *c_avl_get_iterator(c_avl_tree_t *t);
int c_avl_iterator_next(c_avl_iterator_t *iter, void **key, void **value);
int c_avl_iterator_prev(c_avl_iterator_t *iter, void **key, void **value);
void c_avl_iterator_destroy(c_avl_iterator_t *iter);

/* Number of entries; 0 for NULL. */
int c_avl_size(c_avl_tree_t *t);

/* Internal, for unit tests: checks every invariant (order, balance, stored
 * heights, parent links, size) and returns the tree's height, or -1. */
int c_avl__check(c_avl_tree_t *t);

#endif /* UTILS_AVLTREE_AVLTREE_H */
