/* Unit tests for the layer tar writer (src/lib/vhd2tar_tar.h): each writes
 * a small archive to a memfd and reads it back with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/vhd2tar_tar.h"

struct fixture {
	int fd;
	struct vtar *t;
	char *bytes;
	size_t len;
};

static struct fixture open_fixture(enum vtar_whiteout wo)
{
	struct fixture f = { .fd = memfd_create("tar", MFD_CLOEXEC) };
	assert_true(f.fd >= 0);
	assert_int_equal(vtar_open(&f.t, f.fd, wo, 0), 0);
	return f;
}

static void finish(struct fixture *f)
{
	assert_int_equal(vtar_finish(f->t), 0);
	vtar_free(f->t);
	f->t = NULL;
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	f->len = (size_t)st.st_size;
	f->bytes = malloc(f->len + 1);
	assert_int_equal(pread(f->fd, f->bytes, f->len, 0), (ssize_t)f->len);
	f->bytes[f->len] = 0;
}

static void close_fixture(struct fixture *f)
{
	free(f->bytes);
	close(f->fd);
}

/* Reads entry number idx back; returns a new entry (caller frees). */
static struct archive_entry *read_entry(struct fixture *f, int idx, char *data, size_t *data_len)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, f->bytes, f->len), ARCHIVE_OK);
	struct archive_entry *e;
	for (int i = 0; i <= idx; i++)
		assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	struct archive_entry *copy = archive_entry_clone(e);
	if (data) {
		la_ssize_t n = archive_read_data(a, data, 4096);
		*data_len = n > 0 ? (size_t)n : 0;
	}
	archive_read_free(a);
	return copy;
}

static int count_entries(struct fixture *f)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_open_memory(a, f->bytes, f->len);
	struct archive_entry *e;
	int n = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK)
		n++;
	archive_read_free(a);
	return n;
}

static void test_whiteout_device_becomes_empty_wh_file_0600(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry e = { .path = "etc/passwd", .mode = S_IFCHR, .uid = 7, .gid = 8, .mtime = { 5, 0 } };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_string_equal(archive_entry_pathname(r), "etc/.wh.passwd");
	assert_int_equal(archive_entry_mode(r), S_IFREG | 0600);
	assert_int_equal(archive_entry_size(r), 0);
	assert_int_equal(archive_entry_uid(r), 7);
	assert_int_equal(archive_entry_gid(r), 8);
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_top_level_whiteout_has_no_directory_part(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry e = { .path = "gone", .mode = S_IFCHR };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_string_equal(archive_entry_pathname(r), ".wh.gone");
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_aufs_format_keeps_the_device(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_AUFS);
	struct vtar_entry e = { .path = "gone", .mode = S_IFCHR };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_string_equal(archive_entry_pathname(r), "gone");
	assert_int_equal(archive_entry_filetype(r), AE_IFCHR);
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_opaque_directory_is_followed_by_its_marker(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_xattr x[] = { { "trusted.overlay.opaque", "y", 1 }, { "user.k", "v", 1 } };
	struct vtar_entry e = { .path = "var/lib", .mode = S_IFDIR | 04755, .uid = 3, .gid = 4,
				.mtime = { 1000, 0 }, .xattrs = x, .nxattrs = 2 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	assert_int_equal(count_entries(&f), 2);
	struct archive_entry *d = read_entry(&f, 0, NULL, NULL);
	assert_string_equal(archive_entry_pathname(d), "var/lib/");
	/* the opaque xattr is replaced by the marker; others stay */
	assert_int_equal(archive_entry_xattr_reset(d), 1);
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_next(d, &name, &value, &size);
	assert_string_equal(name, "user.k");
	struct archive_entry *m = read_entry(&f, 1, NULL, NULL);
	assert_string_equal(archive_entry_pathname(m), "var/lib/.wh..wh..opq");
	assert_int_equal(archive_entry_mode(m), S_IFREG | 0755);
	assert_int_equal(archive_entry_uid(m), 3);
	assert_int_equal(archive_entry_mtime(m), 0);
	archive_entry_free(d);
	archive_entry_free(m);
	close_fixture(&f);
}

static void test_opaque_value_other_than_y_is_just_an_xattr(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_xattr x[] = { { "trusted.overlay.opaque", "n", 1 } };
	struct vtar_entry e = { .path = "d", .mode = S_IFDIR | 0755, .xattrs = x, .nxattrs = 1 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	assert_int_equal(count_entries(&f), 1);
	close_fixture(&f);
}

static void test_xattrs_use_schily_records_only(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	static const char bin[] = { 'a', 0, '\n', 'b' };
	struct vtar_xattr x[] = { { "security.capability", bin, sizeof(bin) } };
	struct vtar_entry e = { .path = "bin/ping", .mode = S_IFREG | 0755, .size = 0, .xattrs = x, .nxattrs = 1 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	finish(&f);
	assert_non_null(memmem(f.bytes, f.len, "SCHILY.xattr.security.capability=", 33));
	assert_null(memmem(f.bytes, f.len, "LIBARCHIVE.xattr", 16));
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_int_equal(archive_entry_xattr_reset(r), 1);
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_next(r, &name, &value, &size);
	assert_int_equal(size, sizeof(bin));
	assert_memory_equal(value, bin, sizeof(bin));
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_hard_link_has_no_data_and_names_its_target(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry a = { .path = "a", .mode = S_IFREG | 0644, .size = 3 };
	assert_int_equal(vtar_header(f.t, &a), 0);
	assert_int_equal(vtar_data(f.t, "abc", 3), 0);
	struct vtar_entry b = { .path = "b", .mode = S_IFREG | 0644, .size = 3, .hardlink = "a" };
	assert_int_equal(vtar_header(f.t, &b), 0);
	finish(&f);
	struct archive_entry *r = read_entry(&f, 1, NULL, NULL);
	assert_string_equal(archive_entry_hardlink(r), "a");
	assert_int_equal(archive_entry_size(r), 0);
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_times_are_pax_decimals_and_atime_only_when_set(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry a = { .path = "t", .mode = S_IFIFO | 0600, .mtime = { -100000, 250000000 } };
	assert_int_equal(vtar_header(f.t, &a), 0);
	struct vtar_entry b = { .path = "u", .mode = S_IFIFO | 0600, .mtime = { 1, 2 }, .atime = { 3, 4 },
				.has_atime = 1 };
	assert_int_equal(vtar_header(f.t, &b), 0);
	finish(&f);
	/* -100000 s + 0.25 s is the decimal -99999.75 (POSIX pax) */
	assert_non_null(memmem(f.bytes, f.len, "mtime=-99999.75\n", 16));
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_false(archive_entry_atime_is_set(r));
	archive_entry_free(r);
	r = read_entry(&f, 1, NULL, NULL);
	assert_true(archive_entry_atime_is_set(r));
	assert_int_equal(archive_entry_atime_nsec(r), 4);
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_sparse_file_stores_only_its_data(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_region regions[] = { { 1 << 20, 5 } };
	struct vtar_entry e = { .path = "s", .mode = S_IFREG | 0644, .size = 1ull << 30, .regions = regions,
				.nregions = 1 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	assert_int_equal(vtar_data(f.t, NULL, 1 << 20), 0);
	assert_int_equal(vtar_data(f.t, "hello", 5), 0);
	assert_int_equal(vtar_data(f.t, NULL, (1ull << 30) - (1 << 20) - 5), 0);
	finish(&f);
	assert_true(f.len < 8192);
	struct archive_entry *r = read_entry(&f, 0, NULL, NULL);
	assert_int_equal(archive_entry_size(r), 1ll << 30);
	/* the data region, then libarchive's closing empty region at the end */
	assert_int_equal(archive_entry_sparse_reset(r), 2);
	la_int64_t off, len;
	assert_int_equal(archive_entry_sparse_next(r, &off, &len), ARCHIVE_OK);
	assert_int_equal(off, 1 << 20);
	assert_int_equal(len, 5);
	archive_entry_free(r);
	close_fixture(&f);
}

static void test_hole_in_dense_file_is_refused(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry e = { .path = "d", .mode = S_IFREG | 0644, .size = 10 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	assert_int_equal(vtar_data(f.t, NULL, 10), -EINVAL);
	vtar_free(f.t);
	close_fixture(&f);
}

static void test_archive_ends_with_two_zero_blocks_without_padding(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry e = { .path = "x", .mode = S_IFREG | 0644, .size = 1 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	assert_int_equal(vtar_data(f.t, "x", 1), 0);
	finish(&f);
	assert_int_equal(f.len % 512, 0);
	assert_true(f.len < 10240);
	static const char zeros[1024];
	assert_memory_equal(f.bytes + f.len - 1024, zeros, 1024);
	close_fixture(&f);
}

static void test_abandoned_archive_gets_no_end_marker(void **state)
{
	(void)state;
	struct fixture f = open_fixture(VTAR_WHITEOUT_OVERLAY);
	struct vtar_entry e = { .path = "x", .mode = S_IFREG | 0644, .size = 100 };
	assert_int_equal(vtar_header(f.t, &e), 0);
	vtar_free(f.t); /* failure path: no vtar_finish */
	struct stat st;
	fstat(f.fd, &st);
	assert_int_equal(st.st_size, 0);
	close(f.fd);
}

static void test_size_cap_fails_the_write(void **state)
{
	(void)state;
	int fd = memfd_create("tar", MFD_CLOEXEC);
	struct vtar *t;
	assert_int_equal(vtar_open(&t, fd, VTAR_WHITEOUT_OVERLAY, 4096), 0);
	static char big[1 << 20];
	struct vtar_entry e = { .path = "x", .mode = S_IFREG | 0644, .size = sizeof(big) };
	assert_int_equal(vtar_header(t, &e), 0);
	assert_int_equal(vtar_data(t, big, sizeof(big)), -EFBIG);
	vtar_free(t);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whiteout_device_becomes_empty_wh_file_0600),
		cmocka_unit_test(test_top_level_whiteout_has_no_directory_part),
		cmocka_unit_test(test_aufs_format_keeps_the_device),
		cmocka_unit_test(test_opaque_directory_is_followed_by_its_marker),
		cmocka_unit_test(test_opaque_value_other_than_y_is_just_an_xattr),
		cmocka_unit_test(test_xattrs_use_schily_records_only),
		cmocka_unit_test(test_hard_link_has_no_data_and_names_its_target),
		cmocka_unit_test(test_times_are_pax_decimals_and_atime_only_when_set),
		cmocka_unit_test(test_sparse_file_stores_only_its_data),
		cmocka_unit_test(test_hole_in_dense_file_is_refused),
		cmocka_unit_test(test_archive_ends_with_two_zero_blocks_without_padding),
		cmocka_unit_test(test_abandoned_archive_gets_no_end_marker),
		cmocka_unit_test(test_size_cap_fails_the_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
