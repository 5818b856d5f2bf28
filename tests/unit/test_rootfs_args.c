/* Unit tests for the command lines of /init (src/lib/init_args.h) and
 * vsockexec (src/lib/vsockexec_args.h), using the exact argument vectors
 * today's hosts put on the kernel command line (gcs-protocol.md §9.1). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/init_args.h"
#include "lib/vsockexec_args.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])) - 1)

static void test_no_arguments_runs_gcs_like_the_seed_image(void **state)
{
	char *argv[] = { "/init", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(1, argv, &a), 0);
	assert_true(a.seed_default);
	assert_string_equal(a.child_argv[0], "/bin/gcs");
	assert_string_equal(a.child_argv[1], "-loglevel=debug");
	assert_string_equal(a.child_argv[2], "-logfile=/tmp/gcs.log");
	assert_null(a.child_argv[3]);
	assert_int_equal(a.entropy_port, 0);
}

static void test_current_host_command_line_leaves_vsockexec_options_alone(void **state)
{
	char *argv[] = { "/init", "-e", "1", "/bin/vsockexec", "-e", "109", "/bin/gcs", "-v4", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), 0);
	assert_int_equal(a.entropy_port, 1);
	assert_false(a.seed_default);
	assert_string_equal(a.child_argv[0], "/bin/vsockexec");
	assert_string_equal(a.child_argv[1], "-e");
	assert_string_equal(a.child_argv[2], "109");
	assert_null(a.child_argv[5]);
}

static void test_double_dash_ends_options(void **state)
{
	char *argv[] = { "/init", "-e1", "--", "-not-an-option", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), 0);
	assert_int_equal(a.entropy_port, 1);
	assert_string_equal(a.child_argv[0], "-not-an-option");
}

static void test_program_after_double_dash_with_shell_command(void **state)
{
	char *argv[] = { "/init", "--", "/bin/sh", "-c", "mount; poweroff -f", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), 0);
	assert_string_equal(a.child_argv[0], "/bin/sh");
	assert_string_equal(a.child_argv[2], "mount; poweroff -f");
}

static void test_debug_shell_and_writable_overlays(void **state)
{
	char *argv[] = { "/init", "-w", "-d", "/bin/sh", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), 0);
	assert_true(a.writable_overlays);
	assert_string_equal(a.debug_shell, "/bin/sh");
	assert_null(a.child_argv);
}

static void test_transport_defaults_to_vsock_and_can_be_a_unix_directory(void **state)
{
	char *plain[] = { "/init", "-e", "1", "/bin/gcs", NULL };
	char *unix_dir[] = { "/init", "--transport", "unix:/root/sock", "-e", "1", "--", "/bin/gcs", NULL };
	char *joined[] = { "/init", "--transport=unix:/x", "/bin/gcs", NULL };
	char *missing[] = { "/init", "--transport", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(plain), plain, &a), 0);
	assert_string_equal(a.transport, "vsock");
	assert_int_equal(init_args_parse(ARGC(unix_dir), unix_dir, &a), 0);
	assert_string_equal(a.transport, "unix:/root/sock");
	assert_int_equal(a.entropy_port, 1);
	assert_string_equal(a.child_argv[0], "/bin/gcs");
	assert_int_equal(init_args_parse(ARGC(joined), joined, &a), 0);
	assert_string_equal(a.transport, "unix:/x");
	assert_int_equal(init_args_parse(ARGC(missing), missing, &a), -EINVAL);
}

static void test_zero_or_bad_entropy_port_is_refused(void **state)
{
	char *zero[] = { "/init", "-e", "0", "/bin/gcs", NULL };
	char *word[] = { "/init", "-e", "one", "/bin/gcs", NULL };
	char *missing[] = { "/init", "-e", NULL };
	char *negative[] = { "/init", "-e", "-5", "/bin/gcs", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(zero), zero, &a), -EINVAL);
	assert_int_equal(init_args_parse(ARGC(word), word, &a), -EINVAL);
	assert_int_equal(init_args_parse(ARGC(missing), missing, &a), -EINVAL);
	assert_int_equal(init_args_parse(ARGC(negative), negative, &a), -EINVAL);
}

static void test_unknown_option_is_refused(void **state)
{
	char *argv[] = { "/init", "-x", "/bin/gcs", NULL };
	char *wx[] = { "/init", "-wx", "/bin/gcs", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), -EINVAL);
	assert_int_equal(init_args_parse(ARGC(wx), wx, &a), -EINVAL);
}

static void test_options_without_program_are_refused(void **state)
{
	char *argv[] = { "/init", "-e", "1", NULL };
	char *dash[] = { "/init", "--", NULL };
	struct init_args a;
	assert_int_equal(init_args_parse(ARGC(argv), argv, &a), -EINVAL);
	assert_int_equal(init_args_parse(ARGC(dash), dash, &a), -EINVAL);
}

static void test_vsockexec_gcs_log_port(void **state)
{
	char *argv[] = { "vsockexec", "-e", "109", "/bin/gcs", "-v4", "-e", "x", NULL };
	struct vsockexec_args a;
	assert_int_equal(vsockexec_args_parse(ARGC(argv), argv, &a), 0);
	assert_false(a.has_port[0]);
	assert_false(a.has_port[1]);
	assert_true(a.has_port[2]);
	assert_int_equal(a.port[2], 109);
	assert_string_equal(a.transport, "vsock");
	assert_string_equal(a.argv[0], "/bin/gcs");
	assert_string_equal(a.argv[2], "-e");
}

static void test_vsockexec_all_three_ports_and_unix_transport(void **state)
{
	char *argv[] = { "vsockexec", "-i", "5", "-o6", "-e", "6", "--transport", "unix:/tmp/x", "cat", NULL };
	struct vsockexec_args a;
	assert_int_equal(vsockexec_args_parse(ARGC(argv), argv, &a), 0);
	assert_int_equal(a.port[0], 5);
	assert_int_equal(a.port[1], 6);
	assert_int_equal(a.port[2], 6);
	assert_string_equal(a.transport, "unix:/tmp/x");
	assert_string_equal(a.argv[0], "cat");
}

static void test_vsockexec_refuses_missing_program_and_bad_port(void **state)
{
	char *noprog[] = { "vsockexec", "-e", "109", NULL };
	char *badport[] = { "vsockexec", "-o", "99999999999", "cat", NULL };
	char *reconnect_without_output[] = { "vsockexec", "-r", "-i", "3", "cat", NULL };
	char *unknown[] = { "vsockexec", "-z", "cat", NULL };
	struct vsockexec_args a;
	assert_int_equal(vsockexec_args_parse(ARGC(noprog), noprog, &a), -EINVAL);
	assert_int_equal(vsockexec_args_parse(ARGC(badport), badport, &a), -EINVAL);
	assert_int_equal(vsockexec_args_parse(ARGC(reconnect_without_output), reconnect_without_output, &a), -EINVAL);
	assert_int_equal(vsockexec_args_parse(ARGC(unknown), unknown, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_arguments_runs_gcs_like_the_seed_image),
		cmocka_unit_test(test_current_host_command_line_leaves_vsockexec_options_alone),
		cmocka_unit_test(test_double_dash_ends_options),
		cmocka_unit_test(test_program_after_double_dash_with_shell_command),
		cmocka_unit_test(test_debug_shell_and_writable_overlays),
		cmocka_unit_test(test_transport_defaults_to_vsock_and_can_be_a_unix_directory),
		cmocka_unit_test(test_zero_or_bad_entropy_port_is_refused),
		cmocka_unit_test(test_unknown_option_is_refused),
		cmocka_unit_test(test_options_without_program_are_refused),
		cmocka_unit_test(test_vsockexec_gcs_log_port),
		cmocka_unit_test(test_vsockexec_all_three_ports_and_unix_transport),
		cmocka_unit_test(test_vsockexec_refuses_missing_program_and_bad_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
