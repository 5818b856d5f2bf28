/* Unit tests for cgroup statistics → LCOWMetrics (src/lib/oci_metrics.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/oci_json.h"
#include "lib/oci_metrics.h"

struct file {
	const char *controller, *name, *text;
};

static int table_read(void *ctx, const char *controller, const char *file, char **text)
{
	for (const struct file *f = ctx; f->name; f++)
		if (strcmp(f->controller, controller) == 0 && strcmp(f->name, file) == 0)
			return (*text = strdup(f->text)) ? 0 : -ENOMEM;
	return -ENOENT;
}

static void test_v1_files_fill_cpu_memory_and_pids(void **state)
{
	(void)state;
	static const struct file files[] = {
		{ "cpuacct", "cpuacct.usage", "123456789\n" },
		{ "cpuacct", "cpuacct.usage_percpu", "100 200 \n" },
		{ "cpuacct", "cpuacct.stat", "user 3\nsystem 2\n" },
		{ "cpu", "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n" },
		{ "memory", "memory.stat", "cache 4096\nrss 8192\npgfault 10\ntotal_cache 4096\ntotal_rss 8192\n"
					   "total_inactive_file 100\nhierarchical_memory_limit 9223372036854771712\n" },
		{ "memory", "memory.usage_in_bytes", "12288\n" },
		{ "memory", "memory.limit_in_bytes", "9223372036854771712\n" },
		{ "memory", "memory.max_usage_in_bytes", "20000\n" },
		{ "memory", "memory.failcnt", "0\n" },
		{ "memory", "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n" },
		{ "pids", "pids.current", "3\n" },
		{ "pids", "pids.max", "max\n" },
		{ NULL, NULL, NULL },
	};
	json_object *m = NULL;
	assert_int_equal(oci_metrics_build(1, table_read, (void *)files, &m), 0);
	const char *text = oci_json_text(m);
	assert_non_null(strstr(text, "\"cpu\":{\"usage\":{\"total\":123456789,\"kernel\":20000000,\"user\":30000000,"
				     "\"per_cpu\":[100,200]}}"));
	assert_non_null(strstr(text, "\"cache\":4096,\"total_cache\":4096,\"rss\":8192,\"total_rss\":8192"));
	assert_non_null(strstr(text, "\"pg_fault\":10"));
	assert_non_null(strstr(text, "\"total_inactive_file\":100"));
	assert_non_null(strstr(text, "\"usage\":{\"limit\":9223372036854771712,\"usage\":12288,\"max\":20000}"));
	assert_non_null(strstr(text, "\"memory_oom_control\":{\"oom_kill\":1}"));
	assert_non_null(strstr(text, "\"pids\":{\"current\":3}"));
	assert_null(strstr(text, "throttling")); /* all zero: omitted */
	assert_null(strstr(text, "swap"));
	json_object_put(m);
}

static void test_v2_files_translate_to_v1_shape(void **state)
{
	(void)state;
	static const struct file files[] = {
		{ "", "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\n"
				  "throttled_usec 7\n" },
		{ "", "memory.stat", "anon 8192\nfile 4096\ninactive_file 100\n" },
		{ "", "memory.current", "12288\n" },
		{ "", "memory.max", "max\n" },
		{ "", "pids.current", "2\n" },
		{ "", "pids.max", "100\n" },
		{ NULL, NULL, NULL },
	};
	json_object *m = NULL;
	assert_int_equal(oci_metrics_build(2, table_read, (void *)files, &m), 0);
	const char *text = oci_json_text(m);
	assert_non_null(strstr(text, "\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000}"));
	assert_non_null(strstr(text, "\"throttling\":{\"periods\":4,\"throttled_periods\":1,\"throttled_time\":7000}"));
	assert_non_null(strstr(text, "\"rss\":8192,\"total_rss\":8192"));
	assert_non_null(strstr(text, "\"usage\":{\"usage\":12288}"));
	assert_non_null(strstr(text, "\"pids\":{\"current\":2,\"limit\":100}"));
	json_object_put(m);
}

static void test_missing_cgroup_gives_empty_object(void **state)
{
	(void)state;
	static const struct file none[] = { { NULL, NULL, NULL } };
	json_object *m = NULL;
	assert_int_equal(oci_metrics_build(1, table_read, (void *)none, &m), 0);
	assert_string_equal(oci_json_text(m), "{}");
	json_object_put(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_files_fill_cpu_memory_and_pids),
		cmocka_unit_test(test_v2_files_translate_to_v1_shape),
		cmocka_unit_test(test_missing_cgroup_gives_empty_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
