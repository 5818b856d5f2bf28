/* sandbox_walk.h: a live directory tree (a container's overlay upper
 * directory, or a plain ext4 mount) -> layer tar, for exportSandbox
 * (../shared/spec/gcstools.md §7). Same archive shape and order as vhd2tar
 * (lib/vhd2tar_tar.h): depth first, names sorted byte-wise as written,
 * hard links to the first name, xattrs and sparse maps kept; in the overlay
 * whiteout format overlayfs' own trusted.overlay.* attributes (origin,
 * impure, redirect, ...) are not exported, the opaque marker excepted. */
#ifndef LCOW_SANDBOX_WALK_H
#define LCOW_SANDBOX_WALK_H

#include <stdint.h>

#include "lib/vhd2tar_tar.h"

struct sandbox_walk_options {
	enum vtar_whiteout whiteout;
	void (*note)(void *ctx, const char *message); /* skipped entries */
	void *note_ctx;
};

struct sandbox_walk_stats {
	uint64_t entries, data_bytes, skipped;
};

int sandbox_walk_to_tar(const char *root, const struct sandbox_walk_options *opt, struct vtar *out,
			struct sandbox_walk_stats *stats);

#endif
