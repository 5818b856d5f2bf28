/* remotefs_pattern.h: Docker's ExcludePatterns matcher (fileutils
 * PatternMatcher, as of 2018) for archivepath.
 *
 * Patterns are cleaned; a leading `!` makes an exception; `*` and `?` do not
 * cross `/`, `**` crosses any number of directories; a pattern also matches
 * a file when it matches one of the file's parent directories with the same
 * number of components; the last matching pattern decides. Docker compiled
 * each pattern to a regular expression; so does this (POSIX ERE). Pure. */
#ifndef LCOW_REMOTEFS_PATTERN_H
#define LCOW_REMOTEFS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

struct rfs_patterns;

/* NULL with msg on a bad pattern or out of memory. */
struct rfs_patterns *rfs_patterns_new(char *const *patterns, size_t n, char *msg, size_t msglen);
void rfs_patterns_free(struct rfs_patterns *p);

/* Whether the relative, /-separated path is excluded. */
bool rfs_patterns_match(const struct rfs_patterns *p, const char *path);
/* Whether any pattern is an exception (`!`). */
bool rfs_patterns_have_exclusions(const struct rfs_patterns *p);
/* Whether an exception pattern lies inside directory dir (Docker's check
 * before skipping a whole excluded directory). */
bool rfs_patterns_exception_under(const struct rfs_patterns *p, const char *dir);

#endif
