/* kconfig_parse.h: a kernel .config as a table of symbols.
 *
 * Owns the .config text format written by the kernel's Kconfig tools:
 *   CONFIG_NAME=y | m | n | 123 | 0x1f | "quoted \"string\""
 *   # CONFIG_NAME is not set
 * Any other line starting with '#' is a comment; blank lines are ignored;
 * anything else is a syntax error (so a file that is not a kernel config is
 * refused instead of silently passing as "nothing set"). When a symbol is
 * assigned twice the last assignment wins, as in Kconfig itself. Names are
 * stored and looked up without the CONFIG_ prefix. */
#ifndef LCOW_KCONFIG_PARSE_H
#define LCOW_KCONFIG_PARSE_H

#include <stddef.h>

enum kconfig_kind {
	KCONFIG_NOT_SET, /* "# CONFIG_X is not set" */
	KCONFIG_YES,     /* =y, built in */
	KCONFIG_MODULE,  /* =m */
	KCONFIG_NO,      /* =n (rare, written by hand) */
	KCONFIG_NUMBER,  /* decimal or 0x hex; value holds the text */
	KCONFIG_STRING,  /* value holds the unescaped string */
};

struct kconfig_entry {
	char *name;     /* without CONFIG_ */
	enum kconfig_kind kind;
	char *value;    /* for NUMBER and STRING; NULL otherwise */
	unsigned line;  /* 1-based line of the assignment that counts */
};

struct kconfig {
	struct kconfig_entry *entries; /* sorted by name, unique */
	size_t count;
};

/* Parses LEN bytes of TEXT into *OUT (which the caller frees with
 * kconfig_free, also after a failure). Returns 0, -EINVAL with err_text()
 * naming the line for a malformed file, or -ENOMEM. */
int kconfig_parse(const char *text, size_t len, struct kconfig *out);

/* The entry for NAME (with or without the CONFIG_ prefix), or NULL. */
const struct kconfig_entry *kconfig_lookup(const struct kconfig *cfg, const char *name);

void kconfig_free(struct kconfig *cfg);

#endif
