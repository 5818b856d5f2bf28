/* tarout.c: shared options, log and output of the tar-producing gcstools
 * sub-commands (see tarout.h). */
#include "gcstools/tarout.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static FILE *log_file;
static enum tarout_level log_level = TAROUT_DEBUG;
static char default_logfile[256];

size_t tarout_flags(struct tarout_options *o, const char *name, struct goflag *flags)
{
	snprintf(default_logfile, sizeof(default_logfile), "/tmp/%s.log", name);
	if (!o->fs) o->fs = "ext4";
	if (!o->whiteout) o->whiteout = "overlay";
	if (!o->vhd) o->vhd = "fixed";
	if (!o->tmpdir) o->tmpdir = "/tmp/scratch";
	if (!o->logfile) o->logfile = default_logfile;
	if (!o->loglevel) o->loglevel = "debug";
	size_t n = 0;
	flags[n++] = (struct goflag)GOFLAG_STR("fs", NULL, "file system type (ext4 only)", &o->fs);
	flags[n++] = (struct goflag)GOFLAG_STR("whiteout", NULL,
					       "whiteouts on the disk: overlay (char 0/0 and trusted.overlay.opaque, "
					       "written back as .wh. files) or aufs (.wh. files, copied)",
					       &o->whiteout);
	flags[n++] = (struct goflag)GOFLAG_STR("vhd", NULL, "VHD format (fixed only)", &o->vhd);
	flags[n++] = (struct goflag)GOFLAG_STR("tmpdir", NULL,
					       "scratch directory, created if missing (the value of $TMPDIR when set and "
					       "the flag is not given)",
					       &o->tmpdir);
	flags[n++] = (struct goflag)GOFLAG_STR("logfile", NULL, "log file (truncated)", &o->logfile);
	flags[n++] = (struct goflag)GOFLAG_STR("loglevel", NULL, "debug, info, warning, error, fatal or panic",
					       &o->loglevel);
	flags[n++] = (struct goflag)GOFLAG_STR("o", NULL,
					       "write the tar to this file (complete or not at all) instead of stdout",
					       &o->output);
	return n;
}

int tarout_parse_flags(const struct goflag *flags, size_t n, int argc, char **argv, const char *name,
		       const char *synopsis)
{
	int first = argc;
	int r = goflag_parse(flags, n, argc, argv, &first);
	if (r == 0 && first == argc)
		return 0;
	if (r == -EINVAL)
		fprintf(stderr, "%s\n", err_text());
	else if (r == 0)
		fprintf(stderr, "unexpected argument: %s\n", argv[first]);
	fprintf(stderr, "Usage of %s:\n%s\n", name, synopsis);
	goflag_print_defaults(stderr, flags, n);
	return 2;
}

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void tarout_log(enum tarout_level level, const char *fmt, ...)
{
	if (!log_file || level < log_level)
		return;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(log_file, "time=\"%s\" level=%s msg=\"", when, level_names[level]);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputs("\"\n", log_file);
	fflush(log_file);
}

void tarout_fail(const char *name, const char *text)
{
	tarout_log(TAROUT_ERROR, "%s", text);
	fprintf(stderr, "%s: %s\n", name, text);
}

int tarout_setup(struct tarout_options *o, const char *name, enum vtar_whiteout *whiteout)
{
	if (strcmp(o->fs, "ext4") != 0) {
		fprintf(stderr, "%s: Unknown filesystem: %s\n", name, o->fs);
		return -1;
	}
	if (strcmp(o->vhd, "fixed") != 0) {
		fprintf(stderr, "%s: Unknown vhd format: %s\n", name, o->vhd);
		return -1;
	}
	if (strcmp(o->whiteout, "overlay") == 0) {
		*whiteout = VTAR_WHITEOUT_OVERLAY;
	} else if (strcmp(o->whiteout, "aufs") == 0) {
		*whiteout = VTAR_WHITEOUT_AUFS;
	} else {
		fprintf(stderr, "%s: Unknown whiteout format: %s\n", name, o->whiteout);
		return -1;
	}
	static const char *const levels[] = { "debug", "info", "warning", "error", "fatal", "panic" };
	size_t i = 0;
	while (i < ARRAY_SIZE(levels) && strcmp(o->loglevel, levels[i]) != 0)
		i++;
	if (i == ARRAY_SIZE(levels)) {
		fprintf(stderr, "%s: not a valid logrus Level: \"%s\"\n", name, o->loglevel);
		return -1;
	}
	log_level = i > TAROUT_ERROR ? TAROUT_ERROR : (enum tarout_level)i;
	if (o->logfile && *o->logfile) {
		int fd = open(o->logfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			log_file = fdopen(fd, "w");
		if (!log_file) {
			/* Logging is a diagnostic aid; its absence is no reason to fail. */
			fprintf(stderr, "%s: warning: cannot open log file %s: %s\n", name, o->logfile, strerror(errno));
			if (fd >= 0)
				close(fd);
		}
	}
	return 0;
}

int tarout_output_open(struct tarout_output *out, const char *path)
{
	*out = (struct tarout_output){ .fd = STDOUT_FILENO };
	if (!path)
		return 0;
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return err_set(-ENOMEM, "output path");
	const char *dir = dirname(copy);
	char *tmp;
	if (asprintf(&tmp, "%s/.%s.partXXXXXX", dir, path + (strrchr(path, '/') ? strrchr(path, '/') - path + 1 : 0)) < 0)
		return err_set(-ENOMEM, "output path");
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int r = err_set(-errno, "creating a temporary file beside %s", path);
		free(tmp);
		return r;
	}
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	out->fd = fd;
	out->tmp = tmp;
	out->path = strdup(path);
	if (!out->path) {
		tarout_output_abort(out);
		return err_set(-ENOMEM, "output path");
	}
	return 0;
}

int tarout_output_commit(struct tarout_output *out)
{
	if (!out->tmp)
		return 0;
	if (close(out->fd) < 0) {
		out->fd = -1;
		return err_set(-errno, "writing %s", out->path);
	}
	out->fd = -1;
	if (rename(out->tmp, out->path) < 0)
		return err_set(-errno, "renaming %s to %s", out->tmp, out->path);
	free(out->tmp);
	out->tmp = NULL;
	return 0;
}

void tarout_output_abort(struct tarout_output *out)
{
	if (out->tmp) {
		if (out->fd >= 0)
			close(out->fd);
		unlink(out->tmp);
		free(out->tmp);
		out->tmp = NULL;
	}
	free(out->path);
	out->path = NULL;
}

int tarout_write(const char *path, enum vtar_whiteout whiteout, tarout_fill_fn fill, void *ctx)
{
	struct tarout_output out = { .fd = -1 };
	struct vtar *tar = NULL;
	int r = tarout_output_open(&out, path);
	if (r >= 0)
		r = vtar_open(&tar, out.fd, whiteout, 0);
	if (r >= 0)
		r = fill(tar, ctx);
	if (r >= 0)
		r = vtar_finish(tar);
	vtar_free(tar);
	if (r >= 0)
		r = tarout_output_commit(&out);
	tarout_output_abort(&out);
	return r;
}

void tarout_note(void *ctx, const char *message)
{
	(void)ctx;
	tarout_log(TAROUT_WARNING, "%s", message);
}
