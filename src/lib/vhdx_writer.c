/* vhdx_writer.c: the raw image → VHDX conversion (see vhdx_writer.h).
 *
 * Payload first, in block order, at increasing 1 MiB-aligned offsets; then
 * the BAT, the metadata region and last the header section, so a reader
 * never sees headers that describe blocks not yet written. Zero runs of the
 * output stay holes, so the file reads right and takes only the space of
 * its data. */
#include "lib/vhdx_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/disk_bytes.h"
#include "lib/err.h"

/* Granularity at which zero runs inside a present block stay holes. */
#define ZERO_RUN 65536u

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off, const char *what)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "writing %s at offset %llu", what, (unsigned long long)off);
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	/* Zero iff the first word is zero and every byte equals the one a
	 * word later. */
	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			if (p[i])
				return false;
		return true;
	}
	uint64_t first;
	memcpy(&first, p, 8);
	return first == 0 && memcmp(p, p + 8, len - 8) == 0;
}

/* True when [off, off+len) of fd is one hole (nothing to read). */
static bool is_hole(int fd, uint64_t off, uint64_t len)
{
	off_t data = lseek(fd, (off_t)off, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO; /* no data after off */
	return (uint64_t)data >= off + len;
}

/* Reads block i (zero-filled past the end of the image). */
static int read_block(const struct vhdx_writer *w, int fd, uint64_t i, uint8_t *buf, bool *zero)
{
	uint64_t off = i * w->geometry.block_size, end = w->raw_size;
	size_t len = w->geometry.block_size;
	size_t want = off >= end ? 0 : (size_t)(end - off < len ? end - off : len);
	if (want == 0 || is_hole(fd, off, want)) {
		*zero = true;
		return 0;
	}
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "reading the raw image at offset %llu", (unsigned long long)(off + got));
		}
		if (n == 0)
			return err_setmsg(-EIO, "raw image ended at %llu, expected %llu bytes",
					  (unsigned long long)(off + got), (unsigned long long)end);
		got += (size_t)n;
	}
	memset(buf + got, 0, len - got);
	*zero = all_zero(buf, len);
	return 0;
}

/* Writes a present block, leaving its all-zero runs as holes. */
static int write_block(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t at = 0; at < len; at += ZERO_RUN) {
		size_t n = len - at < ZERO_RUN ? len - at : ZERO_RUN;
		if (all_zero(buf + at, n))
			continue;
		int r = pwrite_all(fd, buf + at, n, off + at, "a payload block");
		if (r < 0)
			return r;
	}
	return 0;
}

int vhdx_writer_init(struct vhdx_writer *w, uint64_t raw_size, uint32_t block_size, bool fixed)
{
	memset(w, 0, sizeof(*w));
	int r = vhdx_geometry_init(&w->geometry, raw_size, block_size, fixed);
	if (r < 0)
		return r;
	w->raw_size = raw_size;
	w->bat = calloc(1, w->geometry.bat_length);
	if (!w->bat)
		return err_set(-ENOMEM, "allocating a %llu-byte BAT", (unsigned long long)w->geometry.bat_length);
	w->next_offset = w->geometry.data_offset;
	return 0;
}

void vhdx_writer_release(struct vhdx_writer *w)
{
	free(w->bat);
	w->bat = NULL;
}

int vhdx_writer_payload(struct vhdx_writer *w, int raw_fd, int out_fd, vhdx_block_observer observe, void *ctx)
{
	const struct vhdx_geometry *g = &w->geometry;
	_cleanup_free_ uint8_t *block = malloc(g->block_size);
	if (!block)
		return err_set(-ENOMEM, "allocating a %u-byte block buffer", g->block_size);

	for (uint64_t i = 0; i < g->payload_blocks; i++) {
		bool zero = false;
		int r = read_block(w, raw_fd, i, block, &zero);
		if (r < 0)
			return err_wrap(r, "block %llu", (unsigned long long)i);
		if (zero && !g->fixed)
			continue; /* NOT_PRESENT reads as zero (B.8) */
		if (!zero) {
			if (observe)
				observe(ctx, i, block, g->block_size);
			r = write_block(out_fd, block, g->block_size, w->next_offset);
			if (r < 0)
				return err_wrap(r, "block %llu", (unsigned long long)i);
		}
		disk_put_le64(w->bat + 8 * vhdx_bat_index(g, i), vhdx_bat_entry_present(w->next_offset));
		w->next_offset += g->block_size;
		w->blocks_present++;
	}
	return 0;
}

int vhdx_writer_finish(struct vhdx_writer *w, int out_fd, const struct vhdx_identity *id, const char *creator)
{
	const struct vhdx_geometry *g = &w->geometry;
	_cleanup_free_ uint8_t *meta = malloc(g->metadata_length);
	_cleanup_free_ uint8_t *table = malloc(VHDX_REGION_TABLE_SIZE);
	if (!meta || !table)
		return err_set(-ENOMEM, "allocating VHDX buffers");

	int r = pwrite_all(out_fd, w->bat, g->bat_length, g->bat_offset, "the BAT");
	if (r < 0)
		return r;
	vhdx_build_metadata(meta, g, id);
	r = pwrite_all(out_fd, meta, g->metadata_length, g->metadata_offset, "the metadata region");
	if (r < 0)
		return r;

	/* Header section; table (64 KiB) doubles as the scratch buffer. */
	vhdx_build_region_table(table, g);
	r = pwrite_all(out_fd, table, VHDX_REGION_TABLE_SIZE, VHDX_REGION_TABLE1_OFFSET, "region table 1");
	if (r >= 0)
		r = pwrite_all(out_fd, table, VHDX_REGION_TABLE_SIZE, VHDX_REGION_TABLE2_OFFSET, "region table 2");
	if (r < 0)
		return r;
	vhdx_build_header(table, g, id, 1);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_HEADER1_OFFSET, "header 1");
	if (r < 0)
		return r;
	vhdx_build_header(table, g, id, 2);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_HEADER2_OFFSET, "header 2");
	if (r < 0)
		return r;
	vhdx_build_file_identifier(table, creator);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_FILE_ID_OFFSET, "the file identifier");
	if (r < 0)
		return r;

	/* The log (all zero) and skipped blocks stay holes; fix the length. */
	if (ftruncate(out_fd, (off_t)w->next_offset) < 0)
		return err_set(-errno, "setting the VHDX length to %llu", (unsigned long long)w->next_offset);
	return 0;
}
