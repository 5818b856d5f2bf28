/* container_journal.c: what the container code mounted and created, kept
 * on disk so that a GCS killed mid-way leaves nothing behind after its next
 * start (runc state, mounts, storage directories, cgroups).
 *
 * <state>/mounts.journal is append-only text, one record a line:
 *   "M <path>" mounted, "D <path>" a directory tree the GCS owns,
 *   "-M <path>" / "-D <path>" released. The last record for a path wins. */
#include "gcs/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_json.h"
#include "os/ctr_cgroup.h"
#include "os/ctr_mount.h"
#include "os/ctr_runc.h"

static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;

static void journal_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/mounts.journal", container_settings.state_dir);
}

static void journal_write(const char *tag, const char *path)
{
	if (strchr(path, '\n'))
		return;
	char file[4200];
	journal_path(file, sizeof(file));
	pthread_mutex_lock(&journal_lock);
	(void)ctr_mkdir_p(container_settings.state_dir, 0700);
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s %s\n", tag, path);
		close(fd);
	}
	pthread_mutex_unlock(&journal_lock);
}

void container_journal_add(const char *path)
{
	journal_write("M", path);
}

void container_journal_remove(const char *path)
{
	journal_write("-M", path);
}

void container_journal_add_dir(const char *path);
void container_journal_add_dir(const char *path)
{
	journal_write("D", path);
}

void container_journal_remove_dir(const char *path);
void container_journal_remove_dir(const char *path)
{
	journal_write("-D", path);
}

struct entry {
	char kind;
	bool live;
	char *path;
};

static void replay_journal(void)
{
	char file[4200];
	journal_path(file, sizeof(file));
	FILE *f = fopen(file, "re");
	if (!f)
		return;
	struct entry *v = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		bool release = line[0] == '-';
		const char *rec = line + release;
		if ((rec[0] != 'M' && rec[0] != 'D') || rec[1] != ' ')
			continue;
		const char *path = rec + 2;
		size_t i;
		for (i = 0; i < n; i++)
			if (v[i].kind == rec[0] && strcmp(v[i].path, path) == 0)
				break;
		if (i == n) {
			struct entry *nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
			v[n].kind = rec[0];
			v[n].path = strdup(path);
			if (!v[n].path)
				break;
			n++;
		}
		v[i].live = !release;
	}
	free(line);
	fclose(f);
	/* newest first: stacked mounts come off top-down */
	for (size_t i = n; i-- > 0;) {
		if (v[i].live && v[i].kind == 'M') {
			log_info("removing stale mount %s", v[i].path);
			(void)ctr_unmount_all_under(v[i].path);
			(void)ctr_unmount(v[i].path, true);
		}
	}
	for (size_t i = n; i-- > 0;) {
		if (v[i].live && v[i].kind == 'D') {
			log_info("removing stale directory %s", v[i].path);
			(void)ctr_unmount_all_under(v[i].path);
			(void)ctr_remove_tree(v[i].path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	(void)unlink(file);
}

/* runc containers left by an earlier GCS: delete them and their bundles. */
static void delete_stale_containers(void)
{
	DIR *d = opendir(container_settings.state_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		log_info("deleting stale container %s", e->d_name);
		(void)ctr_runc_kill(e->d_name, 9, true, NULL);
		(void)ctr_runc_delete(e->d_name, true, NULL);
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/%s", container_settings.state_dir, e->d_name);
		(void)ctr_remove_tree(dir);
	}
	closedir(d);
}

int container_cleanup_stale(void)
{
	int r = ctr_mkdir_p(container_settings.state_dir, 0700);
	if (r < 0)
		return r;
	delete_stale_containers();
	replay_journal();
	(void)ctr_cgroup_remove(container_settings.cgroup_parent);
	return 0;
}
