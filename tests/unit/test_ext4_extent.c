/* Unit tests for extent tree building (src/lib/ext4_extent.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/ext4_extent.h"
#include "lib/ext4_format.h"

static void test_small_file_has_one_extent_in_the_inode(void **state)
{
	(void)state;
	struct ext4_extent_run r = { .logical = 0, .physical = 1000, .len = 3 };
	uint8_t ib[60];
	assert_int_equal(ext4_extent_build(&r, 1, ib, NULL, 0), 0);
	assert_int_equal(get_le16(ib), 0xF30A);
	assert_int_equal(get_le16(ib + 2), 1); /* entries */
	assert_int_equal(get_le16(ib + 4), 4); /* max */
	assert_int_equal(get_le16(ib + 6), 0); /* depth */
	assert_int_equal(get_le32(ib + 12), 0);
	assert_int_equal(get_le16(ib + 16), 3);
	assert_int_equal(get_le32(ib + 20), 1000);
}

static void test_runs_split_at_32768_blocks(void **state)
{
	(void)state;
	struct ext4_extent_run runs[8];
	size_t n = 0;
	assert_int_equal(ext4_extent_split_run(0, 500, 70000, runs, &n, 8), 0);
	assert_int_equal(n, 3);
	assert_int_equal(runs[0].len, 32768);
	assert_int_equal(runs[1].logical, 32768);
	assert_int_equal(runs[1].physical, 500 + 32768);
	assert_int_equal(runs[2].len, 70000 - 65536);
	n = 0;
	assert_int_equal(ext4_extent_split_run(0, 0, 70000, runs, &n, 2), -E2BIG);
}

static void test_leaf_counts(void **state)
{
	(void)state;
	assert_int_equal(ext4_extent_leaf_blocks(0), 0);
	assert_int_equal(ext4_extent_leaf_blocks(4), 0);
	assert_int_equal(ext4_extent_leaf_blocks(5), 1);
	assert_int_equal(ext4_extent_leaf_blocks(340), 1);
	assert_int_equal(ext4_extent_leaf_blocks(341), 2);
	assert_int_equal(ext4_extent_leaf_blocks(1360), 4);
}

static void test_five_extents_need_a_depth_one_tree(void **state)
{
	(void)state;
	struct ext4_extent_run runs[5];
	for (uint32_t i = 0; i < 5; i++)
		runs[i] = (struct ext4_extent_run){ .logical = i * 10, .physical = 100 + i * 7, .len = 5 };
	uint8_t ib[60], leaf[4096];
	assert_int_equal(ext4_extent_build(runs, 5, ib, leaf, 777), 0);
	assert_int_equal(get_le16(ib + 2), 1); /* one index entry */
	assert_int_equal(get_le16(ib + 6), 1); /* depth 1 */
	assert_int_equal(get_le32(ib + 12), 0); /* ei_block */
	assert_int_equal(get_le32(ib + 16), 777); /* ei_leaf_lo */
	assert_int_equal(get_le16(leaf), 0xF30A);
	assert_int_equal(get_le16(leaf + 2), 5);
	assert_int_equal(get_le16(leaf + 4), 340);
	assert_int_equal(get_le16(leaf + 6), 0);
	assert_int_equal(get_le32(leaf + 12 + 12 * 4), 40);
	assert_int_equal(get_le32(leaf + 12 + 12 * 4 + 8), 128);
}

static void test_341_extents_fill_two_leaves_with_the_right_stride(void **state)
{
	(void)state;
	struct ext4_extent_run *runs = calloc(341, sizeof(*runs));
	for (uint32_t i = 0; i < 341; i++)
		runs[i] = (struct ext4_extent_run){ .logical = i * 2, .physical = 5000 + i, .len = 1 };
	uint8_t ib[60], *leaves = malloc(2 * 4096);
	assert_int_equal(ext4_extent_build(runs, 341, ib, leaves, 9000), 0);
	assert_int_equal(get_le16(ib + 2), 2);
	assert_int_equal(get_le32(ib + 24), 340 * 2); /* second index: first logical of leaf 1 */
	assert_int_equal(get_le32(ib + 28), 9001);
	assert_int_equal(get_le16(leaves + 2), 340);
	assert_int_equal(get_le16(leaves + 4096 + 2), 1);
	assert_int_equal(get_le32(leaves + 4096 + 12), 680);
	free(runs);
	free(leaves);
}

static void test_invalid_runs_are_rejected(void **state)
{
	(void)state;
	struct ext4_extent_run r = { .logical = 0, .physical = 1, .len = 32769 };
	uint8_t ib[60];
	assert_int_equal(ext4_extent_build(&r, 1, ib, NULL, 0), -EINVAL);
	r.len = 0;
	assert_int_equal(ext4_extent_build(&r, 1, ib, NULL, 0), -EINVAL);
	assert_int_equal(ext4_extent_build(&r, EXT4_EXTENT_MAX_RUNS + 1, ib, NULL, 0), -EINVAL);
}

static void test_empty_tree_is_just_a_header(void **state)
{
	(void)state;
	uint8_t ib[60];
	assert_int_equal(ext4_extent_build(NULL, 0, ib, NULL, 0), 0);
	assert_int_equal(get_le16(ib), 0xF30A);
	assert_int_equal(get_le16(ib + 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_file_has_one_extent_in_the_inode),
		cmocka_unit_test(test_runs_split_at_32768_blocks),
		cmocka_unit_test(test_leaf_counts),
		cmocka_unit_test(test_five_extents_need_a_depth_one_tree),
		cmocka_unit_test(test_341_extents_fill_two_leaves_with_the_right_stride),
		cmocka_unit_test(test_invalid_runs_are_rejected),
		cmocka_unit_test(test_empty_tree_is_just_a_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
