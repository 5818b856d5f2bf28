/* ctr_devices.c: SCSI and VPMem device discovery under a sysfs root (see
 * ctr_devices.h). */
#include "os/ctr_devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static char sysfs_root[512] = "/sys";
static unsigned timeout_ms = 120000; /* §10 row 16: 2 minutes */

/* §7.3 table: vmbus instance GUIDs of SCSI controllers 0..3. */
static const char *const controller_guids[4] = {
	"df6d0690-79e5-55b6-a5ec-c1e2f77f580a",
	"0110f83b-de10-5172-a266-78bca56bf50a",
	"b5d2d8d4-3a75-51bf-945b-3444dc6b8579",
	"305891a9-b251-5dfe-91a2-c25d9212275b",
};

void ctr_devices_set_sysfs_root(const char *dir)
{
	snprintf(sysfs_root, sizeof(sysfs_root), "%s", dir);
}

const char *ctr_devices_sysfs_root(void)
{
	return sysfs_root;
}

void ctr_devices_set_timeout_ms(unsigned ms)
{
	timeout_ms = ms;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_10ms(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* The single entry of directory PATH (not . or ..): 1 found, 0 absent or
 * empty, -ENOTUNIQ several entries. */
static int single_entry(const char *path, const char *prefix, char *name, size_t size)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n++ == 0)
			snprintf(name, size, "%s", e->d_name);
	}
	closedir(d);
	return n > 1 ? -ENOTUNIQ : n;
}

/* §7.3 step 1: controller → SCSI host number, or -ENOENT when the vmbus
 * device is absent (older hosts: fall back to 0:0:<controller>:<lun>). */
static int scsi_host_number(uint8_t controller, unsigned *host)
{
	char path[700], name[256];
	snprintf(path, sizeof(path), "%s/bus/vmbus/devices/%s", sysfs_root, controller_guids[controller]);
	if (access(path, F_OK) != 0)
		return -ENOENT;
	uint64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		int r = single_entry(path, "host", name, sizeof(name));
		if (r < 0)
			return err_setmsg(r, "%s has several host entries", path);
		if (r == 1) {
			char *end;
			unsigned long n = strtoul(name + 4, &end, 10);
			if (*end || end == name + 4)
				return err_setmsg(-EINVAL, "%s/%s is not a SCSI host name", path, name);
			*host = (unsigned)n;
			return 0;
		}
		if (now_ms() >= deadline)
			return err_setmsg(-ETIMEDOUT, "SCSI controller %u: no host under %s after %u ms", controller,
					  path, timeout_ms);
		sleep_10ms();
	}
}

/* Waits until DIR has exactly one entry (with PREFIX); copies it to NAME. */
static int wait_single_entry(const char *dir, const char *prefix, char *name, size_t size, uint64_t deadline,
			     const char *what)
{
	for (;;) {
		int r = single_entry(dir, prefix, name, size);
		if (r < 0)
			return err_setmsg(r, "%s: %s has more than one entry", what, dir);
		if (r == 1)
			return 0;
		if (now_ms() >= deadline)
			return err_setmsg(-ETIMEDOUT, "%s did not appear within %u ms (waited for %s)", what, timeout_ms,
					  dir);
		sleep_10ms();
	}
}

/* §7.3 step 4: the /dev node may lag behind sysfs. */
static int wait_dev_node(const char *dev, uint64_t deadline)
{
	for (;;) {
		int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		int e = errno;
		if (e != ENOENT && e != ENXIO)
			return err_set(-e, "opening %s", dev);
		if (now_ms() >= deadline)
			return err_set(-ETIMEDOUT, "waiting for %s", dev);
		sleep_10ms();
	}
}

static int scsi_device_dir(uint8_t controller, uint8_t lun, char *path, size_t size)
{
	if (controller >= 4)
		return err_setmsg(-EINVAL, "SCSI controller %u is out of range 0-3", controller);
	unsigned host;
	int r = scsi_host_number(controller, &host);
	if (r == 0)
		snprintf(path, size, "%s/bus/scsi/devices/%u:0:0:%u", sysfs_root, host, lun);
	else if (r == -ENOENT)
		snprintf(path, size, "%s/bus/scsi/devices/0:0:%u:%u", sysfs_root, controller, lun);
	else
		return r;
	return 0;
}

int ctr_scsi_find(uint8_t controller, uint8_t lun, uint64_t partition, char **dev)
{
	*dev = NULL;
	char base[700], dir[800], name[256], what[64];
	uint64_t deadline = now_ms() + timeout_ms;
	int r = scsi_device_dir(controller, lun, base, sizeof(base));
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "SCSI controller %u lun %u", controller, lun);
	snprintf(dir, sizeof(dir), "%s/block", base);
	if ((r = wait_single_entry(dir, NULL, name, sizeof(name), deadline, what)) < 0)
		return r;
	if (partition > 0) {
		char part[300], pdir[1400];
		snprintf(part, sizeof(part), "%.250s%" PRIu64, name, partition);
		snprintf(pdir, sizeof(pdir), "%s/%s/%s", dir, name, part);
		for (;;) {
			if (access(pdir, F_OK) == 0)
				break;
			if (now_ms() >= deadline)
				return err_setmsg(-ETIMEDOUT, "%s partition %" PRIu64 " did not appear (%s)", what,
						  partition, pdir);
			sleep_10ms();
		}
		snprintf(name, sizeof(name), "%.250s", part);
	}
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "/dev/%s", name) < 0)
		return err_set(-ENOMEM, "naming device");
	if ((r = wait_dev_node(path, deadline)) < 0)
		return err_wrap(r, "%s", what);
	*dev = TAKE_PTR(path);
	return 0;
}

int ctr_scsi_unplug(uint8_t controller, uint8_t lun)
{
	char base[700], path[800];
	int r = scsi_device_dir(controller, lun, base, sizeof(base));
	if (r == -ETIMEDOUT)
		return 0; /* controller vanished: nothing to unplug */
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/delete", base);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(-errno, "opening %s", path);
	ssize_t n = write(fd, "1\n", 2);
	int e = errno;
	close(fd);
	if (n != 2)
		return err_set(n < 0 ? -e : -EIO, "writing %s", path);
	return 0;
}

int ctr_pmem_find(uint32_t number, char **dev)
{
	*dev = NULL;
	char dir[700], name[256];
	snprintf(dir, sizeof(dir), "%s/bus/nd/devices/namespace%u.0/block", sysfs_root, number);
	int r = single_entry(dir, NULL, name, sizeof(name));
	if (r < 0)
		return err_setmsg(r, "%s has more than one entry", dir);
	if (r == 0)
		snprintf(name, sizeof(name), "pmem%u", number);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "/dev/%s", name) < 0)
		return err_set(-ENOMEM, "naming device");
	/* VPMem devices exist at boot or are added synchronously (§4.2.9):
	 * no waiting beyond the node itself. */
	if ((r = wait_dev_node(path, now_ms() + 2000)) < 0)
		return err_wrap(r, "pmem device %u", number);
	*dev = TAKE_PTR(path);
	return 0;
}
