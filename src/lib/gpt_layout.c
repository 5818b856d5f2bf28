/* gpt_layout.c: partition placement and GPT sectors (see gpt_layout.h).
 *
 * Disk map (512-byte sectors, N = total):
 *   0           protective MBR
 *   1           primary header
 *   2..33       primary entry array (128 entries of 128 bytes)
 *   2048..      partitions, each starting on a 1 MiB boundary
 *   N-33..N-2   backup entry array
 *   N-1         backup header
 */
#include "lib/gpt_layout.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "lib/disk_bytes.h"
#include "lib/err.h"

static uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

uint32_t gpt_crc32(const void *buf, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)len);
}

uint64_t gpt_first_usable_lba(void) { return 2 + GPT_ENTRIES_SECTORS; }

uint64_t gpt_last_usable_lba(const struct gpt_disk *d)
{
	return d->total_sectors - 2 - GPT_ENTRIES_SECTORS;
}

uint64_t gpt_backup_entries_lba(const struct gpt_disk *d)
{
	return d->total_sectors - 1 - GPT_ENTRIES_SECTORS;
}

int gpt_place_partitions(struct gpt_disk *d)
{
	if (d->count == 0 || d->count > GPT_MAX_PARTITIONS)
		return err_setmsg(-EINVAL, "%zu partitions: want 1 to %d", d->count, GPT_MAX_PARTITIONS);
	uint64_t lba = GPT_ALIGN_SECTORS;
	for (size_t i = 0; i < d->count; i++) {
		struct gpt_partition *p = &d->parts[i];
		if (p->size == 0)
			return err_setmsg(-EINVAL, "partition %zu (%s) is empty", i + 1, p->name);
		uint64_t sectors = round_up(p->size, (uint64_t)GPT_ALIGN_SECTORS * GPT_SECTOR_SIZE) / GPT_SECTOR_SIZE;
		p->first_lba = lba;
		p->last_lba = lba + sectors - 1;
		lba += sectors;
	}
	/* Room for the backup array and header, rounded to 1 MiB. */
	d->total_sectors = round_up(lba + 1 + GPT_ENTRIES_SECTORS, GPT_ALIGN_SECTORS);
	return 0;
}

void gpt_build_protective_mbr(uint8_t buf[GPT_SECTOR_SIZE], uint64_t total_sectors)
{
	struct gpt_protective_mbr *m = (struct gpt_protective_mbr *)buf;
	memset(buf, 0, GPT_SECTOR_SIZE);
	struct gpt_mbr_record *r = &m->records[0];
	/* One record of type 0xEE from LBA 1 over the whole disk, capped at
	 * 0xFFFFFFFF sectors (UEFI 2.10 table 5.5 "protective MBR"). */
	r->start_chs[0] = 0x00;
	r->start_chs[1] = 0x02;
	r->start_chs[2] = 0x00;
	r->os_type = GPT_MBR_TYPE_PROTECTIVE;
	r->end_chs[0] = r->end_chs[1] = r->end_chs[2] = 0xFF;
	disk_put_le32(r->starting_lba, 1);
	uint64_t size = total_sectors - 1;
	disk_put_le32(r->size_in_lba, size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)size);
	m->signature[0] = 0x55;
	m->signature[1] = 0xAA;
}

void gpt_build_entries(uint8_t buf[GPT_ENTRIES_BYTES], const struct gpt_disk *d)
{
	memset(buf, 0, GPT_ENTRIES_BYTES);
	for (size_t i = 0; i < d->count; i++) {
		const struct gpt_partition *p = &d->parts[i];
		struct gpt_entry *e = (struct gpt_entry *)(buf + i * GPT_ENTRY_SIZE);
		memcpy(e->type_guid, p->type.bytes, 16);
		memcpy(e->unique_guid, p->guid.bytes, 16);
		disk_put_le64(e->starting_lba, p->first_lba);
		disk_put_le64(e->ending_lba, p->last_lba);
		disk_put_le64(e->attributes, p->attributes);
		for (size_t c = 0; c < GPT_NAME_MAX && p->name[c]; c++)
			disk_put_le16(e->name + 2 * c, (uint8_t)p->name[c]);
	}
}

void gpt_build_header(uint8_t buf[GPT_SECTOR_SIZE], const struct gpt_disk *d, bool backup,
		      uint32_t entries_crc)
{
	struct gpt_header *h = (struct gpt_header *)buf;
	uint64_t last = d->total_sectors - 1;
	memset(buf, 0, GPT_SECTOR_SIZE);
	memcpy(h->signature, "EFI PART", 8);
	disk_put_le32(h->revision, GPT_REVISION_1_0);
	disk_put_le32(h->header_size, GPT_HEADER_SIZE);
	disk_put_le64(h->my_lba, backup ? last : 1);
	disk_put_le64(h->alternate_lba, backup ? 1 : last);
	disk_put_le64(h->first_usable_lba, gpt_first_usable_lba());
	disk_put_le64(h->last_usable_lba, gpt_last_usable_lba(d));
	memcpy(h->disk_guid, d->guid.bytes, 16);
	disk_put_le64(h->partition_entry_lba, backup ? gpt_backup_entries_lba(d) : 2);
	disk_put_le32(h->number_of_partition_entries, GPT_ENTRY_COUNT);
	disk_put_le32(h->size_of_partition_entry, GPT_ENTRY_SIZE);
	disk_put_le32(h->partition_entry_array_crc32, entries_crc);
	disk_put_le32(h->header_crc32, gpt_crc32(buf, GPT_HEADER_SIZE));
}
