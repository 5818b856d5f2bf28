/* remotefs_error.c: remotefs error records (see remotefs_error.h). */
#include "lib/remotefs_error.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rfs_errno_text(int errnum, char *buf, size_t buflen)
{
	if (!buflen)
		return;
	char tmp[256];
	const char *s = strerror_r(errnum, tmp, sizeof(tmp));
	snprintf(buf, buflen, "%s", s);
	buf[0] = (char)tolower((unsigned char)buf[0]);
}

int rfs_error_text(struct rfs_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	e->kind = RFS_ERR_TEXT;
	e->errnum = 0;
	return -1;
}

int rfs_error_errno(struct rfs_error *e, int errnum)
{
	rfs_errno_text(errnum, e->text, sizeof(e->text));
	e->kind = RFS_ERR_ERRNO;
	e->errnum = errnum;
	return -1;
}

int rfs_error_path(struct rfs_error *e, const char *op, const char *path, int errnum)
{
	char why[256];
	rfs_errno_text(errnum, why, sizeof(why));
	snprintf(e->text, sizeof(e->text), "%s %s: %s", op, path, why);
	e->kind = RFS_ERR_PATH;
	e->errnum = errnum;
	return -1;
}

int rfs_error_link(struct rfs_error *e, const char *op, const char *oldpath, const char *newpath, int errnum)
{
	char why[256];
	rfs_errno_text(errnum, why, sizeof(why));
	snprintf(e->text, sizeof(e->text), "%s %s %s: %s", op, oldpath, newpath, why);
	e->kind = RFS_ERR_LINK;
	e->errnum = errnum;
	return -1;
}

int rfs_error_syscall(struct rfs_error *e, const char *name, int errnum)
{
	char why[256];
	rfs_errno_text(errnum, why, sizeof(why));
	snprintf(e->text, sizeof(e->text), "%s: %s", name, why);
	e->kind = RFS_ERR_SYSCALL;
	e->errnum = errnum;
	return -1;
}

void rfs_error_json(const struct rfs_error *e, struct rfs_buf *out)
{
	if (e->kind == RFS_ERR_NONE)
		return;
	const char *text = e->text;
	int num = 0;
	if (e->kind != RFS_ERR_TEXT) {
		/* Go's os.IsExist / IsNotExist / IsPermission, in that order. */
		if (e->errnum == EEXIST || e->errnum == ENOTEMPTY)
			text = "file already exists";
		else if (e->errnum == ENOENT)
			text = "file does not exist";
		else if (e->errnum == EACCES || e->errnum == EPERM)
			text = "permission denied";
		else if (e->kind != RFS_ERR_ERRNO)
			num = e->errnum;
	}
	rfs_buf_puts(out, "{\"ErrString\":");
	rfs_json_string(out, text, strlen(text));
	if (num)
		rfs_buf_printf(out, ",\"ErrNum\":%d", num);
	rfs_buf_puts(out, "}");
}
