/* gcs_goflag.h: command-line flags in Go's `flag` syntax (§9.4).
 *
 * Hosts start the GCS with Go-style flags: `-name value`, `-name=value`,
 * `--name` forms are equivalent, booleans take no separate value (`-v4`,
 * `-scrub-logs=false`). Parsing stops at the first non-flag argument or
 * at `--`. Pure: the caller supplies the table. */
#ifndef LCOW_GCS_GOFLAG_H
#define LCOW_GCS_GOFLAG_H

#include <stdbool.h>
#include <stddef.h>

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

/* Parses argv[1..]; *next is the index of the first non-flag argument.
 * Returns 0, or -EINVAL with err text (unknown flag, missing value, bad
 * value). "-h"/"-help"/"--help" returns -ECANCELED. */
int goflag_parse(const struct goflag *const *flags, size_t n, int argc, char **argv, int *next);

#endif
