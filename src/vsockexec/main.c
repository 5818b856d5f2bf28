/* main.c: vsockexec, runs a program with its stdio on host sockets
 * (../shared/spec/gcs-protocol.md §9.3).
 *
 *   vsockexec [-r] [-i PORT] [-o PORT] [-e PORT] [--transport vsock|unix:DIR]
 *             [--] PROGRAM [ARGS...]
 *
 * Connects stdin, stdout and stderr (in that order) to the given ports on
 * the host (vsock CID 2; with --transport unix:DIR the Unix socket
 * DIR/PORT), reusing one connection for a port named twice, and execs
 * PROGRAM. The CURRENT host's command line is
 * "/bin/vsockexec -e 109 /bin/gcs ...": the GCS logs into port 109. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/vsockexec_args.h"
#include "os/boot_dial.h"
#include "vsockexec/relay.h"

int main(int argc, char **argv)
{
	struct vsockexec_args args;
	struct boot_transport t;
	if (vsockexec_args_parse(argc, argv, &args) < 0 || boot_transport_parse(args.transport, &t) < 0) {
		fprintf(stderr, "vsockexec: %s\n"
				"usage: vsockexec [-r] [-i PORT] [-o PORT] [-e PORT] [--transport vsock|unix:DIR] "
				"PROGRAM [ARGS...]\n",
			err_text());
		return 1;
	}
	if (args.reconnect) {
		uint32_t port = args.has_port[2] ? args.port[2] : args.port[1];
		return relay_run(&t, port, args.has_port[1], args.has_port[2], args.argv);
	}

	int fds[3] = { -1, -1, -1 };
	for (int i = 0; i < 3; i++) {
		if (!args.has_port[i])
			continue;
		for (int j = 0; j < i; j++)
			if (args.has_port[j] && args.port[j] == args.port[i])
				fds[i] = dup(fds[j]);
		if (fds[i] < 0)
			fds[i] = boot_dial(&t, args.port[i]);
		if (fds[i] < 0) {
			fprintf(stderr, "vsockexec: %s\n", err_text());
			return 1;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		/* dup2 clears close-on-exec on the target descriptor. */
		if (dup2(fds[i], i) < 0) {
			fprintf(stderr, "vsockexec: dup2 onto %d: %m\n", i);
			return 1;
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
	execvp(args.argv[0], args.argv);
	int saved = errno;
	/* stderr may already be the log socket: the host sees the reason. */
	fprintf(stderr, "vsockexec: cannot run %s: %s\n", args.argv[0], strerror(saved));
	return 1;
}
