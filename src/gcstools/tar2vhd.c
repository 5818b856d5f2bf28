/* tar2vhd.c: `gcstools tar2vhd` - a layer tar in, a fixed VHD (ext4 image
 * plus 512-byte footer) out (../shared/spec/gcstools.md §3, written with the
 * direct writer of ../shared/spec/ext4-writer.md instead of mkfs + mount).
 *
 * The ext4 writer needs a seekable output (the superblock and group
 * descriptors at the front are written last), so:
 *   -o FILE      the image is written to FILE.tmp.XXXXXX next to FILE, the
 *                footer appended, then renamed over FILE; removed on error;
 *   stdout file  (`> FILE`, an empty regular file at offset 0) written in
 *                place and truncated to 0 on error;
 *   stdout pipe  the image is built in an unlinked temporary file in -tmpdir
 *                (else $TMPDIR, else /tmp), then streamed with sendfile.
 * Nothing but the image is ever written to stdout. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcstools/command.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/ext4_writer.h"
#include "lib/goflag.h"
#include "lib/tar_layer.h"
#include "lib/vhd_footer.h"

struct tar2vhd_options {
	const char *input;  /* NULL = stdin */
	const char *output; /* NULL = stdout */
	const char *tmpdir;
	enum tar_whiteout_format whiteouts;
	bool vhd;
	uint64_t max_size;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tar2vhd [OPTIONS] < layer.tar > layer.vhd\n"
		"\n"
		"Converts a container layer tar (plain, gzip, bzip2, xz or zstd) into an ext4\n"
		"file system image with a fixed VHD footer, without mkfs, mount or root.\n"
		"Flags take one or two dashes, and -flag value or -flag=value.\n"
		"\n"
		"  -i FILE            read the tar from FILE (default: stdin)\n"
		"  -o FILE            write the VHD to FILE, atomically (default: stdout)\n"
		"  -whiteout FORMAT   overlay (default): .wh.NAME becomes a 0/0 character device\n"
		"                     and .wh..wh..opq sets trusted.overlay.opaque=y on its\n"
		"                     directory; aufs: .wh.* entries are stored as they are\n"
		"  -fs ext4           file system type (only ext4)\n"
		"  -vhd fixed         VHD type (only fixed)\n"
		"  --no-vhd           write the bare ext4 image, without the VHD footer\n"
		"  --max-size BYTES   largest ext4 image allowed (suffix K, M, G or T; default\n"
		"                     128G, at most 16T); larger content is an error\n"
		"  -tmpdir DIR        where the image is built when stdout is a pipe (created\n"
		"                     if missing; default $TMPDIR or /tmp)\n"
		"  -logfile, -loglevel  accepted for compatibility and ignored: errors go to stderr\n"
		"\n"
		"Exit status: 0 on success, 1 on a conversion error (reason on stderr),\n"
		"2 on a command-line error.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: break;
	}
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int set_fs(const struct goflag *f, const char *value)
{
	if (strcmp(value, "ext4") != 0)
		return err_setmsg(-EINVAL, "Unknown filesystem: %s", value);
	return 0;
}

static int set_vhd_type(const struct goflag *f, const char *value)
{
	if (strcmp(value, "fixed") != 0)
		return err_setmsg(-EINVAL, "Unknown vhd format: %s", value);
	return 0;
}

static int set_whiteout(const struct goflag *f, const char *value)
{
	enum tar_whiteout_format *w = f->target;
	if (strcmp(value, "overlay") == 0)
		*w = TAR_WHITEOUT_OVERLAY;
	else if (strcmp(value, "aufs") == 0)
		*w = TAR_WHITEOUT_AUFS;
	else
		return err_setmsg(-EINVAL, "Unknown whiteout format: %s", value);
	return 0;
}

static int set_max_size(const struct goflag *f, const char *value)
{
	uint64_t *max = f->target;
	if (parse_size(value, max) < 0 || *max < EXT4_WRITER_MIN_MAX_SIZE || *max > EXT4_WRITER_LIMIT_MAX_SIZE)
		return err_setmsg(-EINVAL, "invalid -max-size '%s' (1M..16T)", value);
	return 0;
}

/* Go flag-package syntax (gcstools.md §1.1). Returns 0, 1 for --help, or
 * -EINVAL after printing the problem. */
static int parse_args(int argc, char **argv, struct tar2vhd_options *o)
{
	bool no_vhd = false;
	const char *ignored = NULL; /* -logfile, -loglevel: errors go to stderr */
	const struct goflag flags[] = {
		GOFLAG_STR("i", "FILE", "", &o->input),
		GOFLAG_STR("o", "FILE", "", &o->output),
		GOFLAG_STR("tmpdir", "DIR", "", &o->tmpdir),
		{ "fs", false, "TYPE", "", set_fs, NULL },
		{ "vhd", false, "TYPE", "", set_vhd_type, NULL },
		{ "whiteout", false, "FORMAT", "", set_whiteout, &o->whiteouts },
		{ "max-size", false, "BYTES", "", set_max_size, &o->max_size },
		GOFLAG_BOOL("no-vhd", "", &no_vhd),
		GOFLAG_STR("logfile", "FILE", "", &ignored),
		GOFLAG_STR("loglevel", "LEVEL", "", &ignored),
	};
	int next = argc;
	int r = goflag_parse(flags, ARRAY_SIZE(flags), argc, argv, &next);
	if (r == -ECANCELED)
		return 1;
	if (r < 0) {
		fprintf(stderr, "tar2vhd: %s\n", err_text());
		return -EINVAL;
	}
	if (next < argc) {
		fprintf(stderr, "tar2vhd: unexpected argument '%s'\n", argv[next]);
		return -EINVAL;
	}
	o->vhd = !no_vhd;
	return 0;
}

/* Creates the temporary output next to `final`. */
static int open_sibling_temp(const char *final, char **tmp_path)
{
	size_t n = strlen(final) + sizeof(".tmp.XXXXXX");
	char *p = malloc(n);
	if (!p)
		return err_set(-ENOMEM, "naming the temporary output");
	snprintf(p, n, "%s.tmp.XXXXXX", final);
	int fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		int r = err_set(-errno, "creating %s", p);
		free(p);
		return r;
	}
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	*tmp_path = p;
	return fd;
}

/* mkdir -p DIR, mode 0755 (gcstools.md §2). */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return err_set(-ENOMEM, "creating %s", dir);
	int r = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			r = err_set(-errno, "creating -tmpdir %s", p);
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

static int open_scratch(const char *tmpdir)
{
	const char *dir = tmpdir ? tmpdir : getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int r;
	if (tmpdir && *tmpdir && (r = make_dirs(tmpdir)) < 0)
		return r;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* O_TMPFILE is not supported everywhere: an unlinked named file. */
	size_t n = strlen(dir) + sizeof("/tar2vhd.XXXXXX");
	char *p = malloc(n);
	if (!p)
		return err_set(-ENOMEM, "naming a scratch file");
	snprintf(p, n, "%s/tar2vhd.XXXXXX", dir);
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		r = err_set(-errno, "creating a scratch file in %s", dir);
		free(p);
		return r;
	}
	unlink(p);
	free(p);
	return fd;
}

static int stream_to(int out, int in, uint64_t len)
{
	off_t off = 0;
	while ((uint64_t)off < len) {
		size_t chunk = len - (uint64_t)off > (1u << 30) ? (1u << 30) : (size_t)(len - (uint64_t)off);
		ssize_t n = sendfile(out, in, &off, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break; /* fall back to read/write below */
		if (n < 0)
			return err_set(-errno, "writing the image to stdout");
		if (n == 0)
			return err_setmsg(-EIO, "the scratch image ended early");
	}
	static char buf[1 << 16];
	while ((uint64_t)off < len) {
		ssize_t n = pread(in, buf, sizeof(buf), off);
		if (n <= 0)
			return n < 0 ? err_set(-errno, "reading the scratch image") : err_setmsg(-EIO, "the scratch image ended early");
		for (ssize_t done = 0; done < n;) {
			ssize_t m = write(out, buf + done, (size_t)(n - done));
			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0)
				return err_set(-errno, "writing the image to stdout");
			done += m;
		}
		off += n;
	}
	return 0;
}

/* Builds the image (and footer) into fd from offset 0; *total receives the
 * number of bytes. */
static int build_image(int in_fd, int fd, const struct tar2vhd_options *o, uint64_t *total)
{
	struct ext4_writer *w = NULL;
	/* Writing the image overlaps with reading the tar on a second core. */
	struct ext4_writer_options wo = { .max_size = o->max_size, .background_writes = true };
	int r = ext4_writer_new(fd, &wo, &w);
	if (r < 0)
		return r;
	struct tar_layer_options to = { .whiteouts = o->whiteouts };
	struct tar_layer_stats st = { 0 };
	uint64_t size = 0;
	r = tar_layer_convert_fd(in_fd, w, &to, &st);
	if (r == 0)
		r = ext4_writer_finish(w, &size);
	if (r == 0 && ext4_writer_skipped_xattrs(w))
		fprintf(stderr, "tar2vhd: warning: %" PRIu64 " extended attributes in namespaces ext4 does not serve were skipped\n",
			ext4_writer_skipped_xattrs(w));
	uint8_t uuid[16];
	ext4_writer_uuid(w, uuid);
	ext4_writer_free(w);
	if (r < 0)
		return r;
	*total = size;
	if (!o->vhd)
		return 0;
	uint8_t footer[VHD_FOOTER_SIZE];
	/* Unique id derived from the file system UUID: reproducible output. */
	for (int i = 0; i < 16; i++)
		uuid[i] ^= 0x5A;
	if ((r = vhd_footer_build(footer, size, 0, uuid)) < 0)
		return r;
	if (pwrite(fd, footer, sizeof(footer), (off_t)size) != (ssize_t)sizeof(footer))
		return err_set(errno ? -errno : -EIO, "appending the VHD footer");
	*total = size + VHD_FOOTER_SIZE;
	return 0;
}

/* After the end-of-archive marker, read what the sender still has so it
 * does not see a broken pipe (§17.1). */
static void drain(int fd)
{
	static char buf[1 << 16];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int run(const struct tar2vhd_options *o)
{
	_cleanup_close_ int in_fd = -1;
	int in = STDIN_FILENO;
	if (o->input) {
		in_fd = open(o->input, O_RDONLY | O_CLOEXEC);
		if (in_fd < 0)
			return err_set(-errno, "opening %s", o->input);
		in = in_fd;
	}
	uint64_t total = 0;
	int r;

	if (o->output) {
		char *tmp = NULL;
		int fd = open_sibling_temp(o->output, &tmp);
		if (fd < 0)
			return fd;
		r = build_image(in, fd, o, &total);
		if (r == 0 && close(fd) < 0)
			r = err_set(-errno, "closing %s", tmp);
		else if (r < 0)
			close(fd);
		if (r == 0 && rename(tmp, o->output) < 0)
			r = err_set(-errno, "renaming %s to %s", tmp, o->output);
		if (r < 0)
			unlink(tmp);
		free(tmp);
		if (r == 0)
			drain(in);
		return r;
	}

	struct stat st;
	int fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && fl >= 0 && !(fl & O_APPEND) &&
	    (fl & O_ACCMODE) != O_RDONLY && lseek(STDOUT_FILENO, 0, SEEK_CUR) == 0) {
		r = build_image(in, STDOUT_FILENO, o, &total);
		if (r < 0) {
			(void)ftruncate(STDOUT_FILENO, 0);
			return r;
		}
		if (lseek(STDOUT_FILENO, (off_t)total, SEEK_SET) < 0)
			return err_set(-errno, "positioning stdout");
		drain(in);
		return 0;
	}

	_cleanup_close_ int scratch = open_scratch(o->tmpdir);
	if (scratch < 0)
		return scratch;
	if ((r = build_image(in, scratch, o, &total)) < 0)
		return r;
	drain(in);
	return stream_to(STDOUT_FILENO, scratch, total);
}

static int tar2vhd_main(int argc, char **argv)
{
	struct tar2vhd_options o = { .whiteouts = TAR_WHITEOUT_OVERLAY, .vhd = true };
	int r = parse_args(argc, argv, &o);
	if (r == 1) {
		usage(stdout);
		return 0;
	}
	if (r < 0) {
		usage(stderr);
		return 2;
	}
	/* Names in pax headers are UTF-8; keep them byte for byte. */
	setlocale(LC_CTYPE, "C.UTF-8");
	err_clear();
	r = run(&o);
	if (r < 0) {
		fprintf(stderr, "tar2vhd: %s\n", err_text());
		return 1;
	}
	return 0;
}

GCSTOOLS_COMMAND(tar2vhd, "tar2vhd", "convert a layer tar on stdin into a fixed VHD (ext4) on stdout", tar2vhd_main);
