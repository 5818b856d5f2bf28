/* remotefs_goflag.c: Go `flag` package parsing (see remotefs_goflag.h). */
#include "lib/remotefs_goflag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/remotefs_strconv.h"

static struct goflag *find_flag(struct goflag *flags, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(flags[i].name) == len && memcmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

static int set_value(struct goflag *f, const char *v, char *msg, size_t msglen)
{
	if (f->type == GOFLAG_STRING) {
		*(const char **)f->value = v;
	} else {
		long long x;
		char why[256];
		/* Go's IntVar parses with base 0 (0x.., 0.., decimal). */
		if (go_parse_int(v, 0, 64, &x, why, sizeof(why)) < 0) {
			snprintf(msg, msglen, "invalid value \"%s\" for flag -%s: %s", v, f->name, why);
			return -EINVAL;
		}
		*(long long *)f->value = x;
	}
	f->set = 1;
	return 0;
}

int goflag_parse(struct goflag *flags, size_t nflags, int argc, char **argv, char *msg, size_t msglen)
{
	int i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (strlen(a) < 2 || a[0] != '-')
			break;
		int dashes = 1;
		if (a[1] == '-') {
			dashes = 2;
			if (a[2] == '\0') { /* "--" ends the flags */
				i++;
				break;
			}
		}
		const char *name = a + dashes;
		if (name[0] == '\0' || name[0] == '-' || name[0] == '=') {
			snprintf(msg, msglen, "bad flag syntax: %s", a);
			return -EINVAL;
		}
		i++;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct goflag *f = find_flag(flags, nflags, name, len);
		if (!f) {
			if ((len == 4 && memcmp(name, "help", 4) == 0) || (len == 1 && name[0] == 'h'))
				return GOFLAG_HELP;
			snprintf(msg, msglen, "flag provided but not defined: -%.*s", (int)len, name);
			return -EINVAL;
		}
		const char *value;
		if (eq) {
			value = eq + 1;
		} else {
			if (i >= argc) {
				snprintf(msg, msglen, "flag needs an argument: -%s", f->name);
				return -EINVAL;
			}
			value = argv[i++];
		}
		int r = set_value(f, value, msg, msglen);
		if (r < 0)
			return r;
	}
	return i;
}

size_t goflag_defaults(const struct goflag *flags, size_t nflags, char *buf, size_t buflen)
{
	size_t used = 0;
	for (size_t i = 0; i < nflags; i++) {
		const struct goflag *f = &flags[i];
		char def[512] = "";
		if (f->type == GOFLAG_STRING) {
			const char *d = *(const char **)f->value;
			if (d && d[0])
				snprintf(def, sizeof(def), " (default \"%s\")", d);
		} else {
			long long d = *(long long *)f->value;
			if (d != 0)
				snprintf(def, sizeof(def), " (default %lld)", d);
		}
		char *dst = (buf && used < buflen) ? buf + used : NULL;
		int n = snprintf(dst, dst ? buflen - used : 0, "  -%s %s\n    \t%s%s\n", f->name, f->type == GOFLAG_STRING ? "string" : "int",
				 f->usage, def);
		if (n > 0)
			used += (size_t)n;
	}
	return used;
}
