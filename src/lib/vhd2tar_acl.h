/* vhd2tar_acl.h: POSIX ACL xattr values, ext4 on-disk form -> VFS form.
 *
 * ext4 stores system.posix_acl_access / system.posix_acl_default in its own
 * compact format (version 1, short 4-byte entries for the owner, group,
 * mask and other tags); tar archives (SCHILY.xattr.system.posix_acl_*) and
 * setxattr(2) carry the kernel's VFS format (version 2, 8-byte entries with
 * an id for every tag). ../shared/spec/ext4-writer.md §14.6 describes the
 * forward conversion; this is the way back. */
#ifndef LCOW_VHD2TAR_ACL_H
#define LCOW_VHD2TAR_ACL_H

#include <stddef.h>
#include <stdint.h>

#define ACL_EXT4_VERSION 1u
#define ACL_VFS_VERSION 2u

enum acl_tag {
	ACL_TAG_USER_OBJ = 0x01,
	ACL_TAG_USER = 0x02,
	ACL_TAG_GROUP_OBJ = 0x04,
	ACL_TAG_GROUP = 0x08,
	ACL_TAG_MASK = 0x10,
	ACL_TAG_OTHER = 0x20,
};

/* The id the kernel puts in VFS entries whose tag carries none. */
#define ACL_VFS_UNDEFINED_ID 0xFFFFFFFFu

/* True for the two xattr names that hold POSIX ACLs. */
int acl_xattr_name_is_posix_acl(const char *name);

/* Converts an ext4 on-disk ACL value (version 1) to the VFS form (version
 * 2). A value that is already in VFS form (written verbatim by a writer that
 * skipped the forward conversion) is validated and copied unchanged.
 * On success *out is a malloc'd buffer of *out_len bytes. Returns 0, -EINVAL
 * for a malformed value (message in err_text()), or -ENOMEM. */
int acl_ext4_to_vfs(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);

#endif
