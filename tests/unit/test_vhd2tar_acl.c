/* Unit tests for the ext4 -> VFS POSIX ACL conversion (src/lib/vhd2tar_acl.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/vhd2tar_acl.h"

/* user::rw- user:1234:rwx group::r-- mask::rwx other::r-- as ext4 stores it. */
static const uint8_t ext4_acl[] = {
	0x01, 0x00, 0x00, 0x00,                         /* version 1 */
	0x01, 0x00, 0x06, 0x00,                         /* USER_OBJ rw- */
	0x02, 0x00, 0x07, 0x00, 0xd2, 0x04, 0x00, 0x00, /* USER 1234 rwx */
	0x04, 0x00, 0x04, 0x00,                         /* GROUP_OBJ r-- */
	0x10, 0x00, 0x07, 0x00,                         /* MASK rwx */
	0x20, 0x00, 0x04, 0x00,                         /* OTHER r-- */
};

/* The same ACL as getxattr(2) returns it. */
static const uint8_t vfs_acl[] = {
	0x02, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x02, 0x00, 0x07, 0x00, 0xd2, 0x04, 0x00, 0x00,
	0x04, 0x00, 0x04, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x10, 0x00, 0x07, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x20, 0x00, 0x04, 0x00, 0xff, 0xff, 0xff, 0xff,
};

static void test_ext4_acl_becomes_vfs_acl_with_undefined_ids(void **state)
{
	(void)state;
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(ext4_acl, sizeof(ext4_acl), &out, &len), 0);
	assert_int_equal(len, sizeof(vfs_acl));
	assert_memory_equal(out, vfs_acl, sizeof(vfs_acl));
	free(out);
}

static void test_group_entry_keeps_its_id(void **state)
{
	(void)state;
	static const uint8_t in[] = { 1, 0, 0, 0, 0x08, 0x00, 0x05, 0x00, 0x39, 0x30, 0x00, 0x00 };
	static const uint8_t want[] = { 2, 0, 0, 0, 0x08, 0x00, 0x05, 0x00, 0x39, 0x30, 0x00, 0x00 };
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(in, sizeof(in), &out, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	free(out);
}

static void test_header_only_acl_is_empty_vfs_acl(void **state)
{
	(void)state;
	static const uint8_t in[] = { 1, 0, 0, 0 };
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(in, sizeof(in), &out, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(out[0], 2);
	free(out);
}

static void test_vfs_form_stored_verbatim_is_passed_through(void **state)
{
	(void)state;
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(vfs_acl, sizeof(vfs_acl), &out, &len), 0);
	assert_int_equal(len, sizeof(vfs_acl));
	assert_memory_equal(out, vfs_acl, sizeof(vfs_acl));
	free(out);
}

static void test_truncated_user_entry_is_rejected(void **state)
{
	(void)state;
	uint8_t *out = NULL;
	size_t len = 0;
	/* cut inside the 8-byte USER entry */
	assert_int_equal(acl_ext4_to_vfs(ext4_acl, 12, &out, &len), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(err_text(), "truncated"));
}

static void test_unknown_tag_is_rejected(void **state)
{
	(void)state;
	static const uint8_t in[] = { 1, 0, 0, 0, 0x40, 0x00, 0x07, 0x00 };
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(in, sizeof(in), &out, &len), -EINVAL);
	assert_non_null(strstr(err_text(), "unknown tag"));
}

static void test_unknown_version_and_short_header_are_rejected(void **state)
{
	(void)state;
	static const uint8_t v3[] = { 3, 0, 0, 0 };
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(acl_ext4_to_vfs(v3, sizeof(v3), &out, &len), -EINVAL);
	assert_int_equal(acl_ext4_to_vfs(v3, 2, &out, &len), -EINVAL);
	/* VFS form must be whole 8-byte entries */
	assert_int_equal(acl_ext4_to_vfs(vfs_acl, sizeof(vfs_acl) - 4, &out, &len), -EINVAL);
}

static void test_only_the_two_acl_names_are_acls(void **state)
{
	(void)state;
	assert_true(acl_xattr_name_is_posix_acl("system.posix_acl_access"));
	assert_true(acl_xattr_name_is_posix_acl("system.posix_acl_default"));
	assert_false(acl_xattr_name_is_posix_acl("system.posix_acl"));
	assert_false(acl_xattr_name_is_posix_acl("user.posix_acl_access"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext4_acl_becomes_vfs_acl_with_undefined_ids),
		cmocka_unit_test(test_group_entry_keeps_its_id),
		cmocka_unit_test(test_header_only_acl_is_empty_vfs_acl),
		cmocka_unit_test(test_vfs_form_stored_verbatim_is_passed_through),
		cmocka_unit_test(test_truncated_user_entry_is_rejected),
		cmocka_unit_test(test_unknown_tag_is_rejected),
		cmocka_unit_test(test_unknown_version_and_short_header_are_rejected),
		cmocka_unit_test(test_only_the_two_acl_names_are_acls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
