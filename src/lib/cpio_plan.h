/* cpio_plan.h: turns a list of files into a reproducible archive plan.
 *
 * Reproducibility and the kernel's unpacking rules are decided here, apart
 * from the byte format (cpio_newc.h) and from reading a directory
 * (os/cpio_scan.h): entries are sorted by path with parents first (§1.5 of
 * ../shared/spec/initrd-layout.md), inode numbers are handed out 1, 2, 3...
 * in that order, and names that share one source inode become hard links
 * whose data rides on the first name only (§1.4). */
#ifndef LCOW_CPIO_PLAN_H
#define LCOW_CPIO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpio_item {
	char *name;   /* archive path, "." for the root, else "bin/sh" */
	char *source; /* regular file: where to read the data; symlink: target */
	uint32_t mode;
	uint64_t size; /* regular file size or symlink target length */
	/* Identity of the source inode; names with equal (dev, ino) and a
	 * type that can be hard-linked become one inode in the archive. */
	uint64_t src_dev, src_ino;
	uint32_t rdev_major, rdev_minor;

	/* Filled by cpio_plan(). */
	uint32_t ino;
	uint32_t nlink;
	bool carries_data; /* false for the later names of a hard-link group */
};

/* Sorts `items` into archive order and fills ino, nlink and carries_data.
 * Returns 0, or -EINVAL (with err text) for a duplicate name. */
int cpio_plan(struct cpio_item *items, size_t n);

/* The archive order: "." first, then by path with '/' sorting before every
 * other byte, so a directory is followed directly by its own subtree. */
int cpio_path_compare(const char *a, const char *b);

#endif
