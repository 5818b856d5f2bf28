/* vsockexec_args.c: parsing of vsockexec's arguments (see
 * vsockexec_args.h). */
#include "lib/vsockexec_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/port_args.h"

int vsockexec_args_parse(int argc, char *const *argv, struct vsockexec_args *out)
{
	memset(out, 0, sizeof(*out));
	out->transport = "vsock";
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		int t = transport_arg_parse(argc, argv, &i, &out->transport);
		if (t < 0)
			return t;
		if (t)
			continue;
		if (strcmp(a, "-r") == 0) {
			out->reconnect = true;
			continue;
		}
		const char *which = strchr("ioe", a[1]);
		if (!which || a[1] == '\0')
			return err_setmsg(-EINVAL, "unknown option '%s'", a);
		int slot = (int)(which - "ioe");
		const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
		char opt[3] = { '-', a[1], '\0' };
		int r = port_arg_parse(opt, v, false, &out->port[slot]);
		if (r < 0)
			return r;
		out->has_port[slot] = true;
	}
	if (i >= argc)
		return err_setmsg(-EINVAL, "no program to run");
	out->argv = argv + i;
	if (out->reconnect && !out->has_port[1] && !out->has_port[2])
		return err_setmsg(-EINVAL, "-r needs -o or -e");
	return 0;
}
