/* init_entropy.c: RNDADDENTROPY from a host stream (see init_entropy.h). */
#include "os/init_entropy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/random.h>

#include "lib/cleanup.h"
#include "lib/err.h"

#define ENTROPY_CHUNK 4096

int init_seed_entropy(const struct boot_transport *t, uint32_t port)
{
	_cleanup_close_ int rnd = open("/dev/random", O_RDWR | O_CLOEXEC);
	if (rnd < 0)
		return err_set(-errno, "opening /dev/random");
	int sock = boot_dial(t, port);
	if (sock < 0)
		return err_wrap(sock, "entropy");
	_cleanup_close_ int fd = sock;
	_cleanup_free_ struct rand_pool_info *info = malloc(sizeof(*info) + ENTROPY_CHUNK);
	if (!info)
		return err_set(-ENOMEM, "entropy buffer");
	int total = 0;
	for (;;) {
		ssize_t n = read(fd, info->buf, ENTROPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(-errno, "reading entropy from port %u", port);
		if (n == 0)
			return total;
		info->entropy_count = (int)n * 8;
		info->buf_size = (int)n;
		if (ioctl(rnd, RNDADDENTROPY, info) < 0)
			return err_set(-errno, "adding %zd bytes of entropy", n);
		total += (int)n;
	}
}
