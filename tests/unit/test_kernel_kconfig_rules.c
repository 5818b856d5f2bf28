/* Unit tests for the LCOW kernel requirements (src/lib/kconfig_rules.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/kconfig_parse.h"
#include "lib/kconfig_rules.h"

static const struct kconfig_rule two_rules[] = {
	{ "HYPERV_VSOCKETS", "the host bridge is Hyper-V vsock" },
	{ "OVERLAY_FS", "container root file systems are overlays" },
};

static size_t check_text(const char *text, struct kconfig *cfg, struct kconfig_finding *out, size_t max)
{
	assert_int_equal(kconfig_parse(text, strlen(text), cfg), 0);
	return kconfig_check(cfg, two_rules, 2, out, max);
}

static const char *format(const struct kconfig_finding *f)
{
	static char buf[512];
	kconfig_finding_format(f, buf, sizeof(buf));
	return buf;
}

static void test_builtin_options_meet_the_rules(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("CONFIG_OVERLAY_FS=y\nCONFIG_HYPERV_VSOCKETS=y\n", &cfg, f, 4), 0);
	kconfig_free(&cfg);
}

static void test_module_is_reported_with_the_reason(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("CONFIG_HYPERV_VSOCKETS=m\nCONFIG_OVERLAY_FS=y\n", &cfg, f, 4), 1);
	assert_string_equal(format(&f[0]),
			    "HYPERV_VSOCKETS=m: must be built in (=y): the host bridge is Hyper-V vsock");
	kconfig_free(&cfg);
}

static void test_not_set_and_absent_read_differently(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("# CONFIG_HYPERV_VSOCKETS is not set\nCONFIG_X=y\n", &cfg, f, 4), 2);
	assert_string_equal(format(&f[0]),
			    "HYPERV_VSOCKETS is not set: must be built in (=y): the host bridge is Hyper-V vsock");
	assert_null(f[1].entry);
	assert_string_equal(format(&f[1]),
			    "OVERLAY_FS is absent: must be built in (=y): container root file systems are overlays");
	kconfig_free(&cfg);
}

static void test_string_and_number_values_are_quoted_back(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("CONFIG_HYPERV_VSOCKETS=\"y\"\nCONFIG_OVERLAY_FS=1\n", &cfg, f, 4), 2);
	assert_string_equal(format(&f[0]),
			    "HYPERV_VSOCKETS=\"y\": must be built in (=y): the host bridge is Hyper-V vsock");
	assert_string_equal(format(&f[1]), "OVERLAY_FS=1: must be built in (=y): container root file systems are overlays");
	kconfig_free(&cfg);
}

static void test_explicit_n_is_unmet(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("CONFIG_HYPERV_VSOCKETS=n\nCONFIG_OVERLAY_FS=y\n", &cfg, f, 4), 1);
	assert_string_equal(format(&f[0]), "HYPERV_VSOCKETS=n: must be built in (=y): the host bridge is Hyper-V vsock");
	kconfig_free(&cfg);
}

static void test_count_is_exact_when_findings_do_not_fit(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[1];
	assert_int_equal(check_text("CONFIG_OTHER=y\n", &cfg, f, 1), 2);
	assert_string_equal(f[0].rule->name, "HYPERV_VSOCKETS");
	kconfig_free(&cfg);
}

static void test_findings_keep_the_table_order(void **state)
{
	(void)state;
	struct kconfig cfg;
	struct kconfig_finding f[4];
	assert_int_equal(check_text("CONFIG_OVERLAY_FS=m\nCONFIG_HYPERV_VSOCKETS=m\n", &cfg, f, 4), 2);
	assert_string_equal(f[0].rule->name, "HYPERV_VSOCKETS");
	assert_string_equal(f[1].rule->name, "OVERLAY_FS");
	kconfig_free(&cfg);
}

static void test_lcow_table_names_the_brief_essentials_once_each(void **state)
{
	(void)state;
	static const char *essential[] = { "HYPERV_VSOCKETS", "VIRTIO_VSOCKETS", "VSOCKETS_LOOPBACK", "ACPI_NFIT",
					   "BLK_DEV_PMEM", "OVERLAY_FS", "EXT4_FS", "NET_9P_FD", "EFI_STUB",
					   "DM_VERITY", "DM_INIT", "CGROUP_BPF", "SECCOMP_FILTER", "PTP_1588_CLOCK" };
	for (size_t i = 0; i < sizeof(essential) / sizeof(essential[0]); i++) {
		int seen = 0;
		for (size_t j = 0; j < kconfig_lcow_rule_count; j++)
			seen += strcmp(kconfig_lcow_rules[j].name, essential[i]) == 0;
		assert_int_equal(seen, 1);
	}
	for (size_t j = 0; j < kconfig_lcow_rule_count; j++) {
		assert_true(strncmp(kconfig_lcow_rules[j].name, "CONFIG_", 7) != 0);
		assert_true(strlen(kconfig_lcow_rules[j].reason) > 0);
		for (size_t k = j + 1; k < kconfig_lcow_rule_count; k++)
			assert_true(strcmp(kconfig_lcow_rules[j].name, kconfig_lcow_rules[k].name) != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_options_meet_the_rules),
		cmocka_unit_test(test_module_is_reported_with_the_reason),
		cmocka_unit_test(test_not_set_and_absent_read_differently),
		cmocka_unit_test(test_string_and_number_values_are_quoted_back),
		cmocka_unit_test(test_explicit_n_is_unmet),
		cmocka_unit_test(test_count_is_exact_when_findings_do_not_fit),
		cmocka_unit_test(test_findings_keep_the_table_order),
		cmocka_unit_test(test_lcow_table_names_the_brief_essentials_once_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
