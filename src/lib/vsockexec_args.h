/* vsockexec_args.h: vsockexec's command line
 * (../shared/spec/gcs-protocol.md §9.3), pure and unit-tested.
 *
 *   vsockexec [-r] [-i PORT] [-o PORT] [-e PORT] [--transport vsock|unix:DIR]
 *             [--] PROGRAM [ARGS...]
 *
 * Options stop at the first non-option, so the program's own flags are
 * never taken. */
#ifndef LCOW_VSOCKEXEC_ARGS_H
#define LCOW_VSOCKEXEC_ARGS_H

#include <stdbool.h>
#include <stdint.h>

struct vsockexec_args {
	bool reconnect;        /* -r */
	bool has_port[3];      /* stdin, stdout, stderr */
	uint32_t port[3];
	const char *transport; /* "vsock" unless --transport */
	char *const *argv;     /* the program, NULL-terminated */
};

/* Returns 0, or -EINVAL with err text (unknown option, bad port, no
 * program, -r without -o or -e). */
int vsockexec_args_parse(int argc, char *const *argv, struct vsockexec_args *out);

#endif
