/* Decoder of the ESE-era file blob (Files.Blob; bits-format §5). */
#ifndef BP_BITS_FILE_BLOB_H
#define BP_BITS_FILE_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

/* Decode a file blob. Always returns a file (NULL only when out of memory);
 * file_id stays "" (the blob does not hold its own id: the caller sets it). */
bp_file *bits_decode_file(util_arena *arena, const uint8_t *blob, size_t size);

#endif
