/* init_cgroup.c: cgroup v2 with a v1 fallback (see init_cgroup.h). */
#include "os/init_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/init_text.h"
#include "os/init_log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define NODEV_NOSUID_NOEXEC (MS_NODEV | MS_NOSUID | MS_NOEXEC)

/* Descriptors the probes below leave open for init_cgroup_finish(): on
 * the boot path even closing a file is first-time kernel work (the
 * release paths of procfs and kernfs), so it waits until the GCS runs. A
 * vfork child's exec only drops its references. */
static int cmdline_fd = -1, v2_root_fd = -1;

static bool cmdline_forces_v1(void)
{
	char buf[4096];
	cmdline_fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (cmdline_fd < 0)
		return false;
	ssize_t n = read(cmdline_fd, buf, sizeof(buf));
	return n > 0 && init_cmdline_has_word(buf, (size_t)n, "hcsshim.cgroup=v1");
}

/* runc manages devices on v2 with BPF_CGROUP_DEVICE programs; a kernel
 * that cannot query them (ENOSYS, EINVAL) makes v2 unusable for it. */
static bool bpf_device_programs_work(int root_fd)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (unsigned)root_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0 && (errno == ENOSYS || errno == EINVAL))
		return false;
	return true;
}

static int try_v2(void)
{
	if (mount("cgroup2", CGROUP_ROOT, "cgroup2", NODEV_NOSUID_NOEXEC, NULL) < 0)
		return err_set(-errno, "mounting cgroup2 on " CGROUP_ROOT);
	/* §9.2 also requires cgroup.controllers: every cgroup2 root has it,
	 * so it is not looked up here but read (and a failure logged) once
	 * the GCS runs. */
	int r = 0;
	int fd = open(CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = err_set(-errno, "opening " CGROUP_ROOT);
	else if (!bpf_device_programs_work(fd))
		r = err_setmsg(-ENOTSUP, "cgroup v2 without BPF device programs");
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		umount(CGROUP_ROOT);
		return r;
	}
	v2_root_fd = fd;
	return 2;
}

/* v2: every controller of the root's cgroup.controllers into its
 * cgroup.subtree_control. */
static int enable_controllers(int root_fd)
{
	char controllers[512];
	ssize_t n;
	{
		_cleanup_close_ int fd = openat(root_fd, "cgroup.controllers", O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, controllers, sizeof(controllers));
		if (n < 0)
			return err_set(-errno, "reading " CGROUP_ROOT "/cgroup.controllers");
	}
	/* One write enables every controller; if the kernel refuses one of
	 * them, enable them one by one so the others still work. */
	_cleanup_close_ int ctl = openat(root_fd, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
	if (ctl < 0)
		return err_set(-errno, "opening " CGROUP_ROOT "/cgroup.subtree_control");
	char all[1024];
	int len = init_cgroup_enable_line(controllers, (size_t)n, all, sizeof(all));
	if (len < 0)
		return err_set(len, "the controller list of " CGROUP_ROOT);
	if (len > 0 && write(ctl, all, (size_t)len) < 0) {
		/* One summary line: the kernel rate-limits /dev/kmsg writers
		 * to 10 lines per 5 s, and later lines matter more. */
		char failed[1024] = "";
		size_t flen = 0;
		int first_errno = 0;
		for (char *save = NULL, *p = all, *tok; (tok = strtok_r(p, " ", &save)); p = NULL) {
			if (write(ctl, tok, strlen(tok)) >= 0)
				continue;
			if (!first_errno)
				first_errno = errno;
			if (flen < sizeof(failed))
				flen += (size_t)snprintf(failed + flen, sizeof(failed) - flen, " %s", tok + 1);
		}
		if (first_errno)
			init_log(INIT_LOG_WARNING, "cgroup controllers not enabled:%s (%s)", failed, strerror(first_errno));
	}
	return 0;
}

static int mount_v1(void)
{
	if (mount("cgroup_root", CGROUP_ROOT, "tmpfs", NODEV_NOSUID_NOEXEC, "mode=0755") < 0)
		return err_set(-errno, "mounting tmpfs on " CGROUP_ROOT);
	_cleanup_fclose_ FILE *f = fopen("/proc/cgroups", "re");
	if (!f)
		return err_set(-errno, "opening /proc/cgroups");
	char line[256];
	int mounted = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned hierarchy, count, enabled;
		if (line[0] == '#' || sscanf(line, "%63s %u %u %u", name, &hierarchy, &count, &enabled) != 4 || !enabled)
			continue;
		char path[128];
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s", name);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			init_log(INIT_LOG_WARNING, "creating %s: %m", path);
			continue;
		}
		if (mount("cgroup", path, "cgroup", NODEV_NOSUID_NOEXEC, name) < 0) {
			init_log(INIT_LOG_WARNING, "mounting cgroup %s: %m", name);
			continue;
		}
		mounted++;
	}
	if (!mounted)
		return err_setmsg(-ENOENT, "no cgroup v1 controller could be mounted");
	return 1;
}

int init_mount_cgroups(void)
{
	if (!cmdline_forces_v1()) {
		int r = try_v2();
		if (r > 0)
			return r;
		init_log(INIT_LOG_INFO, "%s; using cgroup v1", err_text());
	}
	return mount_v1();
}

int init_cgroup_finish(void)
{
	if (cmdline_fd >= 0) {
		close(cmdline_fd);
		cmdline_fd = -1;
	}
	if (v2_root_fd < 0)
		return 0;
	int r = enable_controllers(v2_root_fd);
	close(v2_root_fd);
	v2_root_fd = -1;
	return r;
}
