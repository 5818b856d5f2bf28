/* vhd2tar_footer.c: fixed-VHD footer recognition (see the header; fields
 * and checksum from ../shared/spec/vhd-vhdx.md A.2 and A.5). */
#include "lib/vhd2tar_footer.h"

#include <string.h>

enum {
	FOOTER_COOKIE = 0,
	FOOTER_CURRENT_SIZE = 48,
	FOOTER_DISK_TYPE = 60,
	FOOTER_CHECKSUM = 64,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

int vhd2tar_footer_detect(const uint8_t *last512, uint64_t file_size, struct vhd2tar_footer_info *info)
{
	(void)file_size;
	if (memcmp(last512 + FOOTER_COOKIE, "conectix", 8) != 0)
		return VHD2TAR_FOOTER_ABSENT;
	uint32_t sum = 0;
	for (int i = 0; i < VHD2TAR_FOOTER_SIZE; i++)
		if (i < FOOTER_CHECKSUM || i >= FOOTER_CHECKSUM + 4)
			sum += last512[i];
	info->checksum_ok = ~sum == be32(last512 + FOOTER_CHECKSUM);
	info->disk_type = be32(last512 + FOOTER_DISK_TYPE);
	info->current_size = be64(last512 + FOOTER_CURRENT_SIZE);
	return VHD2TAR_FOOTER_PRESENT;
}
