/* The ECC + XOR checksum of one block of a data page (ese-format §4.2). */
#ifndef BP_ESE_BLOCK_CHECKSUM_H
#define BP_ESE_BLOCK_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Checksum of block_size bytes at block (words 0 and 1 left out when first:
 * they hold the checksum of block 0 itself). */
uint64_t ese_block_checksum(const uint8_t *block, size_t block_size, uint32_t pgno, bool first);
/* The same, word by word as the format describes it: for tests, and for
 * block sizes the fast way does not cover. */
uint64_t ese_block_checksum_reference(const uint8_t *block, size_t block_size, uint32_t pgno, bool first);

#endif
