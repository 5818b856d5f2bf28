/* tar_layer.c: libarchive tar reader -> ext4 writer (see tar_layer.h). */
#include "lib/tar_layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/ext4_format.h"
#include "lib/whiteout.h"

#define READ_BLOCK_SIZE (1u << 20)
/* A regular input file is read through read-only mappings of this size,
 * two at a time: no copy into a buffer, and a bounded resident size. The
 * file must not shrink meanwhile (a read past its end would fault). */
#define MAP_WINDOW (4u << 20)
/* Regular files at least this large are copied by the kernel straight from
 * an uncompressed input file into the image (cat does the same), by the
 * thread that writes the image; their bytes are never mapped here. */
#define DIRECT_COPY_MIN (64u << 10)

/* Where the tar comes from, as libarchive's read and skip callbacks see it.
 * File data that lies in the block last handed to libarchive is lent to the
 * writer instead of copied. Blocks alternate between two slots: when
 * libarchive asks for block n+1, ext4_writer_submit() returns once what was
 * lent from block n-1 is written, so n+1 can take n-1's slot while block n
 * may still be being written. */
struct tar_source {
	int fd;             /* -1: the tar is in memory */
	bool seekable;      /* a regular file, read at offsets from `base` */
	bool mapped;        /* ... through mappings (until one fails) */
	uint64_t base;      /* file offset of the tar's first byte */
	uint64_t end;       /* mapped: the file's size */
	uint64_t pos;       /* file offset of the next block */
	int slot;           /* of the current block */
	void *map[2];       /* mappings */
	size_t map_len[2];
	uint8_t *buf[2];    /* read buffers when not mapped */
	const uint8_t *block; /* the block libarchive works on */
	size_t block_len;
	struct ext4_writer *w;
};

static la_ssize_t source_read(struct archive *a, void *data, const void **out)
{
	struct tar_source *src = data;
	int r = ext4_writer_submit(src->w);
	if (r < 0) {
		archive_set_error(a, -r, "%s", err_text());
		return ARCHIVE_FATAL;
	}
	int k = src->slot ^= 1; /* the slot of the block before the current one */
	src->block = NULL;
	src->block_len = 0;
	if (src->map[k]) {
		munmap(src->map[k], src->map_len[k]);
		src->map[k] = NULL;
	}
	if (src->mapped && src->pos >= src->end)
		return 0;
	if (src->mapped) {
		uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
		uint64_t start = src->pos - src->pos % page;
		size_t len = src->end - start > MAP_WINDOW ? MAP_WINDOW : (size_t)(src->end - start);
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, src->fd, (off_t)start);
		if (p != MAP_FAILED) {
			src->map[k] = p;
			src->map_len[k] = len;
			src->block = (const uint8_t *)p + (src->pos - start);
			src->block_len = len - (size_t)(src->pos - start);
			src->pos += src->block_len;
			*out = src->block;
			return (la_ssize_t)src->block_len;
		}
		src->mapped = false; /* e.g. a file system without mmap: read it */
	}
	if (!src->buf[k] && !(src->buf[k] = malloc(READ_BLOCK_SIZE))) {
		archive_set_error(a, ENOMEM, "allocating the read buffer");
		return ARCHIVE_FATAL;
	}
	ssize_t n;
	do
		n = src->seekable ? pread(src->fd, src->buf[k], READ_BLOCK_SIZE, (off_t)src->pos)
				  : read(src->fd, src->buf[k], READ_BLOCK_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "reading the tar");
		return ARCHIVE_FATAL;
	}
	src->pos += (uint64_t)n;
	src->block = src->buf[k];
	src->block_len = (size_t)n;
	*out = src->block;
	return n;
}

/* Skips forward from the end of the last block (seekable input only; a
 * pipe is read through). Past the end, the next read finds nothing and
 * libarchive reports the truncation. */
static la_int64_t source_skip(struct archive *a, void *data, la_int64_t request)
{
	struct tar_source *src = data;
	if (!src->seekable || request <= 0)
		return 0;
	src->pos += (uint64_t)request;
	return request;
}

/* After the writer's last flush. Leaves the descriptor's offset after what
 * was read, as a plain read loop would, so that the caller can drain the
 * rest. */
static void source_close(struct tar_source *src)
{
	for (int k = 0; k < 2; k++) {
		if (src->map[k])
			munmap(src->map[k], src->map_len[k]);
		src->map[k] = NULL;
		free(src->buf[k]);
		src->buf[k] = NULL;
	}
	if (src->seekable)
		(void)lseek(src->fd, (off_t)src->pos, SEEK_SET);
}

static bool source_holds(const struct tar_source *src, const void *p, size_t len)
{
	const uint8_t *b = p;
	return src->block && b >= src->block && len <= src->block_len && b - src->block <= (ptrdiff_t)(src->block_len - len);
}

static struct archive *open_reader(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_empty(a);
	archive_read_support_filter_none(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	return a;
}

/* A pax time is a decimal real number ("-100000.25"). Some libarchive
 * versions return its integer part and its fraction separately, both
 * positive in magnitude (-100000 s + 0.25 s), i.e. 0.5 s too late for such a
 * time. Probe the installed library once with a tiny pax tar whose mtime is
 * -1.25 and correct entries only if it shows the problem. */
static void ustar_header(uint8_t h[512], const char *name, char type, unsigned size)
{
	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011o", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

static bool negative_fraction_misparsed(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	static const char record[] = "15 mtime=-1.25\n"; /* 15 bytes */
	uint8_t tar[512 * 5];
	memset(tar, 0, sizeof(tar));
	ustar_header(tar, "PaxHeader/f", 'x', (unsigned)strlen(record));
	memcpy(tar + 512, record, strlen(record));
	ustar_header(tar + 1024, "f", '0', 0);
	cached = 0;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	if (a && archive_read_support_format_tar(a) == ARCHIVE_OK &&
	    archive_read_open_memory(a, tar, sizeof(tar)) == ARCHIVE_OK && archive_read_next_header(a, &e) == ARCHIVE_OK)
		cached = archive_entry_mtime(e) == -1 && archive_entry_mtime_nsec(e) == 250000000;
	archive_read_free(a);
	return cached;
}

static struct ext4_writer_time entry_time(int64_t sec, long nsec)
{
	if (nsec < 0 || nsec > 999999999)
		nsec = 0;
	if (sec < 0 && nsec > 0 && negative_fraction_misparsed()) {
		sec -= 1;
		nsec = 1000000000 - nsec;
	}
	return (struct ext4_writer_time){ sec, (uint32_t)nsec };
}

static int archive_failure(struct archive *a, int r, const char *what)
{
	const char *why = archive_error_string(a);
	int e = archive_errno(a);
	return err_setmsg(e > 0 ? -e : -EIO, "%s: %s", what, why ? why : (r == ARCHIVE_FATAL ? "fatal error" : "error"));
}

/* libarchive ACL entries -> the VFS xattr form (version 2), entries in the
 * canonical order (by tag, then id) that the kernel expects. */
struct acl_item {
	uint16_t tag, perm;
	uint32_t id;
};

static int cmp_acl(const void *a, const void *b)
{
	const struct acl_item *x = a, *y = b;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int acl_to_vfs(struct archive_entry *e, int type, uint8_t **out, uint32_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	int count = archive_entry_acl_reset(e, type);
	if (count <= 0)
		return 0;
	struct acl_item *items = calloc((size_t)count + 8, sizeof(*items));
	if (!items)
		return -ENOMEM;
	size_t n = 0;
	bool extended = false;
	int etype, permset, tag, qual;
	const char *name;
	while (n < (size_t)count + 8 && archive_entry_acl_next(e, type, &etype, &permset, &tag, &qual, &name) == ARCHIVE_OK) {
		struct acl_item it = { .perm = (uint16_t)(permset & 7), .id = 0 };
		switch (tag) {
		case ARCHIVE_ENTRY_ACL_USER_OBJ: it.tag = 0x01; break;
		case ARCHIVE_ENTRY_ACL_USER: it.tag = 0x02; it.id = (uint32_t)qual; extended = true; break;
		case ARCHIVE_ENTRY_ACL_GROUP_OBJ: it.tag = 0x04; break;
		case ARCHIVE_ENTRY_ACL_GROUP: it.tag = 0x08; it.id = (uint32_t)qual; extended = true; break;
		case ARCHIVE_ENTRY_ACL_MASK: it.tag = 0x10; extended = true; break;
		case ARCHIVE_ENTRY_ACL_OTHER: it.tag = 0x20; break;
		default: continue; /* NFSv4 entries have no POSIX form */
		}
		items[n++] = it;
	}
	if (n == 0 || (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS && !extended)) {
		free(items); /* the mode bits say it all */
		return 0;
	}
	qsort(items, n, sizeof(*items), cmp_acl);
	uint8_t *buf = malloc(4 + 8 * n);
	if (!buf) {
		free(items);
		return -ENOMEM;
	}
	put_le32(buf, POSIX_ACL_XATTR_VERSION);
	for (size_t i = 0; i < n; i++) {
		put_le16(buf + 4 + 8 * i, items[i].tag);
		put_le16(buf + 6 + 8 * i, items[i].perm);
		put_le32(buf + 8 + 8 * i, items[i].tag == 0x02 || items[i].tag == 0x08 ? items[i].id : 0xFFFFFFFFu);
	}
	free(items);
	*out = buf;
	*out_len = (uint32_t)(4 + 8 * n);
	return 0;
}

struct entry_attrs {
	struct ext4_xattr *items; /* `few` or allocated */
	size_t n;
	uint8_t *acl[2];
	struct ext4_xattr few[8]; /* most entries have none: no allocation */
};

static void entry_attrs_free(struct entry_attrs *x)
{
	if (x->items != x->few)
		free(x->items);
	free(x->acl[0]);
	free(x->acl[1]);
	x->items = NULL;
	x->n = 0;
	x->acl[0] = x->acl[1] = NULL;
}

static int collect_xattrs(struct archive_entry *e, struct entry_attrs *x, const char *path)
{
	int count = archive_entry_xattr_reset(e);
	size_t cap = (size_t)(count > 0 ? count : 0) + 2; /* + the two ACLs */
	x->items = cap <= ARRAY_SIZE(x->few) ? x->few : calloc(cap, sizeof(*x->items));
	if (!x->items)
		return err_set(-ENOMEM, "%s: reading attributes", path);
	const char *name;
	const void *value;
	size_t size;
	while (x->n < (size_t)(count > 0 ? count : 0) && archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (size > UINT32_MAX)
			return err_setmsg(-E2BIG, "%s: attribute %s is too large", path, name);
		x->items[x->n++] = (struct ext4_xattr){ .name = name, .value = value ? value : "", .len = (uint32_t)size };
	}
	/* ACLs that libarchive parsed from text (SCHILY.acl.*), unless the raw
	 * xattr form was present too. */
	static const struct { int type; const char *name; } acls[2] = {
		{ ARCHIVE_ENTRY_ACL_TYPE_ACCESS, "system.posix_acl_access" },
		{ ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, "system.posix_acl_default" },
	};
	for (int k = 0; k < 2; k++) {
		bool present = false;
		for (size_t i = 0; i < x->n; i++)
			present |= strcmp(x->items[i].name, acls[k].name) == 0;
		if (present)
			continue;
		uint32_t len;
		if (acl_to_vfs(e, acls[k].type, &x->acl[k], &len) < 0)
			return err_set(-ENOMEM, "%s: converting its ACL", path);
		if (x->acl[k])
			x->items[x->n++] = (struct ext4_xattr){ .name = acls[k].name, .value = x->acl[k], .len = len };
	}
	return 0;
}

static int copy_data(struct archive *a, struct ext4_writer *w, const struct tar_source *src, const char *path,
		     struct tar_layer_stats *stats)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(a, &buf, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return err_wrap(archive_failure(a, r, "reading its data"), "%s", path);
		if (offset < 0)
			return err_setmsg(-EINVAL, "%s: negative data offset", path);
		if (size == 0)
			continue;
		/* Uncompressed data comes straight from the source's block. */
		int wr = source_holds(src, buf, size) ? ext4_writer_write_data_lent(w, (uint64_t)offset, buf, size)
						      : ext4_writer_write_data(w, (uint64_t)offset, buf, size);
		if (wr < 0)
			return err_wrap(wr, "%s", path);
		stats->bytes += size;
	}
}

/* Copies an uncompressed file's data from the input file by offset in the
 * kernel, then lets libarchive skip over it (by lseek). */
static bool direct_copy_possible(struct archive *a, const struct tar_source *src, uint64_t size)
{
	return src->seekable && size >= DIRECT_COPY_MIN && archive_filter_count(a) == 1 &&
	       archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE;
}

static int copy_direct(struct archive *a, struct ext4_writer *w, const struct tar_source *src, const char *path,
		       uint64_t size, struct tar_layer_stats *stats)
{
	la_int64_t at = archive_filter_bytes(a, 0); /* the data follows the header here */
	if (at < 0)
		return err_setmsg(-EIO, "%s: unknown data position", path);
	int r = ext4_writer_copy_data(w, 0, src->fd, src->base + (uint64_t)at, size);
	if (r < 0)
		return err_wrap(r, "%s", path);
	if ((r = archive_read_data_skip(a)) < ARCHIVE_WARN)
		return err_wrap(archive_failure(a, r, "skipping its data"), "%s", path);
	stats->bytes += size;
	return 0;
}

static int convert_entry(struct archive *a, struct archive_entry *e, struct ext4_writer *w,
			 const struct tar_layer_options *opt, const struct tar_source *src,
			 struct tar_layer_stats *stats)
{
	const char *path = archive_entry_pathname(e);
	if (!path)
		path = archive_entry_pathname_utf8(e);
	if (!path)
		return err_setmsg(-EINVAL, "an entry without a usable name");
	int r;

	if (opt->whiteouts == TAR_WHITEOUT_OVERLAY) {
		size_t dir_len = 0, hidden_len = 0;
		const char *hidden = NULL;
		switch (whiteout_classify_tar_name(path, &dir_len, &hidden, &hidden_len)) {
		case WHITEOUT_OPAQUE: {
			char *dir = strndup(path, dir_len);
			if (!dir)
				return err_set(-ENOMEM, "%s", path);
			r = ext4_writer_set_dir_xattr(w, dir, WHITEOUT_OPAQUE_XATTR, WHITEOUT_OPAQUE_VALUE, 1);
			free(dir);
			return r;
		}
		case WHITEOUT_FILE: {
			size_t n = dir_len + hidden_len;
			char *target = malloc(n + 1);
			if (!target)
				return err_set(-ENOMEM, "%s", path);
			memcpy(target, path, dir_len);
			memcpy(target + dir_len, hidden, hidden_len);
			target[n] = '\0';
			/* §17.5: a character device 0/0, mode 0000, owned by root, times 0. */
			struct ext4_writer_entry wo = { .path = target, .type = EXT4_FT_CHRDEV };
			r = ext4_writer_add(w, &wo);
			free(target);
			return r;
		}
		case WHITEOUT_INVALID:
			return err_setmsg(-EINVAL, "%s: whiteout names no file", path);
		case WHITEOUT_NONE:
			break;
		}
	}

	const char *hardlink = archive_entry_hardlink(e);
	if (!hardlink)
		hardlink = archive_entry_hardlink_utf8(e);
	if (hardlink)
		return ext4_writer_add_hardlink(w, path, hardlink);

	la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	if (uid < 0 || uid > UINT32_MAX || gid < 0 || gid > UINT32_MAX)
		return err_setmsg(-EINVAL, "%s: owner %" PRId64 ":%" PRId64 " out of range", path, (int64_t)uid, (int64_t)gid);
	struct ext4_writer_entry we = {
		.path = path,
		.perm = (uint32_t)archive_entry_perm(e) & 07777u,
		.uid = (uint32_t)uid,
		.gid = (uint32_t)gid,
		.mtime = entry_time(archive_entry_mtime(e), archive_entry_mtime_nsec(e)),
	};
	if (archive_entry_atime_is_set(e))
		we.atime = entry_time(archive_entry_atime(e), archive_entry_atime_nsec(e));
	if (archive_entry_ctime_is_set(e))
		we.ctime = entry_time(archive_entry_ctime(e), archive_entry_ctime_nsec(e));

	switch (archive_entry_filetype(e)) {
	case AE_IFREG: {
		la_int64_t size = archive_entry_size(e);
		if (size < 0)
			return err_setmsg(-EINVAL, "%s: negative size", path);
		we.type = EXT4_FT_REG_FILE;
		we.size = (uint64_t)size;
		we.sparse = archive_entry_sparse_count(e) > 0;
		break;
	}
	case AE_IFDIR: we.type = EXT4_FT_DIR; break;
	case AE_IFLNK: {
		we.type = EXT4_FT_SYMLINK;
		we.link_target = archive_entry_symlink(e);
		if (!we.link_target)
			we.link_target = archive_entry_symlink_utf8(e);
		we.link_len = we.link_target ? strlen(we.link_target) : 0;
		break;
	}
	case AE_IFCHR: we.type = EXT4_FT_CHRDEV; break;
	case AE_IFBLK: we.type = EXT4_FT_BLKDEV; break;
	case AE_IFIFO: we.type = EXT4_FT_FIFO; break;
	case AE_IFSOCK: we.type = EXT4_FT_SOCK; break;
	default:
		return err_setmsg(-EINVAL, "%s: unsupported tar entry type (mode 0%o)", path,
				  (unsigned)archive_entry_filetype(e));
	}
	if (we.type == EXT4_FT_CHRDEV || we.type == EXT4_FT_BLKDEV) {
		we.dev_major = (uint32_t)archive_entry_rdevmajor(e);
		we.dev_minor = (uint32_t)archive_entry_rdevminor(e);
	}

	struct entry_attrs attrs = { 0 };
	r = collect_xattrs(e, &attrs, path);
	if (r == 0) {
		we.xattrs = attrs.items;
		we.nxattrs = attrs.n;
		r = ext4_writer_add(w, &we);
	}
	entry_attrs_free(&attrs);
	if (r < 0 || we.type != EXT4_FT_REG_FILE)
		return r;
	if (!we.sparse && direct_copy_possible(a, src, we.size))
		return copy_direct(a, w, src, path, we.size, stats);
	return copy_data(a, w, src, path, stats);
}

static int convert(struct archive *a, struct ext4_writer *w, const struct tar_layer_options *opt,
		   const struct tar_source *src, struct tar_layer_stats *stats)
{
	struct tar_layer_stats local = { 0 };
	if (!stats)
		stats = &local;
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			char what[64];
			snprintf(what, sizeof(what), "reading tar entry %" PRIu64, stats->entries + 1);
			return archive_failure(a, r, what);
		}
		stats->entries++;
		if ((r = convert_entry(a, e, w, opt, src, stats)) < 0)
			return r;
	}
}

int tar_layer_convert_fd(int fd, struct ext4_writer *w, const struct tar_layer_options *opt,
			 struct tar_layer_stats *stats)
{
	struct archive *a = open_reader();
	if (!a)
		return err_set(-ENOMEM, "creating the tar reader");
	struct stat st;
	struct tar_source src = { .fd = fd, .w = w };
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && at >= 0) {
		src.seekable = src.mapped = true;
		src.base = src.pos = (uint64_t)at;
		src.end = (uint64_t)st.st_size;
	}
	int r;
	if (archive_read_set_read_callback(a, source_read) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, source_skip) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, &src) != ARCHIVE_OK || archive_read_open1(a) != ARCHIVE_OK)
		r = archive_failure(a, ARCHIVE_FATAL, "opening the tar");
	else
		r = convert(a, w, opt, &src, stats);
	/* Nothing lent may outlive the mapping. */
	if (r == 0)
		r = ext4_writer_flush(w);
	else
		ext4_writer_discard(w);
	archive_read_free(a);
	source_close(&src);
	return r;
}

int tar_layer_convert_memory(const void *data, size_t len, struct ext4_writer *w,
			     const struct tar_layer_options *opt, struct tar_layer_stats *stats)
{
	struct archive *a = open_reader();
	if (!a)
		return err_set(-ENOMEM, "creating the tar reader");
	struct tar_source src = { .fd = -1, .block = data, .block_len = len, .w = w };
	int r;
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK)
		r = archive_failure(a, ARCHIVE_FATAL, "opening the tar");
	else
		r = convert(a, w, opt, &src, stats);
	if (r == 0)
		r = ext4_writer_flush(w);
	else
		ext4_writer_discard(w);
	archive_read_free(a);
	return r;
}
