/* vhd2tar_footer.h: recognising the fixed-VHD footer at the end of a layer
 * disk (../shared/spec/vhd-vhdx.md Part A), so that vhd2tar accepts both a
 * VHD and a bare ext4 image. SEED simply dropped the last 512 bytes; this
 * drops them only when they are a footer (cookie "conectix"), and reports
 * what else it found so the caller can log it. */
#ifndef LCOW_VHD2TAR_FOOTER_H
#define LCOW_VHD2TAR_FOOTER_H

#include <stdbool.h>
#include <stdint.h>

#define VHD2TAR_FOOTER_SIZE 512

enum { VHD2TAR_FOOTER_ABSENT = 0, VHD2TAR_FOOTER_PRESENT = 1 };

struct vhd2tar_footer_info {
	bool checksum_ok;
	uint32_t disk_type;     /* 2 = fixed */
	uint64_t current_size;  /* bytes of disk the footer describes */
};

/* last512: the final 512 bytes of a file of file_size bytes. Returns
 * VHD2TAR_FOOTER_PRESENT (info filled) or VHD2TAR_FOOTER_ABSENT. */
int vhd2tar_footer_detect(const uint8_t *last512, uint64_t file_size, struct vhd2tar_footer_info *info);

#endif
