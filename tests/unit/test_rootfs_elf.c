/* Unit tests for the ELF dynamic-section reader (src/lib/elf_dynamic.h)
 * and the library closure (src/os/elf_closure.h), on real binaries of the
 * build machine (Debian 12, packages listed in scripts/deps). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/elf_dynamic.h"
#include "os/elf_closure.h"

static const char *const lib_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu" };

static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *p = malloc((size_t)st.st_size);
	assert_non_null(p);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return p;
}

static int has_needed(const struct elf_dynamic_info *info, const char *name)
{
	for (size_t i = 0; i < info->n_needed; i++)
		if (strcmp(info->needed[i], name) == 0)
			return 1;
	return 0;
}

static void test_mke2fs_needs_ext2fs_and_uses_the_glibc_loader(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/usr/sbin/mke2fs", &len);
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic(buf, len, &info), 0);
	assert_true(info.dynamic);
	assert_string_equal(info.interp, "/lib64/ld-linux-x86-64.so.2");
	assert_true(has_needed(&info, "libext2fs.so.2"));
	assert_true(has_needed(&info, "libe2p.so.2"));
	assert_true(has_needed(&info, "libc.so.6"));
	assert_null(info.soname);
	elf_dynamic_info_free(&info);
	free(buf);
}

static void test_static_busybox_needs_nothing(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/bin/busybox", &len);
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic(buf, len, &info), 0);
	assert_false(info.dynamic);
	assert_null(info.interp);
	assert_int_equal(info.n_needed, 0);
	elf_dynamic_info_free(&info);
	free(buf);
}

static void test_libc_has_soname_and_needs_the_loader(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/lib/x86_64-linux-gnu/libc.so.6", &len);
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic(buf, len, &info), 0);
	assert_string_equal(info.soname, "libc.so.6");
	assert_true(has_needed(&info, "ld-linux-x86-64.so.2"));
	elf_dynamic_info_free(&info);
	free(buf);
}

static void test_text_file_is_not_elf(void **state)
{
	const char *text = "#!/bin/sh\necho hi\n";
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic((const uint8_t *)text, strlen(text), &info), -ENOEXEC);
}

static void test_every_truncation_of_a_real_binary_fails_cleanly(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/usr/sbin/mke2fs", &len);
	/* Cut within the headers and around the dynamic segment; each must be
	 * rejected or parsed, never read out of bounds (ASan checks). */
	for (size_t cut = 0; cut < len; cut += cut < 4096 ? 1 : 997) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		struct elf_dynamic_info info;
		int r = elf_read_dynamic(copy, cut, &info);
		assert_true(r == 0 || r == -ENOEXEC);
		if (r == 0)
			elf_dynamic_info_free(&info);
		free(copy);
	}
	free(buf);
}

static void test_program_headers_past_the_end_are_refused(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/usr/sbin/mke2fs", &len);
	/* e_phoff (offset 32) pointing beyond the file. */
	uint64_t off = (uint64_t)len;
	memcpy(buf + 32, &off, 8);
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic(buf, len, &info), -ENOEXEC);
	free(buf);
}

static void test_32_bit_class_is_refused(void **state)
{
	size_t len;
	uint8_t *buf = slurp("/usr/sbin/mke2fs", &len);
	buf[4] = 1; /* ELFCLASS32 */
	struct elf_dynamic_info info;
	assert_int_equal(elf_read_dynamic(buf, len, &info), -ENOEXEC);
	free(buf);
}

static int closure_has(const struct elf_closure *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->libs[i].name, name) == 0)
			return 1;
	return 0;
}

static void test_closure_of_mke2fs_is_the_seed_library_list(void **state)
{
	struct elf_closure c = { 0 };
	assert_int_equal(elf_closure_add_program(&c, "/usr/sbin/mke2fs", lib_dirs, 2), 0);
	elf_closure_sort(&c);
	const char *want[] = { "libblkid.so.1", "libc.so.6", "libcom_err.so.2", "libe2p.so.2", "libext2fs.so.2",
			       "libuuid.so.1" };
	assert_int_equal(c.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(c.libs[i].name, want[i]);
	assert_string_equal(c.interp, "/lib64/ld-linux-x86-64.so.2");
	/* The loader arrives as the interpreter, not as a library. */
	assert_false(closure_has(&c, "ld-linux-x86-64.so.2"));
	elf_closure_free(&c);
}

static void test_closure_follows_libraries_of_libraries(void **state)
{
	struct elf_closure c = { 0 };
	/* runc needs libseccomp directly and libc through it as well. */
	assert_int_equal(elf_closure_add_program(&c, "/usr/sbin/runc", lib_dirs, 2), 0);
	assert_true(closure_has(&c, "libseccomp.so.2"));
	assert_true(closure_has(&c, "libc.so.6"));
	elf_closure_free(&c);
}

static void test_closure_reports_a_missing_library(void **state)
{
	struct elf_closure c = { 0 };
	const char *const nowhere[] = { "/nonexistent-lcow-dir" };
	assert_int_equal(elf_closure_add_program(&c, "/usr/sbin/mke2fs", nowhere, 1), -ENOENT);
	elf_closure_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mke2fs_needs_ext2fs_and_uses_the_glibc_loader),
		cmocka_unit_test(test_static_busybox_needs_nothing),
		cmocka_unit_test(test_libc_has_soname_and_needs_the_loader),
		cmocka_unit_test(test_text_file_is_not_elf),
		cmocka_unit_test(test_every_truncation_of_a_real_binary_fails_cleanly),
		cmocka_unit_test(test_program_headers_past_the_end_are_refused),
		cmocka_unit_test(test_32_bit_class_is_refused),
		cmocka_unit_test(test_closure_of_mke2fs_is_the_seed_library_list),
		cmocka_unit_test(test_closure_follows_libraries_of_libraries),
		cmocka_unit_test(test_closure_reports_a_missing_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
