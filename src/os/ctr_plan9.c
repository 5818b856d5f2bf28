/* ctr_plan9.c: 9p over a connected stream socket (see ctr_plan9.h). */
#include "os/ctr_plan9.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "os/ctr_mount.h"

int ctr_plan9_mount(int fd, const char *target, bool read_only, const char *share_name)
{
	if (share_name && (strchr(share_name, ',') || strlen(share_name) > 255))
		return err_setmsg(-EINVAL, "invalid share name");
	int size = 65536;
	/* CURRENT sizes the buffers to the msize; a Unix socket in tests
	 * accepts the same options. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	bool existed = access(target, F_OK) == 0;
	int r = ctr_mkdir_p(target, 0700);
	if (r < 0)
		return r;
	char data[512];
	/* "noload" (§7.5, §11 item 3) is not a 9p option; it is left out. */
	snprintf(data, sizeof(data), "trans=fd,rfdno=%d,wfdno=%d,msize=65536%s%s", fd, fd,
		 share_name && *share_name ? ",aname=" : "", share_name && *share_name ? share_name : "");
	if (mount(target, target, "9p", read_only ? MS_RDONLY : 0, data) < 0) {
		r = err_set(-errno, "mounting 9p share at %s", target);
		if (!existed)
			(void)rmdir(target);
		return r;
	}
	return 0;
}
