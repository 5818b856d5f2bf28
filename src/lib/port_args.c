/* port_args.c: vsock port and --transport options (see port_args.h). */
#include "lib/port_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

int port_arg_parse(const char *opt, const char *s, bool nonzero, uint32_t *out)
{
	if (!s)
		return err_setmsg(-EINVAL, "%s needs a port number", opt);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX || (nonzero && v == 0))
		return err_setmsg(-EINVAL, "%s: '%s' is not a %sport number", opt, s, nonzero ? "non-zero " : "");
	*out = (uint32_t)v;
	return 0;
}

int transport_arg_parse(int argc, char *const *argv, int *i, const char **transport)
{
	const char *a = argv[*i];
	if (strcmp(a, "--transport") != 0 && strncmp(a, "--transport=", 12) != 0)
		return 0;
	const char *v = a[11] == '=' ? a + 12 : (*i + 1 < argc ? argv[++*i] : NULL);
	if (!v || !*v)
		return err_setmsg(-EINVAL, "--transport needs vsock or unix:DIR");
	*transport = v;
	return 1;
}
