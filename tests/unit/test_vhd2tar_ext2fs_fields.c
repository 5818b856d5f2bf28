/* Unit tests for ext4 timestamp and device-number decoding
 * (src/lib/ext2fs_fields.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/ext2fs_fields.h"

static void test_time_without_extra_is_signed_32_bit_seconds(void **state)
{
	(void)state;
	struct e2field_time t = e2field_decode_time(0xFFFFFFFFu, 0x12345678u, 0);
	assert_int_equal(t.sec, -1);
	assert_int_equal(t.nsec, 0);
}

static void test_extra_word_carries_nanoseconds(void **state)
{
	(void)state;
	struct e2field_time t = e2field_decode_time(1700000000u, 123456789u << 2, 1);
	assert_int_equal(t.sec, 1700000000);
	assert_int_equal(t.nsec, 123456789);
}

static void test_epoch_bits_extend_past_2038(void **state)
{
	(void)state;
	/* 2200-01-01 = 7258118400 s: lo = (int32)7258118400, epoch 1 */
	int64_t s = 7258118400LL;
	uint32_t lo = (uint32_t)s;
	uint32_t epoch = (uint32_t)(((s - (int32_t)lo) >> 32) & 3);
	struct e2field_time t = e2field_decode_time(lo, epoch | 999999999u << 2, 1);
	assert_int_equal(t.sec, s);
	assert_int_equal(t.nsec, 999999999);
}

static void test_pre_1970_time_keeps_its_sign(void **state)
{
	(void)state;
	struct e2field_time t = e2field_decode_time((uint32_t)-315360000, 250000000u << 2, 1);
	assert_int_equal(t.sec, -315360000);
	assert_int_equal(t.nsec, 250000000);
}

static void test_corrupt_nanoseconds_are_clamped(void **state)
{
	(void)state;
	struct e2field_time t = e2field_decode_time(0, 0xFFFFFFFCu, 1);
	assert_int_equal(t.nsec, 999999999);
}

static void test_old_device_encoding_in_block0(void **state)
{
	(void)state;
	uint32_t major, minor;
	e2field_decode_rdev(0x0103, 0, &major, &minor);
	assert_int_equal(major, 1);
	assert_int_equal(minor, 3);
}

static void test_new_device_encoding_in_block1(void **state)
{
	(void)state;
	/* Linux new_encode_dev(4000, 1000000) */
	uint32_t maj = 4000, min = 1000000;
	uint32_t enc = (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
	uint32_t major, minor;
	e2field_decode_rdev(0, enc, &major, &minor);
	assert_int_equal(major, 4000);
	assert_int_equal(minor, 1000000);
}

static void test_whiteout_device_is_0_0(void **state)
{
	(void)state;
	uint32_t major = 9, minor = 9;
	e2field_decode_rdev(0, 0, &major, &minor);
	assert_int_equal(major, 0);
	assert_int_equal(minor, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_without_extra_is_signed_32_bit_seconds),
		cmocka_unit_test(test_extra_word_carries_nanoseconds),
		cmocka_unit_test(test_epoch_bits_extend_past_2038),
		cmocka_unit_test(test_pre_1970_time_keeps_its_sign),
		cmocka_unit_test(test_corrupt_nanoseconds_are_clamped),
		cmocka_unit_test(test_old_device_encoding_in_block0),
		cmocka_unit_test(test_new_device_encoding_in_block1),
		cmocka_unit_test(test_whiteout_device_is_0_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
