/* vhdx_layout.c: the layout decisions and fixed structures of a new VHDX
 * file (see vhdx_layout.h). The order of regions is the one the spec
 * recommends (B.2): log at 1 MiB, metadata at 2 MiB, BAT at 3 MiB, then the
 * payload blocks. */
#include "lib/vhdx_layout.h"

#include <errno.h>
#include <string.h>

#include "lib/disk_bytes.h"
#include "lib/err.h"
#include "lib/vhdx_crc32c.h"

#define VHDX_MAX_VIRTUAL_SIZE (64ull * 1024 * 1024 * VHDX_MIB) /* 64 TiB */

static uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

static void put_guid(uint8_t *dst, const char *text)
{
	struct disk_guid g;
	/* The well-known GUIDs are constants of vhdx_format.h; they parse. */
	if (disk_guid_parse(text, &g) < 0)
		memset(&g, 0, sizeof(g));
	memcpy(dst, g.bytes, sizeof(g.bytes));
}

int vhdx_geometry_init(struct vhdx_geometry *g, uint64_t min_size, uint32_t block_size, bool fixed)
{
	memset(g, 0, sizeof(*g));
	if (block_size < VHDX_MIB || block_size > 256 * VHDX_MIB || (block_size & (block_size - 1)))
		return err_setmsg(-EINVAL, "block size %u: must be a power of two from 1 MiB to 256 MiB",
				  block_size);
	uint64_t size = round_up(min_size ? min_size : 1, VHDX_MIB);
	if (size > VHDX_MAX_VIRTUAL_SIZE)
		return err_setmsg(-EINVAL, "virtual size %llu: above the VHDX limit of 64 TiB",
				  (unsigned long long)size);
	g->virtual_size = size;
	g->block_size = block_size;
	g->logical_sector = 512;
	g->physical_sector = 4096;
	g->fixed = fixed;
	/* B.7: chunk_ratio = 2^23 * logical sector / block size. */
	g->chunk_ratio = ((uint64_t)1 << 23) * g->logical_sector / block_size;
	g->payload_blocks = (size + block_size - 1) / block_size;
	g->bat_entries = g->payload_blocks + (g->payload_blocks - 1) / g->chunk_ratio;
	g->log_offset = VHDX_MIB;
	g->log_length = VHDX_MIB;
	g->metadata_offset = 2 * VHDX_MIB;
	g->metadata_length = VHDX_MIB;
	g->bat_offset = 3 * VHDX_MIB;
	g->bat_length = round_up(g->bat_entries * 8, VHDX_MIB);
	g->data_offset = g->bat_offset + g->bat_length;
	return 0;
}

uint64_t vhdx_bat_index(const struct vhdx_geometry *g, uint64_t block)
{
	return block + block / g->chunk_ratio;
}

uint64_t vhdx_bat_entry_present(uint64_t file_offset)
{
	return (file_offset / VHDX_MIB) << VHDX_BAT_OFFSET_SHIFT | VHDX_BAT_FULLY_PRESENT;
}

void vhdx_build_file_identifier(uint8_t buf[VHDX_HEADER_SIZE], const char *creator)
{
	struct vhdx_file_identifier *fi = (struct vhdx_file_identifier *)buf;
	memset(buf, 0, VHDX_HEADER_SIZE);
	memcpy(fi->signature, "vhdxfile", 8);
	/* The creator is diagnostic only (B.3): ASCII widened to UTF-16LE. */
	for (size_t i = 0; creator && creator[i] && i < sizeof(fi->creator) / 2 - 1; i++)
		disk_put_le16(fi->creator + 2 * i, (uint8_t)creator[i]);
}

void vhdx_build_header(uint8_t buf[VHDX_HEADER_SIZE], const struct vhdx_geometry *g,
		       const struct vhdx_identity *id, uint64_t sequence_number)
{
	struct vhdx_header *h = (struct vhdx_header *)buf;
	memset(buf, 0, VHDX_HEADER_SIZE);
	memcpy(h->signature, "head", 4);
	disk_put_le64(h->sequence_number, sequence_number);
	memcpy(h->file_write_guid, id->file_write.bytes, 16);
	memcpy(h->data_write_guid, id->data_write.bytes, 16);
	/* LogGuid stays zero: nothing to replay (B.9). */
	disk_put_le16(h->log_version, 0);
	disk_put_le16(h->version, 1);
	disk_put_le32(h->log_length, (uint32_t)g->log_length);
	disk_put_le64(h->log_offset, g->log_offset);
	disk_put_le32(h->checksum, vhdx_crc32c(buf, VHDX_HEADER_SIZE));
}

static void put_region(struct vhdx_region_entry *e, const char *guid, uint64_t offset, uint64_t length)
{
	put_guid(e->guid, guid);
	disk_put_le64(e->file_offset, offset);
	disk_put_le32(e->length, (uint32_t)length);
	/* Required, as Hyper-V writes it (B.5). */
	disk_put_le32(e->required, 1);
}

void vhdx_build_region_table(uint8_t buf[VHDX_REGION_TABLE_SIZE], const struct vhdx_geometry *g)
{
	struct vhdx_region_table_header *h = (struct vhdx_region_table_header *)buf;
	struct vhdx_region_entry *e = (struct vhdx_region_entry *)(buf + sizeof(*h));
	memset(buf, 0, VHDX_REGION_TABLE_SIZE);
	memcpy(h->signature, "regi", 4);
	disk_put_le32(h->entry_count, 2);
	put_region(&e[0], VHDX_REGION_BAT, g->bat_offset, g->bat_length);
	put_region(&e[1], VHDX_REGION_METADATA, g->metadata_offset, g->metadata_length);
	disk_put_le32(h->checksum, vhdx_crc32c(buf, VHDX_REGION_TABLE_SIZE));
}

static void put_item(struct vhdx_metadata_entry *e, const char *guid, uint32_t offset, uint32_t length,
		     uint32_t flags)
{
	put_guid(e->item_id, guid);
	disk_put_le32(e->offset, offset);
	disk_put_le32(e->length, length);
	disk_put_le32(e->flags, flags);
}

void vhdx_build_metadata(uint8_t *buf, const struct vhdx_geometry *g, const struct vhdx_identity *id)
{
	struct vhdx_metadata_table_header *h = (struct vhdx_metadata_table_header *)buf;
	struct vhdx_metadata_entry *e = (struct vhdx_metadata_entry *)(buf + sizeof(*h));
	const uint32_t base = VHDX_METADATA_TABLE_SIZE;
	const uint32_t vd = VHDX_METADATA_IS_VIRTUAL_DISK | VHDX_METADATA_IS_REQUIRED;

	memset(buf, 0, g->metadata_length);
	memcpy(h->signature, "metadata", 8);
	disk_put_le16(h->entry_count, 5);

	/* Items packed from 64 KiB in the order qemu and Hyper-V use (B.6). */
	put_item(&e[0], VHDX_ITEM_FILE_PARAMETERS, base, 8, VHDX_METADATA_IS_REQUIRED);
	struct vhdx_file_parameters *fp = (struct vhdx_file_parameters *)(buf + base);
	disk_put_le32(fp->block_size, g->block_size);
	disk_put_le32(fp->flags, g->fixed ? VHDX_LEAVE_BLOCKS_ALLOCATED : 0);

	put_item(&e[1], VHDX_ITEM_VIRTUAL_DISK_SIZE, base + 8, 8, vd);
	disk_put_le64(buf + base + 8, g->virtual_size);

	put_item(&e[2], VHDX_ITEM_PAGE83_DATA, base + 16, 16, vd);
	memcpy(buf + base + 16, id->page83.bytes, 16);

	put_item(&e[3], VHDX_ITEM_LOGICAL_SECTOR_SIZE, base + 32, 4, vd);
	disk_put_le32(buf + base + 32, g->logical_sector);

	put_item(&e[4], VHDX_ITEM_PHYSICAL_SECTOR_SIZE, base + 36, 4, vd);
	disk_put_le32(buf + base + 36, g->physical_sector);
}
