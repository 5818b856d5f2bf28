/* vhd2tar_flags.c: Go-style flag parsing for gcstools (see the header). */
#include "lib/vhd2tar_flags.h"

#include <string.h>

static const struct goflag *find_flag(const struct goflag *flags, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

enum goflag_result goflag_parse(const struct goflag *flags, size_t nflags, int argc, char **argv, int *first_arg,
				char *errbuf, size_t errlen)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		a++;
		if (a[0] == '-') {
			if (a[1] == '\0') { /* "--" ends the flags */
				i++;
				break;
			}
			a++;
		}
		if (a[0] == '-' || a[0] == '=') {
			snprintf(errbuf, errlen, "bad flag syntax: %s", argv[i]);
			*first_arg = i;
			return GOFLAG_ERROR;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const struct goflag *f = find_flag(flags, nflags, a, len);
		if (!f) {
			*first_arg = i;
			if ((len == 1 && a[0] == 'h') || (len == 4 && strncmp(a, "help", 4) == 0))
				return GOFLAG_HELP;
			snprintf(errbuf, errlen, "flag provided but not defined: -%.*s", (int)len, a);
			return GOFLAG_ERROR;
		}
		if (f->kind == GOFLAG_BOOL) {
			bool v = true;
			if (eq && parse_bool(eq + 1, &v) < 0) {
				snprintf(errbuf, errlen, "invalid boolean value \"%s\" for -%s: parse error", eq + 1, f->name);
				*first_arg = i;
				return GOFLAG_ERROR;
			}
			*(bool *)f->value = v;
			continue;
		}
		if (eq) {
			*(const char **)f->value = eq + 1;
		} else if (i + 1 < argc) {
			*(const char **)f->value = argv[++i];
		} else {
			snprintf(errbuf, errlen, "flag needs an argument: -%s", f->name);
			*first_arg = i;
			return GOFLAG_ERROR;
		}
	}
	*first_arg = i;
	return GOFLAG_OK;
}

void goflag_usage(FILE *out, const char *prog, const char *synopsis, const struct goflag *flags, size_t nflags)
{
	fprintf(out, "Usage of %s:\n", prog);
	if (synopsis)
		fprintf(out, "%s\n", synopsis);
	for (size_t i = 0; i < nflags; i++) {
		const struct goflag *f = &flags[i];
		if (f->kind == GOFLAG_BOOL) {
			fprintf(out, "  -%s\n    \t%s\n", f->name, f->usage);
		} else {
			const char *v = *(const char **)f->value;
			fprintf(out, "  -%s string\n    \t%s", f->name, f->usage);
			if (v && *v)
				fprintf(out, " (default \"%s\")", v);
			fputc('\n', out);
		}
	}
}
