/* test_str_array.c: counted string arrays (src/lib/str_array.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/str_array.h"

static void test_append_copies_in_order(void **state)
{
	(void)state;
	char **v = NULL;
	size_t n = 0;
	char word[] = "first";
	assert_int_equal(str_array_append(&v, &n, word), 0);
	word[0] = 'F'; /* the array holds a copy */
	assert_int_equal(str_array_append(&v, &n, "second"), 0);
	assert_int_equal(str_array_append(&v, &n, ""), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "first");
	assert_string_equal(v[1], "second");
	assert_string_equal(v[2], "");
	str_array_free(v, n);
}

static void test_free_of_nothing_is_harmless(void **state)
{
	(void)state;
	str_array_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_copies_in_order),
		cmocka_unit_test(test_free_of_nothing_is_harmless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
