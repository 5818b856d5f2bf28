/* remotefs_mode.c: Go FileMode conversions (see remotefs_mode.h). */
#include "lib/remotefs_mode.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

uint32_t go_filemode_from_unix(mode_t m)
{
	uint32_t g = m & 0777;
	switch (m & S_IFMT) {
	case S_IFDIR: g |= GO_MODE_DIR; break;
	case S_IFLNK: g |= GO_MODE_SYMLINK; break;
	case S_IFBLK: g |= GO_MODE_DEVICE; break;
	case S_IFCHR: g |= GO_MODE_DEVICE | GO_MODE_CHARDEVICE; break;
	case S_IFIFO: g |= GO_MODE_NAMEDPIPE; break;
	case S_IFSOCK: g |= GO_MODE_SOCKET; break;
	default: break;
	}
	if (m & S_ISUID)
		g |= GO_MODE_SETUID;
	if (m & S_ISGID)
		g |= GO_MODE_SETGID;
	if (m & S_ISVTX)
		g |= GO_MODE_STICKY;
	return g;
}

mode_t unix_perm_from_go_filemode(uint32_t g)
{
	mode_t m = g & GO_MODE_PERM;
	if (g & GO_MODE_SETUID)
		m |= S_ISUID;
	if (g & GO_MODE_SETGID)
		m |= S_ISGID;
	if (g & GO_MODE_STICKY)
		m |= S_ISVTX;
	return m;
}

void go_path_basename(const char *path, char *buf, size_t buflen)
{
	/* Go drops trailing slashes but keeps at least one character, then
	 * takes what follows the last slash before the final character; so
	 * "/" stays "/" and "a/b/" becomes "b". */
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = 0;
	for (size_t i = end >= 2 ? end - 1 : 0; i > 0; i--) {
		if (path[i - 1] == '/') {
			start = i;
			break;
		}
	}
	snprintf(buf, buflen, "%.*s", (int)(end - start), path + start);
}
