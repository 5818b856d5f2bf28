/* ext4_hash.c: ext4's directory-index and xattr hashes (see ext4_hash.h).
 * The algorithms are the ones the kernel (fs/ext4/hash.c, fs/ext4/xattr.c)
 * and e2fsprogs implement; the unit tests check them against libext2fs. */
#include "lib/ext4_hash.h"

#include <errno.h>
#include <string.h>

#include "lib/ext4_format.h"

static inline uint32_t rol32(uint32_t v, unsigned s) { return (v << s) | (v >> (32 - s)); }

#define MD4_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD4_G(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define MD4_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD4_ROUND(f, a, b, c, d, x, s) ((a) += f((b), (c), (d)) + (x), (a) = rol32((a), (s)))
#define MD4_K2 013240474631u
#define MD4_K3 015666365641u

/* The reduced-round MD4 transform over eight 32-bit words. */
static void half_md4_transform(uint32_t buf[4], const uint32_t in[8])
{
	uint32_t a = buf[0], b = buf[1], c = buf[2], d = buf[3];

	MD4_ROUND(MD4_F, a, b, c, d, in[0], 3);
	MD4_ROUND(MD4_F, d, a, b, c, in[1], 7);
	MD4_ROUND(MD4_F, c, d, a, b, in[2], 11);
	MD4_ROUND(MD4_F, b, c, d, a, in[3], 19);
	MD4_ROUND(MD4_F, a, b, c, d, in[4], 3);
	MD4_ROUND(MD4_F, d, a, b, c, in[5], 7);
	MD4_ROUND(MD4_F, c, d, a, b, in[6], 11);
	MD4_ROUND(MD4_F, b, c, d, a, in[7], 19);

	MD4_ROUND(MD4_G, a, b, c, d, in[1] + MD4_K2, 3);
	MD4_ROUND(MD4_G, d, a, b, c, in[3] + MD4_K2, 5);
	MD4_ROUND(MD4_G, c, d, a, b, in[5] + MD4_K2, 9);
	MD4_ROUND(MD4_G, b, c, d, a, in[7] + MD4_K2, 13);
	MD4_ROUND(MD4_G, a, b, c, d, in[0] + MD4_K2, 3);
	MD4_ROUND(MD4_G, d, a, b, c, in[2] + MD4_K2, 5);
	MD4_ROUND(MD4_G, c, d, a, b, in[4] + MD4_K2, 9);
	MD4_ROUND(MD4_G, b, c, d, a, in[6] + MD4_K2, 13);

	MD4_ROUND(MD4_H, a, b, c, d, in[3] + MD4_K3, 3);
	MD4_ROUND(MD4_H, d, a, b, c, in[7] + MD4_K3, 9);
	MD4_ROUND(MD4_H, c, d, a, b, in[2] + MD4_K3, 11);
	MD4_ROUND(MD4_H, b, c, d, a, in[6] + MD4_K3, 15);
	MD4_ROUND(MD4_H, a, b, c, d, in[1] + MD4_K3, 3);
	MD4_ROUND(MD4_H, d, a, b, c, in[5] + MD4_K3, 9);
	MD4_ROUND(MD4_H, c, d, a, b, in[0] + MD4_K3, 11);
	MD4_ROUND(MD4_H, b, c, d, a, in[4] + MD4_K3, 15);

	buf[0] += a;
	buf[1] += b;
	buf[2] += c;
	buf[3] += d;
}

static void tea_transform(uint32_t buf[4], const uint32_t in[4])
{
	uint32_t sum = 0, b0 = buf[0], b1 = buf[1];
	uint32_t a = in[0], b = in[1], c = in[2], d = in[3];
	for (int n = 0; n < 16; n++) {
		sum += 0x9E3779B9u;
		b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >> 5) + b);
		b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >> 5) + d);
	}
	buf[0] += b0;
	buf[1] += b1;
}

/* Packs up to num*4 name bytes into num words, big-endian within a word,
 * padded with a pattern derived from the length. Characters are taken as
 * signed or unsigned, which is what the two hash variants differ in. */
static void str2hashbuf(const uint8_t *msg, size_t len, uint32_t *buf, int num, bool unsigned_chars)
{
	uint32_t pad = (uint32_t)len | ((uint32_t)len << 8);
	pad |= pad << 16;
	uint32_t val = pad;
	if (len > (size_t)num * 4)
		len = (size_t)num * 4;
	for (size_t i = 0; i < len; i++) {
		int c = unsigned_chars ? (int)msg[i] : (int)(signed char)msg[i];
		val = (uint32_t)c + (val << 8);
		if (i % 4 == 3) {
			*buf++ = val;
			val = pad;
			num--;
		}
	}
	if (--num >= 0)
		*buf++ = val;
	while (--num >= 0)
		*buf++ = pad;
}

int ext4_dx_hash_name(const void *name, size_t len, unsigned version, bool unsigned_chars,
		      const uint32_t seed[4], struct ext4_dx_hash *out)
{
	uint32_t buf[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };
	if (seed && (seed[0] | seed[1] | seed[2] | seed[3]))
		memcpy(buf, seed, sizeof(buf));
	const uint8_t *p = name;
	uint32_t in[8], hash, minor;
	ptrdiff_t left = (ptrdiff_t)len;

	switch (version) {
	case EXT4_HASH_HALF_MD4:
		while (left > 0) {
			str2hashbuf(p, (size_t)left, in, 8, unsigned_chars);
			half_md4_transform(buf, in);
			left -= 32;
			p += 32;
		}
		hash = buf[1];
		minor = buf[2];
		break;
	case EXT4_HASH_TEA:
		while (left > 0) {
			str2hashbuf(p, (size_t)left, in, 4, unsigned_chars);
			tea_transform(buf, in);
			left -= 16;
			p += 16;
		}
		hash = buf[0];
		minor = buf[1];
		break;
	default:
		return -EINVAL;
	}
	hash &= ~1u;
	if (hash == (0x7FFFFFFFu << 1)) /* reserved end-of-directory marker */
		hash = (0x7FFFFFFFu - 1) << 1;
	out->hash = hash;
	out->minor = minor;
	return 0;
}

uint32_t ext4_xattr_entry_hash(const void *name, size_t name_len, const void *value, size_t value_len)
{
	const uint8_t *n = name;
	const uint8_t *v = value;
	uint32_t h = 0;
	for (size_t i = 0; i < name_len; i++)
		h = (h << 5) ^ (h >> 27) ^ n[i];
	for (size_t i = 0; i < value_len; i += 4) {
		uint8_t w[4] = { 0, 0, 0, 0 };
		memcpy(w, v + i, value_len - i < 4 ? value_len - i : 4);
		h = (h << 16) ^ (h >> 16) ^ get_le32(w);
	}
	return h;
}

uint32_t ext4_xattr_block_hash_step(uint32_t block_hash, uint32_t entry_hash)
{
	return (block_hash << 16) ^ (block_hash >> 16) ^ entry_hash;
}
