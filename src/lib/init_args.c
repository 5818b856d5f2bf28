/* init_args.c: parsing of /init's arguments (see init_args.h). Written by
 * hand rather than with getopt so it keeps no global state and is unit
 * tested as a pure function. */
#include "lib/init_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/port_args.h"

char *const init_default_gcs_argv[] = { "/bin/gcs", "-loglevel=debug", "-logfile=/tmp/gcs.log", NULL };
const char init_default_shell[] = "/bin/sh";

int init_args_parse(int argc, char *const *argv, struct init_args *out)
{
	memset(out, 0, sizeof(*out));
	out->transport = "vsock";
	if (argc <= 1) {
		out->seed_default = true;
		out->child_argv = init_default_gcs_argv;
		return 0;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break; /* first non-option: the program */
		int t = transport_arg_parse(argc, argv, &i, &out->transport);
		if (t < 0)
			return t;
		if (t)
			continue;
		/* Single-letter options, value either attached (-e1) or next. */
		char opt = a[1];
		const char *val = a[2] ? a + 2 : NULL;
		switch (opt) {
		case 'w':
			if (a[2])
				return err_setmsg(-EINVAL, "unknown option '%s'", a);
			out->writable_overlays = true;
			break;
		case 'e':
		case 'd':
			if (!val && i + 1 < argc)
				val = argv[++i];
			if (opt == 'e') {
				int r = port_arg_parse("-e", val, true, &out->entropy_port);
				if (r < 0)
					return r;
			} else {
				if (!val || !*val)
					return err_setmsg(-EINVAL, "-d needs a shell");
				out->debug_shell = val;
			}
			break;
		default:
			return err_setmsg(-EINVAL, "unknown option '%s'", a);
		}
	}
	if (i < argc)
		out->child_argv = argv + i;
	if (!out->child_argv && !out->debug_shell)
		return err_setmsg(-EINVAL, "nothing to run: give a program (after the options or '--') or -d SHELL");
	return 0;
}
