/* The mounted file systems, as a list that the caller owns. Linux only:
 * read from /proc/self/mounts, which shows the calling process's mount
 * namespace (and never goes stale the way /etc/mtab can). */
#ifndef UTILS_MOUNT_MOUNT_H
#define UTILS_MOUNT_MOUNT_H 1

typedef struct mount_entry_s {
  char *dir;     /* mount point, e.g. "/" or "/dev/shm" */
  char *device;  /* source as the kernel reports it, e.g. "/dev/vda1" */
  char *type;    /* file system type, e.g. "ext4" */
  char *options; /* comma-separated mount options */
  struct mount_entry_s *next;
} mount_entry_t;

/* Reads the mount table in kernel order (duplicates included) into *ret.
 * Returns 0, or a negative errno; on error *ret is NULL. */
int mount_list_read(mount_entry_t **ret);

/* Frees a list returned by mount_list_read(); NULL is accepted. */
void mount_list_free(mount_entry_t *list);

#endif /* UTILS_MOUNT_MOUNT_H */
