/* exportSandbox.c: `gcstools exportSandbox -path MOUNTPATH` — a container's
 * read-write layer -> layer tar on stdout (../shared/spec/gcstools.md §7).
 *
 * Archives MOUNTPATH/upper (the overlay upper directory on the sandbox
 * disk), or MOUNTPATH itself when the first /proc/mounts line naming
 * MOUNTPATH is not an overlay and MOUNTPATH/upper is not a directory (the
 * 2018-03 "FROM scratch" behaviour). Same archive writer and whiteout
 * conversion as vhd2tar (§5.2, §6.2). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gcstools/command.h"
#include "gcstools/tarout.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "os/sandbox_walk.h"

#define NAME "exportSandbox"

/* 1 when the first mounts line containing path mentions overlay. */
static int mount_is_overlay(const char *mounts, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(mounts, "re");
	if (!f)
		return 0;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0)
		if (strstr(line, path))
			return strstr(line, "overlay") != NULL;
	return 0;
}

struct export_job {
	const char *root;
	struct sandbox_walk_options options;
	struct sandbox_walk_stats stats;
};

static int export_fill(struct vtar *tar, void *ctx)
{
	struct export_job *job = ctx;
	return sandbox_walk_to_tar(job->root, &job->options, tar, &job->stats);
}

static const char synopsis[] =
	"exportSandbox -path MOUNTPATH [flags] > layer.tar\n"
	"Writes the read-write layer of a container as a layer tar: MOUNTPATH/upper, or\n"
	"MOUNTPATH itself when it is not an overlay mount and has no upper directory.\n"
	"Whiteouts go back to .wh. files; exit 0 on success, 1 on failure, 2 for bad flags.";

static int export_main(int argc, char **argv)
{
	struct tarout_options o = { 0 };
	const char *path = NULL, *mounts = "/proc/mounts";
	struct goflag flags[10];
	size_t n = tarout_flags(&o, NAME, flags);
	flags[n++] = (struct goflag)GOFLAG_STR("path", NULL, "guest mount path of the container's layer (required)", &path);
	flags[n++] = (struct goflag)GOFLAG_STR("mounts", NULL, "mount table to consult", &mounts);

	if (tarout_parse_flags(flags, n, argc, argv, NAME, synopsis) != 0)
		return 2;
	enum vtar_whiteout whiteout;
	if (tarout_setup(&o, NAME, &whiteout) < 0)
		return 1;
	if (!path || !*path) {
		tarout_fail(NAME, "path is required");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	_cleanup_free_ char *upper = NULL;
	if (asprintf(&upper, "%s/upper", path) < 0) {
		tarout_fail(NAME, "out of memory");
		return 1;
	}
	struct stat st;
	int upper_is_dir = stat(upper, &st) == 0 && S_ISDIR(st.st_mode);
	const char *root = (!mount_is_overlay(mounts, path) && !upper_is_dir) ? path : upper;
	tarout_log(TAROUT_INFO, "exportSandbox: archiving %s (whiteout=%s)", root, o.whiteout);

	struct export_job job = { .root = root, .options = { .whiteout = whiteout, .note = tarout_note } };
	if (tarout_write(o.output, whiteout, export_fill, &job) < 0) {
		tarout_fail(NAME, err_text());
		return 1;
	}
	tarout_log(TAROUT_INFO, "wrote %llu entries, %llu bytes of file data, %llu skipped",
		   (unsigned long long)job.stats.entries, (unsigned long long)job.stats.data_bytes,
		   (unsigned long long)job.stats.skipped);
	return 0;
}

GCSTOOLS_COMMAND(exportSandbox, "exportSandbox", "a container's read-write layer (-path) -> tar on stdout",
		 export_main);
