/* Unit tests for the GPT layout and sectors (src/lib/gpt_layout.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/disk_bytes.h"
#include "lib/disk_guid.h"
#include "lib/gpt_layout.h"

#define MIB (1024u * 1024u)

static void two_partition_disk(struct gpt_disk *d)
{
	memset(d, 0, sizeof(*d));
	disk_guid_parse("11111111-2222-4333-8444-555555555555", &d->guid);
	d->count = 2;
	disk_guid_parse(GPT_TYPE_ESP, &d->parts[0].type);
	disk_guid_parse("AAAAAAAA-2222-4333-8444-555555555555", &d->parts[0].guid);
	d->parts[0].size = 3 * MIB;
	strcpy(d->parts[0].name, "ESP");
	disk_guid_parse(GPT_TYPE_LINUX_ROOT_X86_64, &d->parts[1].type);
	disk_guid_parse("BBBBBBBB-2222-4333-8444-555555555555", &d->parts[1].guid);
	d->parts[1].size = 20 * MIB + 4096; /* rounds up to 21 MiB */
	strcpy(d->parts[1].name, "root");
	assert_int_equal(gpt_place_partitions(d), 0);
}

static void test_crc32_is_ieee_check_value(void **state)
{
	(void)state;
	assert_int_equal(gpt_crc32("123456789", 9), 0xCBF43926u);
}

static void test_partitions_start_on_mib_boundaries_in_order(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	assert_int_equal(d.parts[0].first_lba, 2048);
	assert_int_equal(d.parts[0].last_lba, 2048 + 3 * 2048 - 1);
	assert_int_equal(d.parts[1].first_lba, 4 * 2048);
	assert_int_equal(d.parts[1].last_lba, 4 * 2048 + 21 * 2048 - 1);
	/* 1 MiB head + 24 MiB of partitions + room for the backup → 26 MiB. */
	assert_int_equal(d.total_sectors, 26 * 2048);
	assert_true(d.parts[1].last_lba <= gpt_last_usable_lba(&d));
}

static void test_place_rejects_empty_partition(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	d.parts[1].size = 0;
	assert_int_not_equal(gpt_place_partitions(&d), 0);
}

static void test_protective_mbr_covers_disk_with_type_ee(void **state)
{
	(void)state;
	uint8_t s[GPT_SECTOR_SIZE];
	gpt_build_protective_mbr(s, 53248);
	assert_int_equal(s[510], 0x55);
	assert_int_equal(s[511], 0xAA);
	const uint8_t *r = s + 446;
	assert_int_equal(r[0], 0);    /* not bootable */
	assert_int_equal(r[4], 0xEE); /* GPT protective */
	assert_int_equal(r[1], 0x00);
	assert_int_equal(r[2], 0x02);
	assert_int_equal(disk_get_le32(r + 8), 1);
	assert_int_equal(disk_get_le32(r + 12), 53247);
	uint8_t zero[48] = { 0 };
	assert_memory_equal(s + 462, zero, sizeof(zero)); /* other records empty */
}

static void test_protective_mbr_caps_size_at_32_bits(void **state)
{
	(void)state;
	uint8_t s[GPT_SECTOR_SIZE];
	gpt_build_protective_mbr(s, 1ull << 34);
	assert_int_equal(disk_get_le32(s + 446 + 12), 0xFFFFFFFFu);
}

static void test_entries_hold_guids_lbas_and_utf16_names(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	uint8_t *e = malloc(GPT_ENTRIES_BYTES);
	gpt_build_entries(e, &d);
	struct disk_guid esp;
	disk_guid_parse(GPT_TYPE_ESP, &esp);
	assert_memory_equal(e, esp.bytes, 16);
	assert_memory_equal(e + 16, d.parts[0].guid.bytes, 16);
	assert_int_equal(disk_get_le64(e + 32), 2048);
	assert_int_equal(disk_get_le64(e + 40), 8191);
	static const uint8_t name[8] = { 'E', 0, 'S', 0, 'P', 0, 0, 0 };
	assert_memory_equal(e + 56, name, sizeof(name));
	assert_int_equal(disk_get_le64(e + 128 + 32), 8192);
	uint8_t zero[GPT_ENTRY_SIZE] = { 0 };
	assert_memory_equal(e + 2 * GPT_ENTRY_SIZE, zero, sizeof(zero)); /* third unused */
	free(e);
}

static void check_header(const uint8_t *h, const struct gpt_disk *d, uint64_t my, uint64_t alt,
			 uint64_t entries_lba, uint32_t entries_crc)
{
	assert_memory_equal(h, "EFI PART", 8);
	assert_int_equal(disk_get_le32(h + 8), 0x00010000);
	assert_int_equal(disk_get_le32(h + 12), 92);
	assert_int_equal(disk_get_le64(h + 24), my);
	assert_int_equal(disk_get_le64(h + 32), alt);
	assert_int_equal(disk_get_le64(h + 40), 34);
	assert_int_equal(disk_get_le64(h + 48), d->total_sectors - 34);
	assert_memory_equal(h + 56, d->guid.bytes, 16);
	assert_int_equal(disk_get_le64(h + 72), entries_lba);
	assert_int_equal(disk_get_le32(h + 80), 128);
	assert_int_equal(disk_get_le32(h + 84), 128);
	assert_int_equal(disk_get_le32(h + 88), entries_crc);
	uint8_t copy[92];
	memcpy(copy, h, sizeof(copy));
	memset(copy + 16, 0, 4);
	assert_int_equal(gpt_crc32(copy, sizeof(copy)), disk_get_le32(h + 16));
	for (size_t i = 92; i < GPT_SECTOR_SIZE; i++)
		assert_int_equal(h[i], 0);
}

static void test_primary_header_fields_and_crc(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	uint8_t s[GPT_SECTOR_SIZE];
	gpt_build_header(s, &d, false, 0x12345678);
	check_header(s, &d, 1, d.total_sectors - 1, 2, 0x12345678);
}

static void test_backup_header_is_last_lba_with_entries_before_it(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	uint8_t s[GPT_SECTOR_SIZE];
	gpt_build_header(s, &d, true, 0x12345678);
	check_header(s, &d, d.total_sectors - 1, 1, d.total_sectors - 33, 0x12345678);
	assert_int_equal(gpt_backup_entries_lba(&d), d.total_sectors - 33);
}

static void test_primary_and_backup_crcs_differ(void **state)
{
	(void)state;
	struct gpt_disk d;
	two_partition_disk(&d);
	uint8_t a[GPT_SECTOR_SIZE], b[GPT_SECTOR_SIZE];
	gpt_build_header(a, &d, false, 1);
	gpt_build_header(b, &d, true, 1);
	assert_int_not_equal(disk_get_le32(a + 16), disk_get_le32(b + 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_is_ieee_check_value),
		cmocka_unit_test(test_partitions_start_on_mib_boundaries_in_order),
		cmocka_unit_test(test_place_rejects_empty_partition),
		cmocka_unit_test(test_protective_mbr_covers_disk_with_type_ee),
		cmocka_unit_test(test_protective_mbr_caps_size_at_32_bits),
		cmocka_unit_test(test_entries_hold_guids_lbas_and_utf16_names),
		cmocka_unit_test(test_primary_header_fields_and_crc),
		cmocka_unit_test(test_backup_header_is_last_lba_with_entries_before_it),
		cmocka_unit_test(test_primary_and_backup_crcs_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
