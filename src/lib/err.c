/* err.c: the per-thread error text behind err.h. */
#include "lib/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The single-threaded boot programs (built on musl, see the Makefile) keep
 * it in plain static storage: musl maps thread-local storage beyond a few
 * hundred bytes with an extra mmap at start-up, which is milliseconds on
 * the boot path under an emulated CPU (docs/init.md). */
#ifdef LCOW_SINGLE_THREADED
#define ERR_STORAGE static
#else
#define ERR_STORAGE static __thread
#endif

ERR_STORAGE char err_buf[ERR_TEXT_MAX];
ERR_STORAGE int err_code;

__attribute__((format(printf, 3, 0)))
static void err_vformat(int r, int with_errno, const char *fmt, va_list ap)
{
	int n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	if (n < 0)
		n = 0;
	if (with_errno && r < 0 && (size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - (size_t)n, ": %s", strerror(-r));
	err_code = r;
}

int err_set(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vformat(r, 1, fmt, ap);
	va_end(ap);
	return r;
}

int err_setmsg(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vformat(r, 0, fmt, ap);
	va_end(ap);
	return r;
}

int err_wrap(int r, const char *fmt, ...)
{
	char prev[ERR_TEXT_MAX];
	if (err_buf[0])
		memcpy(prev, err_buf, sizeof(prev));
	else
		snprintf(prev, sizeof(prev), "%s", strerror(r < 0 ? -r : EIO));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - (size_t)n, ": %s", prev);
	err_code = r;
	return r;
}

const char *err_text(void)
{
	if (!err_buf[0] && err_code < 0)
		return strerror(-err_code);
	return err_buf[0] ? err_buf : "unknown error";
}

void err_clear(void)
{
	err_buf[0] = '\0';
	err_code = 0;
}
