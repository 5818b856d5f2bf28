/* ext4_extent.h: building the extent tree of a file whose data the writer
 * laid down (§9): the in-inode root and, above four extents, a row of leaf
 * blocks indexed by a depth-1 root. */
#ifndef LCOW_EXT4_EXTENT_H
#define LCOW_EXT4_EXTENT_H

#include <stddef.h>
#include <stdint.h>

/* One mapped run: `len` (1..32768) logical blocks from `logical` stored at
 * physical block `physical`. */
struct ext4_extent_run {
	uint32_t logical;
	uint32_t physical;
	uint32_t len;
};

/* Most extents a depth-1 tree holds: 4 leaves of 340. */
#define EXT4_EXTENT_MAX_RUNS (4u * 340u)

/* Number of leaf blocks the tree of n extents needs (0 when n <= 4). */
uint32_t ext4_extent_leaf_blocks(size_t n);

/* Builds the tree for runs[0..n) (sorted, non-overlapping, each len <=
 * 32768, n <= EXT4_EXTENT_MAX_RUNS): the 60-byte in-inode root into
 * i_block, and ext4_extent_leaf_blocks(n) leaf blocks into `leaves` (4096
 * bytes each), which the caller stores at physical blocks leaf_start,
 * leaf_start+1, ... Returns 0 or -EINVAL. */
int ext4_extent_build(const struct ext4_extent_run *runs, size_t n, uint8_t i_block[60], uint8_t *leaves,
		      uint32_t leaf_start);

/* Splits one contiguous run of `blocks` physical blocks from `physical`,
 * mapped from logical `logical`, into extents of at most 32768 blocks,
 * appended at runs[*n]; cap is the array size. Returns 0 or -E2BIG. */
int ext4_extent_split_run(uint32_t logical, uint32_t physical, uint64_t blocks, struct ext4_extent_run *runs,
			  size_t *n, size_t cap);

#endif
