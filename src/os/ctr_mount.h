/* ctr_mount.h: the storage mounts of a container (gcs-protocol.md §7.1,
 * §7.3 mount, §7.4 mount, §7.6 unmount helper).
 *
 * Every function that creates something undoes it when it fails, so a bad
 * request leaves no mount or directory behind. */
#ifndef LCOW_CTR_MOUNT_H
#define LCOW_CTR_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p with MODE for the components it creates. */
int ctr_mkdir_p(const char *path, mode_t mode);

/* §7.3 step 4: 1 when DEV carries an ext4 superblock (magic 0xEF53 at
 * byte 1080), 0 when not, negative errno when unreadable. */
int ctr_device_is_ext4(const char *dev);
/* 1 when the first 64 KiB of DEV are all zero (a blank scratch disk). */
int ctr_device_is_blank(const char *dev);

/* Formats DEV as ext4 with mkfs.ext4. */
int ctr_format_ext4(const char *dev);

struct ctr_disk_mount {
	const char *dev;
	const char *target;
	bool read_only;
	const char *filesystem;   /* NULL/"" → detect (ext4) */
	bool ensure_filesystem;   /* format when the detected type differs */
	const char *const *options; /* §6.1.6 words; propagation ones applied */
	size_t n_options;
	unsigned retry_ms;        /* retry while mount fails with ENOENT/ENXIO */
};
/* §7.3 mount: mkdir -p TARGET (0700), mount, propagation remounts. On
 * failure TARGET is removed again if this call created it. */
int ctr_mount_disk(const struct ctr_disk_mount *m);

/* §7.1 V4 CombinedLayers: overlay at TARGET of LOWERS (first = top-most);
 * SCRATCH NULL → read-only overlay, else upper/work below SCRATCH. */
int ctr_mount_overlay(const char *const *lowers, size_t n, const char *scratch, const char *target);

/* §7.6: target absent → 0; umount up to 5 times until EINVAL; then
 * rmdir TARGET when REMOVE. */
int ctr_unmount(const char *target, bool remove);

/* §7.6 "unmount everything under P" (deepest first), P itself included. */
int ctr_unmount_all_under(const char *prefix);

/* 1 if PATH is a mount point (per /proc/self/mountinfo), 0 if not. */
int ctr_is_mount_point(const char *path);

/* rm -rf PATH that never crosses into another file system: a mount point
 * found below PATH is an error (-EBUSY) and left alone (§4.2.11). Absent
 * PATH → 0. */
int ctr_remove_tree(const char *path);

#endif
