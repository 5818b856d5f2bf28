/* Unit tests for the mount-options vocabulary (src/lib/oci_mount_options.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "lib/oci_mount_options.h"

static void test_flag_words_set_bits_and_rest_is_data(void **state)
{
	(void)state;
	const char *w[] = { "ro", "nosuid", "nodev", "size=64k", "mode=1777" };
	struct oci_mount_options o;
	assert_int_equal(oci_mount_options_parse(w, 5, &o), 0);
	assert_int_equal(o.flags, MS_RDONLY | MS_NOSUID | MS_NODEV);
	assert_string_equal(o.data, "size=64k,mode=1777");
	assert_int_equal(o.n_propagation, 0);
	oci_mount_options_free(&o);
}

static void test_clearing_word_undoes_earlier_word(void **state)
{
	(void)state;
	const char *w[] = { "ro", "nosuid", "rw", "suid", "defaults" };
	struct oci_mount_options o;
	assert_int_equal(oci_mount_options_parse(w, 5, &o), 0);
	assert_int_equal(o.flags, 0);
	assert_null(o.data);
	oci_mount_options_free(&o);
}

static void test_propagation_words_are_separate_and_ordered(void **state)
{
	(void)state;
	const char *w[] = { "rbind", "rshared", "slave" };
	struct oci_mount_options o;
	assert_int_equal(oci_mount_options_parse(w, 3, &o), 0);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	assert_int_equal(o.n_propagation, 2);
	assert_int_equal(o.propagation[0], MS_SHARED | MS_REC);
	assert_int_equal(o.propagation[1], MS_SLAVE);
	oci_mount_options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_words_set_bits_and_rest_is_data),
		cmocka_unit_test(test_clearing_word_undoes_earlier_word),
		cmocka_unit_test(test_propagation_words_are_separate_and_ordered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
