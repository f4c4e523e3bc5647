/* A list of names, or of "/regex/" patterns, that selects which items
 * (interfaces, disks, mount points...) a plugin collects.
 *
 * Function names and meanings are those of collectd 5.12, so plugins written
 * for it compile unchanged. Each plugin links its own copy (the daemon does
 * not export these symbols), so the structure is private to this file pair.
 *
 * Semantics: an empty list ignores nothing. Otherwise, with invert set (the
 * usual default, "collect only what is listed") an item is ignored unless it
 * matches; with invert cleared ("IgnoreSelected true") an item is ignored
 * exactly when it matches. */
#ifndef UTILS_IGNORELIST_H
#define UTILS_IGNORELIST_H 1

struct ignorelist_s;
typedef struct ignorelist_s ignorelist_t;

/* Returns a new empty list, or NULL when out of memory. */
ignorelist_t *ignorelist_create(int invert);

/* Frees the list and every entry; NULL is accepted. */
void ignorelist_free(ignorelist_t *il);

void ignorelist_set_invert(ignorelist_t *il, int invert);

/* Appends `entry`: a plain string matches by equality (case-sensitive);
 * "/.../" is an unanchored extended regular expression.
 * Returns 0, or a negative errno (-EINVAL for an empty entry or a pattern
 * that does not compile, -ENOMEM). */
int ignorelist_add(ignorelist_t *il, const char *entry);

/* Removes the first entry whose text equals `entry`.
 * Returns 0, or -ENOENT if there is none. */
int ignorelist_remove(ignorelist_t *il, const char *entry);

/* Returns 1 if `entry` should be ignored, 0 if it should be collected. */
int ignorelist_match(ignorelist_t *il, const char *entry);

#endif /* UTILS_IGNORELIST_H */
