/* Unit tests for directory blocks (src/lib/ext4_dir.h): linear packing and
 * hashed (htree) indexes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/ext4_dir.h"
#include "lib/ext4_format.h"
#include "lib/ext4_hash.h"

static const struct ext4_dir_hashing hashing = { .version = EXT4_HASH_HALF_MD4, .unsigned_chars = true,
						 .seed = { 1, 2, 3, 4 } };

struct names {
	char (*buf)[128];
	struct ext4_dir_child *c;
	size_t n;
};

static struct names make_children(size_t n, const char *prefix)
{
	struct names s = { calloc(n, 128), calloc(n, sizeof(struct ext4_dir_child)), n };
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(s.buf[i], 128, "%s%05zu", prefix, i);
		s.c[i] = (struct ext4_dir_child){ (const uint8_t *)s.buf[i], (uint8_t)len, EXT4_FT_REG_FILE, (uint32_t)(100 + i), 0 };
	}
	return s;
}

static void free_children(struct names *s)
{
	free(s->buf);
	free(s->c);
}

static void test_rec_len_rounds_to_four(void **state)
{
	(void)state;
	assert_int_equal(ext4_dir_rec_len(1), 12);
	assert_int_equal(ext4_dir_rec_len(4), 12);
	assert_int_equal(ext4_dir_rec_len(5), 16);
	assert_int_equal(ext4_dir_rec_len(255), 264);
}

static void test_small_directory_is_one_linear_block(void **state)
{
	(void)state;
	struct names s = make_children(3, "f");
	uint8_t *b;
	uint32_t nb;
	bool indexed;
	assert_int_equal(ext4_dir_build(12, 2, s.c, s.n, &hashing, &b, &nb, &indexed), 0);
	assert_int_equal(nb, 1);
	assert_false(indexed);
	assert_int_equal(get_le32(b), 12);      /* . */
	assert_int_equal(get_le16(b + 4), 12);
	assert_int_equal(get_le32(b + 12), 2);  /* .. */
	assert_int_equal(get_le16(b + 16), 12);
	assert_int_equal(get_le32(b + 24), 100); /* f0 */
	assert_int_equal(b[24 + 6], 6);
	assert_int_equal(b[24 + 7], EXT4_FT_REG_FILE);
	assert_memory_equal(b + 32, "f00000", 6);
	assert_int_equal(get_le16(b + 24 + 4), 16);
	/* the last entry reaches the end of the block */
	assert_int_equal(get_le16(b + 56 + 4), 4096 - 56);
	free(b);
	free_children(&s);
}

static void test_empty_directory_stretches_dotdot(void **state)
{
	(void)state;
	uint8_t *b;
	uint32_t nb;
	bool indexed;
	assert_int_equal(ext4_dir_build(2, 2, NULL, 0, &hashing, &b, &nb, &indexed), 0);
	assert_int_equal(get_le16(b + 12 + 4), 4096 - 12);
	free(b);
}

/* Walks every leaf, checking that each entry's hash lies in the range its
 * index entry gives it, and counts the entries. */
static size_t check_leaves(const uint8_t *b, uint32_t first_leaf, uint32_t nb, const uint32_t *lo, const uint32_t *hi)
{
	size_t count = 0;
	for (uint32_t k = first_leaf; k < nb; k++) {
		const uint8_t *l = b + (size_t)k * 4096;
		for (uint32_t at = 0; at < 4096;) {
			uint16_t rl = get_le16(l + at + 4);
			assert_true(rl >= 12 && at + rl <= 4096);
			struct ext4_dx_hash h;
			ext4_dx_hash_name(l + at + 8, l[at + 6], hashing.version, true, hashing.seed, &h);
			assert_true(h.hash >= (lo[k - first_leaf] & ~1u));
			assert_true(h.hash <= hi[k - first_leaf]);
			count++;
			at += rl;
		}
	}
	return count;
}

static void test_large_directory_gets_a_one_level_index(void **state)
{
	(void)state;
	struct names s = make_children(2000, "some-file-name-");
	uint8_t *b;
	uint32_t nb;
	bool indexed;
	assert_int_equal(ext4_dir_build(12, 2, s.c, s.n, &hashing, &b, &nb, &indexed), 0);
	assert_true(indexed);
	assert_int_equal(get_le16(b + 12 + 4), 4096 - 12); /* .. covers the root */
	assert_int_equal(b[0x18 + 4], EXT4_HASH_HALF_MD4);
	assert_int_equal(b[0x18 + 5], 8);
	assert_int_equal(b[0x18 + 6], 0); /* indirect levels */
	assert_int_equal(get_le16(b + 0x20), 508);
	uint16_t count = get_le16(b + 0x22);
	assert_int_equal(count, nb - 1);
	assert_int_equal(get_le32(b + 0x24), 1);
	uint32_t *lo = calloc(count, 4), *hi = calloc(count, 4);
	for (uint16_t i = 0; i < count; i++) {
		lo[i] = i ? get_le32(b + 0x20 + 8 * i) : 0;
		hi[i] = i + 1 < count ? get_le32(b + 0x20 + 8 * (i + 1)) & ~1u : 0xFFFFFFFFu;
		if (i)
			assert_int_equal(get_le32(b + 0x20 + 8 * i + 4), i + 1);
		if (i > 1)
			assert_true(lo[i] > lo[i - 1]);
	}
	assert_int_equal(check_leaves(b, 1, nb, lo, hi), 2000);
	free(lo);
	free(hi);
	free(b);
	free_children(&s);
}

static void test_huge_directory_gets_a_two_level_index(void **state)
{
	(void)state;
	/* ~40 entries of 100 bytes per leaf: 30000 entries need > 508 leaves */
	struct names s = make_children(30000, "a-rather-long-name-to-fill-leaves-quickly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-");
	uint8_t *b;
	uint32_t nb;
	bool indexed;
	assert_int_equal(ext4_dir_build(12, 2, s.c, s.n, &hashing, &b, &nb, &indexed), 0);
	assert_true(indexed);
	assert_int_equal(b[0x18 + 6], 1);
	uint16_t nodes = get_le16(b + 0x22);
	assert_true(nodes >= 2);
	uint32_t leaves = 0;
	for (uint16_t j = 0; j < nodes; j++) {
		const uint8_t *n = b + (size_t)(1 + j) * 4096;
		assert_int_equal(get_le32(n), 0);        /* fake entry: inode 0 */
		assert_int_equal(get_le16(n + 4), 4096); /* covering the block */
		assert_int_equal(get_le16(n + 8), 511);
		leaves += get_le16(n + 10);
	}
	assert_int_equal(1 + nodes + leaves, nb);
	free(b);
	free_children(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rec_len_rounds_to_four),
		cmocka_unit_test(test_small_directory_is_one_linear_block),
		cmocka_unit_test(test_empty_directory_stretches_dotdot),
		cmocka_unit_test(test_large_directory_gets_a_one_level_index),
		cmocka_unit_test(test_huge_directory_gets_a_two_level_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
