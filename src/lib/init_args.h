/* init_args.h: /init's command line (../shared/spec/gcs-protocol.md §9.2).
 *
 *   /init [-d SHELL] [-e PORT] [-w] [--transport vsock|unix:DIR] [--] [PROGRAM [ARGS...]]
 *
 * --transport is this project's test seam (docs/init.md): where the -e
 * port is dialled. Hosts never pass it.
 *
 * Options stop at the first non-option (so "-e 1 /bin/vsockexec -e 109
 * ..." gives vsockexec its own -e) or at "--". With no arguments at all,
 * init runs the GCS the way the 2018 image did. Pure code: the result only
 * points into argv and into static tables. */
#ifndef LCOW_INIT_ARGS_H
#define LCOW_INIT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

struct init_args {
	const char *debug_shell;  /* -d SHELL: the shell becomes the primary child */
	uint32_t entropy_port;    /* -e PORT: 0 = no entropy seeding */
	bool writable_overlays;   /* -w: tmpfs-backed overlays on /etc and /var */
	const char *transport;    /* --transport: "vsock" unless given */
	char *const *child_argv;  /* NULL-terminated; NULL when only a shell runs */
	/* No arguments: the SEED default. The GCS is the primary child and a
	 * shell is offered on the console when there is one (docs/init.md). */
	bool seed_default;
};

/* The command line with no arguments (§9.5; SEED image: started from /bin). */
extern char *const init_default_gcs_argv[];
extern const char init_default_shell[];

/* Parses argv[1..argc-1]. Returns 0, or -EINVAL with err text for an
 * unknown option, a missing or zero or non-numeric port, a missing shell,
 * or nothing to run. */
int init_args_parse(int argc, char *const *argv, struct init_args *out);

#endif
