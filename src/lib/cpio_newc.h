/* cpio_newc.h: a writer for the cpio "newc" format the kernel unpacks as an
 * initramfs (../shared/spec/initrd-layout.md §1).
 *
 * Pure byte code: the writer knows nothing about files or directories; it
 * turns entries into header + name + padding + data + padding and hands the
 * bytes to a sink (a buffer in tests, a gzip stream in mkinitrd). Alignment
 * is kept relative to the first byte written, as §1.1 requires. */
#ifndef LCOW_CPIO_NEWC_H
#define LCOW_CPIO_NEWC_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_NEWC_MAGIC "070701"
#define CPIO_NEWC_TRAILER "TRAILER!!!"

/* The 110-byte ASCII header, field by field (§1.2); every field is eight
 * lower-case hex digits. */
struct cpio_newc_header {
	char c_magic[6];
	char c_ino[8];
	char c_mode[8];
	char c_uid[8];
	char c_gid[8];
	char c_nlink[8];
	char c_mtime[8];
	char c_filesize[8];
	char c_devmajor[8];
	char c_devminor[8];
	char c_rdevmajor[8];
	char c_rdevminor[8];
	char c_namesize[8];
	char c_check[8];
};
_Static_assert(sizeof(struct cpio_newc_header) == 110, "newc header is 110 bytes");

/* One archive member. `name` is relative ("bin/sh", "." for the root). */
struct cpio_entry {
	const char *name;
	uint32_t ino;
	uint32_t mode; /* full st_mode: type bits and permissions */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t mtime;
	uint32_t rdev_major, rdev_minor; /* character and block devices only */
	uint32_t size;                   /* bytes of data that follow */
};

/* Receives the archive bytes; returns 0 or a negative errno. */
typedef int (*cpio_sink_fn)(void *ctx, const void *buf, size_t len);

struct cpio_writer {
	cpio_sink_fn sink;
	void *ctx;
	uint64_t offset;       /* bytes written so far, for alignment */
	uint64_t data_pending; /* data bytes the current entry still expects */
};

void cpio_writer_init(struct cpio_writer *w, cpio_sink_fn sink, void *ctx);

/* Writes the header, the name and its padding. The entry's data (e->size
 * bytes) must follow through cpio_write_data, then cpio_end_entry pads it.
 * Returns -EINVAL for an empty or over-long name, a symlink without a
 * target, data on a directory or device, or a size that overflows. */
int cpio_begin_entry(struct cpio_writer *w, const struct cpio_entry *e);
int cpio_write_data(struct cpio_writer *w, const void *buf, size_t len);
/* Pads the data to four bytes; -EINVAL if fewer bytes than announced came. */
int cpio_end_entry(struct cpio_writer *w);

/* Header + data + padding in one call (data may be NULL when size is 0). */
int cpio_write_entry(struct cpio_writer *w, const struct cpio_entry *e, const void *data);

/* Writes the TRAILER!!! entry that ends the archive (§1.3). */
int cpio_write_trailer(struct cpio_writer *w);

/* Formats the 110-byte header of `e` with name length `namesize` (NUL
 * included) into `out`; exposed for tests. */
void cpio_format_header(struct cpio_newc_header *out, const struct cpio_entry *e, uint32_t namesize);

#endif
