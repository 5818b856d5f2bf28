/* vhd2tar_tar.c: pax layer archives through libarchive (see the header).
 *
 * libarchive is run unblocked (bytes_per_block 0): every piece it produces
 * reaches write_cb at once. write_cb gathers small pieces (headers, small
 * files) in one buffer and sends large data straight to the descriptor, so
 * file contents are never copied twice. */
#include "lib/vhd2tar_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/whiteout.h"

#define OUT_BUFFER_SIZE (1u << 20)
#define DIRECT_WRITE_MIN (128u << 10)

struct vtar {
	struct archive *archive;
	struct archive_entry *entry;
	int fd;
	enum vtar_whiteout whiteout;
	uint64_t max_bytes, written;
	int write_errno;
	int finished, discard;
	int sparse; /* the current entry has a sparse map */
	size_t used;
	unsigned char *buf;
};

static int write_all(struct vtar *t, const void *p, size_t len)
{
	const unsigned char *c = p;
	while (len > 0) {
		ssize_t n = write(t->fd, c, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			t->write_errno = errno;
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush_buffer(struct vtar *t)
{
	if (t->used == 0)
		return 0;
	int r = write_all(t, t->buf, t->used);
	t->used = 0;
	return r;
}

static la_ssize_t write_cb(struct archive *a, void *client, const void *p, size_t len)
{
	struct vtar *t = client;
	if (t->discard) /* abandoned: never let a failed archive look complete */
		return (la_ssize_t)len;
	if (t->max_bytes && t->written + len > t->max_bytes) {
		t->write_errno = EFBIG;
		archive_set_error(a, EFBIG, "archive larger than the %llu-byte limit", (unsigned long long)t->max_bytes);
		return -1;
	}
	if (len >= DIRECT_WRITE_MIN) {
		if (flush_buffer(t) < 0 || write_all(t, p, len) < 0)
			goto fail;
	} else {
		if (t->used + len > OUT_BUFFER_SIZE && flush_buffer(t) < 0)
			goto fail;
		memcpy(t->buf + t->used, p, len);
		t->used += len;
	}
	t->written += len;
	return (la_ssize_t)len;
fail:
	archive_set_error(a, t->write_errno, "writing the archive: %s", strerror(t->write_errno));
	return -1;
}

static int archive_fail(struct vtar *t, const char *what, const char *path)
{
	int e = t->write_errno ? t->write_errno : archive_errno(t->archive);
	if (e <= 0)
		e = EIO;
	const char *msg = archive_error_string(t->archive);
	if (path)
		return err_setmsg(-e, "%s %s: %s", what, path, msg ? msg : strerror(e));
	return err_setmsg(-e, "%s: %s", what, msg ? msg : strerror(e));
}

int vtar_open(struct vtar **out, int fd, enum vtar_whiteout whiteout, uint64_t max_bytes)
{
	struct vtar *t = calloc(1, sizeof(*t));
	if (!t)
		return err_set(-ENOMEM, "allocating the archive writer");
	t->fd = fd;
	t->whiteout = whiteout;
	t->max_bytes = max_bytes;
	t->buf = malloc(OUT_BUFFER_SIZE);
	t->archive = archive_write_new();
	t->entry = archive_entry_new();
	if (!t->buf || !t->archive || !t->entry) {
		vtar_free(t);
		return err_set(-ENOMEM, "allocating the archive writer");
	}
	/* pax interchange format; xattrs only as SCHILY.xattr.* records, the
	 * form Docker, GNU tar and tar2ext4 read (not LIBARCHIVE.xattr.*). */
	if (archive_write_set_format_pax(t->archive) != ARCHIVE_OK ||
	    archive_write_set_format_option(t->archive, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(t->archive, 0) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t->archive, 1) != ARCHIVE_OK ||
	    archive_write_open(t->archive, t, NULL, write_cb, NULL) != ARCHIVE_OK) {
		int r = archive_fail(t, "starting the archive", NULL);
		vtar_free(t);
		return r;
	}
	*out = t;
	return 0;
}

int vtar_is_whiteout(enum vtar_whiteout whiteout, uint32_t mode, uint32_t major, uint32_t minor)
{
	return whiteout == VTAR_WHITEOUT_OVERLAY && whiteout_is_disk_whiteout(mode, major, minor);
}

static int is_opaque_xattr(const struct vtar_xattr *x)
{
	return strcmp(x->name, WHITEOUT_OPAQUE_XATTR) == 0 && whiteout_is_opaque_value(x->value, x->len);
}

/* libarchive prints a pax time as "<sec>.<nsec>", which for a negative
 * time with a fraction (sec -2, nsec 750000000 = -1.25 s) reads as -2.75 s
 * to every pax reader that takes the value as the decimal POSIX says it
 * is (GNU tar, Go, Python). Handing it (sec + 1, 1e9 - nsec) prints
 * "-1.25". Between -1 and 0 s no such pair exists; that is rounded to -1 s. */
static void pax_time(int64_t *sec, long *nsec, const struct vtar_time *t)
{
	*sec = t->sec;
	*nsec = (long)t->nsec;
	if (t->sec < 0 && t->nsec) {
		if (t->sec == -1) {
			*nsec = 0;
		} else {
			*sec = t->sec + 1;
			*nsec = 1000000000L - (long)t->nsec;
		}
	}
}

static void set_times(struct archive_entry *ae, const struct vtar_entry *e, int with_mtime)
{
	int64_t sec;
	long nsec;
	if (with_mtime) {
		pax_time(&sec, &nsec, &e->mtime);
		archive_entry_set_mtime(ae, sec, nsec);
	} else {
		archive_entry_set_mtime(ae, 0, 0);
	}
	if (e->has_atime) {
		pax_time(&sec, &nsec, &e->atime);
		archive_entry_set_atime(ae, sec, nsec);
	}
	if (e->has_ctime) {
		pax_time(&sec, &nsec, &e->ctime);
		archive_entry_set_ctime(ae, sec, nsec);
	}
}

static int write_entry(struct vtar *t, const char *path)
{
	if (archive_write_header(t->archive, t->entry) < ARCHIVE_WARN)
		return archive_fail(t, "writing the header of", path);
	return 0;
}

/* The empty regular file that stands for a whiteout or an opaque marker
 * (§6.2): only name, mode, owner and the given times. */
static int write_marker(struct vtar *t, const char *path, uint32_t perm, const struct vtar_entry *e, int with_mtime)
{
	struct archive_entry *ae = t->entry;
	archive_entry_clear(ae);
	archive_entry_copy_pathname(ae, path);
	archive_entry_set_mode(ae, S_IFREG | perm);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_size(ae, 0);
	set_times(ae, e, with_mtime);
	return write_entry(t, path);
}

/* The tar name of a whiteout (for == 'w') or of a directory's opaque
 * marker (for == 'o'), from lib/whiteout.h's rules; NULL on failure. */
static char *marker_name(const char *path, char kind)
{
	size_t size = strlen(path) + sizeof(WHITEOUT_OPAQUE_NAME) + 2;
	char *s = malloc(size);
	if (!s)
		return NULL;
	int r = kind == 'w' ? whiteout_tar_name_for_whiteout(path, s, size) : whiteout_tar_name_for_opaque(path, s, size);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

int vtar_header(struct vtar *t, const struct vtar_entry *e)
{
	if (vtar_is_whiteout(t->whiteout, e->mode, e->rdev_major, e->rdev_minor)) {
		_cleanup_free_ char *name = marker_name(e->path, 'w');
		if (!name)
			return err_setmsg(-EINVAL, "%s: no whiteout name for it", e->path);
		t->sparse = 0;
		return write_marker(t, name, WHITEOUT_TAR_FILE_MODE & 07777, e, 1);
	}

	struct archive_entry *ae = t->entry;
	t->sparse = 0;
	archive_entry_clear(ae);
	archive_entry_copy_pathname(ae, e->path);
	archive_entry_set_mode(ae, e->mode);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	set_times(ae, e, 1);

	int opaque = 0;
	for (size_t i = 0; i < e->nxattrs; i++) {
		if (t->whiteout == VTAR_WHITEOUT_OVERLAY && S_ISDIR(e->mode) && is_opaque_xattr(&e->xattrs[i])) {
			opaque = 1;
			continue;
		}
		archive_entry_xattr_add_entry(ae, e->xattrs[i].name, e->xattrs[i].value, e->xattrs[i].len);
	}

	if (e->hardlink) {
		archive_entry_copy_hardlink(ae, e->hardlink);
		archive_entry_set_size(ae, 0);
	} else {
		switch (e->mode & S_IFMT) {
		case S_IFREG:
			archive_entry_set_size(ae, (la_int64_t)e->size);
			t->sparse = e->nregions > 0;
			for (size_t i = 0; i < e->nregions; i++)
				archive_entry_sparse_add_entry(ae, (la_int64_t)e->regions[i].offset,
							       (la_int64_t)e->regions[i].length);
			break;
		case S_IFLNK:
			archive_entry_copy_symlink(ae, e->symlink ? e->symlink : "");
			archive_entry_set_size(ae, 0);
			break;
		case S_IFCHR:
		case S_IFBLK:
			archive_entry_set_rdevmajor(ae, e->rdev_major);
			archive_entry_set_rdevminor(ae, e->rdev_minor);
			archive_entry_set_size(ae, 0);
			break;
		case S_IFDIR:
		case S_IFIFO:
			archive_entry_set_size(ae, 0);
			break;
		default:
			return err_setmsg(-EINVAL, "%s: file type 0%o has no tar form", e->path, e->mode & S_IFMT);
		}
	}

	int r = write_entry(t, e->path);
	if (r < 0 || !opaque)
		return r;
	_cleanup_free_ char *marker = marker_name(e->path, 'o');
	if (!marker)
		return err_set(-ENOMEM, "naming the opaque marker of %s", e->path);
	/* Docker's converter: directory permission bits, owner, atime and
	 * ctime, mtime left zero. */
	return write_marker(t, marker, e->mode & 0777, e, 0);
}

int vtar_data(struct vtar *t, const void *buf, size_t len)
{
	/* Holes are consumed by libarchive's sparse bookkeeping without being
	 * read, so one call covers a hole of any length. */
	static const unsigned char zero_page[4096];
	if (!buf && !t->sparse)
		return err_setmsg(-EINVAL, "a hole in a file written densely");
	const unsigned char *p = buf ? buf : zero_page;
	while (len > 0) {
		la_ssize_t n = archive_write_data(t->archive, p, len);
		if (n < 0)
			return archive_fail(t, "writing file data", NULL);
		if (n == 0)
			return err_setmsg(-EIO, "writing file data: the archive took no more bytes");
		if (buf)
			p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vtar_finish(struct vtar *t)
{
	if (archive_write_close(t->archive) != ARCHIVE_OK)
		return archive_fail(t, "finishing the archive", NULL);
	t->finished = 1;
	if (flush_buffer(t) < 0)
		return err_set(-t->write_errno, "writing the archive");
	return 0;
}

uint64_t vtar_bytes_written(const struct vtar *t)
{
	return t->written;
}

void vtar_free(struct vtar *t)
{
	if (!t)
		return;
	if (!t->finished) {
		t->discard = 1;
		t->used = 0;
	}
	if (t->archive)
		archive_write_free(t->archive);
	if (t->entry)
		archive_entry_free(t->entry);
	free(t->buf);
	free(t);
}
