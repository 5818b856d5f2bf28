/* goflag.h: command-line flags in Go's `flag` syntax, for every program.
 *
 * The programs this project replaces were Go programs, and their callers
 * (the 2018 GCS and Docker's LCOW driver for gcstools, hcsshim for gcs) build
 * command lines for Go's `flag` package (../shared/spec/gcstools.md §1.1,
 * ../shared/spec/gcs-protocol.md §9.4): `-name value`, `-name=value`,
 * `--name` forms are equivalent, booleans take no separate value (`-v4`,
 * `-scrub-logs=false`). Parsing stops at the first non-flag argument or
 * at `--`. Pure: the caller supplies the table. */
#ifndef LCOW_GOFLAG_H
#define LCOW_GOFLAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct goflag {
	const char *name;
	bool is_bool;
	const char *arg_name; /* for --help, e.g. "DIR" */
	const char *help;
	/* Called with the value ("true"/"false" for booleans). Returns 0 or a
	 * negative errno (err text says why). */
	int (*set)(const struct goflag *f, const char *value);
	void *target; /* for the generic setters below */
};

/* Generic setters: target is bool*, const char** (argv storage) or long long*. */
int goflag_set_bool(const struct goflag *f, const char *value);
int goflag_set_string(const struct goflag *f, const char *value);
int goflag_set_int(const struct goflag *f, const char *value);

/* Table entries for the generic setters. */
#define GOFLAG_STR(flag_name, arg, help_text, ptr) { (flag_name), false, (arg), (help_text), goflag_set_string, (ptr) }
#define GOFLAG_BOOL(flag_name, help_text, ptr) { (flag_name), true, NULL, (help_text), goflag_set_bool, (ptr) }
#define GOFLAG_INT(flag_name, arg, help_text, ptr) { (flag_name), false, (arg), (help_text), goflag_set_int, (ptr) }

/* Parses argv[1..] against the n flags; *next is the index of the first
 * non-flag argument. Returns 0, or -EINVAL with err text worded as Go words
 * it ("flag provided but not defined: -x", "flag needs an argument: -o").
 * "-h"/"-help"/"--help" returns -ECANCELED. */
int goflag_parse(const struct goflag *flags, size_t n, int argc, char **argv, int *next);

/* One block per flag in the layout of Go's PrintDefaults, with the current
 * value of string flags shown as the default. */
void goflag_print_defaults(FILE *out, const struct goflag *flags, size_t n);

#endif
