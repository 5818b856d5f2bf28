/* Fuzz target: the kernel .config parser and the LCOW rule check never
 * crash or leak on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lib/kconfig_parse.h"
#include "lib/kconfig_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kconfig cfg;
	if (kconfig_parse((const char *)data, size, &cfg) == 0) {
		struct kconfig_finding f[8];
		size_t n = kconfig_check(&cfg, kconfig_lcow_rules, kconfig_lcow_rule_count, f, 8);
		char line[256];
		for (size_t i = 0; i < n && i < 8; i++)
			kconfig_finding_format(&f[i], line, sizeof(line));
	}
	kconfig_free(&cfg);
	return 0;
}
