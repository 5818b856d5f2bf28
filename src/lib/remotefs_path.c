/* remotefs_path.c: Go path rules and scoped symlink evaluation (see
 * remotefs_path.h). */
#include "lib/remotefs_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"

char *go_path_clean(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return strdup(".");
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	bool rooted = path[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *go_path_join(const char *a, const char *b)
{
	if (!*a && !*b)
		return strdup("");
	_cleanup_free_ char *joined = NULL;
	if (!*a)
		return go_path_clean(b);
	if (!*b)
		return go_path_clean(a);
	if (asprintf(&joined, "%s/%s", a, b) < 0)
		return NULL;
	return go_path_clean(joined);
}

char *go_path_abs(const char *path, const char *cwd)
{
	if (path[0] == '/')
		return go_path_clean(path);
	return go_path_join(cwd, path);
}

/* A growable string for the pieces of the walk. */
struct str {
	char *p;
	size_t len, cap;
};

static int str_set(struct str *s, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t need = alen + blen + 1;
	char *p = malloc(need > 16 ? need : 16);
	if (!p)
		return -ENOMEM;
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	p[alen + blen] = '\0';
	free(s->p);
	s->p = p;
	s->len = alen + blen;
	s->cap = need;
	return 0;
}

static void str_free(struct str *s) { free(s->p); }

int rfs_resolve_in_scope(const char *path_in, const char *root_in, const char *cwd,
			 const struct rfs_resolve_ops *ops, char **out, struct rfs_error *e)
{
	_cleanup_free_ char *path = go_path_abs(path_in, cwd);
	_cleanup_free_ char *root = go_path_abs(root_in, cwd);
	if (!path || !root)
		return rfs_error_errno(e, ENOMEM);
	if (strcmp(path, root) == 0) {
		*out = TAKE_PTR(path);
		return 0;
	}
	size_t rootlen = strlen(root);
	if (strncmp(path, root, rootlen) != 0)
		return rfs_error_text(e, "evalSymlinksInScope: %s is not in %s", path, root);

	/* The remainder below root, which must start at a separator. */
	__attribute__((cleanup(str_free))) struct str rest = {0};
	int r;
	if (strcmp(root, "/") == 0)
		r = str_set(&rest, "/", 1, path + rootlen, strlen(path + rootlen));
	else
		r = str_set(&rest, path + rootlen, strlen(path + rootlen), "", 0);
	if (r < 0)
		return rfs_error_errno(e, ENOMEM);
	if (rest.p[0] != '/')
		return rfs_error_text(e, "evalSymlinksInScope: %s is not in %s", rest.p, root);
	{
		char *c = go_path_clean(rest.p);
		if (!c)
			return rfs_error_errno(e, ENOMEM);
		r = str_set(&rest, c, strlen(c), "", 0);
		free(c);
		if (r < 0)
			return rfs_error_errno(e, ENOMEM);
	}

	/* done: the resolved part so far, relative to root, each component
	 * followed by a slash (Docker keeps ".." components here verbatim and
	 * cleans at each use). rest_off: where the unconsumed part starts. */
	__attribute__((cleanup(str_free))) struct str done = {0};
	if (str_set(&done, "", 0, "", 0) < 0)
		return rfs_error_errno(e, ENOMEM);
	size_t off = 0;
	for (int n = 0; off < rest.len; n++) {
		if (n > 255)
			return rfs_error_text(e, "evalSymlinksInScope: too many links in %s", path);
		const char *start = rest.p + off;
		const char *slash = strchr(start, '/');
		size_t clen = slash ? (size_t)(slash - start) : strlen(start);
		off += clen + (slash ? 1 : 0);
		if (clen == 0)
			continue;

		_cleanup_free_ char *cand_raw = NULL;
		if (asprintf(&cand_raw, "/%s%.*s", done.p, (int)clen, start) < 0)
			return rfs_error_errno(e, ENOMEM);
		_cleanup_free_ char *cand = go_path_clean(cand_raw);
		if (!cand)
			return rfs_error_errno(e, ENOMEM);
		if (strcmp(cand, "/") == 0) {
			/* Never look at root itself; ".." at the top stays there. */
			if (str_set(&done, "", 0, "", 0) < 0)
				return rfs_error_errno(e, ENOMEM);
			continue;
		}
		_cleanup_free_ char *full_raw = NULL;
		if (asprintf(&full_raw, "%s%s", root, cand) < 0)
			return rfs_error_errno(e, ENOMEM);
		_cleanup_free_ char *full = go_path_clean(full_raw);
		if (!full)
			return rfs_error_errno(e, ENOMEM);
		int kind = ops->lstat_is_symlink(ops->ctx, full);
		if (kind == -ENOENT || kind == 0) {
			/* Missing components are accepted literally. */
			_cleanup_free_ char *comp = strndup(start, clen);
			if (!comp || str_set(&done, done.p, done.len, comp, clen) < 0 ||
			    str_set(&done, done.p, done.len, "/", 1) < 0)
				return rfs_error_errno(e, ENOMEM);
			continue;
		}
		if (kind < 0)
			return rfs_error_path(e, "lstat", full, -kind);
		_cleanup_free_ char *target = NULL;
		r = ops->readlink(ops->ctx, full, &target);
		if (r < 0)
			return rfs_error_path(e, "readlink", full, -r);
		if (target[0] == '/' && str_set(&done, "", 0, "", 0) < 0)
			return rfs_error_errno(e, ENOMEM);
		/* The target goes in front of what is left to walk. */
		_cleanup_free_ char *left = strdup(rest.p + off);
		if (!left)
			return rfs_error_errno(e, ENOMEM);
		size_t tlen = strlen(target);
		_cleanup_free_ char *withslash = malloc(tlen + 2);
		if (!withslash)
			return rfs_error_errno(e, ENOMEM);
		memcpy(withslash, target, tlen);
		withslash[tlen] = '/';
		withslash[tlen + 1] = '\0';
		if (str_set(&rest, withslash, tlen + 1, left, strlen(left)) < 0)
			return rfs_error_errno(e, ENOMEM);
		off = 0;
	}
	_cleanup_free_ char *tail_raw = NULL;
	if (asprintf(&tail_raw, "/%s", done.p) < 0)
		return rfs_error_errno(e, ENOMEM);
	_cleanup_free_ char *tail = go_path_clean(tail_raw);
	_cleanup_free_ char *joined = NULL;
	if (!tail || asprintf(&joined, "%s%s", root, tail) < 0)
		return rfs_error_errno(e, ENOMEM);
	*out = go_path_clean(joined);
	if (!*out)
		return rfs_error_errno(e, ENOMEM);
	return 0;
}
