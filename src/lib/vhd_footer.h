/* vhd_footer.h: the 512-byte footer of a fixed VHD (../shared/spec/vhd-vhdx.md
 * Part A): build it for a raw image, parse and validate one read back.
 *
 * A fixed VHD is the raw disk bytes followed by this footer; tar2vhd appends
 * it, vhd2tar and the image packaging check it. All footer integers are
 * big-endian (A.2). The layout is declared once here. */
#ifndef LCOW_VHD_FOOTER_H
#define LCOW_VHD_FOOTER_H

#include <stdint.h>

#define VHD_FOOTER_SIZE 512
#define VHD_SECTOR_SIZE 512
#define VHD_COOKIE "conectix"
#define VHD_FEATURES_RESERVED 0x00000002u
#define VHD_FILE_FORMAT_VERSION 0x00010000u
#define VHD_DATA_OFFSET_FIXED UINT64_MAX
#define VHD_CREATOR_APP_WIN 0x77696E20u /* "win " (A.4): qemu then trusts Current Size */
#define VHD_CREATOR_VERSION 0x000A0000u
#define VHD_CREATOR_HOST_WI2K 0x5769326Bu /* "Wi2k" */
#define VHD_DISK_TYPE_FIXED 2u
/* Seconds from the Unix epoch to the VHD epoch, 2000-01-01T00:00:00Z (A.4). */
#define VHD_EPOCH_UNIX 946684800

/* On-disk layout (A.2). Multi-byte fields hold big-endian values; use the
 * accessors in vhd_footer.c rather than reading them directly. */
struct vhd_footer_raw {
	char cookie[8];
	uint32_t features;
	uint32_t file_format_version;
	uint64_t data_offset;
	uint32_t time_stamp;
	uint32_t creator_application;
	uint32_t creator_version;
	uint32_t creator_host_os;
	uint64_t original_size;
	uint64_t current_size;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors_per_track;
	uint32_t disk_type;
	uint32_t checksum;
	uint8_t unique_id[16];
	uint8_t saved_state;
	uint8_t reserved[427];
} __attribute__((packed));
_Static_assert(sizeof(struct vhd_footer_raw) == VHD_FOOTER_SIZE, "VHD footer is 512 bytes");

/* The footer in host byte order. */
struct vhd_footer {
	uint32_t features;
	uint32_t file_format_version;
	uint64_t data_offset;
	uint32_t time_stamp;
	uint32_t creator_application;
	uint32_t creator_version;
	uint32_t creator_host_os;
	uint64_t original_size;
	uint64_t current_size;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors_per_track;
	uint32_t disk_type;
	uint32_t checksum;
	uint8_t unique_id[16];
	uint8_t saved_state;
};

struct vhd_chs {
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors_per_track;
};

/* CHS geometry for a disk of `size` bytes, per the VHD specification
 * algorithm (A.3), clamped at 65535/16/255. */
struct vhd_chs vhd_chs_for_size(uint64_t size);

/* One's complement of the byte sum of the 512 footer bytes, the checksum
 * field counted as zero (A.5). */
uint32_t vhd_footer_checksum(const uint8_t footer[VHD_FOOTER_SIZE]);

/* Fills `out` with the footer of a fixed disk of `size` bytes (a multiple of
 * 512): creator "win " 10.0 on "Wi2k", CHS geometry, the given time stamp
 * (seconds since 2000-01-01; 0 for reproducible output) and unique id
 * (NULL = all zero). Returns 0, or -EINVAL (with err text) for a bad size. */
int vhd_footer_build(uint8_t out[VHD_FOOTER_SIZE], uint64_t size, uint32_t time_stamp,
		     const uint8_t unique_id[16]);

/* Decodes and validates a fixed-disk footer: cookie, checksum, file format
 * version, disk type 2, data offset all ones, current size a multiple of 512.
 * Returns 0 or -EINVAL with the reason in the err text. */
int vhd_footer_parse(const uint8_t in[VHD_FOOTER_SIZE], struct vhd_footer *out);

/* Checks that a file of `file_size` bytes is exactly a fixed VHD whose
 * footer is `f`: file_size == current_size + 512. Returns 0 or -EINVAL. */
int vhd_footer_check_file_size(const struct vhd_footer *f, uint64_t file_size);

#endif
