/* vhd2tar_tar.h: the layer tar writer shared by vhd2tar and exportSandbox.
 *
 * Writes a POSIX pax archive (libarchive) to a descriptor, entry by entry,
 * in the shape Docker's layer archiver produces
 * (../shared/spec/gcstools.md §5.2): relative names, directories ending in
 * '/', numeric ids, hard links to the first name seen, xattrs as
 * SCHILY.xattr.NAME records, end-of-archive without record padding. With
 * the overlay whiteout format it turns the disk form of whiteouts back into
 * the AUFS form every layer tar uses (§6.2):
 *   character device 0/0 NAME       -> empty regular file .wh.NAME, 0600
 *   directory, trusted.overlay.opaque=y -> the directory (without that
 *                                          xattr) then DIR/.wh..wh..opq
 * (the rules themselves are lib/whiteout.h's). Callers hand entries in the
 * order they want in the archive. */
#ifndef LCOW_VHD2TAR_TAR_H
#define LCOW_VHD2TAR_TAR_H

#include <stddef.h>
#include <stdint.h>

enum vtar_whiteout {
	VTAR_WHITEOUT_OVERLAY, /* disk holds overlayfs whiteouts: convert (default) */
	VTAR_WHITEOUT_AUFS,    /* disk holds .wh.* files already: copy as they are */
};

struct vtar_time {
	int64_t sec;
	uint32_t nsec;
};

struct vtar_xattr {
	const char *name;
	const void *value;
	size_t len;
};

/* One data region of a sparse file: bytes [offset, offset+length). */
struct vtar_region {
	uint64_t offset, length;
};

struct vtar_entry {
	const char *path;       /* relative, '/'-separated, no trailing '/' */
	uint32_t mode;          /* S_IFMT type bits | permission bits (07777) */
	uint32_t uid, gid;
	struct vtar_time mtime, atime, ctime;
	int has_atime, has_ctime; /* written only when set */
	uint32_t rdev_major, rdev_minor;
	uint64_t size;          /* regular files: logical size */
	const char *symlink;    /* symlinks: the target */
	const char *hardlink;   /* set: a hard link to this earlier path */
	const struct vtar_xattr *xattrs;
	size_t nxattrs;
	/* Sparse regular files: the data regions in ascending order (NULL when
	 * the file is written densely). vtar_data() then still receives every
	 * byte position in order, holes as NULL buffers. */
	const struct vtar_region *regions;
	size_t nregions;
};

struct vtar;

/* Starts an archive on fd. max_bytes > 0 caps the archive's size (the
 * write fails with EFBIG past it), for bounded runs such as fuzzing. */
int vtar_open(struct vtar **out, int fd, enum vtar_whiteout whiteout, uint64_t max_bytes);
/* Writes an entry's header(s). For a regular file that is not a hard link
 * the caller then passes exactly e->size bytes with vtar_data(). */
int vtar_header(struct vtar *t, const struct vtar_entry *e);
/* Entry data; buf == NULL passes len bytes of hole (sparse files only). */
int vtar_data(struct vtar *t, const void *buf, size_t len);
/* Writes the end-of-archive marker and flushes. */
int vtar_finish(struct vtar *t);
void vtar_free(struct vtar *t);
/* Bytes handed to the descriptor so far. */
uint64_t vtar_bytes_written(const struct vtar *t);

/* True when, in this whiteout format, an inode of this mode and device
 * number is a whiteout and is written as WHITEOUT_PREFIX + its name. */
int vtar_is_whiteout(enum vtar_whiteout whiteout, uint32_t mode, uint32_t major, uint32_t minor);

#endif
