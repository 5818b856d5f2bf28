/* ext4_dir.h: directory contents as ext4 blocks (§10): a single linear
 * block when everything fits, otherwise a hashed (htree / dir_index) tree
 * so that lookups in large directories do not scan every entry. */
#ifndef LCOW_EXT4_DIR_H
#define LCOW_EXT4_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ext4_dir_child {
	const uint8_t *name;
	uint8_t name_len; /* 1..255 */
	uint8_t file_type; /* EXT4_FT_* */
	uint32_t ino;
	uint32_t hash; /* set by ext4_dir_build for indexed directories */
};

struct ext4_dir_hashing {
	unsigned version;   /* EXT4_HASH_HALF_MD4 or EXT4_HASH_TEA */
	bool unsigned_chars; /* s_flags EXT4_FLAGS_UNSIGNED_HASH */
	uint32_t seed[4];    /* s_hash_seed */
};

/* Record length of an entry with a name of name_len bytes. */
static inline uint32_t ext4_dir_rec_len(uint32_t name_len) { return (8u + name_len + 3u) & ~3u; }

/* Lays out the directory `self` (parent `parent`; the root is its own
 * parent) holding children[0..n). One linear block if `.`, `..` and all
 * children fit; otherwise an htree: a dx_root block, for more than 508
 * leaves a row of index blocks, then leaf blocks of entries in hash order.
 * children may be reordered. *blocks (malloc'd, caller frees) receives
 * *nblocks contiguous 4 KiB blocks; *indexed tells whether the inode needs
 * EXT4_INDEX_FL. Returns 0, -E2BIG when the directory needs more than a
 * two-level tree, or -ENOMEM. */
int ext4_dir_build(uint32_t self, uint32_t parent, struct ext4_dir_child *children, size_t n,
		   const struct ext4_dir_hashing *hashing, uint8_t **blocks, uint32_t *nblocks, bool *indexed);

#endif
