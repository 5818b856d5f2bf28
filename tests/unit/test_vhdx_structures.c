/* Unit tests for the VHDX layout and structures (src/lib/vhdx_layout.h,
 * vhdx_crc32c.h) against ../shared/spec/vhd-vhdx.md Part B. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/disk_bytes.h"
#include "lib/disk_guid.h"
#include "lib/vhdx_crc32c.h"
#include "lib/vhdx_layout.h"

#define MIB (1024u * 1024u)

static const struct vhdx_identity test_identity = {
	.file_write = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } },
	.data_write = { { 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30 } },
	.page83 = { { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf } },
};

static void test_crc32c_matches_castagnoli_check_value(void **state)
{
	(void)state;
	assert_int_equal(vhdx_crc32c("123456789", 9), 0xE3069283u);
}

static void test_crc32c_of_32_zero_bytes_is_known_vector(void **state)
{
	(void)state;
	/* RFC 3720 B.4: 32 bytes of zero → 0x8A9136AA. */
	uint8_t zeros[32] = { 0 };
	assert_int_equal(vhdx_crc32c(zeros, sizeof(zeros)), 0x8A9136AAu);
	uint8_t ones[32];
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(vhdx_crc32c(ones, sizeof(ones)), 0x62A8AB43u);
}

static void test_guid_is_stored_mixed_endian(void **state)
{
	(void)state;
	struct disk_guid g;
	assert_int_equal(disk_guid_parse("2DC27766-F623-4200-9D64-115E9BFD4A08", &g), 0);
	static const uint8_t want[16] = { 0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42,
					  0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08 };
	assert_memory_equal(g.bytes, want, 16);
	char text[DISK_GUID_TEXT_LEN + 1];
	disk_guid_format(&g, text);
	assert_string_equal(text, "2DC27766-F623-4200-9D64-115E9BFD4A08");
}

static void test_guid_parse_rejects_malformed_text(void **state)
{
	(void)state;
	struct disk_guid g;
	assert_int_not_equal(disk_guid_parse("2DC27766F623-4200-9D64-115E9BFD4A08-", &g), 0);
	assert_int_not_equal(disk_guid_parse("2DC27766-F623-4200-9D64-115E9BFD4A0", &g), 0);
	assert_int_not_equal(disk_guid_parse("2DC27766-F623-4200-9D64-115E9BFD4A0G", &g), 0);
}

static void test_guid_from_digest_sets_version_4_and_variant(void **state)
{
	(void)state;
	uint8_t digest[16];
	memset(digest, 0xff, sizeof(digest));
	struct disk_guid g;
	disk_guid_from_digest(digest, &g);
	char text[DISK_GUID_TEXT_LEN + 1];
	disk_guid_format(&g, text);
	assert_string_equal(text, "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF");
}

static void test_geometry_32mib_blocks_10gib_has_322_bat_entries(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	/* The verified example of B.7. */
	assert_int_equal(vhdx_geometry_init(&g, 10ull << 30, 32 * MIB, true), 0);
	assert_int_equal(g.chunk_ratio, 128);
	assert_int_equal(g.payload_blocks, 320);
	assert_int_equal(g.bat_entries, 322);
	assert_int_equal(vhdx_bat_index(&g, 5ull * 1024 / 32), 161);
	assert_int_equal(vhdx_bat_index(&g, 9ull * 1024 / 32), 290);
	assert_int_equal(g.bat_length, MIB);
}

static void test_geometry_1mib_blocks_has_chunk_ratio_4096(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	assert_int_equal(vhdx_geometry_init(&g, 20ull << 30, MIB, false), 0);
	assert_int_equal(g.chunk_ratio, 4096);
	assert_int_equal(g.payload_blocks, 20480);
	assert_int_equal(g.bat_entries, 20480 + 4);
	/* Block 4096 follows the first sector-bitmap entry (index 4096). */
	assert_int_equal(vhdx_bat_index(&g, 4095), 4095);
	assert_int_equal(vhdx_bat_index(&g, 4096), 4097);
}

static void test_geometry_rounds_size_up_to_mib_and_places_regions(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	assert_int_equal(vhdx_geometry_init(&g, 5 * MIB + 1, MIB, false), 0);
	assert_int_equal(g.virtual_size, 6 * MIB);
	assert_int_equal(g.log_offset, MIB);
	assert_int_equal(g.log_length, MIB);
	assert_int_equal(g.metadata_offset, 2 * MIB);
	assert_int_equal(g.bat_offset, 3 * MIB);
	assert_int_equal(g.data_offset, 4 * MIB);
}

static void test_geometry_rejects_block_size_not_power_of_two(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	assert_int_not_equal(vhdx_geometry_init(&g, MIB, 3 * MIB, false), 0);
	assert_int_not_equal(vhdx_geometry_init(&g, MIB, 512 * 1024, false), 0);
	assert_int_not_equal(vhdx_geometry_init(&g, MIB, 512 * MIB, false), 0);
}

static void test_bat_entry_present_encodes_offset_in_mib_and_state_6(void **state)
{
	(void)state;
	assert_int_equal(vhdx_bat_entry_present(4 * (uint64_t)MIB), (4ull << 20) | 6);
	assert_int_equal(vhdx_bat_entry_present(1ull << 40), ((1ull << 20) << 20) | 6);
}

static void test_header_has_signature_version_log_and_valid_crc(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	vhdx_geometry_init(&g, 64 * MIB, MIB, false);
	uint8_t buf[VHDX_HEADER_SIZE];
	vhdx_build_header(buf, &g, &test_identity, 7);
	assert_memory_equal(buf, "head", 4);
	assert_int_equal(disk_get_le64(buf + 8), 7);
	assert_memory_equal(buf + 16, test_identity.file_write.bytes, 16);
	assert_memory_equal(buf + 32, test_identity.data_write.bytes, 16);
	uint8_t zero16[16] = { 0 };
	assert_memory_equal(buf + 48, zero16, 16); /* LogGuid: nothing to replay */
	assert_int_equal(disk_get_le16(buf + 64), 0);
	assert_int_equal(disk_get_le16(buf + 66), 1);
	assert_int_equal(disk_get_le32(buf + 68), MIB);
	assert_int_equal(disk_get_le64(buf + 72), MIB);
	uint32_t stored = disk_get_le32(buf + 4);
	memset(buf + 4, 0, 4);
	assert_int_equal(vhdx_crc32c(buf, sizeof(buf)), stored);
}

static void test_header_crc_changes_with_sequence_number(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	vhdx_geometry_init(&g, 64 * MIB, MIB, false);
	uint8_t a[VHDX_HEADER_SIZE], b[VHDX_HEADER_SIZE];
	vhdx_build_header(a, &g, &test_identity, 1);
	vhdx_build_header(b, &g, &test_identity, 2);
	assert_int_not_equal(disk_get_le32(a + 4), disk_get_le32(b + 4));
}

static void test_file_identifier_has_signature_and_utf16_creator(void **state)
{
	(void)state;
	uint8_t buf[VHDX_HEADER_SIZE];
	vhdx_build_file_identifier(buf, "ab");
	assert_memory_equal(buf, "vhdxfile", 8);
	static const uint8_t creator[6] = { 'a', 0, 'b', 0, 0, 0 };
	assert_memory_equal(buf + 8, creator, sizeof(creator));
}

static void test_region_table_lists_bat_and_metadata_required(void **state)
{
	(void)state;
	struct vhdx_geometry g;
	vhdx_geometry_init(&g, 100 * MIB, MIB, false);
	uint8_t *buf = malloc(VHDX_REGION_TABLE_SIZE);
	vhdx_build_region_table(buf, &g);
	assert_memory_equal(buf, "regi", 4);
	assert_int_equal(disk_get_le32(buf + 8), 2);
	static const uint8_t bat_guid[16] = { 0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42,
					      0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08 };
	static const uint8_t meta_guid[16] = { 0x06, 0xA2, 0x7C, 0x8B, 0x90, 0x47, 0x9A, 0x4B,
					       0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E };
	assert_memory_equal(buf + 16, bat_guid, 16);
	assert_int_equal(disk_get_le64(buf + 32), 3 * MIB);
	assert_int_equal(disk_get_le32(buf + 40), MIB);
	assert_int_equal(disk_get_le32(buf + 44), 1);
	assert_memory_equal(buf + 48, meta_guid, 16);
	assert_int_equal(disk_get_le64(buf + 64), 2 * MIB);
	assert_int_equal(disk_get_le32(buf + 72), MIB);
	assert_int_equal(disk_get_le32(buf + 76), 1);
	uint32_t stored = disk_get_le32(buf + 4);
	memset(buf + 4, 0, 4);
	assert_int_equal(vhdx_crc32c(buf, VHDX_REGION_TABLE_SIZE), stored);
	free(buf);
}

/* Finds the metadata item with GUID text; returns its table entry. */
static const uint8_t *find_item(const uint8_t *meta, const char *guid_text)
{
	struct disk_guid g;
	assert_int_equal(disk_guid_parse(guid_text, &g), 0);
	uint16_t n = disk_get_le16(meta + 10);
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *e = meta + 32 + 32 * i;
		if (memcmp(e, g.bytes, 16) == 0)
			return e;
	}
	fail_msg("metadata item %s missing", guid_text);
	return NULL;
}

static void check_metadata(bool fixed, uint32_t block_size)
{
	struct vhdx_geometry g;
	vhdx_geometry_init(&g, 300 * MIB, block_size, fixed);
	uint8_t *meta = malloc(g.metadata_length);
	vhdx_build_metadata(meta, &g, &test_identity);
	assert_memory_equal(meta, "metadata", 8);
	assert_int_equal(disk_get_le16(meta + 10), 5);

	const uint8_t *e = find_item(meta, "CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
	assert_int_equal(disk_get_le32(e + 16), 0x10000);
	assert_int_equal(disk_get_le32(e + 20), 8);
	assert_int_equal(disk_get_le32(e + 24), 0x4);
	assert_int_equal(disk_get_le32(meta + 0x10000), block_size);
	assert_int_equal(disk_get_le32(meta + 0x10004), fixed ? 1 : 0);

	e = find_item(meta, "2FA54224-CD1B-4876-B211-5DBED83BF4B8");
	assert_int_equal(disk_get_le32(e + 24), 0x6);
	assert_int_equal(disk_get_le64(meta + disk_get_le32(e + 16)), 300ull * MIB);

	e = find_item(meta, "BECA12AB-B2E6-4523-93EF-C309E000C746");
	assert_int_equal(disk_get_le32(e + 20), 16);
	assert_memory_equal(meta + disk_get_le32(e + 16), test_identity.page83.bytes, 16);

	e = find_item(meta, "8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
	assert_int_equal(disk_get_le32(meta + disk_get_le32(e + 16)), 512);
	e = find_item(meta, "CDA348C7-445D-4471-9CC9-E9885251C556");
	assert_int_equal(disk_get_le32(meta + disk_get_le32(e + 16)), 4096);
	free(meta);
}

static void test_metadata_items_for_fixed_disk_leave_blocks_allocated(void **state)
{
	(void)state;
	check_metadata(true, 32 * MIB);
}

static void test_metadata_items_for_dynamic_disk(void **state)
{
	(void)state;
	check_metadata(false, MIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_matches_castagnoli_check_value),
		cmocka_unit_test(test_crc32c_of_32_zero_bytes_is_known_vector),
		cmocka_unit_test(test_guid_is_stored_mixed_endian),
		cmocka_unit_test(test_guid_parse_rejects_malformed_text),
		cmocka_unit_test(test_guid_from_digest_sets_version_4_and_variant),
		cmocka_unit_test(test_geometry_32mib_blocks_10gib_has_322_bat_entries),
		cmocka_unit_test(test_geometry_1mib_blocks_has_chunk_ratio_4096),
		cmocka_unit_test(test_geometry_rounds_size_up_to_mib_and_places_regions),
		cmocka_unit_test(test_geometry_rejects_block_size_not_power_of_two),
		cmocka_unit_test(test_bat_entry_present_encodes_offset_in_mib_and_state_6),
		cmocka_unit_test(test_header_has_signature_version_log_and_valid_crc),
		cmocka_unit_test(test_header_crc_changes_with_sequence_number),
		cmocka_unit_test(test_file_identifier_has_signature_and_utf16_creator),
		cmocka_unit_test(test_region_table_lists_bat_and_metadata_required),
		cmocka_unit_test(test_metadata_items_for_fixed_disk_leave_blocks_allocated),
		cmocka_unit_test(test_metadata_items_for_dynamic_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
