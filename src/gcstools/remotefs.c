/* remotefs.c: `gcstools remotefs`, Docker's remote file-system operations.
 *
 * Invocation, dispatch and the stderr contract of ../shared/spec/gcstools.md
 * §8.1/§8.2: `remotefs [-logfile F] [-loglevel L] SUBCOMMAND ARG...`. Fewer
 * than two positional arguments exit 1 with nothing on stderr; an unknown
 * sub-command lists the known ones and exits 1; a known one exits 0 and
 * reports its failure, if any, as one JSON object on stderr. The operations
 * live in remotefs_fsops.c, remotefs_openfile.c, remotefs_extract.c and
 * remotefs_archive.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gcstools/command.h"
#include "gcstools/remotefs.h"
#include "lib/err.h"
#include "lib/goflag.h"
#include "os/remotefs_log.h"

struct rfs_command {
	const char *name;
	int min_args;
	rfs_command_fn fn;
	const char *args;
	const char *help;
};

static const struct rfs_command commands[] = {
	{"stat", 1, rfs_cmd_stat, "PATH", "FileInfo JSON of PATH (follows symlinks)"},
	{"lstat", 1, rfs_cmd_lstat, "PATH", "FileInfo JSON of PATH itself"},
	{"readlink", 1, rfs_cmd_readlink, "PATH", "the symlink's target, no newline"},
	{"mkdir", 2, rfs_cmd_mkdir, "PATH PERM", "create a directory (PERM: Go FileMode, octal)"},
	{"mkdirall", 2, rfs_cmd_mkdirall, "PATH PERM", "create a directory and its parents"},
	{"remove", 1, rfs_cmd_remove, "PATH", "remove a file or an empty directory"},
	{"removeall", 1, rfs_cmd_removeall, "PATH", "remove recursively; a missing PATH is success"},
	{"link", 2, rfs_cmd_link, "OLD NEW", "hard link NEW to OLD"},
	{"symlink", 2, rfs_cmd_symlink, "TARGET LINK", "symbolic link LINK pointing at TARGET"},
	{"lchmod", 2, rfs_cmd_lchmod, "PATH MODE", "chmod without following a symlink (MODE: raw octal)"},
	{"lchown", 3, rfs_cmd_lchown, "PATH UID GID", "chown without following a symlink"},
	{"mknod", 4, rfs_cmd_mknod, "PATH MODE MAJOR MINOR", "mknod(2) (MODE: raw octal)"},
	{"mkfifo", 2, rfs_cmd_mkfifo, "PATH MODE", "mkfifo(3) (MODE: raw octal)"},
	{"readfile", 1, rfs_cmd_readfile, "PATH", "copy the file to stdout"},
	{"writefile", 2, rfs_cmd_writefile, "PATH PERM", "write stdin to the file (create, truncate)"},
	{"readdir", 2, rfs_cmd_readdir, "PATH N", "JSON array of FileInfo; N <= 0: all entries, else at most N"},
	{"resolvepath", 2, rfs_cmd_resolvepath, "PATH ROOT", "resolve symlinks in PATH as if ROOT were /"},
	{"extractarchive", 1, rfs_cmd_extractarchive, "DIR",
	 "stdin: TarOptions frame + tar (gzip/bzip2/xz ok); extract into DIR"},
	{"archivepath", 1, rfs_cmd_archivepath, "PATH", "stdin: TarOptions frame; stdout: tar of PATH"},
	{"openfile", 3, rfs_cmd_openfile, "PATH FLAGS PERM", "serve one open file over stdin/stdout"},
};

static void usage(const char *prog, const struct goflag *flags, size_t nflags)
{
	fprintf(stderr, "Usage of %s:\n", prog);
	goflag_print_defaults(stderr, flags, nflags);
	fprintf(stderr, "\n%s [flags] SUBCOMMAND ARG...\n"
			"Success: exit 0, empty stderr. Failure of the operation: exit 0 and\n"
			"{\"ErrString\":...,\"ErrNum\":...} on stderr. Usage errors: exit 1.\n\n"
			"sub-commands:\n",
		prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-15s %-22s %s\n", commands[i].name, commands[i].args, commands[i].help);
}

static void print_error(const struct rfs_error *e)
{
	struct rfs_buf b = {0};
	rfs_error_json(e, &b);
	if (b.len)
		rfs_write_all(STDERR_FILENO, b.data, b.len);
	rfs_buf_free(&b);
}

static int remotefs_main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	/* The log name needs the sub-command, known only after parsing, so the
	 * default is filled in below (§1.2). */
	const char *logfile = "";
	const char *loglevel = "debug";
	const struct goflag flags[] = {
		GOFLAG_STR("logfile", NULL, "logging file location (default /tmp/remotefs.SUBCOMMAND.log)", &logfile),
		GOFLAG_STR("loglevel", NULL, "Logging Level: debug, info, warning, error, fatal, panic.", &loglevel),
	};
	int first = argc;
	int pr = goflag_parse(flags, 2, argc, argv, &first);
	if (pr == -ECANCELED) {
		usage(base, flags, 2);
		return 2;
	}
	if (pr < 0) {
		fprintf(stderr, "%s\n", err_text());
		usage(base, flags, 2);
		return 2;
	}
	char **pos = argv + first;
	int npos = argc - first;

	char logpath[4096];
	if (!*logfile) {
		if (strcmp(base, "remotefs") == 0 && npos > 0)
			snprintf(logpath, sizeof(logpath), "/tmp/remotefs.%s.log", pos[0]);
		else
			snprintf(logpath, sizeof(logpath), "/tmp/%s.log", base);
		logfile = logpath;
	}
	enum tool_log_level level;
	if (tool_log_parse_level(loglevel, &level) < 0) {
		/* Go's logrus.ParseLevel failure ends the tool with exit 1. */
		return 1;
	}
	if (tool_log_open(logfile, level) < 0)
		return 1;

	if (npos < 2) {
		log_error("remotefs needs a sub-command and at least one argument");
		tool_log_close();
		return 1;
	}
	const struct rfs_command *cmd = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, pos[0]) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "unknown command: %s\nknown commands:\n", pos[0]);
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			fprintf(stderr, "\t%s\n", commands[i].name);
		tool_log_close();
		return 1;
	}

	/* A closed reader must show up as EPIPE on the write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	struct rfs_ctx c = {.in = STDIN_FILENO, .out = STDOUT_FILENO, .args = pos + 1, .nargs = npos - 1};
	log_debug("remotefs %s: %d argument(s)", cmd->name, c.nargs);
	int r;
	if (c.nargs < cmd->min_args && cmd->fn != rfs_cmd_openfile)
		r = rfs_error_text(&c.err, "invalid arguments");
	else
		r = cmd->fn(&c);
	if (r < 0) {
		log_info("remotefs %s failed: %s", cmd->name, c.err.text);
		print_error(&c.err);
	} else {
		log_info("remotefs %s succeeded", cmd->name);
	}
	tool_log_close();
	return 0;
}

GCSTOOLS_COMMAND(remotefs, "remotefs", "remote file-system operations for Docker's LCOW driver", remotefs_main);
