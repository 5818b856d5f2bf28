/* remotefs_beneath.c: confined opens and removal (see remotefs_beneath.h). */
#include "os/remotefs_beneath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"

int beneath_open(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	if (!*path)
		path = ".";
	for (;;) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

int beneath_mkdir_p(int rootfd, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = beneath_open(rootfd, path, O_RDONLY | O_DIRECTORY);
	if (fd != -ENOENT)
		return fd;
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	_cleanup_close_ int cur = beneath_open(rootfd, "", O_RDONLY | O_DIRECTORY);
	if (cur < 0)
		return cur;
	/* Walk prefix by prefix, always resolving from the root so a symlink
	 * met on the way is confined like everything else. */
	size_t len = strlen(copy);
	for (size_t i = 0; i <= len; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		if (i == 0 || copy[i - 1] == '/')
			continue;
		char saved = copy[i];
		copy[i] = '\0';
		int next = beneath_open(rootfd, copy, O_RDONLY | O_DIRECTORY);
		if (next == -ENOENT) {
			const char *comp = strrchr(copy, '/');
			comp = comp ? comp + 1 : copy;
			if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
				return -errno;
			if (fchownat(cur, comp, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			next = beneath_open(rootfd, copy, O_RDONLY | O_DIRECTORY);
		}
		copy[i] = saved;
		if (next < 0)
			return next;
		close(cur);
		cur = next;
	}
	return TAKE_FD(cur);
}

/* Removes every entry of the open directory fd; 0 or a negative errno. */
static int remove_contents(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return -errno;
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		int e = errno;
		close(dup_fd);
		return -e;
	}
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = beneath_remove_all(fd, de->d_name);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int beneath_remove_all(int parentfd, const char *name)
{
	if (unlinkat(parentfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	_cleanup_close_ int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Deleting while reading may skip entries; a few passes catch them. */
	for (int pass = 0; pass < 4; pass++) {
		int r = remove_contents(fd);
		if (r < 0)
			return r;
		if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != ENOTEMPTY)
			return -errno;
	}
	return -ENOTEMPTY;
}
