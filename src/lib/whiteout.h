/* whiteout.h: the AUFS <-> overlayfs whiteout rules, in both directions
 * (../shared/spec/gcstools.md §6, ../shared/spec/ext4-writer.md §17.5).
 *
 * Docker layer tars use the AUFS convention: an entry `DIR/.wh.NAME` deletes
 * NAME from lower layers and `DIR/.wh..wh..opq` makes DIR opaque. Inside a
 * layer disk the kernel's overlayfs convention is used instead: a character
 * device 0/0 named NAME, and the xattr trusted.overlay.opaque=y on DIR.
 * tar2vhd converts tar -> disk; vhd2tar and exportSandbox convert back.
 * Pure string rules, no I/O. */
#ifndef LCOW_WHITEOUT_H
#define LCOW_WHITEOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE_NAME ".wh..wh..opq"
#define WHITEOUT_OPAQUE_XATTR "trusted.overlay.opaque"
#define WHITEOUT_OPAQUE_VALUE "y"
/* The whiteout inode on disk: a character device 0/0, permissions 0000. */
#define WHITEOUT_DISK_MODE 0020000u
/* The `.wh.NAME` file emitted into a tar: empty, regular, 0600 (§6.2). */
#define WHITEOUT_TAR_FILE_MODE 0100600u

enum whiteout_kind {
	WHITEOUT_NONE,    /* an ordinary entry */
	WHITEOUT_FILE,    /* `.wh.NAME`: NAME is deleted */
	WHITEOUT_OPAQUE,  /* `.wh..wh..opq`: the parent directory is opaque */
	WHITEOUT_INVALID, /* `.wh.`, `.wh..`, `.wh...`: names nothing */
};

/* Classifies a tar entry name by its last component, as the tar spells it
 * (a name ending in '/' is never a whiteout). For WHITEOUT_FILE, *hidden and
 * *hidden_len (if non-NULL) give NAME inside `name`; for WHITEOUT_FILE and
 * WHITEOUT_OPAQUE, *dir_len (if non-NULL) is the length of the directory
 * part including its trailing '/' (0 at the top level), so the disk path is
 * name[0..dir_len) + NAME. */
enum whiteout_kind whiteout_classify_tar_name(const char *name, size_t *dir_len, const char **hidden,
					      size_t *hidden_len);

/* True for an inode that is an overlay whiteout: a character device 0/0. */
bool whiteout_is_disk_whiteout(uint32_t mode, uint32_t rdev_major, uint32_t rdev_minor);

/* True when an opaque xattr value marks an opaque directory (exactly "y"). */
bool whiteout_is_opaque_value(const void *value, size_t len);

/* The tar name for a disk whiteout at `path` ("a/b/c" -> "a/b/.wh.c").
 * Writes a NUL-terminated name into out; returns its length, or
 * -ENAMETOOLONG if it does not fit, -EINVAL for an empty base name. */
int whiteout_tar_name_for_whiteout(const char *path, char *out, size_t out_size);

/* The tar name of the opaque marker for directory `dir` ("a/b" ->
 * "a/b/.wh..wh..opq"; "" or "." -> ".wh..wh..opq"). A trailing '/' on dir
 * is accepted. Returns the length or -ENAMETOOLONG. */
int whiteout_tar_name_for_opaque(const char *dir, char *out, size_t out_size);

#endif
