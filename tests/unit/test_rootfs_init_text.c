/* test_rootfs_init_text.c: the kernel text /init reads before the GCS
 * starts (src/lib/init_text.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/init_text.h"

static void test_cmdline_word_matches_whole_tokens_only(void **state)
{
	(void)state;
	const char line[] = "console=ttyS0 hcsshim.cgroup=v1 quiet\n";
	assert_true(init_cmdline_has_word(line, sizeof(line) - 1, "hcsshim.cgroup=v1"));
	assert_true(init_cmdline_has_word(line, sizeof(line) - 1, "quiet"));
	assert_false(init_cmdline_has_word(line, sizeof(line) - 1, "hcsshim.cgroup=v"));
	assert_false(init_cmdline_has_word(line, sizeof(line) - 1, "cgroup=v1"));
	const char longer[] = "xhcsshim.cgroup=v1 hcsshim.cgroup=v1x";
	assert_false(init_cmdline_has_word(longer, sizeof(longer) - 1, "hcsshim.cgroup=v1"));
}

static void test_cmdline_word_respects_the_length_and_tabs(void **state)
{
	(void)state;
	const char line[] = "a\thcsshim.cgroup=v1";
	assert_true(init_cmdline_has_word(line, sizeof(line) - 1, "hcsshim.cgroup=v1"));
	/* cut short: the token is not all there */
	assert_false(init_cmdline_has_word(line, sizeof(line) - 2, "hcsshim.cgroup=v1"));
	assert_false(init_cmdline_has_word("", 0, "quiet"));
}

static void test_enable_line_prefixes_every_controller(void **state)
{
	(void)state;
	const char list[] = "cpuset cpu io memory hugetlb pids\n";
	char out[64];
	int n = init_cgroup_enable_line(list, sizeof(list) - 1, out, sizeof(out));
	assert_string_equal(out, "+cpuset +cpu +io +memory +hugetlb +pids ");
	assert_int_equal(n, (int)strlen(out));
}

static void test_enable_line_of_nothing_is_empty(void **state)
{
	(void)state;
	char out[8];
	assert_int_equal(init_cgroup_enable_line("\n", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_enable_line_that_does_not_fit_is_refused(void **state)
{
	(void)state;
	const char list[] = "cpuset memory";
	char out[10];
	assert_int_equal(init_cgroup_enable_line(list, sizeof(list) - 1, out, sizeof(out)), -ENOSPC);
	char exact[17]; /* "+cpuset +memory " and the NUL */
	assert_int_equal(init_cgroup_enable_line(list, sizeof(list) - 1, exact, sizeof(exact)), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_word_matches_whole_tokens_only),
		cmocka_unit_test(test_cmdline_word_respects_the_length_and_tabs),
		cmocka_unit_test(test_enable_line_prefixes_every_controller),
		cmocka_unit_test(test_enable_line_of_nothing_is_empty),
		cmocka_unit_test(test_enable_line_that_does_not_fit_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
