/* Unit tests for path confinement (src/lib/oci_path.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/oci_path.h"

static void expect_join(const char *dir, const char *rel, const char *want)
{
	char *out = NULL;
	assert_int_equal(oci_path_join_confined(dir, rel, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void test_join_keeps_simple_relative_path_inside(void **state)
{
	(void)state;
	expect_join("/run/gcs/c/x/sandboxMounts", "data/logs", "/run/gcs/c/x/sandboxMounts/data/logs");
	expect_join("/run/s/", "a//b/./c/", "/run/s/a/b/c");
}

static void test_join_resolves_dotdot_that_stays_inside(void **state)
{
	(void)state;
	expect_join("/run/s", "a/b/../c", "/run/s/a/c");
	expect_join("/run/s", "a/..", "/run/s");
}

static void test_join_refuses_dotdot_escape(void **state)
{
	(void)state;
	char *out = NULL;
	assert_int_equal(oci_path_join_confined("/run/s", "../etc", &out), -EINVAL);
	assert_null(out);
	assert_int_equal(oci_path_join_confined("/run/s", "a/../../s2/x", &out), -EINVAL);
	assert_int_equal(oci_path_join_confined("/run/s", "a/b/../../..", &out), -EINVAL);
}

static void test_join_treats_absolute_rel_as_relative(void **state)
{
	(void)state;
	expect_join("/run/s", "/etc/passwd", "/run/s/etc/passwd");
}

static void test_absolute_check_refuses_relative_and_dotdot(void **state)
{
	(void)state;
	assert_int_equal(oci_path_check_absolute("MountPath", "/run/mounts/m1"), 0);
	assert_int_equal(oci_path_check_absolute("MountPath", "run/mounts"), -EINVAL);
	assert_int_equal(oci_path_check_absolute("MountPath", "/run/../etc"), -EINVAL);
	assert_int_equal(oci_path_check_absolute("MountPath", "/run/./x"), -EINVAL);
	assert_int_equal(oci_path_check_absolute("MountPath", "/run/x/.."), -EINVAL);
	assert_int_equal(oci_path_check_absolute("MountPath", NULL), -EINVAL);
}

static void test_container_id_refuses_slashes_and_dots(void **state)
{
	(void)state;
	assert_int_equal(oci_container_id_check("containers-abc_1.2"), 0);
	assert_int_equal(oci_container_id_check("../x"), -EINVAL);
	assert_int_equal(oci_container_id_check(".."), -EINVAL);
	assert_int_equal(oci_container_id_check(""), -EINVAL);
	assert_int_equal(oci_container_id_check("a b"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_keeps_simple_relative_path_inside),
		cmocka_unit_test(test_join_resolves_dotdot_that_stays_inside),
		cmocka_unit_test(test_join_refuses_dotdot_escape),
		cmocka_unit_test(test_join_treats_absolute_rel_as_relative),
		cmocka_unit_test(test_absolute_check_refuses_relative_and_dotdot),
		cmocka_unit_test(test_container_id_refuses_slashes_and_dots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
