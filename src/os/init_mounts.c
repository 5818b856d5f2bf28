/* init_mounts.c: /init's mount table (see init_mounts.h). The table form
 * keeps the order of §9.2 readable at a glance. */
#include "os/init_mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "os/init_log.h"

#define NODEV_NOSUID_NOEXEC (MS_NODEV | MS_NOSUID | MS_NOEXEC)

struct mount_step {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
	mode_t mkdir_mode; /* 0: the target must already exist */
	bool optional;     /* failure is logged, not fatal */
};

static const struct mount_step basic_mounts[] = {
	{ "proc", "/proc", "proc", NODEV_NOSUID_NOEXEC, NULL, 0, false },
	{ "tmpfs", "/run", "tmpfs", NODEV_NOSUID_NOEXEC, "mode=0755", 0, false },
	{ "tmpfs", "/tmp", "tmpfs", NODEV_NOSUID_NOEXEC, "mode=1777", 0, false },
	{ "shm", "/dev/shm", "tmpfs", NODEV_NOSUID_NOEXEC, "mode=1777", 0755, false },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", 0755, false },
	{ "mqueue", "/dev/mqueue", "mqueue", NODEV_NOSUID_NOEXEC, NULL, 0755, true },
	{ "sysfs", "/sys", "sysfs", NODEV_NOSUID_NOEXEC, NULL, 0, false },
};

/* Nodes the 2018 init created when missing (§9.5); only when /dev is not
 * a devtmpfs init mounted, which has them already. */
static const struct {
	const char *path;
	mode_t mode;
	unsigned major, minor;
} basic_nodes[] = {
	{ "/dev/console", S_IFCHR | 0600, 5, 1 }, { "/dev/tty1", S_IFCHR | 0620, 4, 1 },
	{ "/dev/tty", S_IFCHR | 0666, 5, 0 },     { "/dev/null", S_IFCHR | 0666, 1, 3 },
	{ "/dev/kmsg", S_IFCHR | 0660, 1, 11 },
};

static const struct {
	const char *target, *path;
} dev_links[] = {
	{ "/proc/self/fd", "/dev/fd" },
	{ "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" },
	{ "/proc/self/fd/2", "/dev/stderr" },
};

static int mount_one(const struct mount_step *m)
{
	if (m->mkdir_mode && mkdir(m->target, m->mkdir_mode) < 0 && errno != EEXIST)
		return err_set(-errno, "creating %s", m->target);
	if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0)
		return err_set(-errno, "mounting %s on %s", m->fstype, m->target);
	return 0;
}

int init_mount_dev(void)
{
	if (mount("dev", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, NULL) == 0)
		return 1;
	if (errno == EBUSY)
		return 0;
	return err_set(-errno, "mounting devtmpfs on /dev");
}

int init_mount_basic(bool create_nodes)
{
	for (size_t i = 0; i < ARRAY_SIZE(basic_mounts); i++) {
		const struct mount_step *m = &basic_mounts[i];
		int r = mount_one(m);
		if (r < 0 && !m->optional)
			return r;
		if (r < 0)
			init_log(INIT_LOG_WARNING, "%s (continuing)", err_text());
		/* The /dev links point into /proc, so they follow it. */
		if (i == 0) {
			for (size_t j = 0; j < ARRAY_SIZE(dev_links); j++)
				if (symlink(dev_links[j].target, dev_links[j].path) < 0 && errno != EEXIST)
					init_log(INIT_LOG_WARNING, "linking %s: %m", dev_links[j].path);
			for (size_t j = 0; create_nodes && j < ARRAY_SIZE(basic_nodes); j++)
				if (mknod(basic_nodes[j].path, basic_nodes[j].mode,
					  makedev(basic_nodes[j].major, basic_nodes[j].minor)) < 0 &&
				    errno != EEXIST)
					init_log(INIT_LOG_WARNING, "creating %s: %m", basic_nodes[j].path);
		}
	}
	return 0;
}

static int overlay(const char *target, const char *name, unsigned long flags)
{
	char upper[64], work[64], data[256];
	snprintf(upper, sizeof(upper), "/run/over/%s/upper", name);
	snprintf(work, sizeof(work), "/run/over/%s/work", name);
	char dir[64];
	snprintf(dir, sizeof(dir), "/run/over/%s", name);
	if ((mkdir(target, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(upper, 0755) < 0 && errno != EEXIST) || (mkdir(work, 0755) < 0 && errno != EEXIST))
		return err_set(-errno, "preparing the overlay for %s", target);
	snprintf(data, sizeof(data), "lowerdir=%s,upperdir=%s,workdir=%s", target, upper, work);
	if (mount("overlay", target, "overlay", flags, data) < 0)
		return err_set(-errno, "mounting an overlay on %s", target);
	return 0;
}

int init_mount_writable_overlays(void)
{
	static const struct mount_step run_over = { "tmpfs", "/run/over", "tmpfs", NODEV_NOSUID_NOEXEC,
						    "size=40%,mode=0755", 0755, false };
	int r = mount_one(&run_over);
	if (r < 0)
		return r;
	if ((r = overlay("/etc", "etc", NODEV_NOSUID_NOEXEC)) < 0)
		return r;
	return overlay("/var", "var", MS_NODEV | MS_NOSUID);
}
