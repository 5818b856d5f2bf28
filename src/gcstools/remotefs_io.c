/* remotefs_io.c: descriptor helpers and the TarOptions frame reader shared
 * by the remotefs sub-commands. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "gcstools/remotefs.h"
#include "lib/cleanup.h"
#include "lib/remotefs_frame.h"
#include "lib/remotefs_taroptions.h"
#include "os/remotefs_log.h"

int rfs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long rfs_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

/* The JSON is at most this long; Docker's options are a few hundred bytes. */
#define TAROPTIONS_MAX (16u << 20)

int rfs_read_taroptions(struct rfs_ctx *c, struct rfs_taroptions *o)
{
	uint8_t prefix[RFS_TAROPTIONS_PREFIX];
	long n = rfs_read_full(c->in, prefix, sizeof(prefix));
	if (n < 0)
		return rfs_error_path(&c->err, "read", "/dev/stdin", (int)-n);
	if (n == 0)
		return rfs_error_text(&c->err, "EOF");
	if (n < (long)sizeof(prefix))
		return rfs_error_text(&c->err, "unexpected EOF");
	uint64_t len = rfs_be64(prefix);
	if (len > TAROPTIONS_MAX)
		return rfs_error_text(&c->err, "TarOptions of %llu bytes is too large", (unsigned long long)len);
	_cleanup_free_ char *json = malloc(len + 1);
	if (!json)
		return rfs_error_errno(&c->err, ENOMEM);
	n = rfs_read_full(c->in, json, len);
	if (n < 0)
		return rfs_error_path(&c->err, "read", "/dev/stdin", (int)-n);
	if ((uint64_t)n < len)
		return rfs_error_text(&c->err, n == 0 && len > 0 ? "EOF" : "unexpected EOF");
	json[len] = '\0';
	log_debug("TarOptions: %s", json);
	char msg[512];
	int r = rfs_taroptions_parse(json, len, o, msg, sizeof(msg));
	if (r == -ENOMEM)
		return rfs_error_errno(&c->err, ENOMEM);
	if (r < 0)
		return rfs_error_text(&c->err, "%s", msg);
	return 0;
}
