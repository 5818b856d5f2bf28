/* disk_guid.h: GUIDs as GPT and VHDX store them.
 *
 * Both formats store a GUID in Microsoft's mixed-endian form: Data1 (u32),
 * Data2 (u16) and Data3 (u16) little-endian, Data4 (8 bytes) as written
 * (../shared/spec/vhd-vhdx.md B.1; UEFI 2.10 appendix A). A struct disk_guid
 * always holds those on-disk bytes; text is the usual 8-4-4-4-12 form. */
#ifndef LCOW_DISK_GUID_H
#define LCOW_DISK_GUID_H

#include <stdbool.h>
#include <stdint.h>

struct disk_guid {
	uint8_t bytes[16];
};
_Static_assert(sizeof(struct disk_guid) == 16, "GUIDs are 16 bytes on disk");

#define DISK_GUID_TEXT_LEN 36

/* Parses "2DC27766-F623-4200-9D64-115E9BFD4A08" (either case). Returns 0 or
 * -EINVAL. */
int disk_guid_parse(const char *text, struct disk_guid *out);
/* Writes the upper-case text form and a NUL into out[37]. */
void disk_guid_format(const struct disk_guid *g, char out[DISK_GUID_TEXT_LEN + 1]);
/* A GUID made from 16 bytes of a digest: the bytes are used as they are,
 * with the RFC 4122 version (4) and variant (10) bits set so the result
 * looks like any random GUID a Windows tool would make. This is how the
 * images get identities that depend only on their content. */
void disk_guid_from_digest(const uint8_t digest[16], struct disk_guid *out);
bool disk_guid_is_zero(const struct disk_guid *g);

#endif
