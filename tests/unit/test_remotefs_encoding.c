/* Unit tests for remotefs' wire encodings: Go FileMode bits, FileInfo JSON,
 * Go string escaping, error records, strconv wording and the big-endian
 * frames (src/lib/remotefs_*.h, ../shared/spec/gcstools.md §8.2, §8.3). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "lib/remotefs_error.h"
#include "lib/remotefs_frame.h"
#include "lib/remotefs_json.h"
#include "lib/remotefs_mode.h"
#include "lib/remotefs_strconv.h"

static void test_directory_mode_is_go_dir_bit_plus_perm(void **state)
{
	(void)state;
	assert_int_equal(go_filemode_from_unix(S_IFDIR | 0755), 2147484141u);
}

static void test_each_file_type_maps_to_its_go_bits(void **state)
{
	(void)state;
	assert_int_equal(go_filemode_from_unix(S_IFREG | 0644), 0644);
	assert_int_equal(go_filemode_from_unix(S_IFLNK | 0777), (1u << 27) | 0777);
	assert_int_equal(go_filemode_from_unix(S_IFBLK | 0660), (1u << 26) | 0660);
	assert_int_equal(go_filemode_from_unix(S_IFCHR | 0666), (1u << 26) | (1u << 21) | 0666);
	assert_int_equal(go_filemode_from_unix(S_IFIFO | 0600), (1u << 25) | 0600);
	assert_int_equal(go_filemode_from_unix(S_IFSOCK | 0755), (1u << 24) | 0755);
}

static void test_setuid_setgid_sticky_map_to_go_bits(void **state)
{
	(void)state;
	assert_int_equal(go_filemode_from_unix(S_IFREG | S_ISUID | 0755), (1u << 23) | 0755);
	assert_int_equal(go_filemode_from_unix(S_IFREG | S_ISGID | 0755), (1u << 22) | 0755);
	assert_int_equal(go_filemode_from_unix(S_IFDIR | S_ISVTX | 0777), (1u << 31) | (1u << 20) | 0777);
}

static void test_go_filemode_argument_keeps_perm_and_special_bits_only(void **state)
{
	(void)state;
	/* Docker may send the directory bit; it is dropped. */
	assert_int_equal(unix_perm_from_go_filemode((1u << 31) | 0755), 0755);
	assert_int_equal(unix_perm_from_go_filemode((1u << 23) | (1u << 22) | (1u << 20) | 0700),
			 S_ISUID | S_ISGID | S_ISVTX | 0700);
}

static void test_basename_follows_go(void **state)
{
	(void)state;
	char b[64];
	go_path_basename("/etc/hosts", b, sizeof(b));
	assert_string_equal(b, "hosts");
	go_path_basename("/a/b/", b, sizeof(b));
	assert_string_equal(b, "b");
	go_path_basename("/", b, sizeof(b));
	assert_string_equal(b, "/");
	go_path_basename("//", b, sizeof(b));
	assert_string_equal(b, "/");
	go_path_basename("rel", b, sizeof(b));
	assert_string_equal(b, "rel");
}

static void test_fileinfo_json_has_go_field_order_and_no_newline(void **state)
{
	(void)state;
	struct rfs_buf b = {0};
	struct rfs_fileinfo fi = {"hosts", 174, 420, 1519930000123456789LL, false};
	rfs_json_fileinfo(&b, &fi);
	assert_string_equal(b.data, "{\"NameVar\":\"hosts\",\"SizeVar\":174,\"ModeVar\":420,"
				    "\"ModTimeVar\":1519930000123456789,\"IsDirVar\":false}");
	rfs_buf_free(&b);
}

static void test_json_string_escapes_like_go(void **state)
{
	(void)state;
	struct rfs_buf b = {0};
	const char in[] = "a\"b\\c\n\t<&>\x01\xe2\x80\xa8\xff\xc3\xa9";
	rfs_json_string(&b, in, sizeof(in) - 1);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u003c\\u0026\\u003e\\u0001\\u2028\\ufffd\xc3\xa9\"");
	rfs_buf_free(&b);
}

static char *error_json(struct rfs_error *e)
{
	static char out[1024];
	struct rfs_buf b = {0};
	rfs_error_json(e, &b);
	strcpy(out, b.data ? b.data : "");
	rfs_buf_free(&b);
	return out;
}

static void test_path_error_carries_errno(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_path(&e, "mkdir", "/x/f", ENOTDIR);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"mkdir /x/f: not a directory\",\"ErrNum\":20}");
}

static void test_enoent_becomes_portable_message_without_errnum(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_path(&e, "stat", "/nope", ENOENT);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"file does not exist\"}");
}

static void test_exist_and_notempty_become_file_already_exists(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_link(&e, "link", "/a", "/b", EEXIST);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"file already exists\"}");
	rfs_error_path(&e, "remove", "/d", ENOTEMPTY);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"file already exists\"}");
}

static void test_eacces_and_eperm_become_permission_denied(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_errno(&e, EPERM);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"permission denied\"}");
	rfs_error_path(&e, "open", "/x", EACCES);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"permission denied\"}");
}

static void test_bare_errno_has_no_errnum(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_errno(&e, EOPNOTSUPP);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"operation not supported\"}");
}

static void test_link_and_syscall_errors_have_go_text(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_link(&e, "symlink", "t", "/l", EROFS);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"symlink t /l: read-only file system\",\"ErrNum\":30}");
	rfs_error_syscall(&e, "readdirent", ENOTDIR);
	assert_string_equal(error_json(&e), "{\"ErrString\":\"readdirent: not a directory\",\"ErrNum\":20}");
}

static void test_text_errors_are_verbatim(void **state)
{
	(void)state;
	struct rfs_error e = {0};
	rfs_error_text(&e, "unkown command");
	assert_string_equal(error_json(&e), "{\"ErrString\":\"unkown command\"}");
	struct rfs_error none = {0};
	assert_string_equal(error_json(&none), "");
}

static void test_parse_uint_octal_and_go_messages(void **state)
{
	(void)state;
	uint64_t v;
	char msg[256];
	assert_int_equal(go_parse_uint("0755", 8, 32, &v, msg, sizeof(msg)), 0);
	assert_int_equal(v, 0755);
	assert_int_equal(go_parse_uint("x", 8, 32, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "strconv.ParseUint: parsing \"x\": invalid syntax");
	assert_int_equal(go_parse_uint("8", 8, 32, &v, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(go_parse_uint("", 8, 32, &v, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "strconv.ParseUint: parsing \"\": invalid syntax");
	assert_int_equal(go_parse_uint("-1", 8, 32, &v, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(go_parse_uint("40000000000", 8, 32, &v, msg, sizeof(msg)), -ERANGE);
	assert_string_equal(msg, "strconv.ParseUint: parsing \"40000000000\": value out of range");
	assert_int_equal(go_parse_uint("37777777777", 8, 32, &v, msg, sizeof(msg)), 0);
	assert_int_equal(v, 0xffffffffu);
}

static void test_parse_int_sign_and_range(void **state)
{
	(void)state;
	long long v;
	char msg[256];
	assert_int_equal(go_parse_int("-1", 10, 32, &v, msg, sizeof(msg)), 0);
	assert_int_equal(v, -1);
	assert_int_equal(go_parse_int("+7", 10, 32, &v, msg, sizeof(msg)), 0);
	assert_int_equal(v, 7);
	assert_int_equal(go_parse_int("2147483648", 10, 32, &v, msg, sizeof(msg)), -ERANGE);
	assert_string_equal(msg, "strconv.ParseInt: parsing \"2147483648\": value out of range");
	assert_int_equal(go_parse_int("-2147483648", 10, 32, &v, msg, sizeof(msg)), 0);
	assert_int_equal(go_parse_int("1a", 10, 64, &v, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(go_parse_int("0x10", 0, 64, &v, msg, sizeof(msg)), 0);
	assert_int_equal(v, 16);
}

static void test_quote_escapes_like_strconv_quote(void **state)
{
	(void)state;
	char q[64];
	go_quote("a\"b\n\x01", q, sizeof(q));
	assert_string_equal(q, "\"a\\\"b\\n\\x01\"");
}

static void test_file_header_is_big_endian_12_bytes(void **state)
{
	(void)state;
	uint8_t raw[12];
	rfs_file_header_encode(&(struct rfs_file_header){.cmd = RFS_CMD_OK, .size = 0x0102030405060708ULL}, raw);
	const uint8_t want[12] = {0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8};
	assert_memory_equal(raw, want, 12);
	struct rfs_file_header h;
	rfs_file_header_decode(want, &h);
	assert_int_equal(h.cmd, 4);
	assert_int_equal(h.size, 0x0102030405060708ULL);
}

static void test_seek_header_decodes_negative_offset(void **state)
{
	(void)state;
	uint8_t raw[12];
	rfs_seek_header_encode(&(struct rfs_seek_header){.offset = -5, .whence = 2}, raw);
	const uint8_t want[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb, 0, 0, 0, 2};
	assert_memory_equal(raw, want, 12);
	struct rfs_seek_header s;
	rfs_seek_header_decode(raw, &s);
	assert_int_equal(s.offset, -5);
	assert_int_equal(s.whence, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory_mode_is_go_dir_bit_plus_perm),
		cmocka_unit_test(test_each_file_type_maps_to_its_go_bits),
		cmocka_unit_test(test_setuid_setgid_sticky_map_to_go_bits),
		cmocka_unit_test(test_go_filemode_argument_keeps_perm_and_special_bits_only),
		cmocka_unit_test(test_basename_follows_go),
		cmocka_unit_test(test_fileinfo_json_has_go_field_order_and_no_newline),
		cmocka_unit_test(test_json_string_escapes_like_go),
		cmocka_unit_test(test_path_error_carries_errno),
		cmocka_unit_test(test_enoent_becomes_portable_message_without_errnum),
		cmocka_unit_test(test_exist_and_notempty_become_file_already_exists),
		cmocka_unit_test(test_eacces_and_eperm_become_permission_denied),
		cmocka_unit_test(test_bare_errno_has_no_errnum),
		cmocka_unit_test(test_link_and_syscall_errors_have_go_text),
		cmocka_unit_test(test_text_errors_are_verbatim),
		cmocka_unit_test(test_parse_uint_octal_and_go_messages),
		cmocka_unit_test(test_parse_int_sign_and_range),
		cmocka_unit_test(test_quote_escapes_like_strconv_quote),
		cmocka_unit_test(test_file_header_is_big_endian_12_bytes),
		cmocka_unit_test(test_seek_header_decodes_negative_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
