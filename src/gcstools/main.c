/* main.c: the gcstools multi-call dispatcher (../shared/spec/gcstools.md §1). */
#include <stdio.h>
#include <string.h>

#include "gcstools/command.h"

extern const struct gcstools_command __start_gcstools_commands[];
extern const struct gcstools_command __stop_gcstools_commands[];

static const struct gcstools_command *find_command(const char *name)
{
	for (const struct gcstools_command *c = __start_gcstools_commands; c < __stop_gcstools_commands; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: gcstools COMMAND [OPTIONS]\n"
		     "   or: COMMAND [OPTIONS]   (through a link named after the command)\n\n"
		     "commands:\n");
	for (const struct gcstools_command *c = __start_gcstools_commands; c < __stop_gcstools_commands; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fprintf(out, "\n'gcstools COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];

	const struct gcstools_command *cmd = find_command(base);
	if (cmd)
		return cmd->run(argc, argv);

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "gcstools: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 1;
	}
	return cmd->run(argc - 1, argv + 1);
}
