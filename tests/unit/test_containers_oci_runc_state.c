/* Unit tests for reading runc's state.json and /proc/<pid>/stat
 * (src/lib/oci_runc_state.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/oci_runc_state.h"

/* the shape runc 1.1.5 writes on a host with hybrid cgroups (trimmed) */
static const char *hybrid_state =
	"{\"id\":\"c1\",\"init_process_pid\":11383,\"init_process_start\":1035275,"
	"\"created\":\"2026-11-29T05:38:23.367634163Z\",\"config\":{\"hooks\":{}},\"rootless\":false,"
	"\"cgroup_paths\":{\"\":\"/sys/fs/cgroup/unified/pods/c1\",\"cpu\":\"/sys/fs/cgroup/cpu/pods/c1\","
	"\"cpuacct\":\"/sys/fs/cgroup/cpuacct/pods/c1\",\"memory\":\"/sys/fs/cgroup/memory/pods/c1\","
	"\"name=systemd\":\"/sys/fs/cgroup/systemd/pods/c1\"},"
	"\"namespace_paths\":{\"NEWPID\":\"/proc/11383/ns/pid\"},"
	"\"external_descriptors\":[\"/dev/null\",\"/dev/null\",\"/dev/null\"],\"intel_rdt_path\":\"\"}";

static int parse(const char *text, struct oci_runc_state *st)
{
	return oci_runc_state_parse(text, strlen(text), "/sys/fs/cgroup", st);
}

static void test_state_gives_init_and_every_cgroup_directory(void **state)
{
	(void)state;
	struct oci_runc_state st;
	assert_int_equal(parse(hybrid_state, &st), 0);
	assert_int_equal(st.init_pid, 11383);
	assert_int_equal(st.init_start, 1035275);
	assert_int_equal(st.n_cgroup_paths, 5);
	bool unified = false;
	for (size_t i = 0; i < st.n_cgroup_paths; i++)
		unified |= strcmp(st.cgroup_paths[i], "/sys/fs/cgroup/unified/pods/c1") == 0;
	assert_true(unified);
	assert_false(st.has_poststop);
	assert_false(st.has_intel_rdt);
	oci_runc_state_free(&st);
}

static void test_comounted_controllers_are_removed_once(void **state)
{
	(void)state;
	struct oci_runc_state st;
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,\"cgroup_paths\":{"
			       "\"cpu\":\"/sys/fs/cgroup/cpu,cpuacct/c1\",\"cpuacct\":\"/sys/fs/cgroup/cpu,cpuacct/c1\"}}",
			       &st),
			 0);
	assert_int_equal(st.n_cgroup_paths, 1);
	oci_runc_state_free(&st);
}

static void test_poststop_hooks_and_intel_rdt_are_reported(void **state)
{
	(void)state;
	struct oci_runc_state st;
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,\"intel_rdt_path\":\"/sys/fs/resctrl/c1\","
			       "\"config\":{\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\"}]}}}",
			       &st),
			 0);
	assert_true(st.has_poststop);
	assert_true(st.has_intel_rdt);
	assert_int_equal(st.n_cgroup_paths, 0);
	oci_runc_state_free(&st);
}

static void test_cgroup_path_outside_the_cgroup_root_is_refused(void **state)
{
	(void)state;
	struct oci_runc_state st;
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,\"cgroup_paths\":{\"cpu\":\"/etc\"}}", &st),
			 -EINVAL);
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,"
			       "\"cgroup_paths\":{\"cpu\":\"/sys/fs/cgroup/cpu/../../../etc\"}}",
			       &st),
			 -EINVAL);
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,\"cgroup_paths\":{\"cpu\":\"/sys/fs/cgroup\"}}",
			       &st),
			 -EINVAL);
	assert_int_equal(parse("{\"init_process_pid\":5,\"init_process_start\":9,\"cgroup_paths\":{\"cpu\":7}}", &st),
			 -EINVAL);
}

static void test_state_without_a_pid_is_refused(void **state)
{
	(void)state;
	struct oci_runc_state st;
	assert_int_equal(parse("{\"init_process_pid\":0,\"init_process_start\":9}", &st), -EINVAL);
	assert_int_equal(parse("[1,2]", &st), -EINVAL);
	assert_int_equal(parse("{\"init_process_pid\":", &st), -EINVAL);
}

static void test_proc_stat_fields_follow_the_last_parenthesis(void **state)
{
	(void)state;
	const char *text = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 1035275 2392064 "
			   "201 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	char st = 0;
	uint64_t start = 0;
	assert_int_equal(oci_proc_stat_parse(text, strlen(text), &st, &start), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(start, 1035275);
	const char *zombie = "7 (true) Z 1 7 7 0 -1 4227076 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
	assert_int_equal(oci_proc_stat_parse(zombie, strlen(zombie), &st, &start), 0);
	assert_int_equal(st, 'Z');
	assert_int_equal(start, 99);
}

static void test_truncated_proc_stat_is_refused(void **state)
{
	(void)state;
	char st = 0;
	uint64_t start = 0;
	const char *text = "7 (true) Z 1 7 7";
	assert_int_equal(oci_proc_stat_parse(text, strlen(text), &st, &start), -EINVAL);
	assert_int_equal(oci_proc_stat_parse("7 true", 6, &st, &start), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_gives_init_and_every_cgroup_directory),
		cmocka_unit_test(test_comounted_controllers_are_removed_once),
		cmocka_unit_test(test_poststop_hooks_and_intel_rdt_are_reported),
		cmocka_unit_test(test_cgroup_path_outside_the_cgroup_root_is_refused),
		cmocka_unit_test(test_state_without_a_pid_is_refused),
		cmocka_unit_test(test_proc_stat_fields_follow_the_last_parenthesis),
		cmocka_unit_test(test_truncated_proc_stat_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
