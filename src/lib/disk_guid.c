/* disk_guid.c: parsing, printing and deriving mixed-endian GUIDs (see
 * disk_guid.h). */
#include "lib/disk_guid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads n bytes as 2n hex digits, most significant first. */
static int parse_hex(const char *s, uint8_t *out, int n)
{
	for (int i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int disk_guid_parse(const char *text, struct disk_guid *out)
{
	uint8_t be[16]; /* the GUID in text (big-endian) order */
	static const int dash_at[] = { 8, 13, 18, 23 };
	if (strlen(text) != DISK_GUID_TEXT_LEN)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(dash_at) / sizeof(dash_at[0]); i++)
		if (text[dash_at[i]] != '-')
			return -EINVAL;
	if (parse_hex(text, be, 4) < 0 || parse_hex(text + 9, be + 4, 2) < 0 ||
	    parse_hex(text + 14, be + 6, 2) < 0 || parse_hex(text + 19, be + 8, 2) < 0 ||
	    parse_hex(text + 24, be + 10, 6) < 0)
		return -EINVAL;
	/* Data1, Data2, Data3 are stored little-endian; Data4 as written. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	for (int i = 0; i < 16; i++)
		out->bytes[i] = be[order[i]];
	return 0;
}

void disk_guid_format(const struct disk_guid *g, char out[DISK_GUID_TEXT_LEN + 1])
{
	const uint8_t *b = g->bytes;
	snprintf(out, DISK_GUID_TEXT_LEN + 1,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

void disk_guid_from_digest(const uint8_t digest[16], struct disk_guid *out)
{
	memcpy(out->bytes, digest, 16);
	/* Data3's high byte (on-disk byte 7) carries the version nibble. */
	out->bytes[7] = (uint8_t)((out->bytes[7] & 0x0f) | 0x40);
	out->bytes[8] = (uint8_t)((out->bytes[8] & 0x3f) | 0x80);
}

bool disk_guid_is_zero(const struct disk_guid *g)
{
	for (int i = 0; i < 16; i++)
		if (g->bytes[i])
			return false;
	return true;
}
