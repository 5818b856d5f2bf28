/* tarout.h: what vhd2tar and exportSandbox share: the SEED options of
 * ../shared/spec/gcstools.md §2 and §1.2, the log file, and an output that
 * is either stdout or a file published only when complete. */
#ifndef GCSTOOLS_TAROUT_H
#define GCSTOOLS_TAROUT_H

#include <stdbool.h>

#include "lib/goflag.h"
#include "lib/vhd2tar_tar.h"

struct tarout_options {
	const char *fs, *whiteout, *vhd, *tmpdir, *logfile, *loglevel, *output;
};

/* Fills the defaults (logfile /tmp/NAME.log) and the shared flag table
 * entries; returns how many entries were written to flags (at most 7). */
size_t tarout_flags(struct tarout_options *o, const char *name, struct goflag *flags);
/* Parses argv against flags, allowing no positional argument. Returns 0, or
 * prints Go's message and the usage and returns 2, the exit code to use. */
int tarout_parse_flags(const struct goflag *flags, size_t n, int argc, char **argv, const char *name,
		       const char *synopsis);

/* Checks -fs, -vhd, -whiteout, -loglevel (errors on stderr), opens the
 * log. Returns 0 or -1. */
int tarout_setup(struct tarout_options *o, const char *name, enum vtar_whiteout *whiteout);

enum tarout_level { TAROUT_DEBUG, TAROUT_INFO, TAROUT_WARNING, TAROUT_ERROR };
void tarout_log(enum tarout_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs the error and prints "NAME: TEXT" on stderr. */
void tarout_fail(const char *name, const char *text);

/* The archive's destination: stdout, or PATH through a temporary file in
 * the same directory renamed over PATH by tarout_output_commit. */
struct tarout_output {
	int fd;
	char *path, *tmp;
};
int tarout_output_open(struct tarout_output *out, const char *path);
int tarout_output_commit(struct tarout_output *out);
/* Removes the temporary file (if any); safe after commit. */
void tarout_output_abort(struct tarout_output *out);

/* Fills an open archive; returns 0 or -errno with err text. */
typedef int (*tarout_fill_fn)(struct vtar *tar, void *ctx);
/* The body both commands share: opens the output (path, or stdout when
 * NULL), lets fill write the entries, ends the archive and publishes the
 * file only when all of it succeeded. Returns 0 or -errno with err text;
 * on failure no file is left under path. */
int tarout_write(const char *path, enum vtar_whiteout whiteout, tarout_fill_fn fill, void *ctx);
/* The walkers' note callback: logs the message as a warning. */
void tarout_note(void *ctx, const char *message);

#endif
