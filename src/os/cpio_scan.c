/* cpio_scan.c: directory walk behind cpio_scan.h. */
#include "os/cpio_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static void closedir_cleanup(DIR **d)
{
	if (*d)
		closedir(*d);
}

int cpio_item_list_add(struct cpio_item_list *list, const struct cpio_item *it)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		struct cpio_item *p = realloc(list->items, cap * sizeof(*p));
		if (!p)
			return err_set(-ENOMEM, "growing the entry list");
		list->items = p;
		list->cap = cap;
	}
	struct cpio_item *dst = &list->items[list->n];
	*dst = *it;
	dst->name = strdup(it->name);
	dst->source = it->source ? strdup(it->source) : NULL;
	if (!dst->name || (it->source && !dst->source)) {
		free(dst->name);
		free(dst->source);
		return err_set(-ENOMEM, "copying entry %s", it->name);
	}
	list->n++;
	return 0;
}

void cpio_item_list_free(struct cpio_item_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->items[i].name);
		free(list->items[i].source);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int add_path(struct cpio_item_list *list, const char *path, const char *name, const struct stat *st)
{
	struct cpio_item it = {
		.name = (char *)name,
		.mode = st->st_mode,
		.src_dev = st->st_dev,
		.src_ino = st->st_ino,
	};
	char target[PATH_MAX];
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		it.source = (char *)path;
		it.size = (uint64_t)st->st_size;
		break;
	case S_IFLNK: {
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			return err_set(-errno, "reading symlink %s", path);
		target[len] = '\0';
		it.source = target;
		it.size = (uint64_t)len;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		it.rdev_major = major(st->st_rdev);
		it.rdev_minor = minor(st->st_rdev);
		break;
	default:
		break;
	}
	return cpio_item_list_add(list, &it);
}

static int scan_dir(struct cpio_item_list *list, const char *path, const char *name)
{
	_cleanup_(closedir_cleanup) DIR *d = opendir(path);
	if (!d)
		return err_set(-errno, "opening directory %s", path);
	bool at_root = strcmp(name, ".") == 0;
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *child_path = NULL, *child_name = NULL;
		if (asprintf(&child_path, "%s/%s", path, de->d_name) < 0) {
			child_path = NULL;
			return err_set(-ENOMEM, "walking %s", path);
		}
		if (asprintf(&child_name, "%s%s%s", at_root ? "" : name, at_root ? "" : "/", de->d_name) < 0) {
			child_name = NULL;
			return err_set(-ENOMEM, "walking %s", path);
		}
		struct stat st;
		if (lstat(child_path, &st) < 0)
			return err_set(-errno, "stat %s", child_path);
		int r = add_path(list, child_path, child_name, &st);
		if (r < 0)
			return r;
		if (S_ISDIR(st.st_mode) && (r = scan_dir(list, child_path, child_name)) < 0)
			return r;
	}
	if (errno)
		return err_set(-errno, "reading directory %s", path);
	return 0;
}

int cpio_scan_tree(const char *root, struct cpio_item_list *list)
{
	struct stat st;
	if (lstat(root, &st) < 0)
		return err_set(-errno, "stat %s", root);
	if (!S_ISDIR(st.st_mode))
		return err_setmsg(-ENOTDIR, "%s is not a directory", root);
	int r = add_path(list, root, ".", &st);
	return r < 0 ? r : scan_dir(list, root, ".");
}
