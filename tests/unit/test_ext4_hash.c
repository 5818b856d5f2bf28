/* Unit tests for ext4's directory-index and xattr hashes (src/lib/ext4_hash.h),
 * checked against libext2fs, the implementation e2fsck itself uses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>

#include "lib/ext4_hash.h"

static void check_against_libext2fs(const char *name, size_t len, unsigned version, bool unsigned_chars,
				    const uint32_t seed[4])
{
	struct ext4_dx_hash ours;
	assert_int_equal(ext4_dx_hash_name(name, len, version, unsigned_chars, seed, &ours), 0);
	ext2_dirhash_t hash, minor;
	int v = (int)version + (unsigned_chars ? 3 : 0);
	assert_int_equal(ext2fs_dirhash(v, name, (int)len, seed, &hash, &minor), 0);
	assert_int_equal(ours.hash, hash);
	assert_int_equal(ours.minor, minor);
}

static void check_vector(const char *name, unsigned version, uint32_t hash, uint32_t minor)
{
	struct ext4_dx_hash h;
	assert_int_equal(ext4_dx_hash_name(name, strlen(name), version, false, NULL, &h), 0);
	assert_int_equal(h.hash, hash);
	assert_int_equal(h.minor, minor);
}

static void test_half_md4_matches_known_vectors(void **state)
{
	(void)state;
	/* From `debugfs -R "dx_hash -h half_md4 NAME"` (e2fsprogs 1.47). */
	check_vector("lost+found", EXT2_HASH_HALF_MD4, 0x591de422, 0x6ffc56e0);
	check_vector("file-000001", EXT2_HASH_HALF_MD4, 0x3f28a580, 0xb29b69ef);
	check_vector("a", EXT2_HASH_HALF_MD4, 0xd5fa7d7a, 0xacb48187);
}

static void test_tea_matches_known_vectors(void **state)
{
	(void)state;
	/* From `debugfs -R "dx_hash -h tea NAME"`. */
	check_vector("lost+found", EXT2_HASH_TEA, 0x2dbf9e80, 0xbfebee4f);
	check_vector("file-000001", EXT2_HASH_TEA, 0xa7618f5c, 0x0d94d9f3);
	check_vector("a", EXT2_HASH_TEA, 0x6d0ea4c0, 0xc18922df);
}

static void test_half_md4_matches_libext2fs_for_many_names(void **state)
{
	(void)state;
	static const uint32_t seed[4] = { 0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321 };
	char name[300];
	for (size_t len = 1; len < sizeof(name); len += 7) {
		for (size_t i = 0; i < len; i++)
			name[i] = (char)('a' + (i * 7 + len) % 26);
		check_against_libext2fs(name, len, EXT2_HASH_HALF_MD4, true, seed);
		check_against_libext2fs(name, len, EXT2_HASH_HALF_MD4, false, NULL);
	}
}

static void test_unsigned_and_signed_differ_only_for_high_bytes(void **state)
{
	(void)state;
	static const char high[] = "caf\xc3\xa9-\xff\x80";
	check_against_libext2fs(high, strlen(high), EXT2_HASH_HALF_MD4, true, NULL);
	check_against_libext2fs(high, strlen(high), EXT2_HASH_HALF_MD4, false, NULL);
	struct ext4_dx_hash s, u;
	ext4_dx_hash_name(high, strlen(high), EXT2_HASH_HALF_MD4, false, NULL, &s);
	ext4_dx_hash_name(high, strlen(high), EXT2_HASH_HALF_MD4, true, NULL, &u);
	assert_int_not_equal(s.hash, u.hash);
	ext4_dx_hash_name("ascii", 5, EXT2_HASH_HALF_MD4, false, NULL, &s);
	ext4_dx_hash_name("ascii", 5, EXT2_HASH_HALF_MD4, true, NULL, &u);
	assert_int_equal(s.hash, u.hash);
}

static void test_tea_matches_libext2fs(void **state)
{
	(void)state;
	static const uint32_t seed[4] = { 1, 2, 3, 4 };
	char name[100];
	for (size_t len = 1; len < sizeof(name); len += 3) {
		for (size_t i = 0; i < len; i++)
			name[i] = (char)(0x20 + (i * 13 + len) % 0x5f);
		check_against_libext2fs(name, len, EXT2_HASH_TEA, true, seed);
		check_against_libext2fs(name, len, EXT2_HASH_TEA, false, NULL);
	}
}

static void test_unknown_hash_version_is_rejected(void **state)
{
	(void)state;
	struct ext4_dx_hash h;
	assert_int_equal(ext4_dx_hash_name("x", 1, 9, true, NULL, &h), -EINVAL);
}

static void test_xattr_entry_hash_matches_libext2fs(void **state)
{
	(void)state;
	static const char *names[] = { "capability", "overlay.opaque", "", "k" };
	static const char *values[] = { "\x01\x00\x00\x02 value bytes", "y", "\x01\x00\x00\x00", "abcdefgh" };
	for (size_t i = 0; i < 4; i++) {
		size_t nl = strlen(names[i]), vl = strlen(values[i]) + (i == 2 ? 0 : 0);
		uint8_t buf[sizeof(struct ext2_ext_attr_entry) + 64];
		memset(buf, 0, sizeof(buf));
		struct ext2_ext_attr_entry *e = (struct ext2_ext_attr_entry *)buf;
		e->e_name_len = (uint8_t)nl;
		e->e_value_size = (uint32_t)vl;
		memcpy(buf + sizeof(*e), names[i], nl);
		uint8_t value[64] = { 0 };
		memcpy(value, values[i], vl);
		assert_int_equal(ext4_xattr_entry_hash(names[i], nl, value, vl), ext2fs_ext_attr_hash_entry(e, value));
	}
}

static void test_xattr_block_hash_folds_entries(void **state)
{
	(void)state;
	uint32_t h = ext4_xattr_block_hash_step(0, 0x11112222);
	assert_int_equal(h, 0x11112222);
	assert_int_equal(ext4_xattr_block_hash_step(h, 1), (0x22220000u ^ 0x1111u ^ 1u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_md4_matches_known_vectors),
		cmocka_unit_test(test_tea_matches_known_vectors),
		cmocka_unit_test(test_half_md4_matches_libext2fs_for_many_names),
		cmocka_unit_test(test_unsigned_and_signed_differ_only_for_high_bytes),
		cmocka_unit_test(test_tea_matches_libext2fs),
		cmocka_unit_test(test_unknown_hash_version_is_rejected),
		cmocka_unit_test(test_xattr_entry_hash_matches_libext2fs),
		cmocka_unit_test(test_xattr_block_hash_folds_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
