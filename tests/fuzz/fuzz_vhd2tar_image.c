/* fuzz_vhd2tar_image: arbitrary bytes as an ext4 image -> vhd2tar's reader
 * (libext2fs metadata, direct data reads) -> layer tar thrown away.
 * The image sits in a memory file opened by libext2fs through
 * /proc/self/fd; output and file data are capped so one input stays
 * bounded in time. Seeds: small mke2fs -d images (ext4, inline data,
 * ext2). */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/vhd2tar_tar.h"
#include "os/ext2fs_walk.h"

#define MAX_IMAGE (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int image = -1, sink = -1;
	if (image < 0)
		image = memfd_create("fuzz-vhd2tar", MFD_CLOEXEC);
	if (sink < 0)
		sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (image < 0 || sink < 0 || size > MAX_IMAGE || ftruncate(image, 0) < 0)
		return 0;
	if (size && pwrite(image, data, size, 0) != (ssize_t)size)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", image);

	struct vtar *t;
	enum vtar_whiteout wo = (size & 1) ? VTAR_WHITEOUT_AUFS : VTAR_WHITEOUT_OVERLAY;
	if (vtar_open(&t, sink, wo, 64u << 20) < 0)
		return 0;
	struct e2walk_options o = { .whiteout = wo, .max_data_bytes = 16u << 20 };
	if (e2walk_to_tar(path, image, size, &o, t, NULL) == 0)
		vtar_finish(t);
	vtar_free(t);
	err_clear();
	return 0;
}
