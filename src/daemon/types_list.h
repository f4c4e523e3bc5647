/* types.db: the data sets, by type name. */
#ifndef TYPES_LIST_H
#define TYPES_LIST_H

#include "plugin_internal.h"

/* Reads a types.db file and registers every type in it. Returns 0, or a
 * negative errno after logging "file:line: reason" for each bad line (the
 * good lines are registered all the same). `from` says where the file was
 * named ("collectd.conf:5"), for the message when it cannot be read; NULL
 * for the default file. Lines may be of any length. */
int read_types_list(const char *file, const char *from);

/* Parses one types.db line into *ds (ds->ds allocated). Returns 0, 1 for a
 * blank or comment line, or -EINVAL with a reason in errbuf. */
int types_parse_line(char *line, data_set_t *ds, char *errbuf, size_t errlen);

/* Removes the registrations `owner` made (called by the unload before the
 * plugin's record is freed): a type it alone defined is gone; where its
 * registration was in force, the one below it (types.db's or another
 * plugin's) is in force again. Afterwards
 * nothing in the table refers to `owner`. Definitions handed out stay
 * valid (see types_list.c). */
void types_remove_owner(plugin_t *owner);

/* Frees the table and every definition (at exit). */
void types_destroy_all(void);

#endif /* TYPES_LIST_H */
