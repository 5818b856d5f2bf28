/* vhdx_format.h: the on-disk structures of a VHDX file, declared once.
 *
 * Offsets and values follow ../shared/spec/vhd-vhdx.md Part B (MS-VHDX
 * v1.00). Every integer field is little-endian on disk; fill the structs
 * through disk_put_le*() (disk_bytes.h), never by plain assignment, so the
 * bytes are right on any host. */
#ifndef LCOW_VHDX_FORMAT_H
#define LCOW_VHDX_FORMAT_H

#include <stdint.h>

#define VHDX_KIB 1024ull
#define VHDX_MIB (1024ull * 1024ull)

/* B.2 fixed part of the file: everything below 1 MiB. */
#define VHDX_FILE_ID_OFFSET 0
#define VHDX_HEADER1_OFFSET (64 * VHDX_KIB)
#define VHDX_HEADER2_OFFSET (128 * VHDX_KIB)
#define VHDX_REGION_TABLE1_OFFSET (192 * VHDX_KIB)
#define VHDX_REGION_TABLE2_OFFSET (256 * VHDX_KIB)
#define VHDX_HEADER_SECTION_SIZE VHDX_MIB

#define VHDX_HEADER_SIZE 4096
#define VHDX_REGION_TABLE_SIZE (64 * VHDX_KIB)
#define VHDX_METADATA_TABLE_SIZE (64 * VHDX_KIB)

/* B.3 */
struct vhdx_file_identifier {
	uint8_t signature[8]; /* "vhdxfile" */
	uint8_t creator[512]; /* UTF-16LE, NUL padded */
};
_Static_assert(sizeof(struct vhdx_file_identifier) == 520, "B.3 file type identifier");

/* B.4 */
struct vhdx_header {
	uint8_t signature[4]; /* "head" */
	uint8_t checksum[4];  /* CRC-32C over the 4 KiB */
	uint8_t sequence_number[8];
	uint8_t file_write_guid[16];
	uint8_t data_write_guid[16];
	uint8_t log_guid[16];
	uint8_t log_version[2];
	uint8_t version[2];
	uint8_t log_length[4];
	uint8_t log_offset[8];
	uint8_t reserved[4016];
};
_Static_assert(sizeof(struct vhdx_header) == VHDX_HEADER_SIZE, "B.4 header is 4 KiB");

/* B.5 */
struct vhdx_region_table_header {
	uint8_t signature[4]; /* "regi" */
	uint8_t checksum[4];  /* CRC-32C over the 64 KiB table */
	uint8_t entry_count[4];
	uint8_t reserved[4];
};
_Static_assert(sizeof(struct vhdx_region_table_header) == 16, "B.5 region table header");

struct vhdx_region_entry {
	uint8_t guid[16];
	uint8_t file_offset[8];
	uint8_t length[4];
	uint8_t required[4]; /* bit 0 */
};
_Static_assert(sizeof(struct vhdx_region_entry) == 32, "B.5 region table entry");

/* B.6 */
struct vhdx_metadata_table_header {
	uint8_t signature[8]; /* "metadata" */
	uint8_t reserved[2];
	uint8_t entry_count[2];
	uint8_t reserved2[20];
};
_Static_assert(sizeof(struct vhdx_metadata_table_header) == 32, "B.6 metadata table header");

struct vhdx_metadata_entry {
	uint8_t item_id[16];
	uint8_t offset[4]; /* from the start of the metadata region */
	uint8_t length[4];
	uint8_t flags[4];
	uint8_t reserved[4];
};
_Static_assert(sizeof(struct vhdx_metadata_entry) == 32, "B.6 metadata table entry");

#define VHDX_METADATA_IS_USER 0x1u
#define VHDX_METADATA_IS_VIRTUAL_DISK 0x2u
#define VHDX_METADATA_IS_REQUIRED 0x4u

struct vhdx_file_parameters {
	uint8_t block_size[4];
	uint8_t flags[4]; /* bit 0 LeaveBlocksAllocated, bit 1 HasParent */
};
_Static_assert(sizeof(struct vhdx_file_parameters) == 8, "B.6 file parameters item");

#define VHDX_LEAVE_BLOCKS_ALLOCATED 0x1u

/* B.7 BAT entry states (bits 0-2); FileOffsetMB in bits 20-63. */
#define VHDX_BAT_NOT_PRESENT 0u
#define VHDX_BAT_ZERO 2u
#define VHDX_BAT_FULLY_PRESENT 6u
#define VHDX_BAT_STATE_MASK 0x7ull
#define VHDX_BAT_OFFSET_SHIFT 20

/* Well-known GUIDs, in text form (disk_guid_parse gives the on-disk bytes). */
#define VHDX_REGION_BAT "2DC27766-F623-4200-9D64-115E9BFD4A08"
#define VHDX_REGION_METADATA "8B7CA206-4790-4B9A-B8FE-575F050F886E"
#define VHDX_ITEM_FILE_PARAMETERS "CAA16737-FA36-4D43-B3B6-33F0AA44E76B"
#define VHDX_ITEM_VIRTUAL_DISK_SIZE "2FA54224-CD1B-4876-B211-5DBED83BF4B8"
#define VHDX_ITEM_PAGE83_DATA "BECA12AB-B2E6-4523-93EF-C309E000C746"
#define VHDX_ITEM_LOGICAL_SECTOR_SIZE "8141BF1D-A96F-4709-BA47-F233A8FAAB5F"
#define VHDX_ITEM_PHYSICAL_SECTOR_SIZE "CDA348C7-445D-4471-9CC9-E9885251C556"

#endif
