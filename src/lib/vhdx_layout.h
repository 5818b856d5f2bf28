/* vhdx_layout.h: where everything goes in a new VHDX file and the bytes of
 * its fixed structures (../shared/spec/vhd-vhdx.md B.2-B.10).
 *
 * Pure: vhdx_geometry_init() decides the layout from the virtual size and
 * block size, and the vhdx_build_*() functions fill caller-owned buffers.
 * vhdx_writer.c does the I/O. */
#ifndef LCOW_VHDX_LAYOUT_H
#define LCOW_VHDX_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/disk_guid.h"
#include "lib/vhdx_format.h"

struct vhdx_geometry {
	uint64_t virtual_size;     /* bytes, a multiple of 1 MiB */
	uint32_t block_size;       /* bytes, power of two, 1-256 MiB */
	uint32_t logical_sector;   /* 512 (qemu refuses 4096) */
	uint32_t physical_sector;  /* 4096 */
	bool fixed;                /* LeaveBlocksAllocated */
	uint64_t chunk_ratio;      /* payload blocks per sector-bitmap block */
	uint64_t payload_blocks;
	uint64_t bat_entries;
	uint64_t log_offset, log_length;
	uint64_t metadata_offset, metadata_length;
	uint64_t bat_offset, bat_length;
	uint64_t data_offset; /* first payload block */
};

/* Chooses the layout for a disk of at least min_size bytes (rounded up to
 * 1 MiB). Returns 0, or -EINVAL (with err text) for a bad block size or a
 * size above 64 TiB. */
int vhdx_geometry_init(struct vhdx_geometry *g, uint64_t min_size, uint32_t block_size, bool fixed);

/* BAT index of payload block i: every chunk_ratio payload entries are
 * followed by one sector-bitmap entry (B.7). */
uint64_t vhdx_bat_index(const struct vhdx_geometry *g, uint64_t block);
/* A FULLY_PRESENT entry for a block at file_offset (a multiple of 1 MiB). */
uint64_t vhdx_bat_entry_present(uint64_t file_offset);

struct vhdx_identity {
	struct disk_guid file_write; /* same in both headers */
	struct disk_guid data_write;
	struct disk_guid page83; /* SCSI VPD page 0x83 identifier */
};

/* Each builder fills exactly the stated number of bytes of buf. */
void vhdx_build_file_identifier(uint8_t buf[VHDX_HEADER_SIZE], const char *creator);
void vhdx_build_header(uint8_t buf[VHDX_HEADER_SIZE], const struct vhdx_geometry *g,
		       const struct vhdx_identity *id, uint64_t sequence_number);
void vhdx_build_region_table(uint8_t buf[VHDX_REGION_TABLE_SIZE], const struct vhdx_geometry *g);
/* The metadata region: table plus the five items (metadata_length bytes). */
void vhdx_build_metadata(uint8_t *buf, const struct vhdx_geometry *g, const struct vhdx_identity *id);

#endif
