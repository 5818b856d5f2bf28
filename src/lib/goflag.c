/* goflag.c: Go `flag`-compatible command-line parsing (see goflag.h). */
#include "lib/goflag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

int goflag_set_bool(const struct goflag *f, const char *value)
{
	bool v;
	if (strcmp(value, "1") == 0 || strcasecmp(value, "true") == 0 || strcmp(value, "t") == 0)
		v = true;
	else if (strcmp(value, "0") == 0 || strcasecmp(value, "false") == 0 || strcmp(value, "f") == 0)
		v = false;
	else
		return err_setmsg(-EINVAL, "invalid boolean value \"%s\" for flag -%s", value, f->name);
	*(bool *)f->target = v;
	return 0;
}

int goflag_set_string(const struct goflag *f, const char *value)
{
	*(const char **)f->target = value;
	return 0;
}

int goflag_set_int(const struct goflag *f, const char *value)
{
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 0);
	if (errno || !*value || *end)
		return err_setmsg(-EINVAL, "invalid value \"%s\" for flag -%s: not an integer", value, f->name);
	*(long long *)f->target = v;
	return 0;
}

static const struct goflag *find_flag(const struct goflag *flags, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

int goflag_parse(const struct goflag *flags, size_t n, int argc, char **argv, int *next)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		const char *name = a + 1;
		if (*name == '-')
			name++;
		if (*name == '-' || *name == '=')
			return err_setmsg(-EINVAL, "bad flag syntax: %s", a);
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		if ((len == 1 && name[0] == 'h') || (len == 4 && strncmp(name, "help", 4) == 0))
			return -ECANCELED;
		const struct goflag *f = find_flag(flags, n, name, len);
		if (!f)
			return err_setmsg(-EINVAL, "flag provided but not defined: -%.*s", (int)len, name);
		const char *value;
		if (eq)
			value = eq + 1;
		else if (f->is_bool)
			value = "true";
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return err_setmsg(-EINVAL, "flag needs an argument: -%s", f->name);
		int r = f->set(f, value);
		if (r < 0)
			return r;
	}
	*next = i;
	return 0;
}

void goflag_print_defaults(FILE *out, const struct goflag *flags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct goflag *f = &flags[i];
		if (f->is_bool) {
			fprintf(out, "  -%s\n    \t%s\n", f->name, f->help);
			continue;
		}
		const char *arg = f->arg_name ? f->arg_name : (f->set == goflag_set_int ? "int" : "string");
		fprintf(out, "  -%s %s\n    \t%s", f->name, arg, f->help);
		if (f->set == goflag_set_string && f->target) {
			const char *v = *(const char *const *)f->target;
			if (v && *v)
				fprintf(out, " (default \"%s\")", v);
		}
		fputc('\n', out);
	}
}
