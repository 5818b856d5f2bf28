/* whiteout.c: the AUFS <-> overlayfs whiteout naming rules (see whiteout.h). */
#include "lib/whiteout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum whiteout_kind whiteout_classify_tar_name(const char *name, size_t *dir_len, const char **hidden,
					      size_t *hidden_len)
{
	size_t len = strlen(name);
	if (len == 0 || name[len - 1] == '/')
		return WHITEOUT_NONE;
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	const size_t plen = sizeof(WHITEOUT_PREFIX) - 1;

	if (strncmp(base, WHITEOUT_PREFIX, plen) != 0)
		return WHITEOUT_NONE;
	if (dir_len)
		*dir_len = (size_t)(base - name);
	if (strcmp(base, WHITEOUT_OPAQUE_NAME) == 0)
		return WHITEOUT_OPAQUE;

	const char *target = base + plen;
	if (target[0] == '\0' || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
		return WHITEOUT_INVALID;
	if (hidden)
		*hidden = target;
	if (hidden_len)
		*hidden_len = strlen(target);
	return WHITEOUT_FILE;
}

bool whiteout_is_disk_whiteout(uint32_t mode, uint32_t rdev_major, uint32_t rdev_minor)
{
	return (mode & 0170000u) == 0020000u && rdev_major == 0 && rdev_minor == 0;
}

bool whiteout_is_opaque_value(const void *value, size_t len)
{
	return len == 1 && ((const char *)value)[0] == 'y';
}

int whiteout_tar_name_for_whiteout(const char *path, char *out, size_t out_size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dir_len = (int)(base - path);
	if (base[0] == '\0')
		return -EINVAL;
	int n = snprintf(out, out_size, "%.*s" WHITEOUT_PREFIX "%s", dir_len, path, base);
	if (n < 0 || (size_t)n >= out_size)
		return -ENAMETOOLONG;
	return n;
}

int whiteout_tar_name_for_opaque(const char *dir, char *out, size_t out_size)
{
	size_t len = strlen(dir);
	while (len > 0 && dir[len - 1] == '/')
		len--;
	if (len == 1 && dir[0] == '.')
		len = 0;
	int n = snprintf(out, out_size, "%.*s%s" WHITEOUT_OPAQUE_NAME, (int)len, dir, len ? "/" : "");
	if (n < 0 || (size_t)n >= out_size)
		return -ENAMETOOLONG;
	return n;
}
