/* remotefs_goflag.h: command-line flags with Go `flag` package semantics.
 *
 * The gcstools sub-commands were Go programs and their callers (the SEED GCS,
 * Docker's LCOW driver) build command lines for Go's `flag` package
 * (../shared/spec/gcstools.md §1.1): `-name value`, `-name=value`,
 * `--name value` and `--name=value` are equivalent; parsing stops at the
 * first non-flag argument or after `--`, so positional arguments may start
 * with `-` (`remotefs readdir /x -1`). Shared by remotefs and netnscfg.
 *
 * Pure: no I/O. Errors are returned as text for the caller to print with the
 * usage (Go prints both on stderr and exits 2). */
#ifndef LCOW_REMOTEFS_GOFLAG_H
#define LCOW_REMOTEFS_GOFLAG_H

#include <stddef.h>

enum goflag_type { GOFLAG_STRING, GOFLAG_INT };

struct goflag {
	const char *name;
	enum goflag_type type;
	const char *usage;
	/* GOFLAG_STRING: const char ** (points into argv or at the default);
	 * GOFLAG_INT: long long * (holds the default on entry). */
	void *value;
	int set; /* out: 1 when given on the command line */
};

enum {
	GOFLAG_HELP = -1000, /* -h / -help / --help was given */
};

/* Parses argv[1..] against flags. Returns the index of the first positional
 * argument (argc when none), GOFLAG_HELP for -h/-help, or -EINVAL with the
 * Go-worded reason in msg ("flag provided but not defined: -x"). */
int goflag_parse(struct goflag *flags, size_t nflags, int argc, char **argv, char *msg, size_t msglen);

/* Writes Go's PrintDefaults listing ("  -name string\n    \tusage (default ...)")
 * into buf; returns the length it needed. */
size_t goflag_defaults(const struct goflag *flags, size_t nflags, char *buf, size_t buflen);

#endif
