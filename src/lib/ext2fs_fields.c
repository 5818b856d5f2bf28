/* ext2fs_fields.c: ext4 timestamp and device-number decoding (see header). */
#include "lib/ext2fs_fields.h"

struct e2field_time e2field_decode_time(uint32_t lo, uint32_t extra, int has_extra)
{
	struct e2field_time t = { .sec = (int32_t)lo, .nsec = 0 };
	if (has_extra) {
		t.sec += (int64_t)(extra & 3) << 32;
		t.nsec = extra >> 2;
		if (t.nsec > 999999999u)
			t.nsec = 999999999u;
	}
	return t;
}

void e2field_decode_rdev(uint32_t block0, uint32_t block1, uint32_t *major, uint32_t *minor)
{
	if (block0) {
		*major = (block0 >> 8) & 0xff;
		*minor = block0 & 0xff;
	} else {
		*major = (block1 & 0xfff00) >> 8;
		*minor = (block1 & 0xff) | ((block1 >> 12) & 0xfff00);
	}
}
