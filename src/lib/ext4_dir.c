/* ext4_dir.c: linear and hashed directory blocks (§10). */
#include "lib/ext4_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ext4_format.h"
#include "lib/ext4_hash.h"

/* Writes one entry at p with the given rec_len. */
static void put_entry(uint8_t *p, uint32_t ino, uint32_t rec_len, const uint8_t *name, uint8_t name_len,
		      uint8_t file_type)
{
	struct ext4_dir_entry e = {
		.inode = le32(ino),
		.rec_len = le16((uint16_t)rec_len),
		.name_len = name_len,
		.file_type = file_type,
	};
	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), name, name_len);
}

static void stretch_entry(uint8_t *p, uint32_t rec_len)
{
	put_le16(p + 4, (uint16_t)rec_len);
}

static int build_linear(uint32_t self, uint32_t parent, const struct ext4_dir_child *c, size_t n, uint8_t *b)
{
	put_entry(b, self, 12, (const uint8_t *)".", 1, EXT4_FT_DIR);
	put_entry(b + 12, parent, 12, (const uint8_t *)"..", 2, EXT4_FT_DIR);
	uint32_t at = 24, last = 12;
	for (size_t i = 0; i < n; i++) {
		uint32_t rl = ext4_dir_rec_len(c[i].name_len);
		put_entry(b + at, c[i].ino, rl, c[i].name, c[i].name_len, c[i].file_type);
		last = at;
		at += rl;
	}
	stretch_entry(b + last, EXT4_BLOCK_SIZE - last);
	return 0;
}

static int cmp_hash_name(const void *a, const void *b)
{
	const struct ext4_dir_child *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	size_t m = x->name_len < y->name_len ? x->name_len : y->name_len;
	int r = memcmp(x->name, y->name, m);
	if (r)
		return r;
	return (int)x->name_len - (int)y->name_len;
}

/* Writes a countlimit header followed by the first block number. */
static void put_countlimit(uint8_t *p, uint16_t limit, uint16_t count, uint32_t block)
{
	put_le16(p, limit);
	put_le16(p + 2, count);
	put_le32(p + 4, block);
}

int ext4_dir_build(uint32_t self, uint32_t parent, struct ext4_dir_child *children, size_t n,
		   const struct ext4_dir_hashing *hashing, uint8_t **blocks, uint32_t *nblocks, bool *indexed)
{
	*blocks = NULL;
	size_t total = 24;
	for (size_t i = 0; i < n; i++)
		total += ext4_dir_rec_len(children[i].name_len);

	if (total <= EXT4_BLOCK_SIZE) {
		uint8_t *b = calloc(1, EXT4_BLOCK_SIZE);
		if (!b)
			return -ENOMEM;
		build_linear(self, parent, children, n, b);
		*blocks = b;
		*nblocks = 1;
		*indexed = false;
		return 0;
	}

	for (size_t i = 0; i < n; i++) {
		struct ext4_dx_hash h;
		int r = ext4_dx_hash_name(children[i].name, children[i].name_len, hashing->version,
					  hashing->unsigned_chars, hashing->seed, &h);
		if (r < 0)
			return r;
		children[i].hash = h.hash;
	}
	qsort(children, n, sizeof(*children), cmp_hash_name);

	/* Count leaves: entries in hash order, a new leaf when the next entry
	 * does not fit. */
	size_t nleaves = 0;
	uint32_t used = EXT4_BLOCK_SIZE;
	for (size_t i = 0; i < n; i++) {
		uint32_t rl = ext4_dir_rec_len(children[i].name_len);
		if (used + rl > EXT4_BLOCK_SIZE) {
			nleaves++;
			used = 0;
		}
		used += rl;
	}
	size_t nindex = 0; /* index blocks between root and leaves */
	if (nleaves > EXT4_DX_ROOT_LIMIT) {
		nindex = (nleaves + EXT4_DX_NODE_LIMIT - 1) / EXT4_DX_NODE_LIMIT;
		if (nindex > EXT4_DX_ROOT_LIMIT)
			return -E2BIG;
	}
	size_t count = 1 + nindex + nleaves;
	uint8_t *b = calloc(count, EXT4_BLOCK_SIZE);
	uint32_t *leaf_hash = calloc(nleaves, sizeof(*leaf_hash));
	if (!b || !leaf_hash) {
		free(b);
		free(leaf_hash);
		return -ENOMEM;
	}

	/* Leaves, at directory blocks 1 + nindex ... */
	size_t leaf = (size_t)-1;
	uint32_t at = EXT4_BLOCK_SIZE, last = 0;
	uint8_t *lb = NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t rl = ext4_dir_rec_len(children[i].name_len);
		if (at + rl > EXT4_BLOCK_SIZE) {
			if (lb)
				stretch_entry(lb + last, EXT4_BLOCK_SIZE - last);
			leaf++;
			lb = b + (1 + nindex + leaf) * EXT4_BLOCK_SIZE;
			at = 0;
			/* A leaf starting inside a run of equal hashes carries the
			 * continuation bit so lookups also search the previous leaf. */
			leaf_hash[leaf] = children[i].hash;
			if (i > 0 && children[i - 1].hash == children[i].hash)
				leaf_hash[leaf] |= 1;
		}
		put_entry(lb + at, children[i].ino, rl, children[i].name, children[i].name_len, children[i].file_type);
		last = at;
		at += rl;
	}
	stretch_entry(lb + last, EXT4_BLOCK_SIZE - last);

	/* Root block: ".", ".." covering the rest, dx_root_info, entries. */
	put_entry(b, self, 12, (const uint8_t *)".", 1, EXT4_FT_DIR);
	put_entry(b + 12, parent, EXT4_BLOCK_SIZE - 12, (const uint8_t *)"..", 2, EXT4_FT_DIR);
	struct ext4_dx_root_info info = {
		.hash_version = (uint8_t)hashing->version,
		.info_length = 8,
		.indirect_levels = nindex ? 1 : 0,
	};
	memcpy(b + 24, &info, sizeof(info));
	uint8_t *re = b + EXT4_DX_ROOT_ENTRIES_OFFSET;
	if (nindex == 0) {
		put_countlimit(re, EXT4_DX_ROOT_LIMIT, (uint16_t)nleaves, 1);
		for (size_t k = 1; k < nleaves; k++) {
			put_le32(re + 8 * k, leaf_hash[k]);
			put_le32(re + 8 * k + 4, (uint32_t)(1 + k));
		}
	} else {
		put_countlimit(re, EXT4_DX_ROOT_LIMIT, (uint16_t)nindex, 1);
		for (size_t j = 0; j < nindex; j++) {
			size_t first = j * EXT4_DX_NODE_LIMIT;
			size_t cnt = nleaves - first < EXT4_DX_NODE_LIMIT ? nleaves - first : EXT4_DX_NODE_LIMIT;
			if (j > 0) {
				put_le32(re + 8 * j, leaf_hash[first]);
				put_le32(re + 8 * j + 4, (uint32_t)(1 + j));
			}
			uint8_t *nb = b + (1 + j) * EXT4_BLOCK_SIZE;
			put_entry(nb, 0, EXT4_BLOCK_SIZE, (const uint8_t *)"", 0, 0);
			uint8_t *ne = nb + 8;
			put_countlimit(ne, EXT4_DX_NODE_LIMIT, (uint16_t)cnt, (uint32_t)(1 + nindex + first));
			for (size_t k = 1; k < cnt; k++) {
				put_le32(ne + 8 * k, leaf_hash[first + k]);
				put_le32(ne + 8 * k + 4, (uint32_t)(1 + nindex + first + k));
			}
		}
	}
	free(leaf_hash);
	*blocks = b;
	*nblocks = (uint32_t)count;
	*indexed = true;
	return 0;
}
