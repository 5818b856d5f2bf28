/* Unit tests for runc error text handling (src/lib/oci_runc_text.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bridge_proto.h"
#include "lib/oci_runc_text.h"

static void test_does_not_exist_maps_to_system_not_found(void **state)
{
	(void)state;
	assert_int_equal(oci_runc_error_hresult("container \"abc\" does not exist\n"), HR_SYSTEM_NOT_FOUND);
	assert_int_equal(oci_runc_error_hresult("open x: container does not exist"), HR_SYSTEM_NOT_FOUND);
}

static void test_each_known_phrase_maps_to_its_hresult(void **state)
{
	(void)state;
	assert_int_equal(oci_runc_error_hresult("container with id exists: x"), HR_SYSTEM_EXISTS);
	assert_int_equal(oci_runc_error_hresult("invalid container ID format: a/b"), HR_E_INVALIDARG);
	assert_int_equal(oci_runc_error_hresult("cannot delete container x that is not stopped: running"),
			 HR_INVALID_STATE);
	assert_int_equal(oci_runc_error_hresult("container still running"), HR_INVALID_STATE);
	assert_int_equal(oci_runc_error_hresult("container not running"), HR_SYSTEM_STOPPED);
}

static void test_other_text_maps_to_e_fail(void **state)
{
	(void)state;
	assert_int_equal(oci_runc_error_hresult("exec: \"nope\": executable file not found"), HR_E_FAIL);
	assert_int_equal(oci_runc_error_hresult(NULL), HR_E_FAIL);
}

static void test_log_gives_last_error_level_message(void **state)
{
	(void)state;
	const char *log = "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"t\"}\n"
			  "not json\n"
			  "{\"level\":\"error\",\"msg\":\"first\"}\n"
			  "{\"level\":\"info\",\"msg\":\"i\"}\n"
			  "{\"level\":\"fatal\",\"msg\":\"container_linux.go: starting: no such file\"}\n";
	char *m = oci_runc_log_last_error(log, strlen(log));
	assert_string_equal(m, "container_linux.go: starting: no such file");
	free(m);
}

static void test_log_without_errors_gives_null(void **state)
{
	(void)state;
	const char *log = "{\"level\":\"info\",\"msg\":\"i\"}\n";
	assert_null(oci_runc_log_last_error(log, strlen(log)));
}

static void test_stderr_last_line_is_trimmed(void **state)
{
	(void)state;
	const char *t = "noise\n  crun: cannot open `x`: No such file\n\n";
	char *m = oci_runc_stderr_last_line(t, strlen(t));
	assert_string_equal(m, "crun: cannot open `x`: No such file");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_does_not_exist_maps_to_system_not_found),
		cmocka_unit_test(test_each_known_phrase_maps_to_its_hresult),
		cmocka_unit_test(test_other_text_maps_to_e_fail),
		cmocka_unit_test(test_log_gives_last_error_level_message),
		cmocka_unit_test(test_log_without_errors_gives_null),
		cmocka_unit_test(test_stderr_last_line_is_trimmed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
