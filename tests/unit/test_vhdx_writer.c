/* Unit tests for the VHDX writer's BAT and payload placement
 * (src/lib/vhdx_writer.h), on memory files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/disk_bytes.h"
#include "lib/vhdx_crc32c.h"
#include "lib/vhdx_writer.h"

#define MIB (1024u * 1024u)

static int memfile(void)
{
	int fd = memfd_create("vhdx-test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void put_byte(int fd, uint64_t off, uint8_t v)
{
	assert_int_equal(pwrite(fd, &v, 1, (off_t)off), 1);
}

static uint64_t bat_entry(int fd, uint64_t index)
{
	uint8_t b[8];
	assert_int_equal(pread(fd, b, 8, (off_t)(3 * MIB + 8 * index)), 8);
	return disk_get_le64(b);
}

static uint8_t get_byte(int fd, uint64_t off)
{
	uint8_t v = 0xAA;
	assert_int_equal(pread(fd, &v, 1, (off_t)off), 1);
	return v;
}

static int observed;
static void count_blocks(void *ctx, uint64_t block, const uint8_t *data, size_t len)
{
	(void)ctx, (void)block, (void)data, (void)len;
	observed++;
}

static const struct vhdx_identity id = { .page83 = { { 1 } } };

/* A 4 MiB raw image with data in blocks 0 and 2 (1 MiB blocks). */
static int raw_with_blocks_0_and_2(void)
{
	int raw = memfile();
	assert_int_equal(ftruncate(raw, 4 * MIB), 0);
	put_byte(raw, 10, 0x11);
	put_byte(raw, 2 * MIB + 5, 0x22);
	return raw;
}

static void write_vhdx(int raw, int out, uint64_t size, uint32_t block_size, bool fixed)
{
	struct vhdx_writer w;
	assert_int_equal(vhdx_writer_init(&w, size, block_size, fixed), 0);
	observed = 0;
	assert_int_equal(vhdx_writer_payload(&w, raw, out, count_blocks, NULL), 0);
	assert_int_equal(vhdx_writer_finish(&w, out, &id, "test"), 0);
	vhdx_writer_release(&w);
}

static void test_dynamic_leaves_zero_blocks_not_present(void **state)
{
	(void)state;
	int raw = raw_with_blocks_0_and_2(), out = memfile();
	write_vhdx(raw, out, 4 * MIB, MIB, false);
	assert_int_equal(observed, 2);
	assert_int_equal(bat_entry(out, 0), (4ull << 20) | 6);
	assert_int_equal(bat_entry(out, 1), 0);
	assert_int_equal(bat_entry(out, 2), (5ull << 20) | 6);
	assert_int_equal(bat_entry(out, 3), 0);
	struct stat st;
	fstat(out, &st);
	assert_int_equal(st.st_size, 6 * MIB); /* head 4 MiB + two blocks */
	assert_int_equal(get_byte(out, 4 * MIB + 10), 0x11);
	assert_int_equal(get_byte(out, 5 * MIB + 5), 0x22);
	close(raw), close(out);
}

static void test_fixed_places_every_block_consecutively(void **state)
{
	(void)state;
	int raw = raw_with_blocks_0_and_2(), out = memfile();
	write_vhdx(raw, out, 4 * MIB, MIB, true);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(bat_entry(out, i), ((4 + i) << 20) | 6);
	struct stat st;
	fstat(out, &st);
	assert_int_equal(st.st_size, 8 * MIB);
	assert_int_equal(get_byte(out, 6 * MIB + 5), 0x22);
	assert_int_equal(get_byte(out, 5 * MIB + 7), 0); /* zero block reads zero */
	close(raw), close(out);
}

static void test_fixed_pads_last_block_to_full_size(void **state)
{
	(void)state;
	int raw = memfile();
	assert_int_equal(ftruncate(raw, 3 * MIB), 0);
	put_byte(raw, 3 * MIB - 1, 0x33);
	int out = memfile();
	write_vhdx(raw, out, 3 * MIB, 2 * MIB, true); /* 2 blocks of 2 MiB */
	assert_int_equal(bat_entry(out, 1), (6ull << 20) | 6);
	struct stat st;
	fstat(out, &st);
	assert_int_equal(st.st_size, 8 * MIB);
	assert_int_equal(get_byte(out, 7 * MIB - 1), 0x33);
	close(raw), close(out);
}

static void test_bat_skips_sector_bitmap_entry_after_a_chunk(void **state)
{
	(void)state;
	/* 1 MiB blocks: 4096 payload entries, then one sector-bitmap entry. */
	int raw = memfile();
	uint64_t size = 4097ull * MIB;
	assert_int_equal(ftruncate(raw, (off_t)size), 0);
	put_byte(raw, 4096ull * MIB, 0x44);
	int out = memfile();
	write_vhdx(raw, out, size, MIB, false);
	assert_int_equal(bat_entry(out, 4096), 0); /* sector bitmap: NOT_PRESENT */
	assert_int_equal(bat_entry(out, 4097), (4ull << 20) | 6);
	close(raw), close(out);
}

static void test_headers_and_region_tables_have_valid_checksums(void **state)
{
	(void)state;
	int raw = raw_with_blocks_0_and_2(), out = memfile();
	write_vhdx(raw, out, 4 * MIB, MIB, false);
	uint8_t *buf = malloc(64 * 1024);
	static const struct { uint64_t off; size_t len; const char *sig; } parts[] = {
		{ 64 * 1024, 4096, "head" }, { 128 * 1024, 4096, "head" },
		{ 192 * 1024, 65536, "regi" }, { 256 * 1024, 65536, "regi" },
	};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(pread(out, buf, parts[i].len, (off_t)parts[i].off), (ssize_t)parts[i].len);
		assert_memory_equal(buf, parts[i].sig, 4);
		uint32_t stored = disk_get_le32(buf + 4);
		memset(buf + 4, 0, 4);
		assert_int_equal(vhdx_crc32c(buf, parts[i].len), stored);
	}
	uint8_t seq1[8], seq2[8];
	pread(out, seq1, 8, 64 * 1024 + 8);
	pread(out, seq2, 8, 128 * 1024 + 8);
	assert_int_equal(disk_get_le64(seq1) + 1, disk_get_le64(seq2));
	free(buf);
	close(raw), close(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_leaves_zero_blocks_not_present),
		cmocka_unit_test(test_fixed_places_every_block_consecutively),
		cmocka_unit_test(test_fixed_pads_last_block_to_full_size),
		cmocka_unit_test(test_bat_skips_sector_bitmap_entry_after_a_chunk),
		cmocka_unit_test(test_headers_and_region_tables_have_valid_checksums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
