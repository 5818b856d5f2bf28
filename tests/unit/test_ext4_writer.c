/* Unit tests for the streaming ext4 writer (src/lib/ext4_writer.h): images
 * built in memory files and read back with libext2fs, no root needed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>

#include "lib/err.h"
#include "lib/ext4_writer.h"

static void check_clean(const char *in, const char *want)
{
	char out[256];
	int n = ext4_path_clean(in, out);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_paths_are_cleaned_and_confined(void **state)
{
	(void)state;
	check_clean("./etc/", "etc");
	check_clean("/etc//passwd", "etc/passwd");
	check_clean("../../etc", "etc");
	check_clean("a/../../b/./c", "b/c");
	check_clean("./", "");
	check_clean("..", "");
	char longname[300];
	memset(longname, 'x', 256);
	longname[256] = '\0';
	char out[300];
	assert_int_equal(ext4_path_clean(longname, out), -ENAMETOOLONG);
}

struct image {
	int fd;
	struct ext4_writer *w;
	uint64_t size;
	ext2_filsys fs;
};

static void image_start(struct image *im)
{
	memset(im, 0, sizeof(*im));
	im->fd = memfd_create("ext4-writer-test", MFD_CLOEXEC);
	assert_true(im->fd >= 0);
	struct ext4_writer_options o = { .max_size = 64ull << 20 };
	assert_int_equal(ext4_writer_new(im->fd, &o, &im->w), 0);
}

static void image_open(struct image *im)
{
	assert_int_equal(ext4_writer_finish(im->w, &im->size), 0);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", im->fd);
	assert_int_equal(ext2fs_open(path, 0, 0, 0, unix_io_manager, &im->fs), 0);
	assert_int_equal(ext2fs_read_bitmaps(im->fs), 0);
}

static void image_end(struct image *im)
{
	if (im->fs)
		ext2fs_close_free(&im->fs);
	ext4_writer_free(im->w);
	close(im->fd);
}

static void add_file(struct ext4_writer *w, const char *path, const char *data, uint32_t perm)
{
	struct ext4_writer_entry e = { .path = path, .type = EXT4_FT_REG_FILE, .perm = perm, .size = strlen(data),
				       .mtime = { 1700000000, 5 } };
	assert_int_equal(ext4_writer_add(w, &e), 0);
	assert_int_equal(ext4_writer_write_data(w, 0, data, strlen(data)), 0);
}

static ext2_ino_t lookup(ext2_filsys fs, const char *path)
{
	ext2_ino_t ino = 0;
	if (ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino))
		return 0;
	return ino;
}

static void read_inode(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode_large *in)
{
	assert_int_equal(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)in, sizeof(*in)), 0);
}

/* The free counts in the superblock agree with the bitmaps. */
static void check_counts(ext2_filsys fs)
{
	blk64_t free_blocks = 0;
	for (blk64_t b = 0; b < ext2fs_blocks_count(fs->super); b++)
		free_blocks += !ext2fs_test_block_bitmap2(fs->block_map, b);
	assert_int_equal(free_blocks, ext2fs_free_blocks_count(fs->super));
	ext2_ino_t free_inodes = 0;
	for (ext2_ino_t i = 1; i <= fs->super->s_inodes_count; i++)
		free_inodes += !ext2fs_test_inode_bitmap2(fs->inode_map, i);
	assert_int_equal(free_inodes, fs->super->s_free_inodes_count);
}

static void test_files_and_directories_read_back(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	add_file(im.w, "etc/hostname", "box\n", 0644);
	struct ext4_writer_entry dir = { .path = "etc", .type = EXT4_FT_DIR, .perm = 0750, .uid = 100000, .gid = 7 };
	assert_int_equal(ext4_writer_add(im.w, &dir), 0);
	image_open(&im);

	assert_true(ext2fs_has_feature_dir_index(im.fs->super));
	assert_true(ext2fs_has_feature_extents(im.fs->super));
	assert_true(ext2fs_has_feature_readonly(im.fs->super));
	assert_int_equal(im.size, (uint64_t)ext2fs_blocks_count(im.fs->super) * 4096);
	ext2_ino_t etc = lookup(im.fs, "etc"), host = lookup(im.fs, "etc/hostname");
	assert_true(etc && host);
	assert_int_equal(lookup(im.fs, "lost+found"), 11);
	struct ext2_inode_large in;
	read_inode(im.fs, etc, &in);
	assert_int_equal(in.i_mode, 040750);
	assert_int_equal(inode_uid(in), 100000);
	assert_int_equal(in.i_links_count, 2);
	read_inode(im.fs, host, &in);
	assert_int_equal(in.i_mode, 0100644);
	assert_int_equal(in.i_size, 4);
	assert_int_equal(in.i_mtime, 1700000000);
	assert_int_equal(in.i_mtime_extra, 5 << 2);
	read_inode(im.fs, EXT2_ROOT_INO, &in);
	assert_int_equal(in.i_links_count, 4); /* ., .., etc/.., lost+found/.. */
	check_counts(im.fs);
	image_end(&im);
}

static void test_replaced_file_frees_its_blocks(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	static char big[40000];
	memset(big, 'a', sizeof(big) - 1);
	add_file(im.w, "f", big, 0644);
	add_file(im.w, "f", "small", 0600);
	image_open(&im);
	struct ext2_inode_large in;
	read_inode(im.fs, lookup(im.fs, "f"), &in);
	assert_int_equal(in.i_size, 5);
	assert_int_equal(in.i_mode, 0100600);
	assert_true(ext2fs_free_blocks_count(im.fs->super) >= 10); /* the 10 blocks of the first f */
	check_counts(im.fs);
	image_end(&im);
}

static void test_hard_links_share_the_inode(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	add_file(im.w, "a", "data", 0644);
	assert_int_equal(ext4_writer_add_hardlink(im.w, "dir/b", "a"), 0);
	assert_int_equal(ext4_writer_add_hardlink(im.w, "c", "./a"), 0);
	assert_int_equal(ext4_writer_add_hardlink(im.w, "x", "missing"), -ENOENT);
	image_open(&im);
	ext2_ino_t a = lookup(im.fs, "a");
	assert_int_equal(lookup(im.fs, "dir/b"), a);
	assert_int_equal(lookup(im.fs, "c"), a);
	struct ext2_inode_large in;
	read_inode(im.fs, a, &in);
	assert_int_equal(in.i_links_count, 3);
	check_counts(im.fs);
	image_end(&im);
}

static void test_directory_replaced_by_a_file_drops_its_tree(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	add_file(im.w, "d/inner/file", "x", 0644);
	add_file(im.w, "d", "now a file", 0644);
	image_open(&im);
	struct ext2_inode_large in;
	read_inode(im.fs, lookup(im.fs, "d"), &in);
	assert_int_equal(in.i_mode & 0170000, 0100000);
	assert_int_equal(lookup(im.fs, "d/inner"), 0);
	read_inode(im.fs, EXT2_ROOT_INO, &in);
	assert_int_equal(in.i_links_count, 3);
	check_counts(im.fs);
	image_end(&im);
}

static void test_replaced_parent_is_resolved_again(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	add_file(im.w, "d/a", "old tree", 0644);
	add_file(im.w, "d", "a file now", 0644);
	struct ext4_writer_entry e = { .path = "d/b", .type = EXT4_FT_REG_FILE, .perm = 0644 };
	assert_int_equal(ext4_writer_add(im.w, &e), -ENOTDIR);
	struct ext4_writer_entry dir = { .path = "d", .type = EXT4_FT_DIR, .perm = 0755 };
	assert_int_equal(ext4_writer_add(im.w, &dir), 0);
	add_file(im.w, "d/b", "new tree", 0644);
	image_open(&im);
	assert_int_equal(lookup(im.fs, "d/a"), 0);
	assert_int_not_equal(lookup(im.fs, "d/b"), 0);
	check_counts(im.fs);
	image_end(&im);
}

static void test_opaque_marker_merges_into_the_directory(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	assert_int_equal(ext4_writer_set_dir_xattr(im.w, "a/b", "trusted.overlay.opaque", "y", 1), 0);
	struct ext4_writer_entry dir = { .path = "a/b/", .type = EXT4_FT_DIR, .perm = 0700 };
	assert_int_equal(ext4_writer_add(im.w, &dir), 0);
	image_open(&im);
	ext2_ino_t b = lookup(im.fs, "a/b");
	struct ext2_inode_large in;
	read_inode(im.fs, b, &in);
	assert_int_equal(in.i_mode, 040700);
	struct ext2_xattr_handle *h;
	assert_int_equal(ext2fs_xattrs_open(im.fs, b, &h), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	void *v;
	size_t len;
	assert_int_equal(ext2fs_xattr_get(h, "trusted.overlay.opaque", &v, &len), 0);
	assert_int_equal(len, 1);
	assert_memory_equal(v, "y", 1);
	ext2fs_free_mem(&v);
	ext2fs_xattrs_close(&h);
	image_end(&im);
}

static void test_devices_and_symlinks(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	struct ext4_writer_entry dev = { .path = "dev/x", .type = EXT4_FT_BLKDEV, .perm = 0660, .dev_major = 300,
					 .dev_minor = 70000 };
	assert_int_equal(ext4_writer_add(im.w, &dev), 0);
	struct ext4_writer_entry sym = { .path = "l", .type = EXT4_FT_SYMLINK, .link_target = "dev/x", .link_len = 5 };
	assert_int_equal(ext4_writer_add(im.w, &sym), 0);
	dev.dev_major = 5000;
	assert_int_equal(ext4_writer_add(im.w, &dev), -EINVAL);
	sym.link_len = 0;
	assert_int_equal(ext4_writer_add(im.w, &sym), -EINVAL);
	image_open(&im);
	struct ext2_inode_large in;
	read_inode(im.fs, lookup(im.fs, "dev/x"), &in);
	assert_int_equal(in.i_mode, 060660);
	assert_int_equal(in.i_block[0], 0);
	assert_int_equal(in.i_block[1], (70000u & 0xFF) | (300u << 8) | ((70000u & ~0xFFu) << 12));
	read_inode(im.fs, lookup(im.fs, "l"), &in);
	assert_int_equal(in.i_mode, 0120777);
	assert_int_equal(in.i_size, 5);
	assert_memory_equal(in.i_block, "dev/x", 5);
	image_end(&im);
}

static void test_sparse_data_leaves_holes(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	struct ext4_writer_entry e = { .path = "sparse", .type = EXT4_FT_REG_FILE, .size = 40ull << 20, .sparse = true };
	assert_int_equal(ext4_writer_add(im.w, &e), 0);
	assert_int_equal(ext4_writer_write_data(im.w, 0, "head", 4), 0);
	assert_int_equal(ext4_writer_write_data(im.w, 20ull << 20, "middle", 6), 0);
	assert_int_equal(ext4_writer_write_data(im.w, (40ull << 20) - 4, "tail", 4), 0);
	assert_int_equal(ext4_writer_write_data(im.w, 0, "back", 4), -EINVAL);
	image_open(&im);
	struct ext2_inode_large in;
	read_inode(im.fs, lookup(im.fs, "sparse"), &in);
	assert_int_equal(EXT2_I_SIZE(&in), 40ull << 20);
	assert_int_equal(in.i_blocks, 3); /* three data blocks, in 4 KiB units (huge_file) */
	assert_true(im.size < (2ull << 20));
	check_counts(im.fs);
	image_end(&im);
}

static void test_copied_data_reads_back(void **state)
{
	(void)state;
	int in = memfd_create("ext4-writer-input", MFD_CLOEXEC);
	static char data[300000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	assert_int_equal(pwrite(in, data, sizeof(data), 0), (ssize_t)sizeof(data));
	struct image im;
	image_start(&im);
	struct ext4_writer_entry e = { .path = "copied", .type = EXT4_FT_REG_FILE, .perm = 0644, .size = sizeof(data) - 1000 };
	assert_int_equal(ext4_writer_add(im.w, &e), 0);
	assert_int_equal(ext4_writer_copy_data(im.w, 0, in, 1000, sizeof(data) - 1000), 0);
	image_open(&im);
	ext2_file_t f;
	assert_int_equal(ext2fs_file_open(im.fs, lookup(im.fs, "copied"), 0, &f), 0);
	static char back[sizeof(data)];
	unsigned int got = 0;
	assert_int_equal(ext2fs_file_read(f, back, sizeof(back), &got), 0);
	assert_int_equal(got, sizeof(data) - 1000);
	assert_memory_equal(back, data + 1000, got);
	ext2fs_file_close(f);
	image_end(&im);
	close(in);
}

/* The copy happens when the queue is written: a short input fails then. */
static void test_copy_from_a_short_input_fails_when_written(void **state)
{
	(void)state;
	int in = memfd_create("ext4-writer-input", MFD_CLOEXEC);
	assert_int_equal(pwrite(in, "0123456789", 10, 0), 10);
	struct image im;
	image_start(&im);
	struct ext4_writer_entry e = { .path = "short", .type = EXT4_FT_REG_FILE, .perm = 0644, .size = 10000 };
	assert_int_equal(ext4_writer_add(im.w, &e), 0);
	assert_int_equal(ext4_writer_copy_data(im.w, 0, in, 0, 10000), 0);
	assert_int_equal(ext4_writer_finish(im.w, &im.size), -EIO);
	assert_non_null(strstr(err_text(), "truncated input"));
	image_end(&im);
	close(in);
}

static void test_content_beyond_the_maximum_size_is_refused(void **state)
{
	(void)state;
	struct image im;
	image_start(&im);
	struct ext4_writer_entry e = { .path = "big", .type = EXT4_FT_REG_FILE, .size = 100ull << 20 };
	assert_int_equal(ext4_writer_add(im.w, &e), -EFBIG);
	assert_non_null(strstr(err_text(), "maximum image size"));
	image_end(&im);
}

static void test_same_calls_give_the_same_bytes(void **state)
{
	(void)state;
	uint8_t *img[2];
	uint64_t size[2];
	for (int k = 0; k < 2; k++) {
		struct image im;
		image_start(&im);
		add_file(im.w, "a/b/c", "content", 0644);
		assert_int_equal(ext4_writer_finish(im.w, &im.size), 0);
		size[k] = im.size;
		img[k] = malloc(im.size);
		assert_int_equal(pread(im.fd, img[k], im.size, 0), (ssize_t)im.size);
		image_end(&im);
	}
	assert_int_equal(size[0], size[1]);
	assert_memory_equal(img[0], img[1], size[0]);
	free(img[0]);
	free(img[1]);
}

/* Files 1000..1199 are two blocks, the second copied by the kernel: each
 * ends a run on a block boundary, and the next file's bytes come from the
 * staging buffer. */
static size_t background_test_length(int i)
{
	return i >= 1000 && i < 1200 ? 8192 : (size_t)(i * 37) % 9000;
}

/* Lent data, copies, zeros and metadata in many batches: every file reads
 * back, and the bytes are the same whether a second thread writes them or
 * not. */
static void test_background_writes_give_the_same_bytes(void **state)
{
	(void)state;
	int in = memfd_create("ext4-writer-input", MFD_CLOEXEC);
	static char data[400000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + i / 4096);
	assert_int_equal(pwrite(in, data, sizeof(data), 0), (ssize_t)sizeof(data));
	uint8_t *img[2];
	uint64_t size[2];
	for (int k = 0; k < 2; k++) {
		int fd = memfd_create("ext4-writer-test", MFD_CLOEXEC);
		struct ext4_writer *w;
		struct ext4_writer_options o = { .max_size = 256ull << 20, .background_writes = k == 1 };
		assert_int_equal(ext4_writer_new(fd, &o, &w), 0);
		for (int i = 0; i < 3000; i++) {
			char name[32];
			snprintf(name, sizeof(name), "d%d/f%d", i % 7, i);
			size_t len = background_test_length(i);
			struct ext4_writer_entry e = { .path = name, .type = EXT4_FT_REG_FILE, .perm = 0644, .size = len };
			assert_int_equal(ext4_writer_add(w, &e), 0);
			if (i >= 1000 && i < 1200) {
				/* many kernel copies, each between copied bytes: more
				 * runs than one batch holds */
				size_t half = len / 2;
				assert_int_equal(ext4_writer_write_data(w, 0, data + i, half), 0);
				assert_int_equal(ext4_writer_copy_data(w, half, in, (uint64_t)i + half, len - half), 0);
			} else if (i % 500 == 499) {
				assert_int_equal(ext4_writer_copy_data(w, 0, in, (uint64_t)i, len), 0);
			} else {
				size_t half = len / 2;
				assert_int_equal(ext4_writer_write_data_lent(w, 0, data + i, half), 0);
				assert_int_equal(ext4_writer_write_data(w, half, data + i + half, len - half), 0);
			}
			if (i % 700 == 0) /* batches also end when full: 1024 pieces, 1 MiB staged */
				assert_int_equal(ext4_writer_submit(w), 0);
		}
		assert_int_equal(ext4_writer_finish(w, &size[k]), 0);
		img[k] = malloc(size[k]);
		assert_int_equal(pread(fd, img[k], size[k], 0), (ssize_t)size[k]);
		ext4_writer_free(w);
		/* every file holds data[i .. i + its length) */
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ext2_filsys fs;
		assert_int_equal(ext2fs_open(path, 0, 0, 0, unix_io_manager, &fs), 0);
		static char back[9000];
		for (int i = 0; i < 3000; i++) {
			char name[32];
			snprintf(name, sizeof(name), "d%d/f%d", i % 7, i);
			size_t len = background_test_length(i);
			ext2_file_t f;
			assert_int_equal(ext2fs_file_open(fs, lookup(fs, name), 0, &f), 0);
			unsigned int got = 0;
			assert_int_equal(ext2fs_file_read(f, back, sizeof(back), &got), 0);
			assert_int_equal(got, len);
			assert_memory_equal(back, data + i, len);
			ext2fs_file_close(f);
		}
		ext2fs_close_free(&fs);
		close(fd);
	}
	close(in);
	assert_int_equal(size[0], size[1]);
	assert_memory_equal(img[0], img[1], size[0]);
	free(img[0]);
	free(img[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_are_cleaned_and_confined),
		cmocka_unit_test(test_files_and_directories_read_back),
		cmocka_unit_test(test_replaced_file_frees_its_blocks),
		cmocka_unit_test(test_hard_links_share_the_inode),
		cmocka_unit_test(test_directory_replaced_by_a_file_drops_its_tree),
		cmocka_unit_test(test_replaced_parent_is_resolved_again),
		cmocka_unit_test(test_opaque_marker_merges_into_the_directory),
		cmocka_unit_test(test_devices_and_symlinks),
		cmocka_unit_test(test_sparse_data_leaves_holes),
		cmocka_unit_test(test_copied_data_reads_back),
		cmocka_unit_test(test_copy_from_a_short_input_fails_when_written),
		cmocka_unit_test(test_content_beyond_the_maximum_size_is_refused),
		cmocka_unit_test(test_same_calls_give_the_same_bytes),
		cmocka_unit_test(test_background_writes_give_the_same_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
