/* vhdx_crc32c.h: CRC-32C (Castagnoli), the checksum of VHDX headers and
 * region tables (../shared/spec/vhd-vhdx.md B.1). zlib only offers the
 * IEEE polynomial, so this small one is ours. */
#ifndef LCOW_VHDX_CRC32C_H
#define LCOW_VHDX_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of len bytes: reflected polynomial 0x82F63B78, initial value and
 * final XOR 0xFFFFFFFF. crc32c("123456789") == 0xE3069283. */
uint32_t vhdx_crc32c(const void *buf, size_t len);

#endif
