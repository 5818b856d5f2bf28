/* oci_path.c: lexical path confinement (see oci_path.h). */
#include "lib/oci_path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"

int oci_path_join_confined(const char *dir, const char *rel, char **out)
{
	*out = NULL;
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	size_t rlen = strlen(rel);
	_cleanup_free_ char *buf = malloc(dlen + rlen + 2);
	if (!buf)
		return err_set(-ENOMEM, "joining %s", rel);
	memcpy(buf, dir, dlen);
	size_t len = dlen;
	if (len == 1 && buf[0] == '/')
		len = 0; /* root: components are appended as "/name" */
	size_t base = len;
	const char *p = rel;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 1 && p[0] == '.') {
			/* stays */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (len == base)
				return err_setmsg(-EINVAL, "path %s leaves %s", rel, dir);
			while (len > base && buf[len - 1] != '/')
				len--;
			len--; /* the slash */
		} else {
			buf[len++] = '/';
			memcpy(buf + len, p, n);
			len += n;
		}
		p = e;
	}
	if (len == 0)
		buf[len++] = '/';
	buf[len] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

int oci_path_check_absolute(const char *what, const char *path)
{
	if (!path || path[0] != '/')
		return err_setmsg(-EINVAL, "%s %s is not an absolute path", what, path ? path : "(null)");
	if (strlen(path) >= 4096)
		return err_setmsg(-EINVAL, "%s is too long", what);
	const char *p = path + 1;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if ((n == 0 && *e) || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return err_setmsg(-EINVAL, "%s %s has a '.', '..' or empty component", what, path);
		p = *e ? e + 1 : e;
	}
	return 0;
}

int oci_container_id_check(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > 128)
		return err_setmsg(-EINVAL, "container id must have 1 to 128 characters");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return err_setmsg(-EINVAL, "invalid container id %s", id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '.' || c == '-'))
			return err_setmsg(-EINVAL, "invalid container id format: %.64s", id);
	}
	return 0;
}
