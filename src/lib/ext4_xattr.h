/* ext4_xattr.h: extended attributes as ext4 stores them (§14): name-prefix
 * indexes, POSIX ACL conversion to ext4's own format (§14.6), and the
 * placement of a file's attributes into the inode's 100-byte area and, when
 * they do not fit, one external 4 KiB block. */
#ifndef LCOW_EXT4_XATTR_H
#define LCOW_EXT4_XATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ext4_format.h"
#include "lib/ext4_types.h"

#define EXT4_XATTR_INDEX_USER 1u
#define EXT4_XATTR_INDEX_POSIX_ACL_ACCESS 2u
#define EXT4_XATTR_INDEX_POSIX_ACL_DEFAULT 3u
#define EXT4_XATTR_INDEX_TRUSTED 4u
#define EXT4_XATTR_INDEX_SECURITY 6u
#define EXT4_XATTR_INDEX_SYSTEM 7u

/* Maps a full attribute name to ext4's index and stored suffix. Returns 0,
 * or -EOPNOTSUPP for names the kernel's ext4 would not serve (unknown
 * namespaces, system.* other than the POSIX ACLs), or -ENAMETOOLONG. */
int ext4_xattr_name_index(const char *name, uint8_t *index, const char **suffix);

/* True for the two POSIX ACL names, whose values need ext4_acl_from_vfs. */
bool ext4_xattr_is_posix_acl(const char *name);

/* Converts a POSIX ACL from the VFS xattr form (version 2, 8-byte entries,
 * as tar carries it) to ext4's on-disk form (version 1, 4-byte entries for
 * USER_OBJ, GROUP_OBJ, MASK and OTHER). out needs len bytes. Returns the
 * converted length or -EINVAL for a malformed ACL. */
int ext4_acl_from_vfs(const void *in, size_t len, uint8_t *out);

/* The result of placing a file's attributes. */
struct ext4_xattr_layout {
	bool in_inode;    /* inode_area holds entries (magic first) */
	bool in_block;    /* block holds entries */
	uint8_t inode_area[EXT4_INODE_XATTR_AREA];
	uint8_t block[EXT4_BLOCK_SIZE];
};

/* Places xs[0..n) (names already validated with ext4_xattr_name_index,
 * ACL values already in ext4 form, no duplicate names): by full name
 * ascending, each into the inode while it fits, else into the block
 * (entries sorted by index, length, name as the kernel's lookup requires).
 * Returns 0 or -E2BIG when they do not fit in the inode plus one block. */
int ext4_xattr_place(const struct ext4_xattr *xs, size_t n, struct ext4_xattr_layout *out);

#endif
