/* kconfig_file.c: reads a kernel config, decompressing it if needed.
 *
 * libarchive's "raw" format with every decompression filter turns a plain,
 * gzip, xz, zstd or bzip2 file into one byte stream, so callers never care
 * how the config was stored. */
#include "os/kconfig_file.h"

#include <archive.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static void archive_cleanup(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

int kconfig_file_read(const char *path, char **text, size_t *len)
{
	__attribute__((cleanup(archive_cleanup))) struct archive *a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);

	int r = strcmp(path, "-") == 0 ? archive_read_open_fd(a, 0, 65536)
				       : archive_read_open_filename(a, path, 65536);
	if (r != ARCHIVE_OK) {
		int e = archive_errno(a) > 0 ? archive_errno(a) : EIO;
		return err_setmsg(-e, "opening %s: %s", path, archive_error_string(a));
	}

	_cleanup_free_ char *buf = NULL;
	size_t used = 0, cap = 0;
	struct archive_entry *entry;
	r = archive_read_next_header(a, &entry);
	if (r == ARCHIVE_OK) {
		for (;;) {
			if (cap - used < 65536) {
				size_t ncap = cap ? cap * 2 : 262144;
				char *n = realloc(buf, ncap + 1);
				if (!n)
					return -ENOMEM;
				buf = n;
				cap = ncap;
			}
			la_ssize_t got = archive_read_data(a, buf + used, cap - used);
			if (got < 0)
				return err_setmsg(-EIO, "reading %s: %s", path, archive_error_string(a));
			if (got == 0)
				break;
			used += (size_t)got;
			if (used > KCONFIG_FILE_MAX)
				return err_setmsg(-EFBIG, "reading %s: larger than %u bytes: not a kernel config", path,
						  KCONFIG_FILE_MAX);
		}
	} else if (r != ARCHIVE_EOF) {
		return err_setmsg(-EIO, "reading %s: %s", path, archive_error_string(a));
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[used] = '\0';
	*text = TAKE_PTR(buf);
	*len = used;
	return 0;
}
