/* Unit tests for ext4 timestamp and device encodings (src/lib/ext4_encode.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/ext4_encode.h"

static void test_epoch_time_is_plain_seconds(void **state)
{
	(void)state;
	struct ext4_time t = ext4_time_encode(1700000000, 0);
	assert_int_equal(t.lo, 1700000000u);
	assert_int_equal(t.extra, 0);
}

static void test_nanoseconds_go_above_the_epoch_bits(void **state)
{
	(void)state;
	struct ext4_time t = ext4_time_encode(1700000000, 123456789);
	assert_int_equal(t.extra, 123456789u << 2);
}

static void test_pre_1970_time_keeps_epoch_zero(void **state)
{
	(void)state;
	/* -100000.25 s is -100001 s + 0.75 s */
	struct ext4_time t = ext4_time_encode(-100001, 750000000);
	assert_int_equal(t.lo, (uint32_t)-100001);
	assert_int_equal(t.extra & 3, 0);
	assert_int_equal(t.extra >> 2, 750000000);
	assert_int_equal(ext4_time_decode_sec(t), -100001);
}

static void test_post_2038_time_uses_epoch_bits(void **state)
{
	(void)state;
	int64_t sec = ((int64_t)1 << 32) + 5; /* year 2106 */
	struct ext4_time t = ext4_time_encode(sec, 500000000);
	assert_int_equal(t.lo, 5);
	assert_int_equal(t.extra & 3, 1);
	assert_int_equal(ext4_time_decode_sec(t), sec);
	sec = 0x80000000; /* 2038-01-19 03:14:08 */
	t = ext4_time_encode(sec, 0);
	assert_int_equal(t.extra & 3, 1);
	assert_int_equal(ext4_time_decode_sec(t), sec);
}

static void test_times_outside_the_range_are_clamped(void **state)
{
	(void)state;
	assert_int_equal(ext4_time_decode_sec(ext4_time_encode(INT64_MIN, 0)), EXT4_TIME_MIN);
	assert_int_equal(ext4_time_decode_sec(ext4_time_encode(INT64_MAX, 0)), EXT4_TIME_MAX);
	assert_int_equal(ext4_time_encode(0, 2000000000).extra >> 2, 999999999);
}

static void test_every_decoded_second_round_trips(void **state)
{
	(void)state;
	for (int64_t sec = EXT4_TIME_MIN; sec <= EXT4_TIME_MAX; sec += 987654321)
		assert_int_equal(ext4_time_decode_sec(ext4_time_encode(sec, 1)), sec);
}

static void test_device_numbers_use_the_new_encoding(void **state)
{
	(void)state;
	assert_int_equal(ext4_dev_encode(1, 3), 0x103);
	assert_int_equal(ext4_dev_encode(0, 0), 0);
	/* 300:70000 -> minor low byte, major << 8, minor high bits << 12 */
	assert_int_equal(ext4_dev_encode(300, 70000), (70000u & 0xFF) | (300u << 8) | ((70000u & ~0xFFu) << 12));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_time_is_plain_seconds),
		cmocka_unit_test(test_nanoseconds_go_above_the_epoch_bits),
		cmocka_unit_test(test_pre_1970_time_keeps_epoch_zero),
		cmocka_unit_test(test_post_2038_time_uses_epoch_bits),
		cmocka_unit_test(test_times_outside_the_range_are_clamped),
		cmocka_unit_test(test_every_decoded_second_round_trips),
		cmocka_unit_test(test_device_numbers_use_the_new_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
