/* remotefs_error.h: the error record remotefs prints on stderr.
 *
 * Docker learns about a failed remotefs operation only from one JSON object
 * on stderr, {"ErrString":"...","ErrNum":N} (../shared/spec/gcstools.md
 * §8.2), and maps three portable messages back to Go's os errors. The record
 * keeps the shape of the Go error that SEED produced (path error
 * "op path: reason", link error "op old new: reason", syscall error
 * "name: reason", a bare errno, or plain text) because the shape decides
 * both the wording and whether ErrNum is present. Pure. */
#ifndef LCOW_REMOTEFS_ERROR_H
#define LCOW_REMOTEFS_ERROR_H

#include <stdbool.h>

#include "lib/remotefs_json.h"

enum rfs_error_kind {
	RFS_ERR_NONE = 0,
	RFS_ERR_TEXT,    /* a fixed message: no errno, no ErrNum */
	RFS_ERR_ERRNO,   /* a bare errno (mknod, mkfifo, lchmod): no ErrNum */
	RFS_ERR_PATH,    /* "op path: reason", ErrNum */
	RFS_ERR_LINK,    /* "op old new: reason", ErrNum */
	RFS_ERR_SYSCALL, /* "name: reason", ErrNum */
};

#define RFS_ERROR_TEXT_MAX 8192

struct rfs_error {
	enum rfs_error_kind kind;
	int errnum; /* positive Linux errno for the errno kinds */
	char text[RFS_ERROR_TEXT_MAX]; /* the Go error text before normalising */
};

/* Each setter fills e and returns -1, so a sub-command can `return rfs_...`. */
int rfs_error_text(struct rfs_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rfs_error_errno(struct rfs_error *e, int errnum);
int rfs_error_path(struct rfs_error *e, const char *op, const char *path, int errnum);
int rfs_error_link(struct rfs_error *e, const char *op, const char *oldpath, const char *newpath, int errnum);
int rfs_error_syscall(struct rfs_error *e, const char *name, int errnum);

/* Go's Errno.Error(): glibc's strerror wording with a lower-case first letter. */
void rfs_errno_text(int errnum, char *buf, size_t buflen);

/* The record as Docker must see it: normalised (ENOENT -> "file does not
 * exist", EEXIST/ENOTEMPTY -> "file already exists", EACCES/EPERM ->
 * "permission denied", all without ErrNum), JSON, no trailing newline.
 * Appends nothing when e->kind is RFS_ERR_NONE. */
void rfs_error_json(const struct rfs_error *e, struct rfs_buf *out);

#endif
