/* ESE column and long-value compression (ese-format §10): 7-bit ASCII,
 * 7-bit Unicode and Xpress (MS-XCA plain LZ77). */
#ifndef BP_ESE_COMPRESSION_H
#define BP_ESE_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef enum ese_compression_scheme {
    ESE_COMPRESSION_NONE = 0,
    ESE_COMPRESSION_7BIT_ASCII = 1,
    ESE_COMPRESSION_7BIT_UNICODE = 2,
    ESE_COMPRESSION_XPRESS = 3,
    ESE_COMPRESSION_SCRUB = 4,
    ESE_COMPRESSION_XPRESS9 = 5,
    ESE_COMPRESSION_XPRESS10 = 6,
    ESE_COMPRESSION_LZ4 = 7,
} ese_compression_scheme;

typedef enum ese_decompress_status {
    ESE_DECOMPRESS_OK = 0,
    ESE_DECOMPRESS_UNSUPPORTED, /* schemes 5-7: data left as is */
    ESE_DECOMPRESS_SCRUBBED,    /* scheme 4: the value was wiped, no data */
    ESE_DECOMPRESS_CORRUPT,     /* stream ends early, bad back reference ... */
} ese_decompress_status;

/* Scheme of a compressed value = first byte >> 3. */
static inline unsigned ese_compression_scheme_of(const uint8_t *data, size_t size)
{
    return size ? (unsigned)(data[0] >> 3) : 0;
}

/* Decompress `size` bytes starting with the scheme header byte into a new arena
 * buffer. On success *out and *out_size hold the plain bytes. On failure *out is
 * NULL and *error names the problem (static text). Never reads outside the
 * input, never writes more than the size the header announces. */
ese_decompress_status ese_decompress(util_arena *arena, const uint8_t *data, size_t size, uint8_t **out,
                                     size_t *out_size, const char **error);

#endif
