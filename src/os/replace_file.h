/* replace_file.h: write a file completely or not at all.
 *
 * The output is written to a temporary file next to its final name and
 * renamed over it only once complete and flushed, so a failure (or a crash)
 * never leaves a half-written disk image under the final name. */
#ifndef LCOW_REPLACE_FILE_H
#define LCOW_REPLACE_FILE_H

#include <limits.h>
#include <sys/types.h>

struct replace_file {
	int fd;               /* the temporary file, write here */
	const char *path;     /* the final name */
	char tmp[PATH_MAX];   /* PATH.tmp.XXXXXX */
};

/* Creates the temporary file for path. Returns 0 or a negative errno. */
int replace_file_open(struct replace_file *f, const char *path);

/* Ends the write whose result is r: when r >= 0, sets mode, flushes and
 * renames the temporary over the final name; otherwise, or when one of
 * those steps fails, removes the temporary. Closes the descriptor either
 * way. Returns r, or the error of the step that failed. */
int replace_file_finish(struct replace_file *f, int r, mode_t mode);

#endif
