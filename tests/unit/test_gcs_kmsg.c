/* Unit tests for /dev/kmsg record parsing (src/lib/gcs_kmsg.h, §9.4). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/gcs_kmsg.h"

static void test_record_fields_and_first_line(void **state)
{
	const char *r = "12,345,67890,-;hv_vmbus: probe failed\n SUBSYSTEM=vmbus\n";
	struct gcs_kmsg_record rec;
	assert_int_equal(gcs_kmsg_parse(r, strlen(r), &rec), 0);
	assert_int_equal(rec.priority, 4); /* facility 1 (user) << 3 | 4 */
	assert_int_equal(rec.sequence, 345);
	assert_int_equal(rec.timestamp_us, 67890);
	assert_int_equal(rec.message_len, strlen("hv_vmbus: probe failed"));
	assert_memory_equal(rec.message, "hv_vmbus: probe failed", rec.message_len);
}

static void test_message_may_contain_semicolons(void **state)
{
	const char *r = "6,1,2,c;a;b";
	struct gcs_kmsg_record rec;
	assert_int_equal(gcs_kmsg_parse(r, strlen(r), &rec), 0);
	assert_int_equal(rec.priority, 6);
	assert_int_equal(rec.message_len, 3);
}

static void test_garbage_is_rejected(void **state)
{
	struct gcs_kmsg_record rec;
	assert_int_equal(gcs_kmsg_parse("hello", 5, &rec), -EINVAL);
	assert_int_equal(gcs_kmsg_parse("x,1,2;m", 7, &rec), -EINVAL);
	assert_int_equal(gcs_kmsg_parse("1,2;m", 5, &rec), -EINVAL);
	assert_int_equal(gcs_kmsg_parse("99999999999999999999999,1,2;m", 29, &rec), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fields_and_first_line),
		cmocka_unit_test(test_message_may_contain_semicolons),
		cmocka_unit_test(test_garbage_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
