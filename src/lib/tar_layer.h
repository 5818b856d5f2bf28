/* tar_layer.h: the tar front end of tar2vhd: reads a layer tar with
 * libarchive (plain, gzip, bzip2, xz or zstd; ustar, GNU and pax, long
 * names, sparse files, SCHILY/LIBARCHIVE xattrs, ACLs) and feeds each entry
 * to the ext4 writer, applying the whiteout conversion
 * (../shared/spec/ext4-writer.md §17, ../shared/spec/gcstools.md §6.1). */
#ifndef LCOW_TAR_LAYER_H
#define LCOW_TAR_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ext4_writer.h"

enum tar_whiteout_format {
	TAR_WHITEOUT_OVERLAY, /* .wh.NAME -> char 0/0, .wh..wh..opq -> opaque xattr */
	TAR_WHITEOUT_AUFS,    /* .wh.* kept as ordinary files */
};

struct tar_layer_options {
	enum tar_whiteout_format whiteouts;
};

struct tar_layer_stats {
	uint64_t entries;
	uint64_t bytes; /* file data bytes */
};

/* Converts the tar read from fd (until its end-of-archive marker) into w.
 * Does not call ext4_writer_finish. Returns 0 or a negative errno with the
 * failing entry named in the err text. */
int tar_layer_convert_fd(int fd, struct ext4_writer *w, const struct tar_layer_options *opt,
			 struct tar_layer_stats *stats);

/* The same for a tar held in memory (tests, fuzzing). */
int tar_layer_convert_memory(const void *data, size_t len, struct ext4_writer *w,
			     const struct tar_layer_options *opt, struct tar_layer_stats *stats);

#endif
