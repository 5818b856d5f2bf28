/* gpt_format.h: the on-disk structures of a GUID partition table, declared
 * once: the protective MBR, the header and the partition entry (UEFI 2.10
 * §5.2-5.3). Integer fields are little-endian byte arrays, filled through
 * disk_bytes.h. 512-byte logical sectors throughout. */
#ifndef LCOW_GPT_FORMAT_H
#define LCOW_GPT_FORMAT_H

#include <stdint.h>

#define GPT_SECTOR_SIZE 512u
#define GPT_ENTRY_COUNT 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_ENTRIES_BYTES (GPT_ENTRY_COUNT * GPT_ENTRY_SIZE)
#define GPT_ENTRIES_SECTORS (GPT_ENTRIES_BYTES / GPT_SECTOR_SIZE) /* 32 */
#define GPT_REVISION_1_0 0x00010000u
#define GPT_HEADER_SIZE 92u

/* A legacy MBR partition record (UEFI 2.10 table 5.2). */
struct gpt_mbr_record {
	uint8_t boot_indicator;
	uint8_t start_chs[3];
	uint8_t os_type;
	uint8_t end_chs[3];
	uint8_t starting_lba[4];
	uint8_t size_in_lba[4];
};
_Static_assert(sizeof(struct gpt_mbr_record) == 16, "MBR partition record");

/* Protective MBR at LBA 0 (UEFI 2.10 table 5.4). */
struct gpt_protective_mbr {
	uint8_t boot_code[440];
	uint8_t disk_signature[4]; /* unused, zero */
	uint8_t unknown[2];
	struct gpt_mbr_record records[4];
	uint8_t signature[2]; /* 0x55 0xAA */
};
_Static_assert(sizeof(struct gpt_protective_mbr) == GPT_SECTOR_SIZE, "protective MBR is one sector");

#define GPT_MBR_TYPE_PROTECTIVE 0xEE

/* GPT header at LBA 1 and at the last LBA (UEFI 2.10 table 5.5). */
struct gpt_header {
	uint8_t signature[8]; /* "EFI PART" */
	uint8_t revision[4];
	uint8_t header_size[4];
	uint8_t header_crc32[4]; /* over header_size bytes, this field zero */
	uint8_t reserved[4];
	uint8_t my_lba[8];
	uint8_t alternate_lba[8];
	uint8_t first_usable_lba[8];
	uint8_t last_usable_lba[8];
	uint8_t disk_guid[16];
	uint8_t partition_entry_lba[8];
	uint8_t number_of_partition_entries[4];
	uint8_t size_of_partition_entry[4];
	uint8_t partition_entry_array_crc32[4];
};
_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_SIZE, "GPT header is 92 bytes");

/* Partition entry (UEFI 2.10 table 5.6). */
struct gpt_entry {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint8_t starting_lba[8];
	uint8_t ending_lba[8]; /* inclusive */
	uint8_t attributes[8];
	uint8_t name[72]; /* UTF-16LE, 36 code units */
};
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_SIZE, "GPT partition entry is 128 bytes");

/* Partition types. */
#define GPT_TYPE_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GPT_TYPE_LINUX_FS "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
/* Discoverable Partitions Specification: root file system, x86-64. */
#define GPT_TYPE_LINUX_ROOT_X86_64 "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

#endif
