/* Unit tests for V4 OCI spec rewriting (src/lib/oci_spec.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/oci_json.h"
#include "lib/oci_spec.h"

static json_object *parse(const char *text)
{
	json_object *o = NULL;
	assert_int_equal(oci_json_parse(text, strlen(text), &o), 0);
	return o;
}

static const char *base_spec =
	"{\"ociVersion\":\"1.0.2\",\"x-unknown\":{\"keep\":[1,2]},"
	"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024}]},"
	"\"root\":{\"path\":\"/run/gcs/c/c1/rootfs\",\"readonly\":true},"
	"\"mounts\":[{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/somewhere\"}],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}],"
	"\"resources\":{\"memory\":{\"limit\":-1}}},"
	"\"windows\":{\"network\":{\"networkNamespace\":\"abc\"}}}";

static struct oci_spec_context ctx(void)
{
	struct oci_spec_context c = {
		.container_id = "c1", .bundle = "/run/gcs/c/c1", .uvm_hostname = "uvm",
		.cgroup_parent = "/pods",
	};
	return c;
}

static void test_unknown_members_and_64bit_values_survive(void **state)
{
	(void)state;
	json_object *spec = parse(base_spec);
	struct oci_spec_context c = ctx();
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_STANDALONE, &c, &p), 0);
	const char *text = oci_json_text(spec);
	assert_non_null(strstr(text, "\"x-unknown\":{\"keep\":[1,2]}"));
	assert_non_null(strstr(text, "\"hard\":18446744073709551615"));
	assert_non_null(strstr(text, "\"limit\":-1"));
	assert_null(strstr(text, "\"windows\""));
	oci_spec_plan_free(&p);
	json_object_put(spec);
}

static void test_standalone_adds_missing_etc_binds_and_cgroup(void **state)
{
	(void)state;
	json_object *spec = parse(base_spec);
	struct oci_spec_context c = ctx();
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_STANDALONE, &c, &p), 0);
	assert_string_equal(p.hostname, "uvm");
	assert_true(p.write_hostname);
	assert_false(p.write_hosts); /* already mounted by the spec */
	assert_true(p.write_resolv);
	assert_true(p.owns_pid_namespace);
	const char *text = oci_json_text(spec);
	assert_non_null(strstr(text, "{\"destination\":\"/etc/hostname\",\"type\":\"bind\","
				     "\"source\":\"/run/gcs/c/c1/hostname\",\"options\":[\"bind\",\"ro\"]}"));
	assert_non_null(strstr(text, "\"source\":\"/run/gcs/c/c1/resolv.conf\""));
	assert_non_null(strstr(text, "\"cgroupsPath\":\"/pods/c1\""));
	oci_spec_plan_free(&p);
	json_object_put(spec);
}

static void test_invalid_hostname_is_refused(void **state)
{
	(void)state;
	json_object *spec = parse("{\"hostname\":\"bad/host\",\"process\":{}}");
	struct oci_spec_context c = ctx();
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_STANDALONE, &c, &p), -EINVAL);
	json_object_put(spec);
}

static void test_sandbox_writes_files_rlimit_core_and_pod_cgroup(void **state)
{
	(void)state;
	json_object *spec = parse("{\"hostname\":\"pod1.example\",\"process\":{\"args\":[\"pause\"]},"
				  "\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
				  "\"io.microsoft.lcow.rlimitcore\":\"100;200\"},\"linux\":{}}");
	struct oci_spec_context c = ctx();
	enum oci_kind kind;
	const char *sid;
	assert_int_equal(oci_spec_kind(spec, &kind, &sid), 0);
	assert_int_equal(kind, OCI_KIND_SANDBOX);
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, kind, &c, &p), 0);
	assert_true(p.write_hostname && p.write_hosts && p.write_resolv);
	assert_string_equal(p.hostname, "pod1.example");
	const char *text = oci_json_text(spec);
	assert_non_null(strstr(text, "{\"type\":\"RLIMIT_CORE\",\"soft\":100,\"hard\":200}"));
	assert_non_null(strstr(text, "\"cgroupsPath\":\"/pods/c1/c1\""));
	assert_null(strstr(text, "\"mounts\""));
	oci_spec_plan_free(&p);
	json_object_put(spec);
}

static void test_workload_rewrites_sandbox_sources_inside_sandbox(void **state)
{
	(void)state;
	json_object *spec = parse("{\"process\":{\"user\":{\"username\":\"www\"}},"
				  "\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
				  "\"io.kubernetes.cri.sandbox-id\":\"pod1\",\"io.microsoft.lcow.shm.size-kb\":\"64\"},"
				  "\"mounts\":[{\"destination\":\"/data\",\"source\":\"sandbox://vol/a\"},"
				  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\"},"
				  "{\"destination\":\"/u\",\"source\":\"uvm:///run/x\"}]}");
	enum oci_kind kind;
	const char *sid;
	assert_int_equal(oci_spec_kind(spec, &kind, &sid), 0);
	assert_int_equal(kind, OCI_KIND_WORKLOAD);
	assert_string_equal(sid, "pod1");
	struct oci_spec_context c = ctx();
	c.sandbox_id = sid;
	c.sandbox_root = "/run/gcs/c/pod1";
	c.passwd = "www:x:33:34::/:/bin/false\n";
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, kind, &c, &p), 0);
	assert_int_equal(p.n_mkdirs, 1);
	assert_string_equal(p.mkdirs[0], "/run/gcs/c/pod1/sandboxMounts/vol/a");
	assert_false(p.write_hostname);
	const char *text = oci_json_text(spec);
	assert_non_null(strstr(text, "\"source\":\"/run/gcs/c/pod1/sandboxMounts/vol/a\""));
	assert_non_null(strstr(text, "\"source\":\"/run/x\""));
	assert_non_null(strstr(text, "\"source\":\"/run/gcs/c/pod1/hosts\""));
	assert_non_null(strstr(text, "\"size=64k\""));
	assert_non_null(strstr(text, "\"user\":{\"uid\":33,\"gid\":34}"));
	assert_non_null(strstr(text, "\"cgroupsPath\":\"/pods/pod1/c1\""));
	oci_spec_plan_free(&p);
	json_object_put(spec);
}

static void test_workload_sandbox_source_may_not_escape(void **state)
{
	(void)state;
	json_object *spec = parse("{\"mounts\":[{\"destination\":\"/d\",\"source\":\"sandbox://../../../etc\"}]}");
	struct oci_spec_context c = ctx();
	c.sandbox_id = "pod1";
	c.sandbox_root = "/run/gcs/c/pod1";
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_WORKLOAD, &c, &p), -EINVAL);
	json_object_put(spec);
}

static void test_workload_needs_its_pod_and_no_hostname(void **state)
{
	(void)state;
	json_object *spec = parse("{\"hostname\":\"h\"}");
	struct oci_spec_context c = ctx();
	c.sandbox_id = "pod1";
	c.sandbox_root = "/run/gcs/c/pod1";
	struct oci_spec_plan p;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_WORKLOAD, &c, &p), -EINVAL);
	json_object_put(spec);
	spec = parse("{}");
	c.sandbox_root = NULL;
	assert_int_equal(oci_spec_prepare_v4(spec, OCI_KIND_WORKLOAD, &c, &p), -ENOENT);
	json_object_put(spec);
}

static void test_unknown_container_type_is_refused(void **state)
{
	(void)state;
	json_object *spec = parse("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"vm\"}}");
	enum oci_kind kind;
	const char *sid;
	assert_int_equal(oci_spec_kind(spec, &kind, &sid), -EINVAL);
	json_object_put(spec);
}

static void test_hosts_file_has_short_name_for_dotted_hostname(void **state)
{
	(void)state;
	char *h = oci_hosts_file("web.example.com");
	assert_non_null(strstr(h, "127.0.0.1 localhost\n127.0.0.1 web.example.com web\n\n#"));
	assert_non_null(strstr(h, "::1     ip6-localhost ip6-loopback\n"));
	free(h);
}

static void test_hooks_count_only_when_the_list_is_not_empty(void **state)
{
	(void)state;
	json_object *spec = parse("{\"hooks\":{\"poststart\":[{\"path\":\"/bin/true\"}],\"poststop\":[]}}");
	assert_true(oci_spec_has_hooks(spec, "poststart"));
	assert_false(oci_spec_has_hooks(spec, "poststop"));
	assert_false(oci_spec_has_hooks(spec, "prestart"));
	json_object_put(spec);
	spec = parse(base_spec);
	assert_false(oci_spec_has_hooks(spec, "poststart"));
	json_object_put(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_members_and_64bit_values_survive),
		cmocka_unit_test(test_standalone_adds_missing_etc_binds_and_cgroup),
		cmocka_unit_test(test_invalid_hostname_is_refused),
		cmocka_unit_test(test_sandbox_writes_files_rlimit_core_and_pod_cgroup),
		cmocka_unit_test(test_workload_rewrites_sandbox_sources_inside_sandbox),
		cmocka_unit_test(test_workload_sandbox_source_may_not_escape),
		cmocka_unit_test(test_workload_needs_its_pod_and_no_hostname),
		cmocka_unit_test(test_unknown_container_type_is_refused),
		cmocka_unit_test(test_hosts_file_has_short_name_for_dotted_hostname),
		cmocka_unit_test(test_hooks_count_only_when_the_list_is_not_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
