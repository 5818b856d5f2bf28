/* boot_dial.c: vsock and Unix dialing behind boot_dial.h. */
#include "os/boot_dial.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "lib/cleanup.h"
#include "lib/err.h"

int boot_transport_parse(const char *spec, struct boot_transport *out)
{
	if (strcmp(spec, "vsock") == 0) {
		out->unix_dir = NULL;
		return 0;
	}
	if (strncmp(spec, "unix:", 5) == 0 && spec[5]) {
		out->unix_dir = spec + 5;
		return 0;
	}
	return err_setmsg(-EINVAL, "transport '%s' is neither 'vsock' nor 'unix:DIR'", spec);
}

static int connect_retrying_eintr(int fd, const struct sockaddr *sa, socklen_t len)
{
	for (;;) {
		if (connect(fd, sa, len) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int dial_unix(const char *dir, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%u", dir, port) >= (int)sizeof(sa.sun_path))
		return err_setmsg(-ENAMETOOLONG, "socket path %s/%u is too long", dir, port);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(-errno, "creating a unix socket");
	int r = connect_retrying_eintr(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0)
		return err_set(r, "connecting to %s", sa.sun_path);
	return TAKE_FD(fd);
}

static int dial_vsock(uint32_t port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = BOOT_DIAL_HOST_CID, .svm_port = port };
	int r = 0;
	for (int attempt = 0; attempt < 10; attempt++) {
		if (attempt)
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		_cleanup_close_ int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return err_set(-errno, "creating a vsock socket");
		r = connect_retrying_eintr(fd, (struct sockaddr *)&sa, sizeof(sa));
		if (r == 0)
			return TAKE_FD(fd);
		if (r != -ETIMEDOUT)
			break;
	}
	return err_set(r, "connecting to vsock port %u on the host", port);
}

int boot_dial(const struct boot_transport *t, uint32_t port)
{
	return t->unix_dir ? dial_unix(t->unix_dir, port) : dial_vsock(port);
}
