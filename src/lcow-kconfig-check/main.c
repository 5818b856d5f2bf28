/* main.c: lcow-kconfig-check, the command-line front of the kernel config
 * rules (src/lib/kconfig_rules.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/kconfig_parse.h"
#include "lib/kconfig_rules.h"
#include "os/kconfig_file.h"

enum { EXIT_FIT = 0, EXIT_UNFIT = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lcow-kconfig-check [-q] FILE\n"
		"       lcow-kconfig-check --list\n"
		"\n"
		"Checks a kernel configuration against what an LCOW utility VM needs\n"
		"built in. FILE is a .config, plain or compressed (gzip, xz, zstd,\n"
		"bzip2: /proc/config.gz, Debian's config.*.xz); '-' reads stdin.\n"
		"Prints one line per unmet requirement, e.g.\n"
		"  HYPERV_VSOCKETS=m: must be built in (=y): the host bridge is Hyper-V vsock\n"
		"\n"
		"  -q, --quiet  print nothing, only set the exit status\n"
		"  --list       print every requirement and its reason, then exit 0\n"
		"  -h, --help   this text\n"
		"\n"
		"Exit status: 0 the config is fit (every requirement =y), 1 it is not,\n"
		"2 usage error or a file that cannot be read or is not a kernel config.\n");
}

static void list_rules(void)
{
	for (size_t i = 0; i < kconfig_lcow_rule_count; i++)
		printf("%s: %s\n", kconfig_lcow_rules[i].name, kconfig_lcow_rules[i].reason);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_FIT;
		} else if (strcmp(a, "--list") == 0) {
			list_rules();
			return EXIT_FIT;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "lcow-kconfig-check: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (path) {
			fprintf(stderr, "lcow-kconfig-check: one FILE only\n");
			return EXIT_USAGE;
		} else {
			path = a;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}

	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = kconfig_file_read(path, &text, &len);
	if (r < 0) {
		fprintf(stderr, "lcow-kconfig-check: %s\n", err_text());
		return EXIT_USAGE;
	}
	struct kconfig cfg;
	r = kconfig_parse(text, len, &cfg);
	if (r < 0) {
		fprintf(stderr, "lcow-kconfig-check: %s: %s\n", path, err_text());
		kconfig_free(&cfg);
		return EXIT_USAGE;
	}

	struct kconfig_finding findings[256];
	_Static_assert(sizeof(findings) / sizeof(findings[0]) >= 128, "room for every rule");
	size_t unmet = kconfig_check(&cfg, kconfig_lcow_rules, kconfig_lcow_rule_count, findings, ARRAY_SIZE(findings));
	if (!quiet) {
		char line[512];
		for (size_t i = 0; i < unmet && i < ARRAY_SIZE(findings); i++) {
			kconfig_finding_format(&findings[i], line, sizeof(line));
			printf("%s\n", line);
		}
		if (unmet)
			fprintf(stderr, "lcow-kconfig-check: %s: unfit for LCOW: %zu of %zu requirements unmet\n", path,
				unmet, kconfig_lcow_rule_count);
		else
			printf("%s: fit for LCOW: all %zu requirements built in\n", path, kconfig_lcow_rule_count);
	}
	kconfig_free(&cfg);
	return unmet ? EXIT_UNFIT : EXIT_FIT;
}
