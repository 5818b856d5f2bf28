/* vhd_footer.c: builds and validates the fixed VHD footer
 * (../shared/spec/vhd-vhdx.md Part A). Pure byte code: no I/O. */
#include "lib/vhd_footer.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "lib/err.h"

struct vhd_chs vhd_chs_for_size(uint64_t size)
{
	/* A.3, with the VHD specification's "heads > 16" test and a cap in
	 * sectors (both places where older code deviated). */
	uint64_t total = size / VHD_SECTOR_SIZE;
	uint64_t spt, heads, cth;

	if (total > 65535ull * 16 * 255)
		total = 65535ull * 16 * 255;
	if (total >= 65535ull * 16 * 63) {
		spt = 255;
		heads = 16;
		cth = total / spt;
	} else {
		spt = 17;
		cth = total / spt;
		heads = (cth + 1023) / 1024;
		if (heads < 4)
			heads = 4;
		if (cth >= heads * 1024 || heads > 16) {
			spt = 31;
			heads = 16;
			cth = total / spt;
		}
		if (cth >= heads * 1024) {
			spt = 63;
			heads = 16;
			cth = total / spt;
		}
	}
	return (struct vhd_chs){
		.cylinders = (uint16_t)(cth / heads),
		.heads = (uint8_t)heads,
		.sectors_per_track = (uint8_t)spt,
	};
}

uint32_t vhd_footer_checksum(const uint8_t footer[VHD_FOOTER_SIZE])
{
	const size_t lo = offsetof(struct vhd_footer_raw, checksum);
	uint32_t sum = 0;
	for (size_t i = 0; i < VHD_FOOTER_SIZE; i++)
		if (i < lo || i >= lo + 4)
			sum += footer[i];
	return ~sum;
}

int vhd_footer_build(uint8_t out[VHD_FOOTER_SIZE], uint64_t size, uint32_t time_stamp,
		     const uint8_t unique_id[16])
{
	if (size == 0 || size % VHD_SECTOR_SIZE)
		return err_setmsg(-EINVAL, "VHD disk size %" PRIu64 " is not a positive multiple of 512", size);

	struct vhd_footer_raw f;
	memset(&f, 0, sizeof(f));
	memcpy(f.cookie, VHD_COOKIE, 8);
	f.features = htobe32(VHD_FEATURES_RESERVED);
	f.file_format_version = htobe32(VHD_FILE_FORMAT_VERSION);
	f.data_offset = htobe64(VHD_DATA_OFFSET_FIXED);
	f.time_stamp = htobe32(time_stamp);
	f.creator_application = htobe32(VHD_CREATOR_APP_WIN);
	f.creator_version = htobe32(VHD_CREATOR_VERSION);
	f.creator_host_os = htobe32(VHD_CREATOR_HOST_WI2K);
	f.original_size = htobe64(size);
	f.current_size = htobe64(size);
	struct vhd_chs chs = vhd_chs_for_size(size);
	f.cylinders = htobe16(chs.cylinders);
	f.heads = chs.heads;
	f.sectors_per_track = chs.sectors_per_track;
	f.disk_type = htobe32(VHD_DISK_TYPE_FIXED);
	if (unique_id)
		memcpy(f.unique_id, unique_id, 16);
	memcpy(out, &f, VHD_FOOTER_SIZE);
	uint32_t sum = htobe32(vhd_footer_checksum(out));
	memcpy(out + offsetof(struct vhd_footer_raw, checksum), &sum, 4);
	return 0;
}

int vhd_footer_parse(const uint8_t in[VHD_FOOTER_SIZE], struct vhd_footer *out)
{
	struct vhd_footer_raw f;
	memcpy(&f, in, sizeof(f));

	if (memcmp(f.cookie, VHD_COOKIE, 8) != 0)
		return err_setmsg(-EINVAL, "VHD footer: cookie is not \"conectix\"");
	uint32_t want = vhd_footer_checksum(in);
	if (be32toh(f.checksum) != want)
		return err_setmsg(-EINVAL, "VHD footer: checksum 0x%08x, expected 0x%08x", be32toh(f.checksum), want);

	memset(out, 0, sizeof(*out));
	out->features = be32toh(f.features);
	out->file_format_version = be32toh(f.file_format_version);
	out->data_offset = be64toh(f.data_offset);
	out->time_stamp = be32toh(f.time_stamp);
	out->creator_application = be32toh(f.creator_application);
	out->creator_version = be32toh(f.creator_version);
	out->creator_host_os = be32toh(f.creator_host_os);
	out->original_size = be64toh(f.original_size);
	out->current_size = be64toh(f.current_size);
	out->cylinders = be16toh(f.cylinders);
	out->heads = f.heads;
	out->sectors_per_track = f.sectors_per_track;
	out->disk_type = be32toh(f.disk_type);
	out->checksum = be32toh(f.checksum);
	memcpy(out->unique_id, f.unique_id, 16);
	out->saved_state = f.saved_state;

	if (out->file_format_version != VHD_FILE_FORMAT_VERSION)
		return err_setmsg(-EINVAL, "VHD footer: file format version 0x%08x, expected 0x00010000",
				  out->file_format_version);
	if (out->disk_type != VHD_DISK_TYPE_FIXED)
		return err_setmsg(-EINVAL, "VHD footer: disk type %u is not fixed (2)", out->disk_type);
	if (out->data_offset != VHD_DATA_OFFSET_FIXED)
		return err_setmsg(-EINVAL, "VHD footer: data offset 0x%016" PRIx64 " on a fixed disk", out->data_offset);
	if (out->current_size % VHD_SECTOR_SIZE)
		return err_setmsg(-EINVAL, "VHD footer: current size %" PRIu64 " is not a multiple of 512",
				  out->current_size);
	return 0;
}

int vhd_footer_check_file_size(const struct vhd_footer *f, uint64_t file_size)
{
	if (file_size < VHD_FOOTER_SIZE || f->current_size != file_size - VHD_FOOTER_SIZE)
		return err_setmsg(-EINVAL, "VHD footer: current size %" PRIu64 " does not match a %" PRIu64 "-byte file",
				  f->current_size, file_size);
	return 0;
}
