/* kconfig_rules.h: what a kernel config must provide to run as an LCOW
 * utility VM, and the check of a parsed .config against it.
 *
 * Every requirement is "built in (=y)": the image carries no modules and
 * neither host generation loads any. Each rule has a short reason, printed
 * next to a failure so the reader knows what breaks without it. */
#ifndef LCOW_KCONFIG_RULES_H
#define LCOW_KCONFIG_RULES_H

#include <stddef.h>

#include "lib/kconfig_parse.h"

struct kconfig_rule {
	const char *name; /* without CONFIG_ */
	const char *reason;
};

/* The LCOW requirements, in a stable reading order. */
extern const struct kconfig_rule kconfig_lcow_rules[];
extern const size_t kconfig_lcow_rule_count;

/* A rule the config does not meet; ENTRY is NULL when the symbol is absent. */
struct kconfig_finding {
	const struct kconfig_rule *rule;
	const struct kconfig_entry *entry;
};

/* Checks CFG against RULES[0..COUNT) in order, storing at most MAX findings
 * in OUT. Returns the number of unmet rules (which may exceed MAX). */
size_t kconfig_check(const struct kconfig *cfg, const struct kconfig_rule *rules, size_t count,
		     struct kconfig_finding *out, size_t max);

/* Formats one finding as "NAME=m: must be built in (=y): REASON" (the
 * value part reads "NAME is not set" or "NAME is absent" when there is no
 * value). Returns the length snprintf would write. */
int kconfig_finding_format(const struct kconfig_finding *f, char *buf, size_t len);

#endif
