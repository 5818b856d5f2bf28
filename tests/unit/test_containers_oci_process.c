/* Unit tests for exec process objects (src/lib/oci_process.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/oci_json.h"
#include "lib/oci_process.h"

static json_object *parse(const char *text)
{
	json_object *o = NULL;
	assert_int_equal(oci_json_parse(text, strlen(text), &o), 0);
	return o;
}

static void test_v3_parameters_become_process(void **state)
{
	(void)state;
	json_object *params = parse("{\"CommandLine\":\"ls -l /\",\"WorkingDirectory\":\"/tmp\","
				    "\"Environment\":{\"A\":\"1\"},\"EmulateConsole\":true}");
	json_object *p = NULL;
	assert_int_equal(oci_process_from_parameters(params, &p), 0);
	const char *text = oci_json_text(p);
	assert_non_null(strstr(text, "\"args\":[\"ls\",\"-l\",\"/\"]"));
	assert_non_null(strstr(text, "\"cwd\":\"/tmp\""));
	assert_non_null(strstr(text, "\"env\":[\"A=1\"]"));
	assert_non_null(strstr(text, "\"terminal\":true"));
	assert_non_null(strstr(text, "\"ambient\":[\"CAP_AUDIT_WRITE\""));
	assert_non_null(strstr(text, "{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}"));
	assert_non_null(strstr(text, "\"noNewPrivileges\":true"));
	json_object_put(p);
	json_object_put(params);
}

static void test_v3_parameters_without_command_fail(void **state)
{
	(void)state;
	json_object *params = parse("{\"CommandLine\":\"   \"}");
	json_object *p = NULL;
	assert_int_equal(oci_process_from_parameters(params, &p), -EINVAL);
	json_object_put(params);
}

static void test_exec_inherits_rlimits_and_resolved_user(void **state)
{
	(void)state;
	json_object *cp = parse("{\"user\":{\"uid\":33,\"gid\":34},\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
				"\"hard\":18446744073709551615,\"soft\":0}]}");
	json_object *p = parse("{\"args\":[\"id\"],\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[]}");
	assert_int_equal(oci_process_inherit(p, cp, true), 0);
	const char *text = oci_json_text(p);
	assert_non_null(strstr(text, "\"hard\":18446744073709551615"));
	assert_non_null(strstr(text, "\"user\":{\"uid\":33,\"gid\":34}"));
	json_object_put(p);
	p = parse("{\"args\":[\"id\"],\"user\":{\"uid\":5,\"gid\":6}}");
	assert_int_equal(oci_process_inherit(p, cp, false), 0);
	assert_non_null(strstr(oci_json_text(p), "\"user\":{\"uid\":5,\"gid\":6}"));
	json_object_put(p);
	json_object_put(cp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_parameters_become_process),
		cmocka_unit_test(test_v3_parameters_without_command_fail),
		cmocka_unit_test(test_exec_inherits_rlimits_and_resolved_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
