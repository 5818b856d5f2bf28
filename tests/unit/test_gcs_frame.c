/* Unit tests for the bridge header and frame reader (src/lib/bridge_frame.h, §1.4-1.8). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bridge_frame.h"
#include "lib/bridge_proto.h"

static size_t make_frame(uint8_t *out, uint32_t type, uint64_t id, const char *payload)
{
	size_t len = strlen(payload);
	struct bridge_header h = { type, (uint32_t)(16 + len), id };
	bridge_header_encode(&h, out);
	memcpy(out + 16, payload, len);
	return 16 + len;
}

static void test_header_is_little_endian_type_size_id(void **state)
{
	uint8_t b[16];
	struct bridge_header h = { 0x10100b01u, 0x11223344u, 0x0102030405060708ull };
	bridge_header_encode(&h, b);
	static const uint8_t want[16] = { 0x01, 0x0b, 0x10, 0x10, 0x44, 0x33, 0x22, 0x11,
					  0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	assert_memory_equal(b, want, 16);
	struct bridge_header back;
	bridge_header_decode(b, &back);
	assert_int_equal(back.type, h.type);
	assert_int_equal(back.size, h.size);
	assert_true(back.id == h.id);
}

static void test_identifier_fields_decode(void **state)
{
	assert_int_equal(bridge_id_kind(BRIDGE_MSG_EXECUTE_PROCESS), BRIDGE_KIND_REQUEST);
	assert_int_equal(bridge_id_category(BRIDGE_MSG_EXECUTE_PROCESS), BRIDGE_CATEGORY_COMPUTE_SYSTEM);
	assert_int_equal(bridge_id_ordinal(BRIDGE_MSG_EXECUTE_PROCESS), 5);
	assert_int_equal(bridge_id_version(BRIDGE_MSG_EXECUTE_PROCESS), 1);
	assert_int_equal(bridge_id_category(BRIDGE_MSG_MODIFY_SERVICE_SETTINGS), BRIDGE_CATEGORY_COMPUTE_SERVICE);
	assert_int_equal(bridge_id_kind(BRIDGE_MSG_CONTAINER_NOTIFICATION), BRIDGE_KIND_NOTIFICATION);
}

static void test_response_id_replaces_top_nibble(void **state)
{
	assert_int_equal(bridge_response_id(0x10100b01u), 0x20100b01u);
	assert_int_equal(bridge_response_id(0x10200101u), 0x20200101u);
	assert_string_equal(bridge_msg_name(0x20100601u), "WaitForProcess");
	assert_null(bridge_msg_name(0x10101001u));
}

static void test_reader_assembles_byte_by_byte(void **state)
{
	uint8_t buf[256];
	size_t n = make_frame(buf, BRIDGE_MSG_START, 42, "{\"ContainerId\":\"x\"}");
	struct bridge_reader r;
	bridge_reader_init(&r, 1024);
	struct bridge_frame f;
	int got = 0;
	for (size_t i = 0; i < n; i++) {
		size_t used;
		int rc = bridge_reader_feed(&r, buf + i, 1, &used, &f);
		assert_int_equal(used, 1);
		if (i + 1 < n) {
			assert_int_equal(rc, 0);
			assert_true(bridge_reader_partial(&r));
		} else {
			assert_int_equal(rc, 1);
			got = 1;
		}
	}
	assert_true(got);
	assert_int_equal(f.header.id, 42);
	assert_string_equal(f.payload, "{\"ContainerId\":\"x\"}");
	assert_false(bridge_reader_partial(&r));
	free(f.payload);
}

static void test_reader_splits_two_frames_in_one_chunk(void **state)
{
	uint8_t buf[256];
	size_t n = make_frame(buf, BRIDGE_MSG_START, 1, "{}");
	n += make_frame(buf + n, BRIDGE_MSG_DUMP_STACKS, 2, "{\"a\":1}");
	struct bridge_reader r;
	bridge_reader_init(&r, 1024);
	struct bridge_frame f;
	size_t used;
	assert_int_equal(bridge_reader_feed(&r, buf, n, &used, &f), 1);
	assert_int_equal(f.header.id, 1);
	free(f.payload);
	assert_int_equal(bridge_reader_feed(&r, buf + used, n - used, &used, &f), 1);
	assert_int_equal(f.header.id, 2);
	assert_int_equal(f.header.type, BRIDGE_MSG_DUMP_STACKS);
	assert_string_equal(f.payload, "{\"a\":1}");
	free(f.payload);
}

static void test_reader_accepts_empty_payload(void **state)
{
	uint8_t buf[16];
	struct bridge_header h = { BRIDGE_MSG_START, 16, 9 };
	bridge_header_encode(&h, buf);
	struct bridge_reader r;
	bridge_reader_init(&r, 1024);
	struct bridge_frame f;
	size_t used;
	assert_int_equal(bridge_reader_feed(&r, buf, 16, &used, &f), 1);
	assert_int_equal(f.payload_len, 0);
	free(f.payload);
}

static void test_reader_rejects_size_below_header(void **state)
{
	uint8_t buf[16];
	struct bridge_header h = { BRIDGE_MSG_START, 15, 1 };
	bridge_header_encode(&h, buf);
	struct bridge_reader r;
	bridge_reader_init(&r, 1024);
	struct bridge_frame f;
	size_t used;
	assert_int_equal(bridge_reader_feed(&r, buf, 16, &used, &f), -EBADMSG);
	bridge_reader_reset(&r);
}

static void test_reader_rejects_size_above_cap(void **state)
{
	uint8_t buf[16];
	struct bridge_header h = { BRIDGE_MSG_START, 1025, 1 };
	bridge_header_encode(&h, buf);
	struct bridge_reader r;
	bridge_reader_init(&r, 1024);
	struct bridge_frame f;
	size_t used;
	assert_int_equal(bridge_reader_feed(&r, buf, 16, &used, &f), -EMSGSIZE);
	bridge_reader_reset(&r);
}

static void test_encode_refuses_frames_over_64k(void **state)
{
	char *big = malloc(BRIDGE_OUT_MAX);
	memset(big, 'x', BRIDGE_OUT_MAX);
	uint8_t *out;
	size_t len;
	assert_int_equal(bridge_frame_encode(1, 1, big, BRIDGE_OUT_MAX - 16, BRIDGE_OUT_MAX, &out, &len), 0);
	assert_int_equal(len, BRIDGE_OUT_MAX);
	free(out);
	assert_int_equal(bridge_frame_encode(1, 1, big, BRIDGE_OUT_MAX - 15, BRIDGE_OUT_MAX, &out, &len), -EMSGSIZE);
	free(big);
}

static void test_dial_retries_only_timeouts_ten_times_100ms_apart(void **state)
{
	assert_int_equal(bridge_dial_retry_delay(-ETIMEDOUT, 1), 100);
	assert_int_equal(bridge_dial_retry_delay(-ETIMEDOUT, 9), 100);
	assert_int_equal(bridge_dial_retry_delay(-ETIMEDOUT, 10), -1);
	assert_int_equal(bridge_dial_retry_delay(-ECONNREFUSED, 1), -1);
	assert_int_equal(bridge_dial_retry_delay(-ENOENT, 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_is_little_endian_type_size_id),
		cmocka_unit_test(test_identifier_fields_decode),
		cmocka_unit_test(test_response_id_replaces_top_nibble),
		cmocka_unit_test(test_reader_assembles_byte_by_byte),
		cmocka_unit_test(test_reader_splits_two_frames_in_one_chunk),
		cmocka_unit_test(test_reader_accepts_empty_payload),
		cmocka_unit_test(test_reader_rejects_size_below_header),
		cmocka_unit_test(test_reader_rejects_size_above_cap),
		cmocka_unit_test(test_encode_refuses_frames_over_64k),
		cmocka_unit_test(test_dial_retries_only_timeouts_ten_times_100ms_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
