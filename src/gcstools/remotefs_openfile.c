/* remotefs_openfile.c: `remotefs openfile PATH FLAGS PERM`, a one-file
 * server over stdin/stdout (../shared/spec/gcstools.md §8.6).
 *
 * After the open, requests (12-byte big-endian FileHeaders, remotefs_frame.h)
 * are served strictly one at a time until Close. Any failure, from bad
 * arguments to stdin ending before Close, ends the loop with a CmdFailed
 * header on stdout and the error record on stderr; the host reads stderr
 * after seeing CmdFailed. Reads are capped at 1 MiB (a short read is legal),
 * so a hostile size never becomes a huge allocation. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "gcstools/remotefs.h"
#include "lib/cleanup.h"
#include "lib/remotefs_frame.h"
#include "lib/remotefs_mode.h"
#include "lib/remotefs_strconv.h"
#include "os/remotefs_log.h"

#define READ_CAP (1u << 20)

static int send_header(struct rfs_ctx *c, uint32_t cmd, const void *data, uint64_t size)
{
	uint8_t h[12];
	rfs_file_header_encode(&(struct rfs_file_header){.cmd = cmd, .size = size}, h);
	int r = rfs_write_all(c->out, h, sizeof(h));
	if (r == 0 && size)
		r = rfs_write_all(c->out, data, size);
	if (r < 0)
		return rfs_error_path(&c->err, "write", "/dev/stdout", -r);
	return 0;
}

/* Reads exactly n bytes of a request; Go's binary.Read wording on EOF. */
static int read_request(struct rfs_ctx *c, void *buf, size_t n)
{
	long got = rfs_read_full(c->in, buf, n);
	if (got < 0)
		return rfs_error_path(&c->err, "read", "/dev/stdin", (int)-got);
	if (got == 0)
		return rfs_error_text(&c->err, "EOF");
	if ((size_t)got < n)
		return rfs_error_text(&c->err, "unexpected EOF");
	return 0;
}

/* Copies exactly n bytes from stdin into the file (Go's io.CopyN). */
static int do_write(struct rfs_ctx *c, int fd, const char *path, uint64_t n, char *buf)
{
	while (n > 0) {
		size_t chunk = n < READ_CAP ? (size_t)n : READ_CAP;
		ssize_t got = read(c->in, buf, chunk);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return rfs_error_path(&c->err, "read", "/dev/stdin", errno);
		}
		if (got == 0)
			return rfs_error_text(&c->err, "EOF");
		int r = rfs_write_all(fd, buf, (size_t)got);
		if (r < 0)
			return rfs_error_path(&c->err, "write", path, -r);
		n -= (uint64_t)got;
	}
	return 0;
}

static int serve(struct rfs_ctx *c, int fd, const char *path)
{
	_cleanup_free_ char *buf = malloc(READ_CAP);
	if (!buf)
		return rfs_error_errno(&c->err, ENOMEM);
	for (;;) {
		uint8_t raw[12];
		if (read_request(c, raw, sizeof(raw)) < 0)
			return -1;
		struct rfs_file_header h;
		rfs_file_header_decode(raw, &h);
		switch (h.cmd) {
		case RFS_CMD_READ: {
			size_t want = h.size < READ_CAP ? (size_t)h.size : READ_CAP;
			ssize_t n = 0;
			if (want > 0) {
				do
					n = read(fd, buf, want);
				while (n < 0 && errno == EINTR);
				if (n < 0)
					return rfs_error_path(&c->err, "read", path, errno);
				if (n == 0)
					return rfs_error_text(&c->err, "EOF");
			}
			if (send_header(c, RFS_CMD_OK, buf, (uint64_t)n) < 0)
				return -1;
			break;
		}
		case RFS_CMD_WRITE:
			if (do_write(c, fd, path, h.size, buf) < 0 || send_header(c, RFS_CMD_OK, NULL, 0) < 0)
				return -1;
			break;
		case RFS_CMD_SEEK: {
			uint8_t sraw[12];
			if (read_request(c, sraw, sizeof(sraw)) < 0)
				return -1;
			struct rfs_seek_header s;
			rfs_seek_header_decode(sraw, &s);
			off_t pos = lseek(fd, (off_t)s.offset, s.whence);
			if (pos < 0)
				return rfs_error_path(&c->err, "seek", path, errno);
			uint8_t be[8];
			rfs_put_be64(be, (uint64_t)pos);
			if (send_header(c, RFS_CMD_OK, be, sizeof(be)) < 0)
				return -1;
			break;
		}
		case RFS_CMD_CLOSE:
			return 0;
		default:
			return rfs_error_text(&c->err, "unkown command"); /* sic, SEED's text */
		}
	}
}

static int open_and_serve(struct rfs_ctx *c)
{
	if (c->nargs < 3)
		return rfs_error_text(&c->err, "invalid arguments");
	char msg[512];
	long long flags;
	uint64_t perm;
	if (go_parse_int(c->args[1], 10, 32, &flags, msg, sizeof(msg)) < 0 ||
	    go_parse_uint(c->args[2], 8, 32, &perm, msg, sizeof(msg)) < 0)
		return rfs_error_text(&c->err, "%s", msg);
	const char *path = c->args[0];
	int fd = open(path, (int)flags | O_CLOEXEC, unix_perm_from_go_filemode((uint32_t)perm));
	if (fd < 0)
		return rfs_error_path(&c->err, "open", path, errno);
	log_debug("openfile %s flags %lld: open", path, flags);
	if (send_header(c, RFS_CMD_OK, NULL, 0) < 0) {
		close(fd);
		return -1;
	}
	int r = serve(c, fd, path);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (close(fd) < 0)
		return rfs_error_path(&c->err, "close", path, errno);
	return send_header(c, RFS_CMD_OK, NULL, 0);
}

int rfs_cmd_openfile(struct rfs_ctx *c)
{
	if (open_and_serve(c) < 0) {
		/* The CmdFailed header tells the host to read stderr (§8.6). */
		uint8_t h[12];
		rfs_file_header_encode(&(struct rfs_file_header){.cmd = RFS_CMD_FAILED, .size = 0}, h);
		rfs_write_all(c->out, h, sizeof(h));
		return -1;
	}
	return 0;
}
