/* ctr_mount.c: layer, scratch and overlay mounts; unmount and removal that
 * never reach into a live file system (see ctr_mount.h). */
#include "os/ctr_mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_mount_options.h"
#include "lib/str_array.h"
#include "os/ctr_spawn.h"

int ctr_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return err_setmsg(-ENAMETOOLONG, "path too long: %.64s", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return err_set(-errno, "creating %s", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return err_set(-errno, "creating %s", path);
	if (!S_ISDIR(st.st_mode))
		return err_setmsg(-ENOTDIR, "%s exists and is not a directory", path);
	return 0;
}

/* The first component of PATH that does not exist yet (malloc'd), or NULL
 * when PATH exists: what a failed mount must remove again. */
static char *first_missing(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	if (access(buf, F_OK) == 0)
		return NULL;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (access(buf, F_OK) != 0)
			return strdup(buf);
		*p = '/';
	}
	return strdup(buf);
}

static int read_at(const char *dev, void *buf, size_t n, off_t off)
{
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(-errno, "opening %s", dev);
	ssize_t r = pread(fd, buf, n, off);
	if (r < 0)
		return err_set(-errno, "reading %s", dev);
	return (int)r;
}

int ctr_device_is_ext4(const char *dev)
{
	uint8_t m[2];
	int r = read_at(dev, m, 2, 1080);
	if (r < 0)
		return r;
	return r == 2 && m[0] == 0x53 && m[1] == 0xEF;
}

int ctr_device_is_blank(const char *dev)
{
	static const size_t n = 65536;
	_cleanup_free_ uint8_t *buf = malloc(n);
	if (!buf)
		return err_set(-ENOMEM, "reading %s", dev);
	int r = read_at(dev, buf, n, 0);
	if (r < 0)
		return r;
	for (int i = 0; i < r; i++)
		if (buf[i])
			return 0;
	return 1;
}

int ctr_format_ext4(const char *dev)
{
	char *argv[] = { "mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1", (char *)dev, NULL };
	struct ctr_run r = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int rc = ctr_run_ok(argv, &r);
	free(r.out);
	return rc < 0 ? err_wrap(rc, "formatting %s", dev) : 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int ctr_mount_disk(const struct ctr_disk_mount *m)
{
	_cleanup_free_ char *created = first_missing(m->target);
	int r = ctr_mkdir_p(m->target, 0700);
	if (r < 0)
		return r;
	const char *fs = m->filesystem && *m->filesystem ? m->filesystem : NULL;
	int is_ext4 = ctr_device_is_ext4(m->dev);
	if (is_ext4 == 0) {
		/* §7.3 step 4: retry detection once after 500 ms */
		sleep_ms(500);
		is_ext4 = ctr_device_is_ext4(m->dev);
	}
	if (is_ext4 < 0) {
		r = is_ext4;
		goto fail;
	}
	const char *detected = is_ext4 ? "ext4" : NULL;
	if (m->ensure_filesystem && (!fs || strcmp(fs, "ext4") == 0) && !detected) {
		if (m->read_only) {
			r = err_setmsg(-EINVAL, "%s has no file system and is read-only", m->dev);
			goto fail;
		}
		if ((r = ctr_format_ext4(m->dev)) < 0)
			goto fail;
		detected = "ext4";
	} else if (m->ensure_filesystem && fs && strcmp(fs, "ext4") != 0) {
		r = err_setmsg(-EOPNOTSUPP, "formatting as %s is not supported", fs);
		goto fail;
	}
	if (!fs)
		fs = detected;
	if (!fs) {
		r = err_setmsg(-EINVAL, "%s: unknown file system (no ext4 superblock)", m->dev);
		goto fail;
	}
	unsigned long flags = m->read_only ? MS_RDONLY : 0;
	const char *data = m->read_only && strcmp(fs, "ext4") == 0 ? "noload" : "";
	unsigned waited = 0;
	for (;;) {
		if (mount(m->dev, m->target, fs, flags, data) == 0)
			break;
		int e = errno;
		if ((e == ENOENT || e == ENXIO) && waited < m->retry_ms) {
			sleep_ms(10);
			waited += 10;
			continue;
		}
		r = err_set(-e, "mounting %s (%s) at %s", m->dev, fs, m->target);
		goto fail;
	}
	if (m->n_options) {
		struct oci_mount_options o;
		if ((r = oci_mount_options_parse(m->options, m->n_options, &o)) < 0) {
			umount2(m->target, MNT_DETACH);
			goto fail;
		}
		for (size_t i = 0; i < o.n_propagation; i++) {
			if (mount(NULL, m->target, NULL, o.propagation[i], NULL) < 0) {
				r = err_set(-errno, "setting propagation on %s", m->target);
				oci_mount_options_free(&o);
				umount2(m->target, MNT_DETACH);
				goto fail;
			}
		}
		oci_mount_options_free(&o);
	}
	return 0;
fail:
	if (created)
		(void)ctr_remove_tree(created);
	return r;
}

int ctr_mount_overlay(const char *const *lowers, size_t n, const char *scratch, const char *target)
{
	if (n == 0)
		return err_setmsg(-EINVAL, "overlay at %s: no layers", target);
	/* The kernel takes one page of mount data (§7.1). */
	char data[4096];
	size_t len = (size_t)snprintf(data, sizeof(data), "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		if (strchr(lowers[i], ',') || strchr(lowers[i], ':'))
			return err_setmsg(-EINVAL, "layer path %s contains ',' or ':'", lowers[i]);
		len += (size_t)snprintf(data + len, len < sizeof(data) ? sizeof(data) - len : 0, "%s%s", i ? ":" : "",
					lowers[i]);
	}
	_cleanup_free_ char *created_scratch = NULL, *created = NULL;
	char upper[4096], work[4096];
	if (scratch) {
		if (strchr(scratch, ',') || strchr(scratch, ':'))
			return err_setmsg(-EINVAL, "scratch path %s contains ',' or ':'", scratch);
		snprintf(upper, sizeof(upper), "%s/upper", scratch);
		snprintf(work, sizeof(work), "%s/work", scratch);
		len += (size_t)snprintf(data + len, len < sizeof(data) ? sizeof(data) - len : 0,
					",upperdir=%s,workdir=%s", upper, work);
	}
	if (len >= sizeof(data))
		return err_setmsg(-E2BIG, "overlay at %s: %zu layers do not fit in one page of mount options", target, n);
	int r;
	if (scratch) {
		created_scratch = first_missing(upper);
		if ((r = ctr_mkdir_p(upper, 0755)) < 0 || (r = ctr_mkdir_p(work, 0755)) < 0)
			goto fail_scratch;
	}
	created = first_missing(target);
	if ((r = ctr_mkdir_p(target, 0755)) < 0)
		goto fail_scratch;
	if (!scratch && n == 1) {
		/* overlayfs refuses a single lower layer without an upper one;
		 * a read-only bind of that layer is the same file system view. */
		if (mount(lowers[0], target, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
			r = err_set(-errno, "binding %s read-only at %s", lowers[0], target);
			(void)umount2(target, MNT_DETACH);
			if (created)
				(void)ctr_remove_tree(created);
			goto fail_scratch;
		}
		return 0;
	}
	if (mount("overlay", target, "overlay", scratch ? 0 : MS_RDONLY, data) < 0) {
		r = err_set(-errno, "mounting overlay at %s", target);
		if (created)
			(void)ctr_remove_tree(created);
		goto fail_scratch;
	}
	return 0;
fail_scratch:
	if (created_scratch)
		(void)ctr_remove_tree(created_scratch);
	return r;
}

int ctr_unmount(const char *target, bool remove)
{
	struct stat st;
	if (lstat(target, &st) < 0)
		return errno == ENOENT ? 0 : err_set(-errno, "checking %s", target);
	for (int i = 0; i < 5; i++) {
		if (umount2(target, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;
		return err_set(-errno, "unmounting %s", target);
	}
	if (remove && S_ISDIR(st.st_mode) && rmdir(target) < 0 && errno != ENOENT)
		return err_set(-errno, "removing %s", target);
	if (remove && S_ISLNK(st.st_mode) && unlink(target) < 0 && errno != ENOENT)
		return err_set(-errno, "removing %s", target);
	return 0;
}

/* Mount points from /proc/self/mountinfo (field 5), octal escapes decoded. */
static int list_mount_points(char ***out, size_t *n_out)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return err_set(-errno, "opening /proc/self/mountinfo");
	char **v = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *fields[5] = { 0 };
		char *s = line;
		for (int i = 0; i < 5 && s; i++) {
			fields[i] = s;
			s = strchr(s, ' ');
			if (s)
				*s++ = '\0';
		}
		if (!fields[4])
			continue;
		char *mp = fields[4], *w = mp;
		for (char *p = mp; *p; p++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				*w++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
				p += 3;
			} else {
				*w++ = *p;
			}
		}
		*w = '\0';
		if (str_array_append(&v, &n, mp) < 0) {
			free(line);
			str_array_free(v, n);
			return err_set(-ENOMEM, "reading mounts");
		}
	}
	free(line);
	*out = v;
	*n_out = n;
	return 0;
}

int ctr_is_mount_point(const char *path)
{
	/* statx knows without reading the whole mount table (Linux 5.8+);
	 * the table is the answer where it does not. */
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, 0, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	char **v;
	size_t n;
	int r = list_mount_points(&v, &n);
	if (r < 0)
		return r;
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		found = strcmp(v[i], path) == 0;
	str_array_free(v, n);
	return found;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	while (n > 1 && prefix[n - 1] == '/')
		n--;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int ctr_unmount_all_under(const char *prefix)
{
	char **v;
	size_t n;
	int r = list_mount_points(&v, &n);
	if (r < 0)
		return r;
	int first = 0;
	/* mountinfo lists parents before children: reverse order unmounts the
	 * deepest first. */
	for (size_t i = n; i-- > 0;) {
		if (!under(v[i], prefix))
			continue;
		if (umount2(v[i], 0) < 0 && errno != EINVAL && errno != ENOENT && !first)
			first = err_set(-errno, "unmounting %s", v[i]);
	}
	str_array_free(v, n);
	return first;
}

static int remove_at(int parent, const char *name, dev_t dev, const char *top)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(-errno, "checking %s/%s", top, name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return err_set(-errno, "removing %s/%s", top, name);
		return 0;
	}
	if (st.st_dev != dev)
		return err_setmsg(-EBUSY, "%s/%s is a mount point; not removed", top, name);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(-errno, "opening %s/%s", top, name);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(-errno, "opening %s/%s", top, name);
	}
	int first = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int r = remove_at(dirfd(d), e->d_name, dev, top);
		if (r < 0 && !first)
			first = r;
	}
	closedir(d);
	if (first)
		return first;
	/* a bind mount of a directory of the same fs has the same st_dev:
	 * rmdir refuses it with EBUSY, which we report */
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_set(-errno, "removing %s/%s", top, name);
	return 0;
}

int ctr_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_set(-errno, "checking %s", path);
	int r = ctr_is_mount_point(path);
	if (r < 0)
		return r;
	if (r)
		return err_setmsg(-EBUSY, "%s is a mount point; not removed", path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 && errno != ENOENT ? err_set(-errno, "removing %s", path) : 0;
	return remove_at(AT_FDCWD, path, st.st_dev, path);
}
