/* replace_file.c: temporary file, fsync, rename (see replace_file.h). */
#include "os/replace_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"

int replace_file_open(struct replace_file *f, const char *path)
{
	f->fd = -1;
	f->path = path;
	if (snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(f->tmp))
		return err_setmsg(-ENAMETOOLONG, "%s: path too long", path);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0)
		return err_set(-errno, "creating a temporary file next to %s", path);
	return 0;
}

int replace_file_finish(struct replace_file *f, int r, mode_t mode)
{
	if (r >= 0 && fchmod(f->fd, mode) < 0)
		r = err_set(-errno, "setting the mode of %s", f->tmp);
	if (r >= 0 && fsync(f->fd) < 0)
		r = err_set(-errno, "flushing %s", f->tmp);
	if (r >= 0 && rename(f->tmp, f->path) < 0)
		r = err_set(-errno, "renaming %s to %s", f->tmp, f->path);
	if (r < 0)
		unlink(f->tmp);
	close(f->fd);
	f->fd = -1;
	return r;
}
