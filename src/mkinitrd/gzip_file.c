/* gzip_file.c: zlib-backed deterministic gzip writer (see gzip_file.h). */
#include "mkinitrd/gzip_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/err.h"

struct gzip_file {
	z_stream z;
	int fd;
	char *path, *tmp;
	int committed;
	unsigned char out[1 << 16];
};

int gzip_file_open(struct gzip_file **out, const char *path, int level)
{
	struct gzip_file *gz = calloc(1, sizeof(*gz));
	if (!gz)
		return err_set(-ENOMEM, "allocating gzip writer");
	gz->fd = -1;
	if (asprintf(&gz->tmp, "%s.tmp", path) < 0) {
		gz->tmp = NULL;
		gzip_file_close(gz);
		return err_set(-ENOMEM, "allocating gzip writer");
	}
	gz->path = strdup(path);
	if (!gz->path) {
		gzip_file_close(gz);
		return err_set(-ENOMEM, "allocating gzip writer");
	}
	/* windowBits 15 + 16 selects the gzip wrapper with zlib's fixed
	 * header: no name, mtime 0. */
	if (deflateInit2(&gz->z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(gz->tmp);
		free(gz->path);
		free(gz);
		return err_setmsg(-EINVAL, "zlib refused gzip level %d", level);
	}
	gz->fd = open(gz->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (gz->fd < 0) {
		int r = err_set(-errno, "creating %s", gz->tmp);
		gzip_file_close(gz);
		return r;
	}
	*out = gz;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int pump(struct gzip_file *gz, int flush)
{
	int zr;
	do {
		gz->z.next_out = gz->out;
		gz->z.avail_out = sizeof(gz->out);
		zr = deflate(&gz->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_setmsg(-EIO, "zlib deflate failed");
		int r = write_all(gz->fd, gz->out, sizeof(gz->out) - gz->z.avail_out);
		if (r < 0)
			return err_set(r, "writing %s", gz->tmp);
	} while (gz->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int gzip_file_write(void *ctx, const void *buf, size_t len)
{
	struct gzip_file *gz = ctx;
	const unsigned char *p = buf;
	while (len) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
		gz->z.next_in = (unsigned char *)p;
		gz->z.avail_in = chunk;
		int r = pump(gz, Z_NO_FLUSH);
		if (r < 0)
			return r;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int gzip_file_commit(struct gzip_file *gz)
{
	gz->z.next_in = NULL;
	gz->z.avail_in = 0;
	int r = pump(gz, Z_FINISH);
	if (r < 0)
		return r;
	if (fsync(gz->fd) < 0)
		return err_set(-errno, "syncing %s", gz->tmp);
	if (close(gz->fd) < 0) {
		gz->fd = -1;
		return err_set(-errno, "closing %s", gz->tmp);
	}
	gz->fd = -1;
	if (rename(gz->tmp, gz->path) < 0)
		return err_set(-errno, "renaming %s to %s", gz->tmp, gz->path);
	gz->committed = 1;
	return 0;
}

void gzip_file_close(struct gzip_file *gz)
{
	if (!gz)
		return;
	deflateEnd(&gz->z);
	if (gz->fd >= 0)
		close(gz->fd);
	if (!gz->committed && gz->tmp)
		unlink(gz->tmp);
	free(gz->tmp);
	free(gz->path);
	free(gz);
}
