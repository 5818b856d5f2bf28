/* Unit tests for Go-style flag parsing (src/lib/goflag.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/goflag.h"

struct opts {
	const char *whiteout, *tmpdir;
	bool verbose;
};

/* Parses into o; on failure err holds the message Go would print. */
static int parse(struct opts *o, int argc, char **argv, int *first, char *err)
{
	*o = (struct opts){ .whiteout = "overlay", .tmpdir = "/tmp/scratch" };
	const struct goflag flags[] = {
		GOFLAG_STR("whiteout", NULL, "", &o->whiteout),
		GOFLAG_STR("tmpdir", NULL, "", &o->tmpdir),
		GOFLAG_BOOL("v", "", &o->verbose),
	};
	err_clear();
	int r = goflag_parse(flags, 3, argc, argv, first);
	snprintf(err, 128, "%s", r == -EINVAL ? err_text() : "");
	return r;
}

static void test_single_double_dash_and_equals_are_the_same(void **state)
{
	(void)state;
	struct opts o;
	char err[128];
	int first;
	char *a[] = { "vhd2tar", "-whiteout", "aufs", "--tmpdir=/x", NULL };
	assert_int_equal(parse(&o, 4, a, &first, err), 0);
	assert_string_equal(o.whiteout, "aufs");
	assert_string_equal(o.tmpdir, "/x");
	assert_int_equal(first, 4);
	char *b[] = { "vhd2tar", "--whiteout", "aufs", "-tmpdir=", NULL };
	assert_int_equal(parse(&o, 4, b, &first, err), 0);
	assert_string_equal(o.whiteout, "aufs");
	assert_string_equal(o.tmpdir, "");
}

static void test_parsing_stops_at_first_argument_and_after_double_dash(void **state)
{
	(void)state;
	struct opts o;
	char err[128];
	int first;
	char *a[] = { "x", "-v", "readdir", "-whiteout", "aufs", NULL };
	assert_int_equal(parse(&o, 5, a, &first, err), 0);
	assert_true(o.verbose);
	assert_int_equal(first, 2);
	assert_string_equal(o.whiteout, "overlay");
	char *b[] = { "x", "--", "-v", NULL };
	assert_int_equal(parse(&o, 3, b, &first, err), 0);
	assert_int_equal(first, 2);
	assert_false(o.verbose);
	char *c[] = { "x", "-", NULL };
	assert_int_equal(parse(&o, 2, c, &first, err), 0);
	assert_int_equal(first, 1);
}

static void test_bool_flag_takes_explicit_value_only_with_equals(void **state)
{
	(void)state;
	struct opts o;
	char err[128];
	int first;
	char *a[] = { "x", "-v=false", NULL };
	assert_int_equal(parse(&o, 2, a, &first, err), 0);
	assert_false(o.verbose);
	char *b[] = { "x", "-v=maybe", NULL };
	assert_int_equal(parse(&o, 2, b, &first, err), -EINVAL);
	assert_non_null(strstr(err, "invalid boolean value"));
}

static void test_unknown_flag_and_missing_value_are_errors(void **state)
{
	(void)state;
	struct opts o;
	char err[128];
	int first;
	char *a[] = { "x", "-nope", NULL };
	assert_int_equal(parse(&o, 2, a, &first, err), -EINVAL);
	assert_string_equal(err, "flag provided but not defined: -nope");
	char *b[] = { "x", "-tmpdir", NULL };
	assert_int_equal(parse(&o, 2, b, &first, err), -EINVAL);
	assert_string_equal(err, "flag needs an argument: -tmpdir");
	char *c[] = { "x", "---tmpdir", NULL };
	assert_int_equal(parse(&o, 2, c, &first, err), -EINVAL);
}

static void test_help_is_reported_as_help(void **state)
{
	(void)state;
	struct opts o;
	char err[128];
	int first;
	char *a[] = { "x", "--help", NULL };
	assert_int_equal(parse(&o, 2, a, &first, err), -ECANCELED);
	char *b[] = { "x", "-h", NULL };
	assert_int_equal(parse(&o, 2, b, &first, err), -ECANCELED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_double_dash_and_equals_are_the_same),
		cmocka_unit_test(test_parsing_stops_at_first_argument_and_after_double_dash),
		cmocka_unit_test(test_bool_flag_takes_explicit_value_only_with_equals),
		cmocka_unit_test(test_unknown_flag_and_missing_value_are_errors),
		cmocka_unit_test(test_help_is_reported_as_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
