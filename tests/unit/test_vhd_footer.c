/* Unit tests for the fixed VHD footer (src/lib/vhd_footer.h), against the
 * vectors of ../shared/spec/vhd-vhdx.md A.3 and A.5. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/vhd_footer.h"

static void check_chs(uint64_t size, unsigned c, unsigned h, unsigned s)
{
	struct vhd_chs g = vhd_chs_for_size(size);
	assert_int_equal(g.cylinders, c);
	assert_int_equal(g.heads, h);
	assert_int_equal(g.sectors_per_track, s);
}

static void test_chs_matches_spec_vectors(void **state)
{
	(void)state;
	check_chs(1ull << 20, 30, 4, 17);
	check_chs(0x13F000, 37, 4, 17);
	check_chs(64ull << 20, 963, 8, 17);
	check_chs(100ull << 20, 1003, 12, 17);
	check_chs(1ull << 30, 2080, 16, 63);
	check_chs(10ull << 30, 20805, 16, 63);
	check_chs(127ull << 30, 65278, 16, 255);
}

static void test_chs_clamps_at_128_gib_and_above(void **state)
{
	(void)state;
	check_chs(128ull << 30, 65535, 16, 255);
	check_chs(4ull << 40, 65535, 16, 255);
}

static void test_chs_uses_17_sectors_when_16_heads_suffice(void **state)
{
	(void)state;
	/* 130 MiB needs exactly 16 heads at 17 sectors: the spec keeps 17. */
	struct vhd_chs g = vhd_chs_for_size(130ull << 20);
	assert_int_equal(g.sectors_per_track, 17);
	assert_int_equal(g.heads, 16);
}

static void test_footer_checksum_matches_spec_vector(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	assert_int_equal(vhd_footer_build(f, 0x13F000, 0, NULL), 0);
	assert_memory_equal(f, "conectix", 8);
	static const uint8_t geometry[4] = { 0x00, 0x25, 0x04, 0x11 };
	assert_memory_equal(f + 56, geometry, 4);
	static const uint8_t checksum[4] = { 0xFF, 0xFF, 0xEF, 0x90 };
	assert_memory_equal(f + 64, checksum, 4);
}

static void test_checksum_of_current_style_footer(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	assert_int_equal(vhd_footer_build(f, 0x13F000, 0, NULL), 0);
	memset(f + 28, 0, 4); /* creator application 0 */
	memset(f + 36, 0, 4); /* host OS 0 */
	memset(f + 56, 0, 4); /* geometry 0 */
	assert_int_equal(vhd_footer_checksum(f), 0xFFFFF295u);
}

static void test_footer_fields_are_big_endian(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	static const uint8_t id[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	assert_int_equal(vhd_footer_build(f, 0x123456000ull, 0x01020304, id), 0);
	static const uint8_t features_version[8] = { 0, 0, 0, 2, 0, 1, 0, 0 };
	assert_memory_equal(f + 8, features_version, 8);
	static const uint8_t all_ones[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	assert_memory_equal(f + 16, all_ones, 8);
	static const uint8_t stamp_creator[16] = { 1, 2, 3, 4, 'w', 'i', 'n', ' ', 0, 0x0A, 0, 0, 'W', 'i', '2', 'k' };
	assert_memory_equal(f + 24, stamp_creator, 16);
	static const uint8_t size[8] = { 0, 0, 0, 1, 0x23, 0x45, 0x60, 0x00 };
	assert_memory_equal(f + 40, size, 8);
	assert_memory_equal(f + 48, size, 8);
	static const uint8_t fixed[4] = { 0, 0, 0, 2 };
	assert_memory_equal(f + 60, fixed, 4);
	assert_memory_equal(f + 68, id, 16);
	assert_int_equal(f[84], 0);
}

static void test_build_rejects_size_not_multiple_of_512(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	assert_int_equal(vhd_footer_build(f, 1000, 0, NULL), -EINVAL);
	assert_int_equal(vhd_footer_build(f, 0, 0, NULL), -EINVAL);
}

static void test_parse_round_trips_build(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	assert_int_equal(vhd_footer_build(f, 64ull << 20, 7, NULL), 0);
	struct vhd_footer v;
	assert_int_equal(vhd_footer_parse(f, &v), 0);
	assert_int_equal(v.current_size, 64ull << 20);
	assert_int_equal(v.original_size, 64ull << 20);
	assert_int_equal(v.disk_type, VHD_DISK_TYPE_FIXED);
	assert_int_equal(v.time_stamp, 7);
	assert_int_equal(v.cylinders, 963);
	assert_int_equal(v.heads, 8);
	assert_int_equal(v.sectors_per_track, 17);
	assert_int_equal(v.creator_application, VHD_CREATOR_APP_WIN);
	assert_int_equal(vhd_footer_check_file_size(&v, (64ull << 20) + 512), 0);
	assert_int_equal(vhd_footer_check_file_size(&v, 64ull << 20), -EINVAL);
}

static void test_parse_rejects_bad_cookie(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	struct vhd_footer v;
	vhd_footer_build(f, 4096, 0, NULL);
	f[0] = 'x';
	assert_int_equal(vhd_footer_parse(f, &v), -EINVAL);
	assert_non_null(strstr(err_text(), "cookie"));
}

static void test_parse_rejects_bad_checksum(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	struct vhd_footer v;
	vhd_footer_build(f, 4096, 0, NULL);
	f[100] ^= 1;
	assert_int_equal(vhd_footer_parse(f, &v), -EINVAL);
	assert_non_null(strstr(err_text(), "checksum"));
}

static void test_parse_rejects_dynamic_disk(void **state)
{
	(void)state;
	uint8_t f[VHD_FOOTER_SIZE];
	struct vhd_footer v;
	vhd_footer_build(f, 4096, 0, NULL);
	f[63] = 3;
	uint32_t sum = vhd_footer_checksum(f);
	f[64] = (uint8_t)(sum >> 24), f[65] = (uint8_t)(sum >> 16), f[66] = (uint8_t)(sum >> 8), f[67] = (uint8_t)sum;
	assert_int_equal(vhd_footer_parse(f, &v), -EINVAL);
	assert_non_null(strstr(err_text(), "not fixed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chs_matches_spec_vectors),
		cmocka_unit_test(test_chs_clamps_at_128_gib_and_above),
		cmocka_unit_test(test_chs_uses_17_sectors_when_16_heads_suffice),
		cmocka_unit_test(test_footer_checksum_matches_spec_vector),
		cmocka_unit_test(test_checksum_of_current_style_footer),
		cmocka_unit_test(test_footer_fields_are_big_endian),
		cmocka_unit_test(test_build_rejects_size_not_multiple_of_512),
		cmocka_unit_test(test_parse_round_trips_build),
		cmocka_unit_test(test_parse_rejects_bad_cookie),
		cmocka_unit_test(test_parse_rejects_bad_checksum),
		cmocka_unit_test(test_parse_rejects_dynamic_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
