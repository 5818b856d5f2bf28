/* remotefs_path.h: Go's lexical path rules and Docker's scoped symlink
 * evaluation, for remotefs resolvepath and extractarchive.
 *
 * `resolvepath` must answer exactly as Docker's FollowSymlinkInScope did
 * (../shared/spec/gcstools.md §8.5): symlinks in PATH are evaluated as if
 * ROOT were "/", so `..` and absolute link targets never leave ROOT, and
 * missing components are kept literally. The file-system look-ups are
 * callbacks, so the rules run on a table of fake trees in unit tests and on
 * the real file system in the tool. */
#ifndef LCOW_REMOTEFS_PATH_H
#define LCOW_REMOTEFS_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/remotefs_error.h"

/* Go's filepath.Clean: a malloc'd string, NULL when out of memory. */
char *go_path_clean(const char *path);
/* filepath.Join(a, b) (both non-empty or either empty), malloc'd. */
char *go_path_join(const char *a, const char *b);
/* filepath.Abs: Clean(path), or Clean(cwd + "/" + path) when relative. */
char *go_path_abs(const char *path, const char *cwd);

struct rfs_resolve_ops {
	/* 1 = symlink, 0 = exists and is not a symlink, or a negative errno. */
	int (*lstat_is_symlink)(void *ctx, const char *path);
	/* The link's target, malloc'd, in *target; 0 or a negative errno. */
	int (*readlink)(void *ctx, const char *path, char **target);
	void *ctx;
};

/* FollowSymlinkInScope(path, root): on success *out is the malloc'd
 * resolved path and 0 is returned; on failure e describes it (Docker's
 * wording: "evalSymlinksInScope: ... is not in ...", a path error from
 * lstat/readlink, ...) and -1 is returned. Relative inputs resolve
 * against cwd. */
int rfs_resolve_in_scope(const char *path, const char *root, const char *cwd, const struct rfs_resolve_ops *ops,
			 char **out, struct rfs_error *e);

#endif
