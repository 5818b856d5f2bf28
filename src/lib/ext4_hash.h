/* ext4_hash.h: the hashes ext4 stores on disk: directory-index name hashes
 * (half-MD4 and TEA, §10.3) and extended-attribute entry and block hashes
 * (§14.2, §14.4). They must match the kernel's and e2fsck's bit for bit. */
#ifndef LCOW_EXT4_HASH_H
#define LCOW_EXT4_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ext4_dx_hash {
	uint32_t hash;  /* bit 0 always clear */
	uint32_t minor;
};

/* Hash of a directory entry name for an htree index. version is
 * EXT4_HASH_HALF_MD4 or EXT4_HASH_TEA; unsigned_chars selects the
 * "unsigned" variant (s_flags EXT4_FLAGS_UNSIGNED_HASH); seed is
 * s_hash_seed (all zero = the default seed). Returns -EINVAL for an unknown
 * version. */
int ext4_dx_hash_name(const void *name, size_t len, unsigned version, bool unsigned_chars,
		      const uint32_t seed[4], struct ext4_dx_hash *out);

/* e_hash of one xattr entry: the stored name suffix and its value. */
uint32_t ext4_xattr_entry_hash(const void *name, size_t name_len, const void *value, size_t value_len);

/* Folds one entry hash into an xattr block hash (h_hash); start from 0. */
uint32_t ext4_xattr_block_hash_step(uint32_t block_hash, uint32_t entry_hash);

#endif
