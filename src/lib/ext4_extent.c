/* ext4_extent.c: extent tree construction (§9). Correct leaf counts and
 * strides for any number of extents up to 4 x 340 (quirk Q4 avoided). */
#include "lib/ext4_extent.h"

#include <errno.h>
#include <string.h>

#include "lib/ext4_format.h"

uint32_t ext4_extent_leaf_blocks(size_t n)
{
	if (n <= EXT4_EXTENTS_IN_INODE)
		return 0;
	return (uint32_t)ext4_div_round_up(n, EXT4_EXTENTS_PER_BLOCK);
}

static void put_header(uint8_t *p, uint16_t entries, uint16_t max, uint16_t depth)
{
	struct ext4_extent_header h = {
		.eh_magic = le16(EXT4_EXT_MAGIC),
		.eh_entries = le16(entries),
		.eh_max = le16(max),
		.eh_depth = le16(depth),
	};
	memcpy(p, &h, sizeof(h));
}

static void put_extent(uint8_t *p, const struct ext4_extent_run *r)
{
	struct ext4_extent e = {
		.ee_block = le32(r->logical),
		.ee_len = le16((uint16_t)r->len),
		.ee_start_hi = 0,
		.ee_start_lo = le32(r->physical),
	};
	memcpy(p, &e, sizeof(e));
}

int ext4_extent_build(const struct ext4_extent_run *runs, size_t n, uint8_t i_block[60], uint8_t *leaves,
		      uint32_t leaf_start)
{
	if (n > EXT4_EXTENT_MAX_RUNS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (runs[i].len == 0 || runs[i].len > EXT4_MAX_EXTENT_LEN)
			return -EINVAL;
	memset(i_block, 0, 60);
	if (n <= EXT4_EXTENTS_IN_INODE) {
		put_header(i_block, (uint16_t)n, EXT4_EXTENTS_IN_INODE, 0);
		for (size_t i = 0; i < n; i++)
			put_extent(i_block + 12 + 12 * i, &runs[i]);
		return 0;
	}
	uint32_t nleaves = ext4_extent_leaf_blocks(n);
	put_header(i_block, (uint16_t)nleaves, EXT4_EXTENTS_IN_INODE, 1);
	for (uint32_t k = 0; k < nleaves; k++) {
		size_t first = (size_t)k * EXT4_EXTENTS_PER_BLOCK;
		size_t count = n - first < EXT4_EXTENTS_PER_BLOCK ? n - first : EXT4_EXTENTS_PER_BLOCK;
		uint8_t *leaf = leaves + (size_t)k * EXT4_BLOCK_SIZE;
		memset(leaf, 0, EXT4_BLOCK_SIZE);
		put_header(leaf, (uint16_t)count, EXT4_EXTENTS_PER_BLOCK, 0);
		for (size_t i = 0; i < count; i++)
			put_extent(leaf + 12 + 12 * i, &runs[first + i]);
		struct ext4_extent_idx idx = {
			.ei_block = le32(runs[first].logical),
			.ei_leaf_lo = le32(leaf_start + k),
		};
		memcpy(i_block + 12 + 12 * k, &idx, sizeof(idx));
	}
	return 0;
}

int ext4_extent_split_run(uint32_t logical, uint32_t physical, uint64_t blocks, struct ext4_extent_run *runs,
			  size_t *n, size_t cap)
{
	while (blocks > 0) {
		uint32_t len = blocks > EXT4_MAX_EXTENT_LEN ? EXT4_MAX_EXTENT_LEN : (uint32_t)blocks;
		if (*n >= cap)
			return -E2BIG;
		runs[(*n)++] = (struct ext4_extent_run){ .logical = logical, .physical = physical, .len = len };
		logical += len;
		physical += len;
		blocks -= len;
	}
	return 0;
}
