/* vhdx_writer.c: the raw image → VHDX conversion loop (see vhdx_writer.h).
 *
 * Payload first, in block order, at increasing 1 MiB-aligned offsets; then
 * the BAT, the metadata region and last the header section, so a reader
 * never sees headers that describe blocks not yet written. */
#include "lib/vhdx_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/disk_bytes.h"
#include "lib/err.h"

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

/* Reads up to len bytes at off; zero-fills what lies past the end. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off, uint64_t end)
{
	uint8_t *p = buf;
	size_t want = off >= end ? 0 : (size_t)(end - off < len ? end - off : len);
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, p + got, want - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "reading the raw image at offset %llu",
				       (unsigned long long)(off + got));
		}
		if (n == 0)
			return err_setmsg(-EIO, "raw image ended at %llu, expected %llu bytes",
					  (unsigned long long)(off + got), (unsigned long long)end);
		got += (size_t)n;
	}
	memset(p + got, 0, len - got);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	/* Compare the buffer with itself shifted by one word: zero iff the
	 * first word is zero and every word equals the next. */
	if (len < 8)
		return false;
	uint64_t first;
	memcpy(&first, p, 8);
	return first == 0 && memcmp(p, p + 8, len - 8) == 0;
}

int vhdx_write(int raw_fd, uint64_t raw_size, int out_fd, const struct vhdx_write_options *o,
	       struct vhdx_write_stats *stats)
{
	struct vhdx_geometry g;
	int r = vhdx_geometry_init(&g, raw_size, o->block_size, o->fixed);
	if (r < 0)
		return r;

	_cleanup_free_ uint8_t *bat = calloc(1, g.bat_length);
	_cleanup_free_ uint8_t *block = malloc(g.block_size);
	_cleanup_free_ uint8_t *meta = malloc(g.metadata_length);
	_cleanup_free_ uint8_t *table = malloc(VHDX_REGION_TABLE_SIZE);
	if (!bat || !block || !meta || !table)
		return err_set(-ENOMEM, "allocating VHDX buffers");

	uint64_t next = g.data_offset, present = 0;
	for (uint64_t i = 0; i < g.payload_blocks; i++) {
		uint64_t off = i * g.block_size;
		r = pread_full(raw_fd, block, g.block_size, off, raw_size);
		if (r < 0)
			return r;
		bool zero = all_zero(block, g.block_size);
		if (zero && !g.fixed)
			continue; /* NOT_PRESENT reads as zero (B.8) */
		if (!zero) {
			r = pwrite_all(out_fd, block, g.block_size, next, "a payload block");
			if (r < 0)
				return err_wrap(r, "block %llu", (unsigned long long)i);
		}
		disk_put_le64(bat + 8 * vhdx_bat_index(&g, i), vhdx_bat_entry_present(next));
		next += g.block_size;
		present++;
	}
	uint64_t file_size = next;

	r = pwrite_all(out_fd, bat, g.bat_length, g.bat_offset, "the BAT");
	if (r < 0)
		return r;
	vhdx_build_metadata(meta, &g, &o->identity);
	r = pwrite_all(out_fd, meta, g.metadata_length, g.metadata_offset, "the metadata region");
	if (r < 0)
		return r;

	/* Header section. table (64 KiB) doubles as the scratch buffer. */
	vhdx_build_file_identifier(table, o->creator);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_FILE_ID_OFFSET, "the file identifier");
	if (r < 0)
		return r;
	vhdx_build_header(table, &g, &o->identity, 1);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_HEADER1_OFFSET, "header 1");
	if (r < 0)
		return r;
	vhdx_build_header(table, &g, &o->identity, 2);
	r = pwrite_all(out_fd, table, VHDX_HEADER_SIZE, VHDX_HEADER2_OFFSET, "header 2");
	if (r < 0)
		return r;
	vhdx_build_region_table(table, &g);
	r = pwrite_all(out_fd, table, VHDX_REGION_TABLE_SIZE, VHDX_REGION_TABLE1_OFFSET, "region table 1");
	if (r < 0)
		return r;
	r = pwrite_all(out_fd, table, VHDX_REGION_TABLE_SIZE, VHDX_REGION_TABLE2_OFFSET, "region table 2");
	if (r < 0)
		return r;

	/* The log (all zero) and skipped zero blocks stay holes; fix the length. */
	if (ftruncate(out_fd, (off_t)file_size) < 0)
		return err_set(-errno, "setting the VHDX length to %llu", (unsigned long long)file_size);

	if (stats) {
		stats->virtual_size = g.virtual_size;
		stats->blocks_total = g.payload_blocks;
		stats->blocks_present = present;
		stats->file_size = file_size;
	}
	return 0;
}
