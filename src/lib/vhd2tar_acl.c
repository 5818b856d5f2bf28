/* vhd2tar_acl.c: ext4 on-disk POSIX ACL -> VFS xattr form (see the header;
 * ../shared/spec/ext4-writer.md §14.6 for both layouts). */
#include "lib/vhd2tar_acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

/* Both formats are little-endian; declared once here with their sizes. */
struct acl_header {
	uint8_t version[4];
};
struct acl_ext4_short_entry {
	uint8_t tag[2], perm[2];
};
struct acl_ext4_entry {
	uint8_t tag[2], perm[2], id[4];
};
struct acl_vfs_entry {
	uint8_t tag[2], perm[2], id[4];
};
_Static_assert(sizeof(struct acl_header) == 4, "acl header");
_Static_assert(sizeof(struct acl_ext4_short_entry) == 4, "ext4 short acl entry");
_Static_assert(sizeof(struct acl_ext4_entry) == 8, "ext4 acl entry");
_Static_assert(sizeof(struct acl_vfs_entry) == 8, "vfs acl entry");

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

int acl_xattr_name_is_posix_acl(const char *name)
{
	return strcmp(name, "system.posix_acl_access") == 0 || strcmp(name, "system.posix_acl_default") == 0;
}

static int tag_is_known(uint16_t tag)
{
	switch (tag) {
	case ACL_TAG_USER_OBJ: case ACL_TAG_USER: case ACL_TAG_GROUP_OBJ:
	case ACL_TAG_GROUP: case ACL_TAG_MASK: case ACL_TAG_OTHER:
		return 1;
	}
	return 0;
}

static int copy_vfs_form(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	if ((in_len - sizeof(struct acl_header)) % sizeof(struct acl_vfs_entry) != 0)
		return err_setmsg(-EINVAL, "POSIX ACL (VFS form) of %zu bytes is not a whole number of entries", in_len);
	for (size_t off = sizeof(struct acl_header); off < in_len; off += sizeof(struct acl_vfs_entry))
		if (!tag_is_known(le16(in + off)))
			return err_setmsg(-EINVAL, "POSIX ACL entry with unknown tag 0x%x", le16(in + off));
	uint8_t *buf = malloc(in_len);
	if (!buf)
		return err_set(-ENOMEM, "copying a POSIX ACL");
	memcpy(buf, in, in_len);
	*out = buf;
	*out_len = in_len;
	return 0;
}

int acl_ext4_to_vfs(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	if (in_len < sizeof(struct acl_header))
		return err_setmsg(-EINVAL, "POSIX ACL of %zu bytes has no header", in_len);
	uint32_t version = le32(in);
	if (version == ACL_VFS_VERSION)
		return copy_vfs_form(in, in_len, out, out_len);
	if (version != ACL_EXT4_VERSION)
		return err_setmsg(-EINVAL, "POSIX ACL has unknown version %u", version);

	/* First pass counts the entries so the output is allocated once. */
	size_t count = 0;
	for (size_t off = sizeof(struct acl_header); off < in_len; count++) {
		if (in_len - off < sizeof(struct acl_ext4_short_entry))
			return err_setmsg(-EINVAL, "POSIX ACL truncated at byte %zu", off);
		uint16_t tag = le16(in + off);
		if (!tag_is_known(tag))
			return err_setmsg(-EINVAL, "POSIX ACL entry with unknown tag 0x%x", tag);
		size_t len = (tag == ACL_TAG_USER || tag == ACL_TAG_GROUP) ? sizeof(struct acl_ext4_entry)
									: sizeof(struct acl_ext4_short_entry);
		if (in_len - off < len)
			return err_setmsg(-EINVAL, "POSIX ACL truncated at byte %zu", off);
		off += len;
	}

	size_t n = sizeof(struct acl_header) + count * sizeof(struct acl_vfs_entry);
	uint8_t *buf = malloc(n);
	if (!buf)
		return err_set(-ENOMEM, "converting a POSIX ACL");
	put_le32(buf, ACL_VFS_VERSION);
	uint8_t *o = buf + sizeof(struct acl_header);
	for (size_t off = sizeof(struct acl_header); off < in_len; o += sizeof(struct acl_vfs_entry)) {
		uint16_t tag = le16(in + off);
		put_le16(o, tag);
		put_le16(o + 2, le16(in + off + 2));
		if (tag == ACL_TAG_USER || tag == ACL_TAG_GROUP) {
			put_le32(o + 4, le32(in + off + 4));
			off += sizeof(struct acl_ext4_entry);
		} else {
			put_le32(o + 4, ACL_VFS_UNDEFINED_ID);
			off += sizeof(struct acl_ext4_short_entry);
		}
	}
	*out = buf;
	*out_len = n;
	return 0;
}
