/* ext4_types.h: the few ext4 vocabulary types the writer's callers need
 * (entry file types, attributes), kept apart from the on-disk layouts in
 * ext4_format.h so a caller can include libext2fs's headers alongside. */
#ifndef LCOW_EXT4_TYPES_H
#define LCOW_EXT4_TYPES_H

#include <stdint.h>

/* §10.1 directory entry file types */
enum ext4_file_type {
	EXT4_FT_UNKNOWN = 0,
	EXT4_FT_REG_FILE = 1,
	EXT4_FT_DIR = 2,
	EXT4_FT_CHRDEV = 3,
	EXT4_FT_BLKDEV = 4,
	EXT4_FT_FIFO = 5,
	EXT4_FT_SOCK = 6,
	EXT4_FT_SYMLINK = 7,
};

/* One extended attribute by its full name, e.g. "security.capability". */
struct ext4_xattr {
	const char *name;
	const void *value;
	uint32_t len;
};

#endif
