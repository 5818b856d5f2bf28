/* Unit tests for Go's lexical path rules and Docker's scoped symlink
 * evaluation (src/lib/remotefs_path.h, ../shared/spec/gcstools.md §8.5),
 * run on a table of cases against a fake tree. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/remotefs_path.h"

static void test_clean_follows_go_filepath_clean(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"", "."}, {"/", "/"}, {"//a//b/", "/a/b"}, {"a/./b", "a/b"}, {"a/../..", ".."},
		{"/../x", "/x"}, {"../../a/b/..", "../../a"}, {"./", "."}, {"a/b/../../..", ".."},
		{"/a/b/c/../../d", "/a/d"}, {"abc/..", "."}, {"..a/b", "..a/b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = go_path_clean(cases[i][0]);
		assert_non_null(got);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("Clean(%s) = %s, want %s", cases[i][0], got, cases[i][1]);
		free(got);
	}
}

static void test_abs_joins_relative_paths_to_cwd(void **state)
{
	(void)state;
	char *p = go_path_abs("x/../y", "/bin");
	assert_string_equal(p, "/bin/y");
	free(p);
	p = go_path_abs("/a//b", "/bin");
	assert_string_equal(p, "/a/b");
	free(p);
}

/* A fake tree under /r: entries are path -> symlink target, "" for a plain
 * file or directory, or an errno for lstat to return. */
struct fake {
	const char *path;
	const char *link;
	int err;
};

static const struct fake tree[] = {
	{"/r/etc", "", 0},
	{"/r/etc/hosts", "", 0},
	{"/r/abs", "/etc", 0},          /* absolute target: re-rooted */
	{"/r/up", "../../../../etc", 0}, /* climbs: stops at root */
	{"/r/rel", "etc/hosts", 0},
	{"/r/loop1", "loop2", 0},
	{"/r/loop2", "loop1", 0},
	{"/r/file", "", 0},
	{"/r/file/x", NULL, ENOTDIR},
	{"/r/denied", NULL, EACCES},
	{"/r/dir", "", 0},
	{"/r/dir/back", "..", 0},
	{"/r/self", ".", 0},
};

static int fake_lstat(void *ctx, const char *path)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		if (strcmp(tree[i].path, path) == 0) {
			if (tree[i].err)
				return -tree[i].err;
			return tree[i].link[0] ? 1 : 0;
		}
	}
	return -ENOENT;
}

static int fake_readlink(void *ctx, const char *path, char **target)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		if (strcmp(tree[i].path, path) == 0 && tree[i].link && tree[i].link[0]) {
			*target = strdup(tree[i].link);
			return 0;
		}
	return -EINVAL;
}

static const struct rfs_resolve_ops ops = {fake_lstat, fake_readlink, NULL};

struct resolve_case {
	const char *path, *root, *want, *err;
};

static const struct resolve_case cases[] = {
	{"/r", "/r", "/r", NULL},
	{"/r/etc/hosts", "/r", "/r/etc/hosts", NULL},
	{"/r/abs/hosts", "/r", "/r/etc/hosts", NULL},
	{"/r/up/hosts", "/r", "/r/etc/hosts", NULL},
	{"/r/rel", "/r", "/r/etc/hosts", NULL},
	{"/r/missing/a/b", "/r", "/r/missing/a/b", NULL},
	{"/r/../../etc/passwd", "/r", NULL, "evalSymlinksInScope: /etc/passwd is not in /r"},
	{"/r/dir/back/etc", "/r", "/r/etc", NULL},
	/* After ".." resets at the top, "back" is looked up at the root. */
	{"/r/dir/back/back/back/etc", "/r", "/r/back/back/etc", NULL},
	{"/r/self/self/etc", "/r", "/r/etc", NULL},
	{"/r/loop1", "/r", NULL, "evalSymlinksInScope: too many links in /r/loop1"},
	{"/rx/a", "/r", NULL, "evalSymlinksInScope: x/a is not in /r"},
	{"/other", "/r", NULL, "evalSymlinksInScope: /other is not in /r"},
	{"/r/file/x/y", "/r", NULL, "lstat /r/file/x: not a directory"},
	{"/r/denied/y", "/r", NULL, "lstat /r/denied: permission denied"},
	{"etc", "/r", NULL, "evalSymlinksInScope: /cwd/etc is not in /r"},
	{"/r/abs", "/r/", "/r/etc", NULL},
};

static void test_resolve_in_scope_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct resolve_case *c = &cases[i];
		char *out = NULL;
		struct rfs_error e = {0};
		int r = rfs_resolve_in_scope(c->path, c->root, "/cwd", &ops, &out, &e);
		if (c->want) {
			if (r != 0 || strcmp(out, c->want) != 0)
				fail_msg("resolve(%s, %s) = %d %s [%s], want %s", c->path, c->root, r,
					 out ? out : "-", e.text, c->want);
		} else {
			if (r == 0 || strcmp(e.text, c->err) != 0)
				fail_msg("resolve(%s, %s): got %d [%s], want error [%s]", c->path, c->root, r,
					 e.text, c->err);
		}
		free(out);
	}
}

static void test_resolve_with_slash_root_keeps_absolute_path(void **state)
{
	(void)state;
	char *out = NULL;
	struct rfs_error e = {0};
	assert_int_equal(rfs_resolve_in_scope("/r/abs/hosts", "/", "/", &ops, &out, &e), 0);
	/* With root "/", /r/abs -> /etc which does not exist in the fake tree. */
	assert_string_equal(out, "/etc/hosts");
	free(out);
}

static void test_resolve_lstat_error_is_a_path_error_with_errno(void **state)
{
	(void)state;
	char *out = NULL;
	struct rfs_error e = {0};
	assert_int_equal(rfs_resolve_in_scope("/r/file/x", "/r", "/", &ops, &out, &e), -1);
	assert_int_equal(e.kind, RFS_ERR_PATH);
	assert_int_equal(e.errnum, ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_follows_go_filepath_clean),
		cmocka_unit_test(test_abs_joins_relative_paths_to_cwd),
		cmocka_unit_test(test_resolve_in_scope_table),
		cmocka_unit_test(test_resolve_with_slash_root_keeps_absolute_path),
		cmocka_unit_test(test_resolve_lstat_error_is_a_path_error_with_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
