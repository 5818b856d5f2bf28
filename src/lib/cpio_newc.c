/* cpio_newc.c: the newc writer behind cpio_newc.h
 * (../shared/spec/initrd-layout.md §1.1-§1.3). */
#include "lib/cpio_newc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/err.h"

static const char zeros[4];

void cpio_writer_init(struct cpio_writer *w, cpio_sink_fn sink, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->sink = sink;
	w->ctx = ctx;
}

static int emit(struct cpio_writer *w, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	int r = w->sink(w->ctx, buf, len);
	if (r < 0)
		return r;
	w->offset += len;
	return 0;
}

/* NUL bytes up to the next multiple of four from the archive start. */
static int pad4(struct cpio_writer *w)
{
	return emit(w, zeros, (size_t)((4 - (w->offset & 3)) & 3));
}

static void hex8(char field[8], uint32_t v)
{
	char tmp[9];
	snprintf(tmp, sizeof(tmp), "%08x", v);
	memcpy(field, tmp, 8);
}

void cpio_format_header(struct cpio_newc_header *h, const struct cpio_entry *e, uint32_t namesize)
{
	memcpy(h->c_magic, CPIO_NEWC_MAGIC, 6);
	hex8(h->c_ino, e->ino);
	hex8(h->c_mode, e->mode);
	hex8(h->c_uid, e->uid);
	hex8(h->c_gid, e->gid);
	hex8(h->c_nlink, e->nlink);
	hex8(h->c_mtime, e->mtime);
	hex8(h->c_filesize, e->size);
	/* The containing device is part of the kernel's hard-link key; one
	 * archive is one "device", so 0 (§1.2). */
	hex8(h->c_devmajor, 0);
	hex8(h->c_devminor, 0);
	hex8(h->c_rdevmajor, e->rdev_major);
	hex8(h->c_rdevminor, e->rdev_minor);
	hex8(h->c_namesize, namesize);
	hex8(h->c_check, 0);
}

/* Per-type rules of §1.3. */
static int check_entry(const struct cpio_entry *e, size_t namelen)
{
	if (namelen == 0 || namelen + 1 > PATH_MAX)
		return err_setmsg(-EINVAL, "cpio entry name of %zu bytes (must be 1..%d)", namelen, PATH_MAX - 1);
	switch (e->mode & S_IFMT) {
	case S_IFREG:
		return 0;
	case S_IFLNK:
		if (e->size == 0 || e->size > PATH_MAX)
			return err_setmsg(-EINVAL, "%s: symlink target of %u bytes", e->name, e->size);
		return 0;
	case S_IFDIR:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		if (e->size != 0)
			return err_setmsg(-EINVAL, "%s: only files and symlinks carry data", e->name);
		return 0;
	default:
		return err_setmsg(-EINVAL, "%s: unknown file type in mode %o", e->name, e->mode);
	}
}

int cpio_begin_entry(struct cpio_writer *w, const struct cpio_entry *e)
{
	if (w->data_pending)
		return err_setmsg(-EINVAL, "cpio: previous entry is missing %llu data bytes",
				  (unsigned long long)w->data_pending);
	size_t namelen = e->name ? strlen(e->name) : 0;
	int r = check_entry(e, namelen);
	if (r < 0)
		return r;
	struct cpio_newc_header h;
	cpio_format_header(&h, e, (uint32_t)(namelen + 1));
	if ((r = emit(w, &h, sizeof(h))) < 0 || (r = emit(w, e->name, namelen + 1)) < 0 || (r = pad4(w)) < 0)
		return err_set(r, "writing cpio header of %s", e->name);
	w->data_pending = e->size;
	return 0;
}

int cpio_write_data(struct cpio_writer *w, const void *buf, size_t len)
{
	if (len > w->data_pending)
		return err_setmsg(-EINVAL, "cpio: %zu data bytes exceed the announced size", len);
	int r = emit(w, buf, len);
	if (r < 0)
		return err_set(r, "writing cpio data");
	w->data_pending -= len;
	return 0;
}

int cpio_end_entry(struct cpio_writer *w)
{
	if (w->data_pending)
		return err_setmsg(-EINVAL, "cpio: entry ended %llu bytes short of its size",
				  (unsigned long long)w->data_pending);
	int r = pad4(w);
	return r < 0 ? err_set(r, "padding cpio data") : 0;
}

int cpio_write_entry(struct cpio_writer *w, const struct cpio_entry *e, const void *data)
{
	int r = cpio_begin_entry(w, e);
	if (r < 0)
		return r;
	if (e->size && (r = cpio_write_data(w, data, e->size)) < 0)
		return r;
	return cpio_end_entry(w);
}

int cpio_write_trailer(struct cpio_writer *w)
{
	if (w->data_pending)
		return err_setmsg(-EINVAL, "cpio: trailer after an entry missing %llu data bytes",
				  (unsigned long long)w->data_pending);
	/* Every field 0 except nlink 1, as GNU cpio writes it; the kernel only
	 * reads the name (§1.3). */
	const struct cpio_entry t = { .name = CPIO_NEWC_TRAILER, .nlink = 1 };
	struct cpio_newc_header h;
	cpio_format_header(&h, &t, sizeof(CPIO_NEWC_TRAILER));
	int r;
	if ((r = emit(w, &h, sizeof(h))) < 0 || (r = emit(w, CPIO_NEWC_TRAILER, sizeof(CPIO_NEWC_TRAILER))) < 0 ||
	    (r = pad4(w)) < 0)
		return err_set(r, "writing cpio trailer");
	return 0;
}
