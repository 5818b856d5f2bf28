/* command.h: how a gcsctl sub-command registers itself.
 *
 * Each sub-command lives in its own file (cmd_NAME.c) and registers with
 * GCSCTL_COMMAND; main.c walks the linker section, so adding a command
 * (run, mount, create, ...) never edits a shared file. A command gets the
 * global options already parsed and opens the bridge session when it needs
 * one (session.h). */
#ifndef GCSCTL_COMMAND_H
#define GCSCTL_COMMAND_H

struct gcsctl_command {
	const char *name;
	const char *summary;
	const char *usage; /* "exec [-t] [-e K=V]... -- CMD [ARG]..." plus option lines */
	/* argv[0] is the command's name; returns the process exit code. */
	int (*run)(int argc, char **argv);
};

#define GCSCTL_COMMAND(ident, cmd_name, cmd_summary, cmd_usage, fn)                      \
	static const struct gcsctl_command gcsctl_command_##ident                        \
		__attribute__((used, section("gcsctl_commands"), aligned(8))) = {       \
			.name = cmd_name, .summary = cmd_summary, .usage = cmd_usage, .run = fn }

/* Prints "usage: gcsctl USAGE" of the command to stderr; returns 2. */
int gcsctl_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
