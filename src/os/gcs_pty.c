/* gcs_pty.c: pty allocation and window-size changes (§5.4). */
#include "os/gcs_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

int gcs_pty_open(int *master, int *slave)
{
	_cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_set(-errno, "opening /dev/ptmx");
	unsigned n;
	if (ioctl(m, TIOCGPTN, &n) < 0)
		return err_set(-errno, "getting the pty number");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return err_set(-errno, "unlocking pty %u", n);
	char path[32];
	snprintf(path, sizeof(path), "/dev/pts/%u", n);
	if (chmod(path, 0600) < 0 || chown(path, 0, 0) < 0) {
		if (errno != EPERM)
			return err_set(-errno, "setting the owner and mode of %s", path);
	}
	int s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return err_set(-errno, "opening %s", path);
	*master = TAKE_FD(m);
	*slave = s;
	return 0;
}

int gcs_pty_resize(int master, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return err_set(-errno, "resizing the console to %ux%u", rows, cols);
	return 0;
}
