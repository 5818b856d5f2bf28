/* vhdx_writer.h: turn a raw disk image into a VHDX file
 * (../shared/spec/vhd-vhdx.md B.10).
 *
 * Works on descriptors it is handed: reads the raw image with pread and
 * writes the VHDX with pwrite into an empty output file. Creating the
 * temporary file, renaming it and choosing the identity GUIDs are the
 * caller's (src/mkvhdx).
 *
 * Two phases, so a caller can derive the GUIDs from the content in the
 * same pass that copies it (headers and metadata are written last):
 *   vhdx_writer_init → vhdx_writer_payload (observer sees each non-zero
 *   block) → vhdx_writer_finish (identity) → vhdx_writer_release. */
#ifndef LCOW_VHDX_WRITER_H
#define LCOW_VHDX_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/vhdx_layout.h"

struct vhdx_writer {
	struct vhdx_geometry geometry;
	uint64_t raw_size;
	uint8_t *bat; /* geometry.bat_length bytes */
	uint64_t next_offset; /* where the next payload block goes */
	uint64_t blocks_present;
};

/* Called for every payload block holding a non-zero byte, in order. */
typedef void (*vhdx_block_observer)(void *ctx, uint64_t block, const uint8_t *data, size_t len);

int vhdx_writer_init(struct vhdx_writer *w, uint64_t raw_size, uint32_t block_size, bool fixed);
/* Copies the payload: all-zero blocks are never written (a fixed file keeps
 * them as holes that read as zero; a dynamic file leaves them NOT_PRESENT),
 * and holes of the raw image are skipped without reading them. */
int vhdx_writer_payload(struct vhdx_writer *w, int raw_fd, int out_fd, vhdx_block_observer observe,
			void *ctx);
/* Writes BAT, metadata, region tables, headers and file identifier and
 * sets the final length. */
int vhdx_writer_finish(struct vhdx_writer *w, int out_fd, const struct vhdx_identity *id,
		       const char *creator);
void vhdx_writer_release(struct vhdx_writer *w);

/* The file length vhdx_writer_finish gives. */
static inline uint64_t vhdx_writer_file_size(const struct vhdx_writer *w) { return w->next_offset; }

#endif
