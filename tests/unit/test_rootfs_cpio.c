/* Unit tests for the newc writer (src/lib/cpio_newc.h) and the archive
 * plan (src/lib/cpio_plan.h): the output is parsed back by a small reader
 * in this file, independent of the writer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "lib/cpio_newc.h"
#include "lib/cpio_plan.h"

struct buf {
	unsigned char data[8192];
	size_t len;
};

static int buf_sink(void *ctx, const void *p, size_t n)
{
	struct buf *b = ctx;
	if (b->len + n > sizeof(b->data))
		return -ENOSPC;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static int failing_sink(void *ctx, const void *p, size_t n)
{
	return -EIO;
}

/* Reads field `i` (0 = ino ... 12 = check) of the header at `off`. */
static uint32_t field(const struct buf *b, size_t off, int i)
{
	char tmp[9];
	memcpy(tmp, b->data + off + 6 + 8 * i, 8);
	tmp[8] = '\0';
	return (uint32_t)strtoul(tmp, NULL, 16);
}
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_DEVMAJ, F_DEVMIN, F_RMAJ, F_RMIN, F_NAMESIZE, F_CHECK };

static size_t align4(size_t n) { return (n + 3) & ~(size_t)3; }

/* Offset of the header after the one at `off`. */
static size_t next_header(const struct buf *b, size_t off)
{
	return align4(align4(off + 110 + field(b, off, F_NAMESIZE)) + field(b, off, F_SIZE));
}

static void test_header_is_110_hex_bytes_with_magic(void **state)
{
	struct cpio_entry e = { .name = "bin", .ino = 7, .mode = S_IFDIR | 0755, .nlink = 2, .mtime = 0x5f5e100 };
	struct cpio_newc_header h;
	cpio_format_header(&h, &e, 4);
	char text[111];
	memcpy(text, &h, 110);
	text[110] = '\0';
	assert_string_equal(text, "070701" "00000007" "000041ed" "00000000" "00000000" "00000002" "05f5e100"
				  "00000000" "00000000" "00000000" "00000000" "00000000" "00000004" "00000000");
}

static void test_name_and_data_are_padded_to_four_bytes(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	/* 110 + 6 ("bin/a" + NUL) = 116: already aligned; 3 data bytes pad to 4. */
	struct cpio_entry e = { .name = "bin/a", .ino = 1, .mode = S_IFREG | 0644, .nlink = 1, .size = 3 };
	assert_int_equal(cpio_write_entry(&w, &e, "abc"), 0);
	assert_int_equal(b.len, 120);
	assert_memory_equal(b.data + 116, "abc\0", 4);
	/* 110 + 3 ("ab" + NUL) = 113 -> name padded to 116. */
	struct cpio_entry e2 = { .name = "ab", .ino = 2, .mode = S_IFREG | 0644, .nlink = 1, .size = 1 };
	assert_int_equal(cpio_write_entry(&w, &e2, "z"), 0);
	assert_int_equal(b.len, 120 + 116 + 4);
	assert_int_equal(b.data[120 + 113], 0);
	assert_int_equal(b.data[120 + 116], 'z');
	assert_int_equal(b.len % 4, 0);
}

static void test_trailer_ends_the_archive_aligned(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	struct cpio_entry e = { .name = "x", .ino = 1, .mode = S_IFREG | 0600, .nlink = 1, .size = 1 };
	assert_int_equal(cpio_write_entry(&w, &e, "y"), 0);
	size_t off = b.len;
	assert_int_equal(cpio_write_trailer(&w), 0);
	assert_int_equal(off % 4, 0);
	assert_memory_equal(b.data + off + 110, "TRAILER!!!", 11);
	assert_int_equal(field(&b, off, F_NAMESIZE), 11);
	assert_int_equal(field(&b, off, F_NLINK), 1);
	assert_int_equal(field(&b, off, F_SIZE), 0);
	assert_int_equal(b.len, align4(off + 110 + 11));
}

static void test_symlink_stores_target_as_data(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	struct cpio_entry e = { .name = "l", .ino = 1, .mode = S_IFLNK | 0777, .nlink = 1, .size = 4 };
	assert_int_equal(cpio_write_entry(&w, &e, "/bin"), 0);
	assert_int_equal(field(&b, 0, F_MODE), 0120777);
	assert_memory_equal(b.data + align4(110 + 2), "/bin", 4);
}

static void test_device_carries_rdev_and_no_data(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	struct cpio_entry e = { .name = "dev/console", .ino = 1, .mode = S_IFCHR | 0600, .nlink = 1, .rdev_major = 5,
				.rdev_minor = 1 };
	assert_int_equal(cpio_write_entry(&w, &e, NULL), 0);
	assert_int_equal(field(&b, 0, F_RMAJ), 5);
	assert_int_equal(field(&b, 0, F_RMIN), 1);
	assert_int_equal(field(&b, 0, F_SIZE), 0);
}

static void test_bad_entries_are_refused(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	struct cpio_entry empty_link = { .name = "l", .mode = S_IFLNK | 0777 };
	assert_int_equal(cpio_write_entry(&w, &empty_link, NULL), -EINVAL);
	struct cpio_entry dir_with_data = { .name = "d", .mode = S_IFDIR | 0755, .size = 1 };
	assert_int_equal(cpio_write_entry(&w, &dir_with_data, "x"), -EINVAL);
	struct cpio_entry no_name = { .name = "", .mode = S_IFREG };
	assert_int_equal(cpio_write_entry(&w, &no_name, NULL), -EINVAL);
	assert_int_equal(b.len, 0);
}

static void test_short_data_is_an_error(void **state)
{
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	struct cpio_entry e = { .name = "f", .mode = S_IFREG | 0644, .nlink = 1, .size = 5 };
	assert_int_equal(cpio_begin_entry(&w, &e), 0);
	assert_int_equal(cpio_write_data(&w, "abc", 3), 0);
	assert_int_equal(cpio_end_entry(&w), -EINVAL);
	assert_int_equal(cpio_write_data(&w, "abcdef", 6), -EINVAL);
	assert_int_equal(cpio_write_trailer(&w), -EINVAL);
}

static void test_sink_errors_are_returned(void **state)
{
	struct cpio_writer w;
	cpio_writer_init(&w, failing_sink, NULL);
	struct cpio_entry e = { .name = "f", .mode = S_IFREG | 0644, .nlink = 1 };
	assert_int_equal(cpio_write_entry(&w, &e, NULL), -EIO);
}

static void test_paths_sort_parents_first_and_root_leads(void **state)
{
	struct cpio_item items[] = {
		{ .name = "bin-x", .mode = S_IFREG }, { .name = "bin/sh", .mode = S_IFREG },
		{ .name = "bin", .mode = S_IFDIR },   { .name = ".", .mode = S_IFDIR },
		{ .name = "a", .mode = S_IFREG },     { .name = "bin/a/b", .mode = S_IFREG },
		{ .name = "bin/a", .mode = S_IFDIR },
	};
	assert_int_equal(cpio_plan(items, 7), 0);
	const char *want[] = { ".", "a", "bin", "bin/a", "bin/a/b", "bin/sh", "bin-x" };
	for (int i = 0; i < 7; i++) {
		assert_string_equal(items[i].name, want[i]);
		assert_int_equal(items[i].ino, i + 1);
	}
}

static void test_hard_links_share_inode_and_data_rides_on_first(void **state)
{
	struct cpio_item items[] = {
		{ .name = "bin", .mode = S_IFDIR | 0755, .src_dev = 1, .src_ino = 10 },
		{ .name = "bin/vhd2tar", .mode = S_IFREG | 0755, .size = 9, .src_dev = 1, .src_ino = 20 },
		{ .name = "bin/gcstools", .mode = S_IFREG | 0755, .size = 9, .src_dev = 1, .src_ino = 20 },
		{ .name = "bin/gcs", .mode = S_IFREG | 0755, .size = 5, .src_dev = 1, .src_ino = 30 },
		{ .name = "bin/tar2vhd", .mode = S_IFREG | 0755, .size = 9, .src_dev = 1, .src_ino = 20 },
	};
	assert_int_equal(cpio_plan(items, 5), 0);
	/* bin, bin/gcs, bin/gcstools, bin/tar2vhd, bin/vhd2tar */
	assert_string_equal(items[2].name, "bin/gcstools");
	assert_int_equal(items[1].nlink, 1);
	for (int i = 2; i < 5; i++) {
		assert_int_equal(items[i].nlink, 3);
		assert_int_equal(items[i].ino, items[2].ino);
		assert_int_equal(items[i].carries_data, i == 2);
	}
	assert_int_equal(items[0].ino, 1);
	assert_int_equal(items[1].ino, 2);
	assert_int_equal(items[2].ino, 3);
}

static void test_directories_and_symlinks_never_become_links(void **state)
{
	struct cpio_item items[] = {
		{ .name = "d", .mode = S_IFDIR | 0755, .src_dev = 1, .src_ino = 5 },
		{ .name = "e", .mode = S_IFLNK | 0777, .size = 1, .src_dev = 1, .src_ino = 6 },
		{ .name = "f", .mode = S_IFLNK | 0777, .size = 1, .src_dev = 1, .src_ino = 6 },
	};
	assert_int_equal(cpio_plan(items, 3), 0);
	assert_int_equal(items[1].nlink, 1);
	assert_int_equal(items[2].nlink, 1);
	assert_int_not_equal(items[1].ino, items[2].ino);
	assert_true(items[2].carries_data);
}

static void test_entry_without_parent_is_refused(void **state)
{
	struct cpio_item items[] = { { .name = "dev/console", .mode = S_IFCHR | 0600 } };
	assert_int_equal(cpio_plan(items, 1), -EINVAL);
}

static void test_duplicate_and_escaping_names_are_refused(void **state)
{
	struct cpio_item dup[] = { { .name = "a", .mode = S_IFREG }, { .name = "a", .mode = S_IFREG } };
	assert_int_equal(cpio_plan(dup, 2), -EINVAL);
	struct cpio_item up[] = { { .name = "../etc", .mode = S_IFREG } };
	assert_int_equal(cpio_plan(up, 1), -EINVAL);
	struct cpio_item abs[] = { { .name = "/etc", .mode = S_IFDIR } };
	assert_int_equal(cpio_plan(abs, 1), -EINVAL);
}

static void test_planned_archive_parses_back_entry_by_entry(void **state)
{
	struct cpio_item items[] = {
		{ .name = ".", .mode = S_IFDIR | 0755 },
		{ .name = "b", .mode = S_IFREG | 0755, .size = 5, .src_dev = 1, .src_ino = 2 },
		{ .name = "a", .mode = S_IFREG | 0755, .size = 5, .src_dev = 1, .src_ino = 2 },
	};
	assert_int_equal(cpio_plan(items, 3), 0);
	struct buf b = { 0 };
	struct cpio_writer w;
	cpio_writer_init(&w, buf_sink, &b);
	for (int i = 0; i < 3; i++) {
		struct cpio_entry e = { .name = items[i].name, .ino = items[i].ino, .mode = items[i].mode,
					.nlink = items[i].nlink, .size = items[i].carries_data ? (uint32_t)items[i].size : 0 };
		assert_int_equal(cpio_write_entry(&w, &e, "hello"), 0);
	}
	assert_int_equal(cpio_write_trailer(&w), 0);

	const char *names[] = { ".", "a", "b", "TRAILER!!!" };
	const uint32_t sizes[] = { 0, 5, 0, 0 };
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(off % 4, 0);
		assert_memory_equal(b.data + off, "070701", 6);
		assert_string_equal((const char *)b.data + off + 110, names[i]);
		assert_int_equal(field(&b, off, F_SIZE), sizes[i]);
		off = next_header(&b, off);
	}
	assert_int_equal(off, b.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_is_110_hex_bytes_with_magic),
		cmocka_unit_test(test_name_and_data_are_padded_to_four_bytes),
		cmocka_unit_test(test_trailer_ends_the_archive_aligned),
		cmocka_unit_test(test_symlink_stores_target_as_data),
		cmocka_unit_test(test_device_carries_rdev_and_no_data),
		cmocka_unit_test(test_bad_entries_are_refused),
		cmocka_unit_test(test_short_data_is_an_error),
		cmocka_unit_test(test_sink_errors_are_returned),
		cmocka_unit_test(test_paths_sort_parents_first_and_root_leads),
		cmocka_unit_test(test_hard_links_share_inode_and_data_rides_on_first),
		cmocka_unit_test(test_directories_and_symlinks_never_become_links),
		cmocka_unit_test(test_entry_without_parent_is_refused),
		cmocka_unit_test(test_duplicate_and_escaping_names_are_refused),
		cmocka_unit_test(test_planned_archive_parses_back_entry_by_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
