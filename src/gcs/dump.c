/* dump.c: the DumpStacks text (§3.4.11, §10 row 25): threads, bridge state,
 * handlers, workers, relays and processes, plus any GCS_DUMPER sections,
 * bounded so the response fits one 64 KiB frame. */
#include "gcs/internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcs/process.h"
#include "os/gcs_reaper.h"
#include "os/gcs_relay.h"

struct gcs_dump {
	char *buf;
	size_t len, max;
	bool truncated;
};

extern const struct gcs_dumper __start_gcs_dumpers[];
extern const struct gcs_dumper __stop_gcs_dumpers[];
static void dump_nothing(struct gcs_dump *d) {}
GCS_DUMPER(sentinel, NULL, dump_nothing);

void gcs_dump_printf(struct gcs_dump *d, const char *fmt, ...)
{
	if (d->truncated)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->buf + d->len, d->max - d->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= d->max - d->len) {
		d->truncated = true;
		d->len = d->max - 1;
		return;
	}
	d->len += (size_t)n;
}

static void read_small(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "re");
	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void dump_threads(struct gcs_dump *d)
{
	DIR *dir = opendir("/proc/self/task");
	if (!dir)
		return;
	gcs_dump_printf(d, "threads:\n");
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char path[64], comm[64], wchan[64], stat[256];
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/comm", de->d_name);
		read_small(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/wchan", de->d_name);
		read_small(path, wchan, sizeof(wchan));
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/stat", de->d_name);
		read_small(path, stat, sizeof(stat));
		const char *st = strrchr(stat, ')');
		gcs_dump_printf(d, "  tid %s %s state %c wchan %s\n", de->d_name, comm, st && st[1] ? st[2] : '?',
				wchan[0] ? wchan : "-");
		/* The kernel side of a blocked thread says what it waits for. */
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/stack", de->d_name);
		FILE *f = fopen(path, "re");
		char line[160];
		for (int i = 0; f && i < 6 && fgets(line, sizeof(line), f); i++)
			gcs_dump_printf(d, "      %s", line);
		if (f)
			fclose(f);
	}
	closedir(dir);
}

int gcs_dump_build(char **out, size_t max)
{
	struct gcs_dump d = { .buf = malloc(max), .max = max };
	if (!d.buf)
		return -ENOMEM;
	d.buf[0] = '\0';
	gcs_dump_printf(&d, "gcs %s pid %d\n", LCOW_VERSION, (int)getpid());
	dump_threads(&d);
	gcs_bridge_dump(&d);
	gcs_dump_printf(&d, "handlers:\n");
	gcs_dispatch_dump(&d);
	unsigned busy, n = gcs_workers_count(&busy);
	gcs_dump_printf(&d, "workers: %u (%u busy); relays: %u; watched pids: %u\n", n, busy, gcs_relay_count(),
			gcs_reaper_count());
	gcs_process_dump(&d);
	for (const struct gcs_dumper *x = __start_gcs_dumpers; x < __stop_gcs_dumpers; x++) {
		if (!x->title)
			continue;
		gcs_dump_printf(&d, "%s:\n", x->title);
		x->fn(&d);
	}
	if (d.truncated) {
		static const char mark[] = "\n...(truncated)\n";
		memcpy(d.buf + d.max - sizeof(mark), mark, sizeof(mark));
		d.len = d.max - 1;
	}
	*out = d.buf;
	return 0;
}
