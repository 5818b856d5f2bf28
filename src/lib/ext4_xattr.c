/* ext4_xattr.c: attribute names, ACL conversion and placement (§14). */
#include "lib/ext4_xattr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ext4_hash.h"

#define XATTR_INODE_BUDGET (EXT4_INODE_XATTR_AREA - 4u - 4u)                  /* magic, terminator: 96 */
#define XATTR_BLOCK_BUDGET (EXT4_BLOCK_SIZE - sizeof(struct ext4_xattr_header) - 4u) /* 4060 */

static const struct {
	const char *prefix;
	uint8_t index;
	bool exact;
} name_prefixes[] = {
	{ "system.posix_acl_access", EXT4_XATTR_INDEX_POSIX_ACL_ACCESS, true },
	{ "system.posix_acl_default", EXT4_XATTR_INDEX_POSIX_ACL_DEFAULT, true },
	{ "user.", EXT4_XATTR_INDEX_USER, false },
	{ "trusted.", EXT4_XATTR_INDEX_TRUSTED, false },
	{ "security.", EXT4_XATTR_INDEX_SECURITY, false },
};

int ext4_xattr_name_index(const char *name, uint8_t *index, const char **suffix)
{
	for (size_t i = 0; i < sizeof(name_prefixes) / sizeof(name_prefixes[0]); i++) {
		size_t plen = strlen(name_prefixes[i].prefix);
		if (strncmp(name, name_prefixes[i].prefix, plen) != 0)
			continue;
		if (name_prefixes[i].exact ? name[plen] != '\0' : name[plen] == '\0')
			continue;
		if (strlen(name + plen) > EXT4_NAME_MAX)
			return -ENAMETOOLONG;
		*index = name_prefixes[i].index;
		*suffix = name + plen;
		return 0;
	}
	return -EOPNOTSUPP;
}

bool ext4_xattr_is_posix_acl(const char *name)
{
	return strcmp(name, "system.posix_acl_access") == 0 || strcmp(name, "system.posix_acl_default") == 0;
}

int ext4_acl_from_vfs(const void *in, size_t len, uint8_t *out)
{
	const uint8_t *p = in;
	if (len < 4 || (len - 4) % 8 != 0 || get_le32(p) != POSIX_ACL_XATTR_VERSION)
		return -EINVAL;
	put_le32(out, EXT4_ACL_VERSION);
	size_t o = 4;
	for (size_t i = 4; i < len; i += 8) {
		uint16_t tag = get_le16(p + i), perm = get_le16(p + i + 2);
		if (perm & ~7u)
			return -EINVAL;
		switch (tag) {
		case ACL_USER_OBJ:
		case ACL_GROUP_OBJ:
		case ACL_MASK:
		case ACL_OTHER:
			put_le16(out + o, tag);
			put_le16(out + o + 2, perm);
			o += 4;
			break;
		case ACL_USER:
		case ACL_GROUP:
			put_le16(out + o, tag);
			put_le16(out + o + 2, perm);
			memcpy(out + o + 4, p + i + 4, 4);
			o += 8;
			break;
		default:
			return -EINVAL;
		}
	}
	return (int)o;
}

struct placed {
	uint8_t index;
	const char *suffix;
	uint32_t suffix_len;
	const struct ext4_xattr *x;
};

static int cmp_full_name(const void *a, const void *b)
{
	return strcmp(((const struct placed *)a)->x->name, ((const struct placed *)b)->x->name);
}

/* The kernel's block lookup order (§14.4). */
static int cmp_block_order(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	if (x->suffix_len != y->suffix_len)
		return x->suffix_len < y->suffix_len ? -1 : 1;
	return memcmp(x->suffix, y->suffix, x->suffix_len);
}

static uint32_t entry_cost(const struct placed *p)
{
	return (uint32_t)sizeof(struct ext4_xattr_entry) + ext4_round4(p->suffix_len) + ext4_round4(p->x->len);
}

/* Writes entries from `entries` (offset within `base`) and values packed
 * down from `end`; value offsets are relative to `rel`. Returns the block
 * hash of the entries. */
static uint32_t encode_entries(uint8_t *base, size_t entries, size_t end, size_t rel, const struct placed *ps,
			       size_t n)
{
	uint32_t block_hash = 0;
	size_t value_at = end;
	for (size_t i = 0; i < n; i++) {
		const struct placed *p = &ps[i];
		value_at -= ext4_round4(p->x->len);
		memcpy(base + value_at, p->x->value, p->x->len);
		uint32_t h = ext4_xattr_entry_hash(p->suffix, p->suffix_len, p->x->value, p->x->len);
		struct ext4_xattr_entry e = {
			.e_name_len = (uint8_t)p->suffix_len,
			.e_name_index = p->index,
			.e_value_offs = le16((uint16_t)(value_at - rel)),
			.e_value_size = le32(p->x->len),
			.e_hash = le32(h),
		};
		memcpy(base + entries, &e, sizeof(e));
		memcpy(base + entries + sizeof(e), p->suffix, p->suffix_len);
		entries += sizeof(e) + ext4_round4(p->suffix_len);
		block_hash = ext4_xattr_block_hash_step(block_hash, h);
	}
	return block_hash; /* the 4-byte terminator is already zero */
}

int ext4_xattr_place(const struct ext4_xattr *xs, size_t n, struct ext4_xattr_layout *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	struct placed *all = calloc(n, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = ext4_xattr_name_index(xs[i].name, &all[i].index, &all[i].suffix);
		if (r < 0) {
			free(all);
			return r;
		}
		all[i].suffix_len = (uint32_t)strlen(all[i].suffix);
		all[i].x = &xs[i];
	}
	qsort(all, n, sizeof(*all), cmp_full_name);

	/* Partition in place: inode entries first, block entries after. */
	struct placed *inode_list = calloc(n, sizeof(*inode_list)), *block_list = calloc(n, sizeof(*block_list));
	if (!inode_list || !block_list) {
		free(all), free(inode_list), free(block_list);
		return -ENOMEM;
	}
	size_t ni = 0, nb = 0;
	uint32_t inode_left = XATTR_INODE_BUDGET, block_left = XATTR_BLOCK_BUDGET;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t need = entry_cost(&all[i]);
		if (all[i].x->len <= XATTR_BLOCK_BUDGET && need <= inode_left) {
			inode_list[ni++] = all[i];
			inode_left -= need;
		} else if (all[i].x->len <= XATTR_BLOCK_BUDGET && need <= block_left) {
			block_list[nb++] = all[i];
			block_left -= need;
		} else {
			r = -E2BIG;
			break;
		}
	}
	if (r == 0 && ni > 0) {
		out->in_inode = true;
		put_le32(out->inode_area, EXT4_XATTR_MAGIC);
		encode_entries(out->inode_area, 4, EXT4_INODE_XATTR_AREA, 4, inode_list, ni);
	}
	if (r == 0 && nb > 0) {
		qsort(block_list, nb, sizeof(*block_list), cmp_block_order);
		out->in_block = true;
		uint32_t h = encode_entries(out->block, sizeof(struct ext4_xattr_header), EXT4_BLOCK_SIZE, 0,
					    block_list, nb);
		struct ext4_xattr_header hdr = {
			.h_magic = le32(EXT4_XATTR_MAGIC),
			.h_refcount = le32(1),
			.h_blocks = le32(1),
			.h_hash = le32(h),
		};
		memcpy(out->block, &hdr, sizeof(hdr));
	}
	free(all);
	free(inode_list);
	free(block_list);
	return r;
}
