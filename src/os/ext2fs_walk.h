/* ext2fs_walk.h: reads an ext4 (or ext2/ext3) image with libext2fs and
 * writes its tree as a layer tar (lib/vhd2tar_tar.h).
 *
 * Any file system that mke2fs and the kernel produce is read: extents and
 * block maps, htree and inline directories, inline data, 64bit,
 * metadata_csum (checksums are verified: a mismatch is an error). Metadata
 * goes through libext2fs; file data is read straight from the image
 * descriptor by physical extent, in large reads.
 *
 * Order is deterministic: depth-first, each directory's entries sorted
 * byte-wise by the name they get in the archive, every directory before
 * its contents (../shared/spec/gcstools.md §5.2). The root directory itself
 * is not written; a top-level lost+found is skipped (§4, 2019 behaviour). */
#ifndef LCOW_EXT2FS_WALK_H
#define LCOW_EXT2FS_WALK_H

#include <stdint.h>

#include "lib/vhd2tar_tar.h"

struct e2walk_options {
	enum vtar_whiteout whiteout;
	int keep_lost_found;      /* write a top-level lost+found too */
	uint64_t max_data_bytes;  /* > 0: fail past this much file data (fuzzing) */
	/* Called for things that are skipped, e.g. sockets (may be NULL). */
	void (*note)(void *ctx, const char *message);
	void *note_ctx;
};

struct e2walk_stats {
	uint64_t entries, data_bytes, sparse_files, hardlinks, whiteouts, skipped;
};

/* image_path is opened by libext2fs (a path, e.g. /proc/self/fd/N);
 * image_fd reads file data; image_size is the number of bytes that belong
 * to the file system (the image file's length less any VHD footer). */
int e2walk_to_tar(const char *image_path, int image_fd, uint64_t image_size, const struct e2walk_options *opt,
		  struct vtar *out, struct e2walk_stats *stats);

#endif
