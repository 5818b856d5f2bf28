/* ext4_encode.h: the small field encodings of an ext4 inode: timestamps with
 * epoch bits and nanoseconds (§15) and device numbers (§13). */
#ifndef LCOW_EXT4_ENCODE_H
#define LCOW_EXT4_ENCODE_H

#include <stdint.h>

/* Earliest and latest seconds ext4 can represent with 2 epoch bits. */
#define EXT4_TIME_MIN (-(int64_t)0x80000000)
#define EXT4_TIME_MAX ((int64_t)0x7FFFFFFF + 3 * ((int64_t)1 << 32))

struct ext4_time {
	uint32_t lo;    /* i_Xtime */
	uint32_t extra; /* i_Xtime_extra: epoch bits 0-1, nanoseconds << 2 */
};

/* Encodes seconds since the Unix epoch (negative before 1970) and
 * nanoseconds, clamping to [EXT4_TIME_MIN, EXT4_TIME_MAX] and nsec to
 * 999999999. */
struct ext4_time ext4_time_encode(int64_t sec, uint32_t nsec);
/* The inverse, as the kernel decodes it. */
int64_t ext4_time_decode_sec(struct ext4_time t);

/* Largest major/minor the ext4 "new" device encoding can hold. */
#define EXT4_DEV_MAJOR_MAX 0xFFFu
#define EXT4_DEV_MINOR_MAX 0xFFFFFu
/* i_block word 1 for a device (word 0 stays 0): the kernel's new_encode_dev. */
uint32_t ext4_dev_encode(uint32_t major, uint32_t minor);

#endif
