/* vhdx_writer.h: turn a raw disk image into a VHDX file
 * (../shared/spec/vhd-vhdx.md B.10).
 *
 * Works on descriptors it is handed: reads the raw image with pread and
 * writes the VHDX with pwrite into an empty output file. Creating the
 * temporary file, renaming it and choosing the identity GUIDs are the
 * caller's (src/mkvhdx). */
#ifndef LCOW_VHDX_WRITER_H
#define LCOW_VHDX_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/vhdx_layout.h"

struct vhdx_write_options {
	bool fixed;          /* every block present (LeaveBlocksAllocated) */
	uint32_t block_size; /* bytes */
	struct vhdx_identity identity;
	const char *creator; /* diagnostic string in the file identifier */
};

struct vhdx_write_stats {
	uint64_t virtual_size;
	uint64_t blocks_total;
	uint64_t blocks_present;
	uint64_t file_size;
};

/* Writes the VHDX for the raw_size bytes readable from raw_fd into the
 * empty file out_fd. All-zero blocks are never written (a fixed file keeps
 * them as holes that read as zero; a dynamic file leaves them NOT_PRESENT).
 * Returns 0 or a negative errno with err text. */
int vhdx_write(int raw_fd, uint64_t raw_size, int out_fd, const struct vhdx_write_options *o,
	       struct vhdx_write_stats *stats);

#endif
