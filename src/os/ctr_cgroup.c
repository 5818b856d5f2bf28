/* ctr_cgroup.c: reading and removing container cgroups (see ctr_cgroup.h). */
#include "os/ctr_cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_metrics.h"
#include "lib/oci_path.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char cgroup_root[PATH_MAX] = "/sys/fs/cgroup";

const char *ctr_cgroup_root(void)
{
	return cgroup_root;
}

void ctr_cgroup_set_root(const char *dir)
{
	snprintf(cgroup_root, sizeof(cgroup_root), "%s", dir);
}

int ctr_cgroup_version(void)
{
	struct statfs sf;
	if (statfs(cgroup_root, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return 2;
	return 1;
}

/* <root>[/<controller>]<path>, confined below the hierarchy. */
static int cgroup_dir(const char *controller, const char *path, char **out)
{
	char base[PATH_MAX + 300];
	if (controller && *controller)
		snprintf(base, sizeof(base), "%s/%s", cgroup_root, controller);
	else
		snprintf(base, sizeof(base), "%s", cgroup_root);
	return oci_path_join_confined(base, path, out);
}

static int read_cgroup_file(void *ctx, const char *controller, const char *file, char **text)
{
	const char *path = ctx;
	_cleanup_free_ char *dir = NULL;
	int r = cgroup_dir(controller, path, &dir);
	if (r < 0)
		return r;
	char full[PATH_MAX * 2];
	snprintf(full, sizeof(full), "%s/%s", dir, file);
	_cleanup_close_ int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[16384];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	*text = strdup(buf);
	return *text ? 0 : -ENOMEM;
}

int ctr_cgroup_statistics(const char *path, json_object **out)
{
	return oci_metrics_build(ctr_cgroup_version(), read_cgroup_file, (void *)path, out);
}

static int collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap)
{
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? 0 : err_set(-errno, "opening %s", file);
	long v;
	while (fscanf(f, "%ld", &v) == 1) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			pid_t *p = realloc(*pids, c * sizeof(*p));
			if (!p)
				return err_set(-ENOMEM, "listing pids");
			*pids = p;
			*cap = c;
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < sizeof(sub))
			r = collect_pids(sub, pids, n, cap);
	}
	closedir(d);
	return r;
}

int ctr_cgroup_pids(const char *path, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 0;
	size_t cap = 0;
	/* v1: the pids hierarchy lists every task (memory as a fallback). */
	const char *controllers[] = { "pids", "memory", "cpu" };
	for (size_t i = 0; i < (ctr_cgroup_version() == 2 ? 1 : ARRAY_SIZE(controllers)); i++) {
		_cleanup_free_ char *dir = NULL;
		int r = cgroup_dir(ctr_cgroup_version() == 2 ? "" : controllers[i], path, &dir);
		if (r < 0)
			return r;
		if (access(dir, F_OK) != 0)
			continue;
		r = collect_pids(dir, pids, n, &cap);
		if (r < 0) {
			free(*pids);
			*pids = NULL;
			*n = 0;
		}
		return r;
	}
	return 0;
}

static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_set(-errno, "opening %s", dir);
	struct dirent *e;
	int first = 0;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= sizeof(sub))
			continue;
		int r = remove_dir(sub);
		if (r < 0 && !first)
			first = r;
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT && !first)
		first = err_set(-errno, "removing cgroup %s", dir);
	return first;
}

int ctr_cgroup_remove_dir(const char *dir)
{
	return remove_dir(dir);
}

int ctr_cgroup_remove(const char *path)
{
	if (!path || strcmp(path, "/") == 0 || !*path)
		return err_setmsg(-EINVAL, "refusing to remove the root cgroup");
	int first = 0;
	if (ctr_cgroup_version() == 2) {
		_cleanup_free_ char *dir = NULL;
		int r = cgroup_dir("", path, &dir);
		return r < 0 ? r : remove_dir(dir);
	}
	DIR *d = opendir(cgroup_root);
	if (!d)
		return err_set(-errno, "opening %s", cgroup_root);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_free_ char *dir = NULL;
		if (cgroup_dir(e->d_name, path, &dir) < 0)
			continue;
		int r = remove_dir(dir);
		if (r < 0 && !first)
			first = r;
	}
	closedir(d);
	return first;
}
