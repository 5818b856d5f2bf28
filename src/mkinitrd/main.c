/* main.c: mkinitrd, the initramfs builder
 * (../shared/spec/initrd-layout.md §1 and §5 item 7).
 *
 *   mkinitrd -o FILE [-t EPOCH] [-n NAME,c|b,MAJOR,MINOR,MODE]... DIR
 *
 * Writes DIR as a gzip-compressed cpio newc archive: sorted names with
 * parents first, owner 0:0, every mtime EPOCH (default $SOURCE_DATE_EPOCH,
 * else 0), inode numbers 1, 2, ... and hard links kept. -n adds a device
 * node that is not in DIR (e.g. dev/console, §2), so the tree itself can be
 * built without root. Two runs over the same tree give identical bytes. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/cpio_newc.h"
#include "lib/cpio_plan.h"
#include "lib/err.h"
#include "mkinitrd/gzip_file.h"
#include "os/cpio_scan.h"

DEFINE_CLEANUP_FUNC(struct gzip_file, gzip_file_close)

static void usage(FILE *f)
{
	fprintf(f, "usage: mkinitrd -o FILE [-t EPOCH] [-n NAME,c|b,MAJOR,MINOR,MODE]... DIR\n"
		   "  -o FILE   output (gzip-compressed cpio newc)\n"
		   "  -t EPOCH  mtime of every entry (default $SOURCE_DATE_EPOCH, else 0)\n"
		   "  -n SPEC   add a device node, e.g. dev/console,c,5,1,0600\n");
}

static int parse_u32(const char *s, int base, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* "dev/console,c,5,1,0600" -> a device item. */
static int parse_node(const char *spec, struct cpio_item_list *list)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return err_setmsg(-EINVAL, "node spec too long");
	char *fields[5];
	char *save = NULL, *p = buf;
	size_t n = 0;
	for (char *tok; n < 5 && (tok = strtok_r(p, ",", &save)); p = NULL)
		fields[n++] = tok;
	uint32_t major, minor, perm;
	if (n != 5 || strtok_r(NULL, ",", &save) || (strcmp(fields[1], "c") && strcmp(fields[1], "b")) ||
	    parse_u32(fields[2], 10, &major) < 0 || parse_u32(fields[3], 10, &minor) < 0 ||
	    parse_u32(fields[4], 8, &perm) < 0 || perm > 07777)
		return err_setmsg(-EINVAL, "bad node spec '%s' (want NAME,c|b,MAJOR,MINOR,MODE)", spec);
	struct cpio_item it = {
		.name = fields[0],
		.mode = (fields[1][0] == 'c' ? S_IFCHR : S_IFBLK) | perm,
		.rdev_major = major,
		.rdev_minor = minor,
	};
	return cpio_item_list_add(list, &it);
}

static int copy_file_data(struct cpio_writer *w, const struct cpio_item *it)
{
	_cleanup_close_ int fd = open(it->source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(-errno, "opening %s", it->source);
	static char buf[1 << 16];
	uint64_t left = it->size;
	while (left) {
		ssize_t got = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return err_set(-errno, "reading %s", it->source);
		if (got == 0)
			return err_setmsg(-EIO, "%s shrank while being archived", it->source);
		int r = cpio_write_data(w, buf, (size_t)got);
		if (r < 0)
			return err_wrap(r, "%s", it->name);
		left -= (uint64_t)got;
	}
	return 0;
}

static int write_item(struct cpio_writer *w, const struct cpio_item *it, uint32_t mtime)
{
	if (it->size > UINT32_MAX)
		return err_setmsg(-EFBIG, "%s: %" PRIu64 " bytes do not fit a newc header", it->name, it->size);
	struct cpio_entry e = {
		.name = it->name,
		.ino = it->ino,
		.mode = it->mode,
		.nlink = it->nlink,
		.mtime = mtime,
		.rdev_major = it->rdev_major,
		.rdev_minor = it->rdev_minor,
		.size = it->carries_data ? (uint32_t)it->size : 0,
	};
	int r = cpio_begin_entry(w, &e);
	if (r < 0)
		return r;
	if (e.size) {
		if (S_ISLNK(it->mode))
			r = cpio_write_data(w, it->source, e.size);
		else
			r = copy_file_data(w, it);
		if (r < 0)
			return r;
	}
	return cpio_end_entry(w);
}

static int build(const char *out, const char *dir, uint32_t mtime, struct cpio_item_list *list)
{
	int r = cpio_scan_tree(dir, list);
	if (r < 0)
		return r;
	if ((r = cpio_plan(list->items, list->n)) < 0)
		return r;
	_cleanup_(gzip_file_close_cleanup) struct gzip_file *gz = NULL;
	if ((r = gzip_file_open(&gz, out, 9)) < 0)
		return r;
	struct cpio_writer w;
	cpio_writer_init(&w, gzip_file_write, gz);
	for (size_t i = 0; i < list->n; i++)
		if ((r = write_item(&w, &list->items[i], mtime)) < 0)
			return r;
	if ((r = cpio_write_trailer(&w)) < 0)
		return r;
	return gzip_file_commit(gz);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	uint32_t mtime = 0;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde && parse_u32(sde, 10, &mtime) < 0) {
		fprintf(stderr, "mkinitrd: SOURCE_DATE_EPOCH '%s' is not a 32-bit number of seconds\n", sde);
		return 1;
	}
	struct cpio_item_list list = { 0 };
	int opt, status = 1;
	while ((opt = getopt(argc, argv, "ho:t:n:")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 't':
			if (parse_u32(optarg, 10, &mtime) < 0) {
				fprintf(stderr, "mkinitrd: -t '%s' is not a 32-bit number of seconds\n", optarg);
				goto out;
			}
			break;
		case 'n':
			if (parse_node(optarg, &list) < 0) {
				fprintf(stderr, "mkinitrd: %s\n", err_text());
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (!out || optind != argc - 1) {
		usage(stderr);
		goto out;
	}
	if (build(out, argv[optind], mtime, &list) < 0) {
		fprintf(stderr, "mkinitrd: %s\n", err_text());
		goto out;
	}
	status = 0;
out:
	cpio_item_list_free(&list);
	return status;
}
