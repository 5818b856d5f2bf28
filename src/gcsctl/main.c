/* main.c: gcsctl, the host side of the GCS bridge for people and tests.
 *
 * Global options say where to listen for the GCS (or start one), which
 * protocol to negotiate and how long to wait; then a sub-command from the
 * gcsctl_commands section runs (command.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsctl/command.h"
#include "gcsctl/session.h"

extern const struct gcsctl_command __start_gcsctl_commands[];
extern const struct gcsctl_command __stop_gcsctl_commands[];

static const struct gcsctl_command *find_command(const char *name)
{
	for (const struct gcsctl_command *c = __start_gcsctl_commands; c < __stop_gcsctl_commands; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gcsctl [OPTIONS] COMMAND [ARGS]\n\n"
		"Acts as the Windows host of a Guest Compute Service: listens for the GCS's\n"
		"bridge connection, negotiates a protocol and sends requests.\n\n"
		"options:\n"
		"  --listen unix:DIR   listen on Unix sockets in DIR (the GCS runs with\n"
		"                      --transport unix:DIR; bridge socket DIR/1073741824)\n"
		"  --listen vsock      listen on AF_VSOCK port 0x40000000 (a real guest)\n"
		"  --spawn-gcs PATH    start PATH --transport unix:DIR itself (DIR is --listen's\n"
		"                      or a temporary one) and stop it when done\n"
		"  --gcs-arg ARG       extra argument for --spawn-gcs (repeatable)\n"
		"  --protocol 3|4      negotiate protocol 4 (default) or bootstrap protocol 3\n"
		"  --timeout SECONDS   how long to wait for the GCS to connect (default 30)\n"
		"  --container-id ID   protocol 3: the id of the bootstrap Create (default gcsctl-PID)\n"
		"  -v, --verbose       print every frame\n"
		"  -h, --help          this text\n\n"
		"commands:\n");
	for (const struct gcsctl_command *c = __start_gcsctl_commands; c < __stop_gcsctl_commands; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\n'gcsctl COMMAND --help' describes one command. A running GCS re-dials the\n"
		     "bridge every 100 ms, so successive gcsctl commands reach the same GCS.\n");
}

int gcsctl_usage_error(const char *name, const char *fmt, ...)
{
	const struct gcsctl_command *c = find_command(name);
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "gcsctl %s: ", name);
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
	if (c)
		fprintf(stderr, "usage: gcsctl [OPTIONS] %s\n", c->usage);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "spawn-gcs", required_argument, NULL, 's' },
		{ "gcs-arg", required_argument, NULL, 'a' },
		{ "protocol", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "container-id", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': gcsctl_opts.listen = optarg; break;
		case 's': gcsctl_opts.spawn_gcs = optarg; break;
		case 'a':
			if (gcsctl_opts.n_gcs_args >= 16) {
				fprintf(stderr, "gcsctl: too many --gcs-arg\n");
				return 2;
			}
			gcsctl_opts.gcs_args[gcsctl_opts.n_gcs_args++] = optarg;
			break;
		case 'p':
			if (strcmp(optarg, "3") && strcmp(optarg, "4")) {
				fprintf(stderr, "gcsctl: --protocol must be 3 or 4\n");
				return 2;
			}
			gcsctl_opts.protocol = atoi(optarg);
			break;
		case 'T': gcsctl_opts.timeout_s = atoi(optarg); break;
		case 'c': gcsctl_opts.container_id = optarg; break;
		case 'v': gcsctl_opts.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const struct gcsctl_command *cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "gcsctl: unknown command '%s'\n\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	int at = optind;
	optind = 0; /* commands parse their own options with getopt */
	return cmd->run(argc - at, argv + at);
}
