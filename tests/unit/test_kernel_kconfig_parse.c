/* Unit tests for the kernel .config parser (src/lib/kconfig_parse.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/kconfig_parse.h"

static int parse(const char *text, struct kconfig *cfg)
{
	return kconfig_parse(text, strlen(text), cfg);
}

static void test_builtin_module_and_no_are_told_apart(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_A=y\nCONFIG_B=m\nCONFIG_C=n\n", &cfg), 0);
	assert_int_equal(cfg.count, 3);
	assert_int_equal(kconfig_lookup(&cfg, "A")->kind, KCONFIG_YES);
	assert_int_equal(kconfig_lookup(&cfg, "B")->kind, KCONFIG_MODULE);
	assert_int_equal(kconfig_lookup(&cfg, "C")->kind, KCONFIG_NO);
	kconfig_free(&cfg);
}

static void test_is_not_set_comment_records_the_symbol(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("# CONFIG_HYPERV is not set\nCONFIG_X=y\n", &cfg), 0);
	const struct kconfig_entry *e = kconfig_lookup(&cfg, "HYPERV");
	assert_non_null(e);
	assert_int_equal(e->kind, KCONFIG_NOT_SET);
	assert_int_equal(e->line, 1);
	kconfig_free(&cfg);
}

static void test_other_comments_and_blank_lines_are_ignored(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("#\n# Automatically generated file; DO NOT EDIT.\n\n# CONFIG_X is set sometimes\n"
			       "#CONFIG_Y is not set\nCONFIG_Z=y\n",
			       &cfg),
			 0);
	assert_int_equal(cfg.count, 1);
	assert_null(kconfig_lookup(&cfg, "X"));
	assert_null(kconfig_lookup(&cfg, "Y"));
	kconfig_free(&cfg);
}

static void test_string_values_are_unescaped(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_LOCALVERSION=\"-lcow\"\nCONFIG_CMDLINE=\"a \\\"b\\\" c\\\\d\"\nCONFIG_E=\"\"\n", &cfg), 0);
	const struct kconfig_entry *e = kconfig_lookup(&cfg, "LOCALVERSION");
	assert_int_equal(e->kind, KCONFIG_STRING);
	assert_string_equal(e->value, "-lcow");
	assert_string_equal(kconfig_lookup(&cfg, "CMDLINE")->value, "a \"b\" c\\d");
	assert_string_equal(kconfig_lookup(&cfg, "E")->value, "");
	kconfig_free(&cfg);
}

static void test_numbers_keep_their_text(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_NR_CPUS=64\nCONFIG_BASE=0x1000000\nCONFIG_NEG=-1\n", &cfg), 0);
	assert_int_equal(kconfig_lookup(&cfg, "NR_CPUS")->kind, KCONFIG_NUMBER);
	assert_string_equal(kconfig_lookup(&cfg, "NR_CPUS")->value, "64");
	assert_string_equal(kconfig_lookup(&cfg, "BASE")->value, "0x1000000");
	assert_string_equal(kconfig_lookup(&cfg, "NEG")->value, "-1");
	kconfig_free(&cfg);
}

static void test_lookup_accepts_the_config_prefix(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_VSOCKETS=y\n", &cfg), 0);
	assert_ptr_equal(kconfig_lookup(&cfg, "CONFIG_VSOCKETS"), kconfig_lookup(&cfg, "VSOCKETS"));
	assert_null(kconfig_lookup(&cfg, "VSOCKET"));
	kconfig_free(&cfg);
}

static void test_last_assignment_wins(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_HYPERV=m\nCONFIG_A=y\n# CONFIG_HYPERV is not set\nCONFIG_HYPERV=y\n", &cfg), 0);
	assert_int_equal(cfg.count, 2);
	assert_int_equal(kconfig_lookup(&cfg, "HYPERV")->kind, KCONFIG_YES);
	assert_int_equal(kconfig_lookup(&cfg, "HYPERV")->line, 4);
	kconfig_free(&cfg);
}

static void test_crlf_and_missing_final_newline_are_accepted(void **state)
{
	(void)state;
	struct kconfig cfg;
	assert_int_equal(parse("CONFIG_A=y\r\n# CONFIG_B is not set\r\nCONFIG_C=m", &cfg), 0);
	assert_int_equal(kconfig_lookup(&cfg, "A")->kind, KCONFIG_YES);
	assert_int_equal(kconfig_lookup(&cfg, "B")->kind, KCONFIG_NOT_SET);
	assert_int_equal(kconfig_lookup(&cfg, "C")->kind, KCONFIG_MODULE);
	kconfig_free(&cfg);
}

static void test_lookup_finds_every_symbol_of_a_large_config(void **state)
{
	(void)state;
	static char text[64 * 1024];
	size_t o = 0;
	for (int i = 999; i >= 0; i--)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "CONFIG_SYM_%d=%s\n", i, i % 2 ? "y" : "m");
	struct kconfig cfg;
	assert_int_equal(kconfig_parse(text, o, &cfg), 0);
	assert_int_equal(cfg.count, 1000);
	for (int i = 0; i < 1000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "SYM_%d", i);
		const struct kconfig_entry *e = kconfig_lookup(&cfg, name);
		assert_non_null(e);
		assert_int_equal(e->kind, i % 2 ? KCONFIG_YES : KCONFIG_MODULE);
	}
	kconfig_free(&cfg);
}

static void expect_refused(const char *text, const char *message)
{
	struct kconfig cfg;
	err_clear();
	assert_int_equal(kconfig_parse(text, strlen(text), &cfg), -EINVAL);
	assert_non_null(strstr(err_text(), message));
	kconfig_free(&cfg);
}

static void test_unterminated_string_is_refused_with_its_line(void **state)
{
	(void)state;
	expect_refused("CONFIG_A=y\nCONFIG_B=\"abc\n", "line 2: unterminated string");
	expect_refused("CONFIG_B=\"abc\\\"\n", "unterminated string");
	expect_refused("CONFIG_B=\"abc\" x\n", "line 1: text after the closing quote");
}

static void test_text_that_is_not_a_config_is_refused(void **state)
{
	(void)state;
	expect_refused("hello world\n", "line 1: neither a comment nor a CONFIG_ assignment");
	expect_refused("CONFIG_A=y\nCONFIG_\n", "line 2");
	expect_refused("CONFIG_A y\n", "not a CONFIG_NAME=VALUE assignment");
	expect_refused("CONFIG_A=\n", "empty value");
	expect_refused("CONFIG_A=yes\n", "unrecognised value 'yes'");
	expect_refused("CONFIG_A=0xZZ\n", "unrecognised value");
}

static void test_empty_or_comment_only_file_is_not_a_config(void **state)
{
	(void)state;
	expect_refused("", "no CONFIG_ lines");
	expect_refused("# just a comment\n\n", "no CONFIG_ lines");
}

static void test_nul_bytes_mean_a_binary_file(void **state)
{
	(void)state;
	struct kconfig cfg;
	const char bin[] = "CONFIG_A=y\n\0\x01\x02";
	assert_int_equal(kconfig_parse(bin, sizeof(bin), &cfg), -EINVAL);
	assert_non_null(strstr(err_text(), "NUL"));
	kconfig_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_module_and_no_are_told_apart),
		cmocka_unit_test(test_is_not_set_comment_records_the_symbol),
		cmocka_unit_test(test_other_comments_and_blank_lines_are_ignored),
		cmocka_unit_test(test_string_values_are_unescaped),
		cmocka_unit_test(test_numbers_keep_their_text),
		cmocka_unit_test(test_lookup_accepts_the_config_prefix),
		cmocka_unit_test(test_last_assignment_wins),
		cmocka_unit_test(test_crlf_and_missing_final_newline_are_accepted),
		cmocka_unit_test(test_lookup_finds_every_symbol_of_a_large_config),
		cmocka_unit_test(test_unterminated_string_is_refused_with_its_line),
		cmocka_unit_test(test_text_that_is_not_a_config_is_refused),
		cmocka_unit_test(test_empty_or_comment_only_file_is_not_a_config),
		cmocka_unit_test(test_nul_bytes_mean_a_binary_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
