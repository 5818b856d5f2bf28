/* Unit tests for Go-style flags and the JSON log format (goflag.h, gcs_log.h; §9.4). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bridge_json.h"
#include "lib/goflag.h"
#include "lib/gcs_log.h"

static bool v4, scrub = true;
static const char *level, *transport;
static long long kmsg;
static const struct goflag flags[] = {
	GOFLAG_BOOL("v4", "", &v4),
	GOFLAG_BOOL("scrub-logs", "", &scrub),
	GOFLAG_STR("loglevel", "L", "", &level),
	GOFLAG_STR("transport", "T", "", &transport),
	GOFLAG_INT("kmsgLogLevel", "N", "", &kmsg),
};

static void test_flags_accept_go_forms_used_by_hosts(void **state)
{
	char *argv[] = { "gcs", "-v4", "-loglevel", "debug", "--transport=unix:/d", "-scrub-logs=false",
			 "-kmsgLogLevel", "3", "rest", NULL };
	int next;
	assert_int_equal(goflag_parse(flags, 5, 9, argv, &next), 0);
	assert_true(v4);
	assert_false(scrub);
	assert_string_equal(level, "debug");
	assert_string_equal(transport, "unix:/d");
	assert_int_equal(kmsg, 3);
	assert_int_equal(next, 8);
}

static void test_flags_reject_unknown_and_missing_values(void **state)
{
	char *a1[] = { "gcs", "-bogus", NULL };
	int next;
	assert_int_equal(goflag_parse(flags, 5, 2, a1, &next), -EINVAL);
	char *a2[] = { "gcs", "-loglevel", NULL };
	assert_int_equal(goflag_parse(flags, 5, 2, a2, &next), -EINVAL);
	char *a3[] = { "gcs", "-v4=maybe", NULL };
	assert_int_equal(goflag_parse(flags, 5, 2, a3, &next), -EINVAL);
	char *a4[] = { "gcs", "-kmsgLogLevel", "x", NULL };
	assert_int_equal(goflag_parse(flags, 5, 3, a4, &next), -EINVAL);
	char *a5[] = { "gcs", "--help", NULL };
	assert_int_equal(goflag_parse(flags, 5, 2, a5, &next), -ECANCELED);
}

static void test_json_log_line_is_one_object_with_time_level_msg(void **state)
{
	char line[512];
	int n = glog_format(line, sizeof(line), true, GLOG_WARNING, 1700000000, 123456789, "a \"quoted\"\nline\x01");
	assert_true(n > 0);
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', (size_t)n - 1));
	struct json_object *o = NULL;
	assert_int_equal(bj_parse_object(line, (size_t)n, &o), 0);
	const char *s;
	assert_int_equal(bj_get_string(o, "time", &s), 0);
	assert_string_equal(s, "2023-11-14T22:13:20.123456789Z");
	assert_int_equal(bj_get_string(o, "level", &s), 0);
	assert_string_equal(s, "warning");
	assert_int_equal(bj_get_string(o, "msg", &s), 0);
	assert_string_equal(s, "a \"quoted\"\nline\x01");
	json_object_put(o);
}

static void test_log_levels_parse_host_names(void **state)
{
	enum glog_level l;
	assert_int_equal(glog_level_parse("trace", &l), 0);
	assert_int_equal(l, GLOG_TRACE);
	assert_int_equal(glog_level_parse("warn", &l), 0);
	assert_int_equal(l, GLOG_WARNING);
	assert_int_equal(glog_level_parse("Panic", &l), 0);
	assert_int_equal(l, GLOG_PANIC);
	assert_int_equal(glog_level_parse("loud", &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_accept_go_forms_used_by_hosts),
		cmocka_unit_test(test_flags_reject_unknown_and_missing_values),
		cmocka_unit_test(test_json_log_line_is_one_object_with_time_level_msg),
		cmocka_unit_test(test_log_levels_parse_host_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
