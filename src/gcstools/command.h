/* command.h: how a gcstools sub-command registers itself.
 *
 * gcstools is a multi-call binary (../shared/spec/gcstools.md §1): it picks
 * the sub-command from the name it was run under (argv[0], e.g. the hard link
 * /bin/tar2vhd) or, when run as "gcstools", from its first argument. Each
 * sub-command lives in its own file and registers with GCSTOOLS_COMMAND, which
 * places a record in a linker section that main.c walks; no central list to
 * edit when a command is added. */
#ifndef GCSTOOLS_COMMAND_H
#define GCSTOOLS_COMMAND_H

struct gcstools_command {
	const char *name;
	const char *summary;
	/* argv[0] is the command's name; returns the process exit code. */
	int (*run)(int argc, char **argv);
};

#define GCSTOOLS_COMMAND(ident, cmd_name, cmd_summary, fn)                          \
	static const struct gcstools_command gcstools_command_##ident                \
		__attribute__((used, section("gcstools_commands"), aligned(8))) = { \
			.name = cmd_name, .summary = cmd_summary, .run = fn }

#endif
