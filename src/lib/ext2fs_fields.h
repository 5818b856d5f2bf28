/* ext2fs_fields.h: decoding of ext4 inode fields that libext2fs hands over
 * raw: timestamps with their "extra" word (epoch bits and nanoseconds) and
 * device numbers kept in i_block. Pure functions, shared by the image
 * reader and its tests. Layouts: ../shared/spec/ext4-writer.md §13, §15. */
#ifndef LCOW_EXT2FS_FIELDS_H
#define LCOW_EXT2FS_FIELDS_H

#include <stdint.h>

struct e2field_time {
	int64_t sec;
	uint32_t nsec;
};

/* Seconds and nanoseconds from the low 32 bits and, when the inode has
 * room for it (has_extra), the extra word: bits 0-1 extend the signed
 * 32-bit seconds by multiples of 2^32, bits 2-31 are nanoseconds. A
 * nanosecond value above 999999999 (corrupt) is clamped. */
struct e2field_time e2field_decode_time(uint32_t lo, uint32_t extra, int has_extra);

/* Major and minor numbers of a device inode. The old encoding (8-bit
 * major/minor) lives in i_block[0]; the new one (12-bit major, 20-bit
 * minor, Linux new_encode_dev) in i_block[1] when i_block[0] is zero. */
void e2field_decode_rdev(uint32_t block0, uint32_t block1, uint32_t *major, uint32_t *minor);

#endif
