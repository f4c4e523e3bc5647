/* Reads /proc/self/mounts; see mount.h. */
#include "collectd.h"

#include "utils/mount/mount.h"

#include <mntent.h>

#define MOUNT_TABLE "/proc/self/mounts"

static void mount__entry_free(mount_entry_t *m) {
  free(m->dir);
  free(m->device);
  free(m->type);
  free(m->options);
  free(m);
}

void mount_list_free(mount_entry_t *list) {
  while (list != NULL) {
    mount_entry_t *next = list->next;
    mount__entry_free(list);
    list = next;
  }
}

static mount_entry_t *mount__entry_new(const struct mntent *me) {
  mount_entry_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return NULL;
  m->dir = strdup(me->mnt_dir);
  m->device = strdup(me->mnt_fsname);
  m->type = strdup(me->mnt_type);
  m->options = strdup(me->mnt_opts);
  if (m->dir == NULL || m->device == NULL || m->type == NULL ||
      m->options == NULL) {
    mount__entry_free(m);
    return NULL;
  }
  return m;
}

int mount_list_read(mount_entry_t **ret) {
  *ret = NULL;

  FILE *fh = setmntent(MOUNT_TABLE, "r");
  if (fh == NULL)
    return errno ? -errno : -EIO;

  mount_entry_t *head = NULL;
  mount_entry_t **tail = &head;
  /* getmntent_r: other plugins may walk the table from other read threads,
   * and getmntent()'s static buffer would be shared with them. */
  struct mntent me;
  char buf[4096];
  while (getmntent_r(fh, &me, buf, sizeof(buf)) != NULL) {
    mount_entry_t *m = mount__entry_new(&me);
    if (m == NULL) {
      endmntent(fh);
      mount_list_free(head);
      return -ENOMEM;
    }
    *tail = m;
    tail = &m->next;
  }

  endmntent(fh);
  *ret = head;
  return 0;
}
