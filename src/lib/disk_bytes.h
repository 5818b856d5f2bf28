/* disk_bytes.h: explicit little- and big-endian stores and loads.
 *
 * The disk formats this area writes (GPT, VHDX: little-endian; the VHD
 * footer: big-endian) are byte layouts, never host-order structs. Every field
 * goes through one of these helpers so the code reads the same on any host. */
#ifndef LCOW_DISK_BYTES_H
#define LCOW_DISK_BYTES_H

#include <stdint.h>

static inline void disk_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void disk_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void disk_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t disk_get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t disk_get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t disk_get_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)disk_get_le32(b) | (uint64_t)disk_get_le32(b + 4) << 32;
}

#endif
