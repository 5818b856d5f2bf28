/* cpio_plan.c: deterministic ordering, inode numbering and hard-link
 * grouping for an initramfs (see cpio_plan.h). */
#include "lib/cpio_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static unsigned path_byte(unsigned char c)
{
	/* '/' below everything else, so "a/b" < "a-b" and "a" is followed
	 * by its own children before its siblings. */
	return c == '/' ? 1u : (unsigned)c + 1u;
}

int cpio_path_compare(const char *a, const char *b)
{
	bool a_root = strcmp(a, ".") == 0, b_root = strcmp(b, ".") == 0;
	if (a_root || b_root)
		return (int)b_root - (int)a_root;
	for (;; a++, b++) {
		unsigned ca = *a ? path_byte((unsigned char)*a) : 0;
		unsigned cb = *b ? path_byte((unsigned char)*b) : 0;
		if (ca != cb || ca == 0)
			return ca < cb ? -1 : ca > cb ? 1 : 0;
	}
}

static int compare_items(const void *pa, const void *pb)
{
	const struct cpio_item *a = pa, *b = pb;
	return cpio_path_compare(a->name, b->name);
}

static bool can_hard_link(const struct cpio_item *it)
{
	/* The kernel never links directories or symlinks (§1.3, §1.4). */
	uint32_t t = it->mode & S_IFMT;
	return t != S_IFDIR && t != S_IFLNK && (it->src_dev || it->src_ino);
}

/* Orders pointers by source identity, then by archive position, so each
 * hard-link group is contiguous with its first name in front. */
static int compare_identity(const void *pa, const void *pb)
{
	const struct cpio_item *a = *(const struct cpio_item *const *)pa;
	const struct cpio_item *b = *(const struct cpio_item *const *)pb;
	if (a->src_dev != b->src_dev)
		return a->src_dev < b->src_dev ? -1 : 1;
	if (a->src_ino != b->src_ino)
		return a->src_ino < b->src_ino ? -1 : 1;
	return a < b ? -1 : a > b ? 1 : 0;
}

/* The kernel silently drops an entry whose parent directory does not
 * exist yet (§1.5), so a missing parent is an error here. */
static int check_parent(const struct cpio_item *items, size_t n, const struct cpio_item *it)
{
	const char *slash = strrchr(it->name, '/');
	if (!slash)
		return 0; /* top level: the kernel's rootfs is always there */
	size_t len = (size_t)(slash - it->name);
	_cleanup_free_ char *parent = strndup(it->name, len);
	if (!parent)
		return err_set(-ENOMEM, "cpio: checking %s", it->name);
	struct cpio_item key = { .name = parent };
	const struct cpio_item *p = bsearch(&key, items, n, sizeof(*items), compare_items);
	if (!p || (p->mode & S_IFMT) != S_IFDIR)
		return err_setmsg(-EINVAL, "cpio: %s has no parent directory %s in the archive", it->name, parent);
	return 0;
}

int cpio_plan(struct cpio_item *items, size_t n)
{
	qsort(items, n, sizeof(*items), compare_items);
	for (size_t i = 0; i < n; i++) {
		if (items[i].name[0] == '\0' || items[i].name[0] == '/' || strcmp(items[i].name, "..") == 0 ||
		    strncmp(items[i].name, "../", 3) == 0 || strstr(items[i].name, "/../") ||
		    strstr(items[i].name, "//"))
			return err_setmsg(-EINVAL, "cpio: '%s' is not a plain relative path", items[i].name);
		if (i > 0 && cpio_path_compare(items[i - 1].name, items[i].name) == 0)
			return err_setmsg(-EINVAL, "cpio: duplicate name %s", items[i].name);
		int r = check_parent(items, n, &items[i]);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < n; i++) {
		items[i].ino = 0;
		items[i].nlink = (items[i].mode & S_IFMT) == S_IFDIR ? 2 : 1;
		items[i].carries_data = true;
	}

	_cleanup_free_ struct cpio_item **linkable = calloc(n ? n : 1, sizeof(*linkable));
	if (!linkable)
		return err_set(-ENOMEM, "cpio: planning %zu entries", n);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (can_hard_link(&items[i]))
			linkable[m++] = &items[i];
	qsort(linkable, m, sizeof(*linkable), compare_identity);
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		while (j < m && linkable[j]->src_dev == linkable[i]->src_dev && linkable[j]->src_ino == linkable[i]->src_ino)
			j++;
		if (j - i > 1)
			for (size_t k = i; k < j; k++) {
				linkable[k]->nlink = (uint32_t)(j - i);
				linkable[k]->carries_data = k == i;
				/* Later names borrow the first one's number below. */
				if (k > i)
					linkable[k]->ino = (uint32_t)(linkable[i] - items) + 1;
			}
		i = j;
	}

	/* Number inodes 1, 2, ... in archive order; a later link takes the
	 * number of its group's first name. */
	uint32_t next = 1;
	_cleanup_free_ uint32_t *by_index = calloc(n ? n : 1, sizeof(*by_index));
	if (!by_index)
		return err_set(-ENOMEM, "cpio: planning %zu entries", n);
	for (size_t i = 0; i < n; i++) {
		if (items[i].ino) {
			items[i].ino = by_index[items[i].ino - 1];
		} else {
			by_index[i] = next;
			items[i].ino = next++;
		}
	}
	return 0;
}
