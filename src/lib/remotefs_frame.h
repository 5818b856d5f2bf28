/* remotefs_frame.h: the binary framing on remotefs' stdin/stdout.
 *
 * openfile's request/response headers and the length prefix in front of the
 * TarOptions JSON (../shared/spec/gcstools.md §8.3, §8.6) are fixed by the
 * Docker side: big-endian, packed, no padding. Declared once here with their
 * sizes checked. Pure. */
#ifndef LCOW_REMOTEFS_FRAME_H
#define LCOW_REMOTEFS_FRAME_H

#include <stdint.h>

enum rfs_file_cmd {
	RFS_CMD_READ = 0,
	RFS_CMD_WRITE = 1,
	RFS_CMD_SEEK = 2,
	RFS_CMD_CLOSE = 3,
	RFS_CMD_OK = 4,
	RFS_CMD_FAILED = 5,
};

/* FileHeader on the wire: u32 Cmd | u64 Size, big-endian. */
struct rfs_file_header_wire {
	uint8_t cmd[4];
	uint8_t size[8];
} __attribute__((packed));
_Static_assert(sizeof(struct rfs_file_header_wire) == 12, "FileHeader is 12 bytes");

/* SeekHeader on the wire: i64 Offset | i32 Whence, big-endian. */
struct rfs_seek_header_wire {
	uint8_t offset[8];
	uint8_t whence[4];
} __attribute__((packed));
_Static_assert(sizeof(struct rfs_seek_header_wire) == 12, "SeekHeader is 12 bytes");

struct rfs_file_header {
	uint32_t cmd;
	uint64_t size;
};

struct rfs_seek_header {
	int64_t offset;
	int32_t whence;
};

#define RFS_TAROPTIONS_PREFIX 8 /* u64 big-endian JSON length */

void rfs_file_header_encode(const struct rfs_file_header *h, uint8_t out[12]);
void rfs_file_header_decode(const uint8_t in[12], struct rfs_file_header *h);
void rfs_seek_header_decode(const uint8_t in[12], struct rfs_seek_header *h);
void rfs_seek_header_encode(const struct rfs_seek_header *h, uint8_t out[12]);

uint64_t rfs_be64(const uint8_t *p);
uint32_t rfs_be32(const uint8_t *p);
void rfs_put_be64(uint8_t *p, uint64_t v);
void rfs_put_be32(uint8_t *p, uint32_t v);

#endif
