/* Unit tests for the remotefs/netnscfg input decoders: TarOptions JSON and id
 * maps, Docker exclude patterns and the netnscfg adapter
 * JSON (src/lib/remotefs_taroptions.h, remotefs_pattern.h, netnscfg_adapter.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/netnscfg_adapter.h"
#include "lib/remotefs_pattern.h"
#include "lib/remotefs_taroptions.h"

static void test_taroptions_keys_are_case_insensitive_and_unknown_ignored(void **state)
{
	(void)state;
	const char *j = "{\"includefiles\":[\"a\",\"b\"],\"ExcludePatterns\":null,\"compression\":2,"
			"\"NoLchown\":true,\"whiteoutformat\":1,\"NoOverwriteDirNonDir\":true,"
			"\"InUserNS\":true,\"IncludeSourceDir\":true,\"SomethingNew\":{\"x\":[1]},"
			"\"ChownOpts\":{\"UID\":5,\"GID\":6},\"RebaseNames\":{\"a\":\"z\"}}";
	struct rfs_taroptions o;
	char msg[256];
	assert_int_equal(rfs_taroptions_parse(j, strlen(j), &o, msg, sizeof(msg)), 0);
	assert_int_equal(o.n_include_files, 2);
	assert_string_equal(o.include_files[1], "b");
	assert_int_equal(o.n_exclude_patterns, 0);
	assert_int_equal(o.compression, 2);
	assert_true(o.no_lchown);
	assert_int_equal(o.whiteout_format, 1);
	assert_true(o.no_overwrite_dir_non_dir);
	assert_true(o.in_userns);
	assert_true(o.include_source_dir);
	assert_true(o.has_chown_opts);
	assert_int_equal(o.chown_uid, 5);
	assert_int_equal(o.chown_gid, 6);
	assert_string_equal(rfs_taroptions_rebase(&o, "a"), "z");
	assert_null(rfs_taroptions_rebase(&o, "b"));
	rfs_taroptions_free(&o);
}

static void test_taroptions_docker_default_marshal_parses(void **state)
{
	(void)state;
	/* What Docker's json.Marshal of a mostly empty TarOptions looks like. */
	const char *j = "{\"IncludeFiles\":null,\"ExcludePatterns\":null,\"Compression\":0,\"NoLchown\":false,"
			"\"UIDMaps\":[{\"container_id\":0,\"host_id\":100000,\"size\":65536}],\"GIDMaps\":null,"
			"\"ChownOpts\":null,\"IncludeSourceDir\":false,\"WhiteoutFormat\":0,"
			"\"NoOverwriteDirNonDir\":false,\"RebaseNames\":null,\"InUserNS\":false}";
	struct rfs_taroptions o;
	char msg[256];
	assert_int_equal(rfs_taroptions_parse(j, strlen(j), &o, msg, sizeof(msg)), 0);
	assert_false(o.has_chown_opts);
	assert_int_equal(o.n_uid_maps, 1);
	int64_t id;
	assert_int_equal(rfs_idmap_to_host(o.uid_maps, o.n_uid_maps, 5, true, &id, msg, sizeof(msg)), 0);
	assert_int_equal(id, 100005);
	assert_int_equal(rfs_idmap_to_host(o.uid_maps, o.n_uid_maps, 65536, true, &id, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "Container ID 65536 cannot be mapped to a host ID");
	assert_int_equal(rfs_idmap_to_container(o.uid_maps, o.n_uid_maps, 100007, true, &id, msg, sizeof(msg)), 0);
	assert_int_equal(id, 7);
	assert_int_equal(rfs_idmap_to_host(o.gid_maps, o.n_gid_maps, 42, false, &id, msg, sizeof(msg)), 0);
	assert_int_equal(id, 42);
	rfs_taroptions_free(&o);
}

static void test_taroptions_rejects_bad_json_and_types(void **state)
{
	(void)state;
	struct rfs_taroptions o;
	char msg[256];
	const char *bad[] = {"{", "[]", "{\"Compression\":\"2\"}", "{\"IncludeFiles\":[1]}", "{} x",
			     "{\"NoLchown\":1}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rfs_taroptions_parse(bad[i], strlen(bad[i]), &o, msg, sizeof(msg)), -EINVAL);
		rfs_taroptions_free(&o);
	}
	assert_int_equal(rfs_taroptions_parse("null", 4, &o, msg, sizeof(msg)), 0);
	rfs_taroptions_free(&o);
}

static void test_patterns_refuse_nested_repetition_as_go_does(void **state)
{
	(void)state;
	char msg[128] = "";
	char *p[] = { "*/*.g++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++" };
	struct rfs_patterns *pm = rfs_patterns_new(p, 1, msg, sizeof(msg));
	assert_null(pm);
	assert_non_null(strstr(msg, "nested repetition"));
}

static void test_patterns_take_braces_literally(void **state)
{
	(void)state;
	char msg[128] = "";
	char *p[] = { "a{2}" };
	struct rfs_patterns *pm = rfs_patterns_new(p, 1, msg, sizeof(msg));
	assert_non_null(pm);
	assert_true(rfs_patterns_match(pm, "a{2}"));
	assert_false(rfs_patterns_match(pm, "aa"));
	rfs_patterns_free(pm);
}

static void test_patterns_star_does_not_cross_directories(void **state)
{
	(void)state;
	char *p[] = {"*.txt"};
	char msg[128];
	struct rfs_patterns *pm = rfs_patterns_new(p, 1, msg, sizeof(msg));
	assert_non_null(pm);
	assert_true(rfs_patterns_match(pm, "a.txt"));
	assert_false(rfs_patterns_match(pm, "d/a.txt"));
	assert_false(rfs_patterns_match(pm, "atxt"));
	rfs_patterns_free(pm);
}

static void test_patterns_double_star_and_parent_directories(void **state)
{
	(void)state;
	char *p[] = {"**/*.go", "vendor"};
	char msg[128];
	struct rfs_patterns *pm = rfs_patterns_new(p, 2, msg, sizeof(msg));
	assert_non_null(pm);
	assert_true(rfs_patterns_match(pm, "x.go"));
	assert_true(rfs_patterns_match(pm, "a/b/x.go"));
	/* "vendor" also excludes what is inside it. */
	assert_true(rfs_patterns_match(pm, "vendor/lib/x.c"));
	assert_false(rfs_patterns_match(pm, "src/vendor.c"));
	rfs_patterns_free(pm);
}

static void test_patterns_exception_wins_when_last(void **state)
{
	(void)state;
	char *p[] = {"docs", "!docs/keep.md"};
	char msg[128];
	struct rfs_patterns *pm = rfs_patterns_new(p, 2, msg, sizeof(msg));
	assert_non_null(pm);
	assert_true(rfs_patterns_match(pm, "docs/a.md"));
	assert_false(rfs_patterns_match(pm, "docs/keep.md"));
	assert_true(rfs_patterns_have_exclusions(pm));
	assert_true(rfs_patterns_exception_under(pm, "docs"));
	assert_false(rfs_patterns_exception_under(pm, "src"));
	rfs_patterns_free(pm);
}

static void test_patterns_reject_lone_bang(void **state)
{
	(void)state;
	char *p[] = {"!"};
	char msg[128];
	assert_null(rfs_patterns_new(p, 1, msg, sizeof(msg)));
	assert_string_equal(msg, "illegal exclusion pattern: \"!\"");
}

static void test_adapter_json_static_fields(void **state)
{
	(void)state;
	struct netnscfg_adapter a;
	char msg[128];
	const char *j = "{\"adapterinstanceid\":\"abc\",\"NatEnabled\":true,\"AllocatedIpAddress\":\"10.0.0.2\","
			"\"HostIpAddress\":\"10.0.0.1\",\"HostIpPrefixLength\":24,\"EnableLowMetric\":true,"
			"\"EncapOverhead\":50,\"HostDnsServerList\":\"1.1.1.1\",\"MacAddress\":\"00-11\"}";
	assert_int_equal(netnscfg_adapter_parse(j, &a, msg, sizeof(msg)), 0);
	assert_true(a.nat_enabled);
	assert_string_equal(a.allocated_ip, "10.0.0.2");
	assert_string_equal(a.host_ip, "10.0.0.1");
	assert_int_equal(a.host_ip_prefix_length, 24);
	assert_int_equal(a.encap_overhead, 50);
	assert_int_equal(netnscfg_route_metric(&a), 500);
	a.enable_low_metric = false;
	assert_int_equal(netnscfg_route_metric(&a), 1);
}

static void test_adapter_json_rejects_wrong_types(void **state)
{
	(void)state;
	struct netnscfg_adapter a;
	char msg[128];
	assert_int_equal(netnscfg_adapter_parse("{\"NatEnabled\":\"yes\"}", &a, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(netnscfg_adapter_parse("{\"HostIpPrefixLength\":33}", &a, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(netnscfg_adapter_parse("nope", &a, msg, sizeof(msg)), -EINVAL);
}

static void test_gateway_subnet_check(void **state)
{
	(void)state;
	struct in_addr addr, gw;
	inet_pton(AF_INET, "10.1.2.3", &addr);
	inet_pton(AF_INET, "10.1.2.1", &gw);
	assert_true(netnscfg_same_subnet(addr, 24, gw));
	inet_pton(AF_INET, "10.1.3.1", &gw);
	assert_false(netnscfg_same_subnet(addr, 24, gw));
	assert_true(netnscfg_same_subnet(addr, 16, gw));
	assert_true(netnscfg_same_subnet(addr, 0, gw));
	assert_false(netnscfg_same_subnet(addr, 32, gw));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taroptions_keys_are_case_insensitive_and_unknown_ignored),
		cmocka_unit_test(test_taroptions_docker_default_marshal_parses),
		cmocka_unit_test(test_taroptions_rejects_bad_json_and_types),
		cmocka_unit_test(test_patterns_star_does_not_cross_directories),
		cmocka_unit_test(test_patterns_refuse_nested_repetition_as_go_does),
		cmocka_unit_test(test_patterns_take_braces_literally),
		cmocka_unit_test(test_patterns_double_star_and_parent_directories),
		cmocka_unit_test(test_patterns_exception_wins_when_last),
		cmocka_unit_test(test_patterns_reject_lone_bang),
		cmocka_unit_test(test_adapter_json_static_fields),
		cmocka_unit_test(test_adapter_json_rejects_wrong_types),
		cmocka_unit_test(test_gateway_subnet_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
