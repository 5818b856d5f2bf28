/* remotefs_pattern.c: Docker exclude patterns (see remotefs_pattern.h). */
#include "lib/remotefs_pattern.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/remotefs_json.h"
#include "lib/remotefs_path.h"

struct pattern {
	char *text;  /* cleaned, without the `!` */
	bool exclusion;
	size_t ndirs; /* number of /-separated components */
	regex_t re;
	bool compiled;
};

struct rfs_patterns {
	struct pattern *p;
	size_t n;
};

void rfs_patterns_free(struct rfs_patterns *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->p[i].text);
		if (ps->p[i].compiled)
			regfree(&ps->p[i].re);
	}
	free(ps->p);
	free(ps);
}

/* Docker's glob -> regular expression translation. Docker compiles the
 * result with Go's regexp, which refuses a repetition applied to a
 * repetition ("invalid nested repetition operator: `++`"); glibc's regcomp
 * accepts it and its memory grows exponentially with the run, so such a
 * pattern is refused here as Docker refuses it. Braces are taken as literal
 * characters: a counted repetition would let one pattern expand glibc's
 * compiled tree the same way. Returns NULL for a refused pattern or OOM
 * (*refused tells which). */
static char *to_regex(const char *pat, bool *refused)
{
	struct rfs_buf b = {0};
	bool after_repetition = false;
	*refused = false;
	rfs_buf_puts(&b, "^");
	for (const char *s = pat; *s; s++) {
		char ch = *s;
		bool repetition = false;
		if (ch == '*') {
			if (s[1] == '*') {
				s++;
				if (s[1] == '/')
					s++;
				rfs_buf_puts(&b, s[1] == '\0' ? ".*" : "(.*/)?");
			} else {
				rfs_buf_puts(&b, "[^/]*");
			}
			repetition = true;
		} else if (ch == '?') {
			rfs_buf_puts(&b, "[^/]");
		} else if (ch == '.' || ch == '$' || ch == '{' || ch == '}') {
			rfs_buf_printf(&b, "\\%c", ch);
		} else if (ch == '\\') {
			if (s[1]) {
				s++;
				rfs_buf_printf(&b, "\\%c", *s);
			} else {
				rfs_buf_puts(&b, "\\\\");
			}
		} else {
			if (ch == '+') {
				if (after_repetition) {
					*refused = true;
					rfs_buf_free(&b);
					return NULL;
				}
				repetition = true;
			}
			rfs_buf_put(&b, &ch, 1);
		}
		after_repetition = repetition;
	}
	rfs_buf_puts(&b, "$");
	if (b.oom) {
		rfs_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static size_t count_dirs(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == '/';
	return n;
}

struct rfs_patterns *rfs_patterns_new(char *const *patterns, size_t n, char *msg, size_t msglen)
{
	struct rfs_patterns *ps = calloc(1, sizeof(*ps));
	if (!ps || !(ps->p = calloc(n + 1, sizeof(*ps->p)))) {
		free(ps);
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = patterns[i];
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		size_t len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		char *trimmed = strndup(s, len);
		char *clean = trimmed ? go_path_clean(trimmed) : NULL;
		free(trimmed);
		if (!clean) {
			snprintf(msg, msglen, "out of memory");
			rfs_patterns_free(ps);
			return NULL;
		}
		struct pattern *p = &ps->p[ps->n];
		if (clean[0] == '!') {
			if (clean[1] == '\0') {
				snprintf(msg, msglen, "illegal exclusion pattern: \"!\"");
				free(clean);
				rfs_patterns_free(ps);
				return NULL;
			}
			p->exclusion = true;
			memmove(clean, clean + 1, strlen(clean));
		}
		p->text = clean;
		ps->n++;
		p->ndirs = count_dirs(clean);
		bool refused;
		char *re = to_regex(clean, &refused);
		if (!re || regcomp(&p->re, re, REG_EXTENDED | REG_NOSUB) != 0) {
			snprintf(msg, msglen, refused ? "syntax error in pattern: invalid nested repetition operator"
						      : "syntax error in pattern");
			free(re);
			rfs_patterns_free(ps);
			return NULL;
		}
		p->compiled = true;
		free(re);
	}
	return ps;
}

bool rfs_patterns_match(const struct rfs_patterns *ps, const char *path)
{
	bool matched = false;
	/* The parent directory ("." at the top) and its components. */
	const char *slash = strrchr(path, '/');
	size_t parent_len = slash ? (size_t)(slash - path) : 0;
	size_t parent_dirs = slash ? count_dirs(path) - 1 : 1;
	for (size_t i = 0; i < ps->n; i++) {
		const struct pattern *p = &ps->p[i];
		bool m = regexec(&p->re, path, 0, NULL, 0) == 0;
		if (!m && slash && p->ndirs <= parent_dirs) {
			/* Try the parent's first ndirs components. */
			size_t k = 0, comps = 0;
			while (k < parent_len) {
				if (path[k] == '/' && ++comps == p->ndirs)
					break;
				k++;
			}
			char *prefix = strndup(path, k);
			if (prefix) {
				m = regexec(&p->re, prefix, 0, NULL, 0) == 0;
				free(prefix);
			}
		}
		if (m)
			matched = !p->exclusion;
	}
	return matched;
}

bool rfs_patterns_have_exclusions(const struct rfs_patterns *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].exclusion)
			return true;
	return false;
}

bool rfs_patterns_exception_under(const struct rfs_patterns *ps, const char *dir)
{
	size_t dlen = strlen(dir);
	for (size_t i = 0; i < ps->n; i++) {
		const struct pattern *p = &ps->p[i];
		if (!p->exclusion)
			continue;
		/* HasPrefix(pattern + "/", dir + "/") */
		size_t plen = strlen(p->text);
		if (plen + 1 < dlen + 1)
			continue;
		if (strncmp(p->text, dir, dlen) == 0 && (p->text[dlen] == '/' || (p->text[dlen] == '\0')))
			return true;
	}
	return false;
}
