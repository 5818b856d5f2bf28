/* ext4_encode.c: timestamp and device-number encodings (see ext4_encode.h). */
#include "lib/ext4_encode.h"

struct ext4_time ext4_time_encode(int64_t sec, uint32_t nsec)
{
	if (sec < EXT4_TIME_MIN)
		sec = EXT4_TIME_MIN;
	if (sec > EXT4_TIME_MAX)
		sec = EXT4_TIME_MAX;
	if (nsec > 999999999u)
		nsec = 999999999u;
	/* §15: low 32 bits as stored; the epoch bits count how many 2^32
	 * steps the value lies above its sign-extended low word. */
	int64_t low = (int32_t)(uint32_t)sec;
	uint32_t epoch = (uint32_t)(((sec - low) >> 32) & 3);
	return (struct ext4_time){ .lo = (uint32_t)sec, .extra = epoch | (nsec << 2) };
}

int64_t ext4_time_decode_sec(struct ext4_time t)
{
	return (int64_t)(int32_t)t.lo + ((int64_t)(t.extra & 3) << 32);
}

uint32_t ext4_dev_encode(uint32_t major, uint32_t minor)
{
	return (minor & 0xFFu) | (major << 8) | ((minor & ~0xFFu) << 12);
}
