/* fuzz_ext4_tar2ext4: arbitrary bytes as a layer tar -> ext4 image in a
 * memory file. Exercises libarchive's parsing as driven by tar_layer.c and
 * every path of the ext4 writer, including its error paths. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/ext4_writer.h"
#include "lib/tar_layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0)
		fd = memfd_create("fuzz-ext4", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0)
		return 0;
	struct ext4_writer *w;
	struct ext4_writer_options o = { .max_size = 64ull << 20 };
	if (ext4_writer_new(fd, &o, &w) < 0)
		return 0;
	struct tar_layer_options to = { .whiteouts = (size & 1) ? TAR_WHITEOUT_AUFS : TAR_WHITEOUT_OVERLAY };
	uint64_t image = 0;
	if (tar_layer_convert_memory(data, size, w, &to, NULL) == 0)
		ext4_writer_finish(w, &image);
	ext4_writer_free(w);
	return 0;
}
