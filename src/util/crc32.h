/* CRC-32 with the zlib/IEEE 802.3 polynomial (reflected 0xEDB88320, initial and
 * final XOR 0xFFFFFFFF): the checksum of Windows 10-era legacy BITS state files. */
#ifndef BP_UTIL_CRC32_H
#define BP_UTIL_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC of `length` bytes continuing from `crc` (0 to start), as zlib's crc32(). */
uint32_t util_crc32(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
