/* gpt_layout.h: placing partitions on a new disk and the bytes of its
 * protective MBR, GPT headers and partition entry array.
 *
 * Pure: the caller describes the partitions (sizes, GUIDs, names); this
 * file decides where they go (1 MiB aligned, in order) and builds the
 * sectors. The copying of partition contents is src/mkgpt's. */
#ifndef LCOW_GPT_LAYOUT_H
#define LCOW_GPT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/disk_guid.h"
#include "lib/gpt_format.h"

#define GPT_MAX_PARTITIONS 16
#define GPT_NAME_MAX 36
#define GPT_ALIGN_SECTORS 2048u /* 1 MiB */

struct gpt_partition {
	struct disk_guid type;
	struct disk_guid guid;
	uint64_t size;      /* content bytes asked for */
	uint64_t first_lba; /* set by gpt_place_partitions */
	uint64_t last_lba;  /* inclusive */
	uint64_t attributes;
	char name[GPT_NAME_MAX + 1]; /* ASCII */
};

struct gpt_disk {
	struct disk_guid guid;
	uint64_t total_sectors; /* set by gpt_place_partitions */
	size_t count;
	struct gpt_partition parts[GPT_MAX_PARTITIONS];
};

/* Places the partitions one after another from LBA 2048, each rounded up to
 * 1 MiB, and sizes the disk so the backup table fits after the last one and
 * the total is a multiple of 1 MiB. Returns 0 or -EINVAL with err text. */
int gpt_place_partitions(struct gpt_disk *d);

uint64_t gpt_first_usable_lba(void);
uint64_t gpt_last_usable_lba(const struct gpt_disk *d);
/* LBA of the backup entry array (the backup header is the last LBA). */
uint64_t gpt_backup_entries_lba(const struct gpt_disk *d);

/* CRC-32 as UEFI uses it (IEEE 802.3; zlib's crc32). */
uint32_t gpt_crc32(const void *buf, size_t len);

void gpt_build_protective_mbr(uint8_t buf[GPT_SECTOR_SIZE], uint64_t total_sectors);
void gpt_build_entries(uint8_t buf[GPT_ENTRIES_BYTES], const struct gpt_disk *d);
/* The primary (backup=false) or backup header sector; entries_crc is the
 * CRC-32 of the entry array built by gpt_build_entries. */
void gpt_build_header(uint8_t buf[GPT_SECTOR_SIZE], const struct gpt_disk *d, bool backup,
		      uint32_t entries_crc);

#endif
