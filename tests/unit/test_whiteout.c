/* Unit tests for the whiteout rules (src/lib/whiteout.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/whiteout.h"

static void test_plain_name_is_not_a_whiteout(void **state)
{
	(void)state;
	assert_int_equal(whiteout_classify_tar_name("etc/passwd", NULL, NULL, NULL), WHITEOUT_NONE);
	assert_int_equal(whiteout_classify_tar_name("etc/x.wh.y", NULL, NULL, NULL), WHITEOUT_NONE);
	assert_int_equal(whiteout_classify_tar_name(".wh.dir/file", NULL, NULL, NULL), WHITEOUT_NONE);
}

static void test_whiteout_names_the_hidden_file(void **state)
{
	(void)state;
	size_t dir_len = 99, hidden_len = 0;
	const char *hidden = NULL;
	const char *name = "usr/lib/.wh.libfoo.so";
	assert_int_equal(whiteout_classify_tar_name(name, &dir_len, &hidden, &hidden_len), WHITEOUT_FILE);
	assert_int_equal(dir_len, strlen("usr/lib/"));
	assert_int_equal(hidden_len, strlen("libfoo.so"));
	assert_memory_equal(hidden, "libfoo.so", hidden_len);
}

static void test_top_level_whiteout_has_empty_directory(void **state)
{
	(void)state;
	size_t dir_len = 99;
	const char *hidden = NULL;
	size_t hidden_len = 0;
	assert_int_equal(whiteout_classify_tar_name(".wh.tmp", &dir_len, &hidden, &hidden_len), WHITEOUT_FILE);
	assert_int_equal(dir_len, 0);
	assert_string_equal(hidden, "tmp");
}

static void test_opaque_marker_names_its_directory(void **state)
{
	(void)state;
	size_t dir_len = 0;
	assert_int_equal(whiteout_classify_tar_name("var/cache/.wh..wh..opq", &dir_len, NULL, NULL), WHITEOUT_OPAQUE);
	assert_int_equal(dir_len, strlen("var/cache/"));
	assert_int_equal(whiteout_classify_tar_name(".wh..wh..opq", &dir_len, NULL, NULL), WHITEOUT_OPAQUE);
	assert_int_equal(dir_len, 0);
}

static void test_aufs_meta_name_becomes_ordinary_whiteout(void **state)
{
	(void)state;
	const char *hidden = NULL;
	size_t hidden_len = 0;
	assert_int_equal(whiteout_classify_tar_name(".wh..wh..plnk", NULL, &hidden, &hidden_len), WHITEOUT_FILE);
	assert_string_equal(hidden, ".wh..plnk");
}

static void test_name_with_trailing_slash_is_never_a_whiteout(void **state)
{
	(void)state;
	assert_int_equal(whiteout_classify_tar_name("a/.wh.b/", NULL, NULL, NULL), WHITEOUT_NONE);
	assert_int_equal(whiteout_classify_tar_name("a/.wh..wh..opq/", NULL, NULL, NULL), WHITEOUT_NONE);
}

static void test_whiteout_of_nothing_is_invalid(void **state)
{
	(void)state;
	assert_int_equal(whiteout_classify_tar_name("a/.wh.", NULL, NULL, NULL), WHITEOUT_INVALID);
	assert_int_equal(whiteout_classify_tar_name(".wh..", NULL, NULL, NULL), WHITEOUT_INVALID);
	assert_int_equal(whiteout_classify_tar_name("a/.wh...", NULL, NULL, NULL), WHITEOUT_INVALID);
}

static void test_char_device_0_0_is_a_disk_whiteout(void **state)
{
	(void)state;
	assert_true(whiteout_is_disk_whiteout(WHITEOUT_DISK_MODE, 0, 0));
	assert_true(whiteout_is_disk_whiteout(0020644, 0, 0));
	assert_false(whiteout_is_disk_whiteout(0020000, 1, 3));
	assert_false(whiteout_is_disk_whiteout(0060000, 0, 0)); /* block device */
	assert_false(whiteout_is_disk_whiteout(0100000, 0, 0));
}

static void test_only_y_marks_opaque(void **state)
{
	(void)state;
	assert_true(whiteout_is_opaque_value("y", 1));
	assert_false(whiteout_is_opaque_value("n", 1));
	assert_false(whiteout_is_opaque_value("y\0", 2));
	assert_false(whiteout_is_opaque_value("", 0));
}

static void test_disk_whiteout_becomes_wh_name(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(whiteout_tar_name_for_whiteout("a/b/c", out, sizeof(out)), 9);
	assert_string_equal(out, "a/b/.wh.c");
	assert_int_equal(whiteout_tar_name_for_whiteout("top", out, sizeof(out)), 7);
	assert_string_equal(out, ".wh.top");
	assert_int_equal(whiteout_tar_name_for_whiteout("a/", out, sizeof(out)), -EINVAL);
	assert_int_equal(whiteout_tar_name_for_whiteout("abcdefgh", out, 8), -ENAMETOOLONG);
}

static void test_opaque_directory_becomes_opq_marker(void **state)
{
	(void)state;
	char out[64];
	assert_true(whiteout_tar_name_for_opaque("var/cache", out, sizeof(out)) > 0);
	assert_string_equal(out, "var/cache/.wh..wh..opq");
	assert_true(whiteout_tar_name_for_opaque("var/cache/", out, sizeof(out)) > 0);
	assert_string_equal(out, "var/cache/.wh..wh..opq");
	assert_true(whiteout_tar_name_for_opaque("", out, sizeof(out)) > 0);
	assert_string_equal(out, ".wh..wh..opq");
	assert_true(whiteout_tar_name_for_opaque(".", out, sizeof(out)) > 0);
	assert_string_equal(out, ".wh..wh..opq");
	assert_int_equal(whiteout_tar_name_for_opaque("dir", out, 10), -ENAMETOOLONG);
}

static void test_round_trip_of_whiteout_name(void **state)
{
	(void)state;
	char out[64];
	whiteout_tar_name_for_whiteout("x/y/z", out, sizeof(out));
	size_t dir_len = 0, hidden_len = 0;
	const char *hidden = NULL;
	assert_int_equal(whiteout_classify_tar_name(out, &dir_len, &hidden, &hidden_len), WHITEOUT_FILE);
	assert_int_equal(dir_len, 4);
	assert_string_equal(hidden, "z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_name_is_not_a_whiteout),
		cmocka_unit_test(test_whiteout_names_the_hidden_file),
		cmocka_unit_test(test_top_level_whiteout_has_empty_directory),
		cmocka_unit_test(test_opaque_marker_names_its_directory),
		cmocka_unit_test(test_aufs_meta_name_becomes_ordinary_whiteout),
		cmocka_unit_test(test_name_with_trailing_slash_is_never_a_whiteout),
		cmocka_unit_test(test_whiteout_of_nothing_is_invalid),
		cmocka_unit_test(test_char_device_0_0_is_a_disk_whiteout),
		cmocka_unit_test(test_only_y_marks_opaque),
		cmocka_unit_test(test_disk_whiteout_becomes_wh_name),
		cmocka_unit_test(test_opaque_directory_becomes_opq_marker),
		cmocka_unit_test(test_round_trip_of_whiteout_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
