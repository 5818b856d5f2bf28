/* Unit tests for extended-attribute names, ACL conversion and placement
 * (src/lib/ext4_xattr.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/ext4_hash.h"
#include "lib/ext4_xattr.h"

static void check_index(const char *name, int want_r, uint8_t want_index, const char *want_suffix)
{
	uint8_t index = 0xFF;
	const char *suffix = NULL;
	assert_int_equal(ext4_xattr_name_index(name, &index, &suffix), want_r);
	if (want_r == 0) {
		assert_int_equal(index, want_index);
		assert_string_equal(suffix, want_suffix);
	}
}

static void test_names_map_to_prefix_indexes(void **state)
{
	(void)state;
	check_index("user.mime", 0, 1, "mime");
	check_index("trusted.overlay.opaque", 0, 4, "overlay.opaque");
	check_index("security.capability", 0, 6, "capability");
	check_index("system.posix_acl_access", 0, 2, "");
	check_index("system.posix_acl_default", 0, 3, "");
}

static void test_names_the_kernel_would_not_serve_are_refused(void **state)
{
	(void)state;
	check_index("system.data", -EOPNOTSUPP, 0, NULL);
	check_index("system.posix_acl_access_x", -EOPNOTSUPP, 0, NULL);
	check_index("os2.x", -EOPNOTSUPP, 0, NULL);
	check_index("user.", -EOPNOTSUPP, 0, NULL);
	char longname[300] = "user.";
	memset(longname + 5, 'x', 256);
	check_index(longname, -ENAMETOOLONG, 0, NULL);
}

static void test_acl_converts_to_ext4_short_entries(void **state)
{
	(void)state;
	static const uint8_t vfs[] = {
		2, 0, 0, 0,                                   /* version 2 */
		0x01, 0, 6, 0, 0xFF, 0xFF, 0xFF, 0xFF,          /* user:: rw */
		0x02, 0, 4, 0, 0xE8, 0x03, 0, 0,                /* user:1000 r */
		0x04, 0, 4, 0, 0xFF, 0xFF, 0xFF, 0xFF,          /* group:: r */
		0x10, 0, 6, 0, 0xFF, 0xFF, 0xFF, 0xFF,          /* mask rw */
		0x20, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,          /* other --- */
	};
	static const uint8_t ext4[] = {
		1, 0, 0, 0,
		0x01, 0, 6, 0,
		0x02, 0, 4, 0, 0xE8, 0x03, 0, 0,
		0x04, 0, 4, 0,
		0x10, 0, 6, 0,
		0x20, 0, 0, 0,
	};
	uint8_t out[sizeof(vfs)];
	assert_int_equal(ext4_acl_from_vfs(vfs, sizeof(vfs), out), (int)sizeof(ext4));
	assert_memory_equal(out, ext4, sizeof(ext4));
}

static void test_malformed_acls_are_rejected(void **state)
{
	(void)state;
	uint8_t out[64];
	static const uint8_t v1[] = { 1, 0, 0, 0 };
	assert_int_equal(ext4_acl_from_vfs(v1, sizeof(v1), out), -EINVAL);
	static const uint8_t odd[] = { 2, 0, 0, 0, 1, 0, 6 };
	assert_int_equal(ext4_acl_from_vfs(odd, sizeof(odd), out), -EINVAL);
	static const uint8_t badtag[] = { 2, 0, 0, 0, 0x40, 0, 6, 0, 0, 0, 0, 0 };
	assert_int_equal(ext4_acl_from_vfs(badtag, sizeof(badtag), out), -EINVAL);
	static const uint8_t badperm[] = { 2, 0, 0, 0, 0x01, 0, 8, 0, 0, 0, 0, 0 };
	assert_int_equal(ext4_acl_from_vfs(badperm, sizeof(badperm), out), -EINVAL);
	assert_int_equal(ext4_acl_from_vfs(out, 0, out), -EINVAL);
}

static void test_small_attribute_stays_in_the_inode(void **state)
{
	(void)state;
	struct ext4_xattr x = { "trusted.overlay.opaque", "y", 1 };
	struct ext4_xattr_layout l;
	assert_int_equal(ext4_xattr_place(&x, 1, &l), 0);
	assert_true(l.in_inode);
	assert_false(l.in_block);
	const uint8_t *a = l.inode_area;
	assert_int_equal(get_le32(a), 0xEA020000u);
	assert_int_equal(a[4], strlen("overlay.opaque"));
	assert_int_equal(a[5], 4);
	uint16_t offs = get_le16(a + 6);
	assert_int_equal(offs, 100 - 4); /* relative to the first entry, packed from the end */
	assert_int_equal(get_le32(a + 12), 1);
	assert_int_equal(get_le32(a + 16), ext4_xattr_entry_hash("overlay.opaque", 14, "y", 1));
	assert_memory_equal(a + 20, "overlay.opaque", 14);
	assert_int_equal(a[4 + offs], 'y');
	assert_int_equal(get_le32(a + 4 + 16 + 16), 0); /* terminator */
}

static void test_large_attributes_spill_into_a_sorted_block(void **state)
{
	(void)state;
	char big[2000];
	memset(big, 'B', sizeof(big));
	struct ext4_xattr xs[] = {
		{ "user.zz", big, sizeof(big) },
		{ "security.capability", "\x01\x00\x00\x02", 4 },
		{ "user.b", big, 300 },
		{ "user.aa", big, 200 },
	};
	struct ext4_xattr_layout l;
	assert_int_equal(ext4_xattr_place(xs, 4, &l), 0);
	assert_true(l.in_inode); /* security.capability fits first */
	assert_true(l.in_block);
	const uint8_t *b = l.block;
	assert_int_equal(get_le32(b), 0xEA020000u);
	assert_int_equal(get_le32(b + 4), 1); /* refcount */
	assert_int_equal(get_le32(b + 8), 1); /* blocks */
	/* kernel order: index, then name length, then name: b, aa, zz */
	const uint8_t *e = b + 32;
	assert_int_equal(e[0], 1);
	assert_memory_equal(e + 16, "b", 1);
	e += 16 + 4;
	assert_int_equal(e[0], 2);
	assert_memory_equal(e + 16, "aa", 2);
	uint16_t offs = get_le16(e + 2);
	assert_int_equal(get_le32(e + 8), 200);
	assert_memory_equal(b + offs, big, 200);
	e += 16 + 4;
	assert_memory_equal(e + 16, "zz", 2);
	uint32_t h = 0;
	for (const uint8_t *p = b + 32; get_le32(p) != 0; p += 16 + ((p[0] + 3u) & ~3u))
		h = ext4_xattr_block_hash_step(h, get_le32(p + 12));
	assert_int_equal(get_le32(b + 12), h);
}

static void test_attributes_beyond_one_block_do_not_fit(void **state)
{
	(void)state;
	static char big[4000];
	struct ext4_xattr xs[] = { { "user.a", big, sizeof(big) }, { "user.b", big, 200 } };
	struct ext4_xattr_layout l;
	assert_int_equal(ext4_xattr_place(xs, 2, &l), -E2BIG);
	struct ext4_xattr huge = { "user.h", big, 4061 };
	assert_int_equal(ext4_xattr_place(&huge, 1, &l), -E2BIG);
}

static void test_empty_value_is_an_entry(void **state)
{
	(void)state;
	struct ext4_xattr x = { "user.empty", "", 0 };
	struct ext4_xattr_layout l;
	assert_int_equal(ext4_xattr_place(&x, 1, &l), 0);
	assert_true(l.in_inode);
	assert_int_equal(get_le32(l.inode_area + 12), 0);
	assert_true(get_le16(l.inode_area + 6) <= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_map_to_prefix_indexes),
		cmocka_unit_test(test_names_the_kernel_would_not_serve_are_refused),
		cmocka_unit_test(test_acl_converts_to_ext4_short_entries),
		cmocka_unit_test(test_malformed_acls_are_rejected),
		cmocka_unit_test(test_small_attribute_stays_in_the_inode),
		cmocka_unit_test(test_large_attributes_spill_into_a_sorted_block),
		cmocka_unit_test(test_attributes_beyond_one_block_do_not_fit),
		cmocka_unit_test(test_empty_value_is_an_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
