/* vhdx_crc32c.c: table-driven CRC-32C (see vhdx_crc32c.h). The table is a
 * compile-time constant so the function is safe from any thread. */
#include "lib/vhdx_crc32c.h"

#define P 0x82F63B78u
#define S1(c) (((c) & 1) ? ((c) >> 1) ^ P : (c) >> 1)
#define S2(c) S1(S1(c))
#define S8(c) S2(S2(S2(S2(c))))
#define R4(n) S8(n##u), S8(n##u + 1), S8(n##u + 2), S8(n##u + 3)
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)

static const uint32_t crc32c_table[256] = { R64(0), R64(64), R64(128), R64(192) };

uint32_t vhdx_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xFFFFFFFFu;
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}
