/* init_net.c: loopback up (see init_net.h). */
#include "os/init_net.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static int up_with(int family)
{
	_cleanup_close_ int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_set(-errno, "reading the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_set(-errno, "bringing lo up");
	return 0;
}

int init_loopback_up(void)
{
	int r = up_with(AF_INET);
	if (r < 0)
		return r == -EAFNOSUPPORT ? err_set(r, "creating an AF_INET socket") : r;
	r = up_with(AF_INET6);
	if (r < 0 && r != -EAFNOSUPPORT)
		return r;
	return 0;
}
