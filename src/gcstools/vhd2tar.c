/* vhd2tar.c: `gcstools vhd2tar` — a layer disk (fixed VHD, or a bare ext4
 * image) on stdin -> the layer's tar on stdout
 * (../shared/spec/gcstools.md §4, §5.2, §6.2).
 *
 * Where SEED loop-mounted the disk and archived the mount, this reads the
 * file system itself with libext2fs (os/ext2fs_walk.c): no root, no loop
 * device, and every attribute (xattrs, ACLs, ns times, sparse files) comes
 * out as the disk holds it. The input must be seekable, so a pipe is first
 * copied to a temporary file in -tmpdir, which is unlinked as soon as it is
 * open. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcstools/command.h"
#include "gcstools/tarout.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/vhd_footer.h"
#include "os/ext2fs_walk.h"

#define NAME "vhd2tar"
#define COPY_CHUNK (1u << 20)

struct input {
	int fd;
	char path[64];     /* what libext2fs opens */
	char *tmp;         /* temporary copy still to unlink, if any */
	uint64_t fs_bytes; /* the file system's share of the input */
};

static void input_close(struct input *in)
{
	if (in->tmp) {
		unlink(in->tmp);
		free(in->tmp);
		in->tmp = NULL;
	}
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}

static int mkdir_p(const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -errno;
			*s = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int copy_stdin(struct input *in, const char *tmpdir)
{
	int r = mkdir_p(tmpdir);
	if (r < 0)
		return err_set(r, "creating the scratch directory %s", tmpdir);
	if (asprintf(&in->tmp, "%s/vhdXXXXXX", tmpdir) < 0) {
		in->tmp = NULL;
		return err_set(-ENOMEM, "naming a temporary file");
	}
	in->fd = mkostemp(in->tmp, O_CLOEXEC);
	if (in->fd < 0) {
		r = err_set(-errno, "creating %s", in->tmp);
		free(in->tmp);
		in->tmp = NULL;
		return r;
	}
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	if (!buf)
		return err_set(-ENOMEM, "copying stdin");
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(-errno, "reading stdin");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(in->fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return err_set(-errno, "writing %s", in->tmp);
			off += w;
		}
	}
	snprintf(in->path, sizeof(in->path), "/proc/self/fd/%d", in->fd);
	if (access(in->path, R_OK) == 0) {
		/* Open by descriptor from now on: nothing is left behind even
		 * if the process dies. */
		unlink(in->tmp);
		free(in->tmp);
		in->tmp = NULL;
	} else {
		snprintf(in->path, sizeof(in->path), "%s", in->tmp);
	}
	return 0;
}

static int open_input(struct input *in, const char *file, const char *tmpdir)
{
	*in = (struct input){ .fd = -1 };
	struct stat st;
	if (file) {
		in->fd = open(file, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			return err_set(-errno, "opening %s", file);
		snprintf(in->path, sizeof(in->path), "/proc/self/fd/%d", in->fd);
		if (access(in->path, R_OK) != 0) {
			if (strlen(file) >= sizeof(in->path))
				return err_setmsg(-ENAMETOOLONG, "%s: path too long without /proc", file);
			snprintf(in->path, sizeof(in->path), "%s", file);
		}
	} else if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0 &&
		   access("/proc/self/fd/0", R_OK) == 0) {
		/* stdin redirected from a file: read it in place. */
		in->fd = STDIN_FILENO;
		snprintf(in->path, sizeof(in->path), "/proc/self/fd/0");
	} else {
		int r = copy_stdin(in, tmpdir);
		if (r < 0)
			return r;
	}
	if (fstat(in->fd, &st) < 0)
		return err_set(-errno, "examining the input");
	if (!file && st.st_size < VHD_FOOTER_SIZE)
		return err_setmsg(-EINVAL, "invalid input file (%lld bytes)", (long long)st.st_size);

	uint64_t size = (uint64_t)st.st_size;
	in->fs_bytes = size;
	if (size >= VHD_FOOTER_SIZE) {
		uint8_t footer[VHD_FOOTER_SIZE];
		ssize_t n = pread(in->fd, footer, sizeof(footer), (off_t)(size - VHD_FOOTER_SIZE));
		if (n != (ssize_t)sizeof(footer))
			return err_set(n < 0 ? -errno : -EIO, "reading the VHD footer");
		/* SEED drops the last 512 bytes unread; here only a footer
		 * (its cookie) is dropped, and one that does not validate is
		 * logged, not refused. */
		if (memcmp(footer, VHD_COOKIE, 8) == 0) {
			in->fs_bytes = size - VHD_FOOTER_SIZE;
			struct vhd_footer f;
			if (vhd_footer_parse(footer, &f) < 0 || vhd_footer_check_file_size(&f, size) < 0)
				tarout_log(TAROUT_WARNING, "VHD footer ignored: %s", err_text());
		} else {
			tarout_log(TAROUT_INFO, "no VHD footer: reading a bare ext4 image");
		}
	}
	return 0;
}

struct vhd2tar_job {
	struct input *in;
	struct e2walk_options options;
	struct e2walk_stats stats;
};

static int vhd2tar_fill(struct vtar *tar, void *ctx)
{
	struct vhd2tar_job *job = ctx;
	return e2walk_to_tar(job->in->path, job->in->fd, job->in->fs_bytes, &job->options, tar, &job->stats);
}

static const char synopsis[] =
	"vhd2tar [flags] < layer.vhd > layer.tar\n"
	"Reads a fixed VHD (ext4 image + 512-byte footer) or a bare ext4 image and writes\n"
	"its files as a pax tar: sorted by name, directories before their contents, hard\n"
	"links as links to the first name, xattrs and POSIX ACLs as SCHILY.xattr records,\n"
	"nanosecond times, sparse files kept sparse. Exit 0 on success, 1 on failure,\n"
	"2 for bad flags. A piped stdin is first copied to -tmpdir (removed at once).";

static int vhd2tar_main(int argc, char **argv)
{
	struct tarout_options o = { 0 };
	const char *input = NULL;
	const char *env_tmp = getenv("TMPDIR");
	struct goflag flags[9];
	size_t n = tarout_flags(&o, NAME, flags);
	flags[n++] = (struct goflag)GOFLAG_STR("i", NULL, "read the disk from this file instead of stdin", &input);
	const char *tmpdir_default = o.tmpdir;

	if (tarout_parse_flags(flags, n, argc, argv, NAME, synopsis) != 0)
		return 2;
	if (o.tmpdir == tmpdir_default && env_tmp && *env_tmp)
		o.tmpdir = env_tmp;

	enum vtar_whiteout whiteout;
	if (tarout_setup(&o, NAME, &whiteout) < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	tarout_log(TAROUT_INFO, "vhd2tar: whiteout=%s input=%s output=%s", o.whiteout, input ? input : "stdin",
		   o.output ? o.output : "stdout");

	struct input in;
	struct vhd2tar_job job = { .in = &in, .options = { .whiteout = whiteout, .note = tarout_note } };
	struct e2walk_stats *stats = &job.stats;
	int r = open_input(&in, input, o.tmpdir);
	if (r >= 0)
		r = tarout_write(o.output, whiteout, vhd2tar_fill, &job);
	input_close(&in);
	if (r < 0) {
		tarout_fail(NAME, err_text());
		return 1;
	}
	tarout_log(TAROUT_INFO,
		   "wrote %llu entries, %llu bytes of file data, %llu hard links, %llu whiteouts, %llu sparse files, "
		   "%llu skipped",
		   (unsigned long long)stats->entries, (unsigned long long)stats->data_bytes,
		   (unsigned long long)stats->hardlinks, (unsigned long long)stats->whiteouts,
		   (unsigned long long)stats->sparse_files, (unsigned long long)stats->skipped);
	return 0;
}

GCSTOOLS_COMMAND(vhd2tar, "vhd2tar", "layer disk (fixed VHD or ext4 image) on stdin -> tar on stdout",
		 vhd2tar_main);
