/* Unit tests for user string resolution (src/lib/oci_user.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/oci_user.h"

static const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			    "# comment\n"
			    "www:x:33:34:www:/var/www:/bin/false\n"
			    "dup:x:50:50::/:/bin/sh\n"
			    "dup:x:51:51::/:/bin/sh\n";
static const char *group = "root:x:0:\nwww-data:x:34:\nstaff:x:50:www\n";

static void check(const char *user, uint32_t want_uid, uint32_t want_gid)
{
	uint32_t uid = 99, gid = 99;
	assert_int_equal(oci_user_resolve(user, passwd, group, &uid, &gid), 0);
	assert_int_equal(uid, want_uid);
	assert_int_equal(gid, want_gid);
}

static void test_name_gives_uid_and_primary_gid(void **state) { (void)state; check("www", 33, 34); }
static void test_name_and_group_name(void **state) { (void)state; check("www:staff", 33, 50); }
static void test_uid_and_gid_numbers_need_no_entries(void **state) { (void)state; check("1234:4321", 1234, 4321); }
static void test_known_uid_takes_passwd_gid(void **state) { (void)state; check("33", 33, 34); }
static void test_unknown_uid_gets_gid_0(void **state) { (void)state; check("777", 777, 0); }
static void test_uid_with_group_name(void **state) { (void)state; check("777:www-data", 777, 34); }
static void test_name_with_numeric_gid(void **state) { (void)state; check("root:12", 0, 12); }

static void test_unknown_or_ambiguous_name_fails(void **state)
{
	(void)state;
	uint32_t uid, gid;
	assert_int_equal(oci_user_resolve("nobody", passwd, group, &uid, &gid), -ENOENT);
	assert_int_equal(oci_user_resolve("dup", passwd, group, &uid, &gid), -ENOENT);
	assert_int_equal(oci_user_resolve("www:nogroup", passwd, group, &uid, &gid), -ENOENT);
	assert_int_equal(oci_user_resolve("www", NULL, NULL, &uid, &gid), -ENOENT);
	assert_int_equal(oci_user_resolve("www:", passwd, group, &uid, &gid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_gives_uid_and_primary_gid),
		cmocka_unit_test(test_name_and_group_name),
		cmocka_unit_test(test_uid_and_gid_numbers_need_no_entries),
		cmocka_unit_test(test_known_uid_takes_passwd_gid),
		cmocka_unit_test(test_unknown_uid_gets_gid_0),
		cmocka_unit_test(test_uid_with_group_name),
		cmocka_unit_test(test_name_with_numeric_gid),
		cmocka_unit_test(test_unknown_or_ambiguous_name_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
