/* ctr_loop.c: LOOP_CONFIGURE on a free loop device (see ctr_loop.h). */
#include "os/ctr_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

int ctr_loop_attach(const char *path, uint64_t offset, uint64_t size, bool read_only, bool autoclear, char **dev)
{
	*dev = NULL;
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return err_set(-errno, "opening /dev/loop-control");
	_cleanup_close_ int backing = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (backing < 0)
		return err_set(-errno, "opening %s", path);
	/* another process may take the free device first: retry */
	for (int attempt = 0; attempt < 16; attempt++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return err_set(-errno, "finding a free loop device");
		char name[64];
		snprintf(name, sizeof(name), "/dev/loop%d", n);
		_cleanup_close_ int lfd = open(name, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (lfd < 0)
			return err_set(-errno, "opening %s", name);
		struct loop_config cfg = { .fd = (uint32_t)backing };
		cfg.info.lo_offset = offset;
		cfg.info.lo_sizelimit = size;
		cfg.info.lo_flags = (read_only ? LO_FLAGS_READ_ONLY : 0) | (autoclear ? LO_FLAGS_AUTOCLEAR : 0);
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0) {
			*dev = strdup(name);
			return *dev ? 0 : err_set(-ENOMEM, "naming %s", name);
		}
		if (errno != EBUSY)
			return err_set(-errno, "attaching %s to %s", path, name);
	}
	return err_setmsg(-EBUSY, "no free loop device for %s", path);
}

int ctr_loop_detach(const char *dev)
{
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(-errno, "opening %s", dev);
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO)
		return err_set(-errno, "detaching %s", dev);
	return 0;
}
