/* cpio_scan.h: reads a directory tree into cpio_item records (the file
 * system side of building an initramfs; the ordering and byte format live
 * in lib/cpio_plan.h and lib/cpio_newc.h). */
#ifndef LCOW_CPIO_SCAN_H
#define LCOW_CPIO_SCAN_H

#include <stddef.h>

#include "lib/cpio_plan.h"

struct cpio_item_list {
	struct cpio_item *items;
	size_t n, cap;
};

/* Appends every object under `root` (the root itself as ".") to `list`,
 * without following symlinks. Regular files keep their path in `source`,
 * symlinks their target. Returns 0 or a negative errno with err text. */
int cpio_scan_tree(const char *root, struct cpio_item_list *list);

/* Appends one item; takes copies of name and source (source may be NULL). */
int cpio_item_list_add(struct cpio_item_list *list, const struct cpio_item *it);

void cpio_item_list_free(struct cpio_item_list *list);

#endif
