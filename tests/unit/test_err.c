/* Unit tests for the error-context helpers (src/lib/err.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/err.h"

static int open_layer(void) { return err_set(-ENOENT, "opening %s", "/dev/sdc"); }

static void test_wrap_prefixes_context_and_keeps_code(void **state)
{
	(void)state;
	err_clear();
	int r = err_wrap(open_layer(), "mounting layer %d", 3);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(err_text(), "mounting layer 3: opening /dev/sdc: No such file or directory");
}

static void test_setmsg_has_no_errno_suffix(void **state)
{
	(void)state;
	int r = err_setmsg(-EINVAL, "entry %s: name leaves the image root", "../x");
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err_text(), "entry ../x: name leaves the image root");
}

static void test_wrap_without_text_uses_strerror(void **state)
{
	(void)state;
	err_clear();
	err_wrap(-EIO, "reading block");
	assert_string_equal(err_text(), "reading block: Input/output error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_prefixes_context_and_keeps_code),
		cmocka_unit_test(test_setmsg_has_no_errno_suffix),
		cmocka_unit_test(test_wrap_without_text_uses_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
