/* Unit tests for bridge JSON shapes (src/lib/bridge_msg.h, bridge_json.h; §2.2, §3). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bridge_json.h"
#include "lib/bridge_msg.h"
#include "lib/bridge_proto.h"

static struct json_object *parse(const char *s)
{
	struct json_object *o = NULL;
	assert_int_equal(bj_parse_object(s, strlen(s), &o), 0);
	return o;
}

static void test_negotiate_answers_exact_capabilities(void **state)
{
	struct json_object *caps = bridge_msg_capabilities();
	assert_string_equal(bj_text(caps, NULL),
			    "{\"SupportedSchemaVersions\":[{\"Major\":2,\"Minor\":1}],\"RuntimeOsType\":\"Linux\","
			    "\"GuestDefinedCapabilities\":{\"NamespaceAddRequestSupported\":true,"
			    "\"SignalProcessSupported\":true,\"DumpStacksSupported\":true,"
			    "\"DeleteContainerStateSupported\":true}}");
	json_object_put(caps);
}

static void test_negotiate_selects_4_and_rejects_ranges_without_it(void **state)
{
	uint32_t v = 0;
	int32_t hr = 1;
	struct json_object *req = parse("{\"MinimumVersion\":4,\"MaximumVersion\":4}");
	assert_int_equal(bridge_msg_negotiate(req, &v, &hr), 0);
	assert_int_equal(v, 4);
	assert_int_equal(hr, 0);
	json_object_put(req);
	req = parse("{\"MinimumVersion\":1,\"MaximumVersion\":3}");
	assert_int_equal(bridge_msg_negotiate(req, &v, &hr), -EINVAL);
	assert_int_equal(hr, HR_UNSUPPORTED_PROTOCOL);
	json_object_put(req);
	req = parse("{\"MinimumVersion\":5,\"MaximumVersion\":9}");
	assert_int_equal(bridge_msg_negotiate(req, &v, &hr), -EINVAL);
	json_object_put(req);
}

static void test_response_omits_invalid_activity_id(void **state)
{
	struct json_object *r = bridge_msg_response_new(0, "not-a-guid");
	assert_string_equal(bj_text(r, NULL), "{\"Result\":0}");
	json_object_put(r);
	r = bridge_msg_response_new(0, "");
	assert_string_equal(bj_text(r, NULL), "{\"Result\":0}");
	json_object_put(r);
	r = bridge_msg_response_new(0, "0123abcd-0000-4000-8000-00000000000F");
	assert_string_equal(bj_text(r, NULL), "{\"Result\":0,\"ActivityId\":\"0123abcd-0000-4000-8000-00000000000F\"}");
	json_object_put(r);
}

static void test_error_response_has_one_record_with_hresult(void **state)
{
	struct json_object *r = bridge_msg_response_new(0, BRIDGE_NULL_GUID);
	bridge_msg_set_error(r, HR_E_NOTIMPL, "nope", NULL, 0, NULL);
	assert_string_equal(bj_text(r, NULL),
			    "{\"Result\":-2147467263,\"ActivityId\":\"00000000-0000-0000-0000-000000000000\","
			    "\"ErrorMessage\":\"nope\",\"ErrorRecords\":[{\"Result\":-2147467263,\"Message\":\"nope\","
			    "\"ModuleName\":\"gcs\",\"FileName\":\"\",\"Line\":4294967295}]}");
	json_object_put(r);
}

static void test_serialize_fit_truncates_long_messages_below_64k(void **state)
{
	size_t n = 200000;
	char *msg = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		msg[i] = (char)(i % 7 == 0 ? '"' : 'a'); /* quotes double in JSON */
	msg[n] = '\0';
	struct json_object *r = bridge_msg_response_new(0, NULL);
	bridge_msg_set_error(r, HR_E_FAIL, msg, NULL, 0, NULL);
	char *out;
	size_t len;
	assert_int_equal(bridge_msg_serialize_fit(r, BRIDGE_OUT_MAX - 16, &out, &len), 0);
	assert_true(len <= BRIDGE_OUT_MAX - 16);
	assert_non_null(strstr(out, "(truncated)"));
	struct json_object *back = parse(out);
	int32_t hr;
	assert_int_equal(bj_get_i32(back, "Result", &hr), 0);
	assert_int_equal(hr, HR_E_FAIL);
	json_object_put(back);
	free(out);
	free(msg);
	json_object_put(r);
}

static void test_serialize_fit_truncates_guest_stacks(void **state)
{
	size_t n = 100000;
	char *stacks = malloc(n + 1);
	memset(stacks, 's', n);
	stacks[n] = '\0';
	struct json_object *r = bridge_msg_response_new(0, BRIDGE_NULL_GUID);
	json_object_object_add(r, "GuestStacks", json_object_new_string(stacks));
	char *out;
	size_t len;
	assert_int_equal(bridge_msg_serialize_fit(r, BRIDGE_OUT_MAX - 16, &out, &len), 0);
	assert_true(len <= BRIDGE_OUT_MAX - 16);
	struct json_object *back = parse(out);
	int32_t hr;
	assert_int_equal(bj_get_i32(back, "Result", &hr), 0);
	assert_int_equal(hr, 0);
	const char *g;
	assert_int_equal(bj_get_string(back, "GuestStacks", &g), 0);
	assert_true(strlen(g) > 10000);
	json_object_put(back);
	free(out);
	free(stacks);
	json_object_put(r);
}

static void test_serialize_fit_fails_what_cannot_be_truncated(void **state)
{
	struct json_object *r = bridge_msg_response_new(0, BRIDGE_NULL_GUID);
	struct json_object *arr = json_object_new_array();
	for (int i = 0; i < 20000; i++)
		json_object_array_add(arr, json_object_new_int(123456));
	json_object_object_add(r, "Big", arr);
	char *out;
	size_t len;
	assert_int_equal(bridge_msg_serialize_fit(r, BRIDGE_OUT_MAX - 16, &out, &len), 0);
	assert_true(len <= BRIDGE_OUT_MAX - 16);
	struct json_object *back = parse(out);
	int32_t hr;
	assert_int_equal(bj_get_i32(back, "Result", &hr), 0);
	assert_int_equal(hr, HR_E_FAIL);
	assert_string_equal(bridge_msg_activity_id(back), BRIDGE_NULL_GUID);
	json_object_put(back);
	free(out);
	json_object_put(r);
}

static void test_notification_uses_null_guid_and_no_result_info(void **state)
{
	struct json_object *n = bridge_msg_notification("c1", "bad", "UnexpectedExit", 0);
	assert_string_equal(bj_text(n, NULL),
			    "{\"ContainerId\":\"c1\",\"ActivityId\":\"00000000-0000-0000-0000-000000000000\","
			    "\"Type\":\"UnexpectedExit\",\"Operation\":\"None\",\"Result\":0}");
	json_object_put(n);
}

static void test_parse_accepts_trailing_newline_rejects_garbage(void **state)
{
	struct json_object *o = NULL;
	assert_int_equal(bj_parse_object("{\"a\":1}\n", 8, &o), 0);
	json_object_put(o);
	assert_int_equal(bj_parse_object("{\"a\":1} x", 9, &o), -EINVAL);
	assert_int_equal(bj_parse_object("{\"a\":1", 6, &o), -EINVAL);
	assert_int_equal(bj_parse_object("[1]", 3, &o), -EINVAL);
	assert_int_equal(bj_parse_object("", 0, &o), -EINVAL);
}

static void test_keys_match_case_insensitively_exact_first(void **state)
{
	struct json_object *o = parse("{\"containerid\":\"low\",\"ProcessId\":7}");
	assert_string_equal(bridge_msg_container_id(o), "low");
	uint32_t pid;
	assert_int_equal(bj_get_u32(o, "processid", &pid), 0);
	assert_int_equal(pid, 7);
	json_object_put(o);
}

static void test_u64_values_stay_exact(void **state)
{
	struct json_object *o = parse("{\"hard\":18446744073709551615,\"neg\":-1,\"big\":4294967296}");
	uint64_t v;
	assert_int_equal(bj_get_u64(o, "hard", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_string_equal(bj_text(o, NULL), "{\"hard\":18446744073709551615,\"neg\":-1,\"big\":4294967296}");
	uint32_t u;
	assert_int_equal(bj_get_u32(o, "big", &u), -EINVAL);
	assert_int_equal(bj_get_u32(o, "neg", &u), -EINVAL);
	json_object_put(o);
}

static void test_guid_validation(void **state)
{
	assert_true(bridge_guid_valid(BRIDGE_NULL_GUID));
	assert_true(bridge_guid_valid("ABCDEF01-2345-6789-abcd-ef0123456789"));
	assert_false(bridge_guid_valid("ABCDEF01-2345-6789-abcd-ef012345678"));
	assert_false(bridge_guid_valid("ABCDEF0112345-6789-abcd-ef0123456789"));
	assert_false(bridge_guid_valid("gBCDEF01-2345-6789-abcd-ef0123456789"));
	assert_false(bridge_guid_valid(NULL));
}

static void test_cmdline_split_follows_shell_quoting(void **state)
{
	char **v;
	assert_int_equal(bridge_cmdline_split("  sh -c 'echo \"a b\"' \"x\\\"y\" c\\ d  ", &v), 0);
	assert_int_equal(bridge_strv_len(v), 5);
	assert_string_equal(v[0], "sh");
	assert_string_equal(v[2], "echo \"a b\"");
	assert_string_equal(v[3], "x\"y");
	assert_string_equal(v[4], "c d");
	bridge_strv_free(v);
	assert_int_equal(bridge_cmdline_split("a ''", &v), 0);
	assert_int_equal(bridge_strv_len(v), 2);
	assert_string_equal(v[1], "");
	bridge_strv_free(v);
	assert_int_equal(bridge_cmdline_split("echo 'open", &v), -EINVAL);
}

static void test_exec_parses_embedded_process_parameters(void **state)
{
	struct json_object *req = parse(
		"{\"ContainerId\":\"00000000-0000-0000-0000-000000000000\",\"Settings\":{\"ProcessParameters\":"
		"\"{\\\"CommandArgs\\\":[\\\"ls\\\",\\\"-l\\\"],\\\"WorkingDirectory\\\":\\\"/tmp\\\","
		"\\\"Environment\\\":{\\\"A\\\":\\\"1\\\"},\\\"EmulateConsole\\\":true,\\\"CreateStdOutPipe\\\":true}\","
		"\"VsockStdioRelaySettings\":{\"StdOut\":1073741826}}}");
	struct bridge_exec e;
	assert_int_equal(bridge_msg_parse_exec(req, &e), 0);
	assert_string_equal(e.argv[0], "ls");
	assert_string_equal(e.argv[1], "-l");
	assert_null(e.argv[2]);
	assert_string_equal(e.envp[0], "A=1");
	assert_string_equal(e.cwd, "/tmp");
	assert_true(e.emulate_console);
	assert_int_equal(e.console_rows, 0);
	assert_false(e.pipe[0]);
	assert_true(e.pipe[1]);
	assert_int_equal(e.port[1], 1073741826);
	bridge_exec_free(&e);
	json_object_put(req);
}

static void test_exec_uses_command_line_when_no_args(void **state)
{
	struct json_object *req = parse("{\"Settings\":{\"ProcessParameters\":\"{\\\"CommandLine\\\":\\\"echo 'a b'\\\"}\"}}");
	struct bridge_exec e;
	assert_int_equal(bridge_msg_parse_exec(req, &e), 0);
	assert_string_equal(e.argv[1], "a b");
	assert_null(e.envp[0]);
	bridge_exec_free(&e);
	json_object_put(req);
}

static void test_exec_rejects_bad_embedded_json(void **state)
{
	struct json_object *req = parse("{\"Settings\":{\"ProcessParameters\":\"{not json\"}}");
	struct bridge_exec e;
	assert_int_equal(bridge_msg_parse_exec(req, &e), -EINVAL);
	json_object_put(req);
	req = parse("{\"Settings\":{\"ProcessParameters\":\"{\\\"CommandArgs\\\":[1]}\"}}");
	assert_int_equal(bridge_msg_parse_exec(req, &e), -EINVAL);
	json_object_put(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate_answers_exact_capabilities),
		cmocka_unit_test(test_negotiate_selects_4_and_rejects_ranges_without_it),
		cmocka_unit_test(test_response_omits_invalid_activity_id),
		cmocka_unit_test(test_error_response_has_one_record_with_hresult),
		cmocka_unit_test(test_serialize_fit_truncates_long_messages_below_64k),
		cmocka_unit_test(test_serialize_fit_truncates_guest_stacks),
		cmocka_unit_test(test_serialize_fit_fails_what_cannot_be_truncated),
		cmocka_unit_test(test_notification_uses_null_guid_and_no_result_info),
		cmocka_unit_test(test_parse_accepts_trailing_newline_rejects_garbage),
		cmocka_unit_test(test_keys_match_case_insensitively_exact_first),
		cmocka_unit_test(test_u64_values_stay_exact),
		cmocka_unit_test(test_guid_validation),
		cmocka_unit_test(test_cmdline_split_follows_shell_quoting),
		cmocka_unit_test(test_exec_parses_embedded_process_parameters),
		cmocka_unit_test(test_exec_uses_command_line_when_no_args),
		cmocka_unit_test(test_exec_rejects_bad_embedded_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
