/* vhd2tar_flags.h: command-line flags with Go `flag` package semantics,
 * as every SEED gcstools sub-command parses them
 * (../shared/spec/gcstools.md §1.1): -name value, -name=value, --name value
 * and --name=value are the same; parsing stops at the first non-flag
 * argument or after "--"; a lone "-" is an argument. Boolean flags take
 * -name or -name=true|false. */
#ifndef LCOW_VHD2TAR_FLAGS_H
#define LCOW_VHD2TAR_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum goflag_kind { GOFLAG_STRING, GOFLAG_BOOL };

struct goflag {
	const char *name;
	enum goflag_kind kind;
	void *value; /* const char ** or bool * */
	const char *usage;
};

enum goflag_result {
	GOFLAG_OK = 0,
	GOFLAG_HELP = 1,  /* -h, -help, --help: print usage, exit 2 (Go) */
	GOFLAG_ERROR = 2, /* message in *error (static or in buf); exit 2 */
};

/* Parses argv[1..]; *first_arg receives the index of the first positional
 * argument (argc when none). String values point into argv. On error,
 * errbuf holds the message Go prints ("flag provided but not defined: -x"). */
enum goflag_result goflag_parse(const struct goflag *flags, size_t nflags, int argc, char **argv, int *first_arg,
				char *errbuf, size_t errlen);

/* "Usage of PROG:" and one block per flag, with the current values as
 * defaults, in Go's layout. */
void goflag_usage(FILE *out, const char *prog, const char *synopsis, const struct goflag *flags, size_t nflags);

#endif
