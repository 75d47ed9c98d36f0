/* ESE column / long-value decompression (ese-format §10).
 *
 * Every input byte is read through util_reader; output goes into one arena
 * buffer sized from the header (Xpress) or from the input length (7-bit), and
 * every write is checked against that size. All loops are bounded by the
 * output size, so hostile input can neither overrun nor hang. */
#include "ese/compression.h"

#include "util/reader.h"

typedef struct decode_result {
    ese_decompress_status status;
    const char *error;
} decode_result;

static decode_result ok_result(void)
{
    decode_result r = {ESE_DECOMPRESS_OK, NULL};
    return r;
}

static decode_result fail(ese_decompress_status status, const char *error)
{
    decode_result r = {status, error};
    return r;
}

/* Schemes 1 and 2: a little-endian bit stream of 7-bit values after the
 * header byte. `wide` selects the UTF-16LE form (value, 0x00). */
static decode_result decode_7bit(util_arena *arena, const uint8_t *data, size_t size, bool wide,
                                 uint8_t **out, size_t *out_size)
{
    if (size < 2)
        return fail(ESE_DECOMPRESS_CORRUPT, "7-bit value shorter than 2 bytes");
    /* Keeps (size - 2) * 8 and count * 2 far from overflow on any platform. */
    if (size > SIZE_MAX / 16)
        return fail(ESE_DECOMPRESS_CORRUPT, "7-bit value too large");

    util_reader r = util_reader_make(data, size);
    uint8_t header = util_read_u8(&r);
    size_t bits_in_last = (size_t)(header & 7u) + 1u;
    size_t total_bits = (size - 2) * 8 + bits_in_last;
    size_t count = total_bits / 7;
    size_t produced = wide ? count * 2 : count;

    uint8_t *buf = util_arena_alloc(arena, produced ? produced : 1);
    if (!buf)
        return fail(ESE_DECOMPRESS_CORRUPT, "out of memory");

    uint32_t acc = 0;  /* pending bits, LSB = next bit of the stream */
    unsigned have = 0; /* number of valid bits in acc (always < 15) */
    size_t w = 0;
    for (size_t i = 0; i < count; i++) {
        while (have < 7) {
            uint8_t byte = util_read_u8(&r);
            if (r.failed)
                return fail(ESE_DECOMPRESS_CORRUPT, "7-bit stream ends early");
            acc |= (uint32_t)byte << have;
            have += 8;
        }
        uint8_t value = (uint8_t)(acc & 0x7Fu);
        acc >>= 7;
        have -= 7;
        if (w >= produced)
            return fail(ESE_DECOMPRESS_CORRUPT, "7-bit output overflow");
        buf[w++] = value;
        if (wide) {
            if (w >= produced)
                return fail(ESE_DECOMPRESS_CORRUPT, "7-bit output overflow");
            buf[w++] = 0;
        }
    }
    *out = buf;
    *out_size = produced;
    return ok_result();
}

/* Scheme 3: header byte, u16 LE uncompressed size, MS-XCA plain LZ77. */
static decode_result decode_xpress(util_arena *arena, const uint8_t *data, size_t size, uint8_t **out,
                                   size_t *out_size)
{
    util_reader r = util_reader_make(data, size);
    (void)util_read_u8(&r);
    size_t expected = util_read_u16(&r);
    if (r.failed)
        return fail(ESE_DECOMPRESS_CORRUPT, "Xpress header truncated");

    uint8_t *buf = util_arena_alloc(arena, expected ? expected : 1);
    if (!buf)
        return fail(ESE_DECOMPRESS_CORRUPT, "out of memory");

    size_t w = 0;
    uint32_t flags = 0;
    unsigned flags_left = 0;
    bool nibble_pending = false; /* a length byte whose high nibble is unused */
    uint8_t nibble_byte = 0;

    /* Every iteration writes at least one byte, so at most `expected`
     * iterations run. */
    while (w < expected) {
        if (flags_left == 0) {
            flags = util_read_u32(&r);
            if (r.failed)
                return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (flags)");
            flags_left = 32;
        }
        flags_left--;
        if (((flags >> flags_left) & 1u) == 0) {
            uint8_t literal = util_read_u8(&r);
            if (r.failed)
                return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (literal)");
            buf[w++] = literal;
            continue;
        }

        uint16_t v = util_read_u16(&r);
        if (r.failed)
            return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (match)");
        size_t offset = ((size_t)v >> 3) + 1;
        uint64_t length = v & 7u;
        if (length == 7) {
            unsigned n;
            if (!nibble_pending) {
                nibble_byte = util_read_u8(&r);
                if (r.failed)
                    return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (length)");
                nibble_pending = true;
                n = nibble_byte & 0x0Fu;
            } else {
                n = nibble_byte >> 4;
                nibble_pending = false;
            }
            if (n < 15) {
                length = (uint64_t)n + 7;
            } else {
                uint8_t b = util_read_u8(&r);
                if (r.failed)
                    return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (length)");
                if (b < 255) {
                    length = (uint64_t)b + 15 + 7;
                } else {
                    length = util_read_u16(&r);
                    if (length == 0 && !r.failed)
                        length = util_read_u32(&r);
                    if (r.failed)
                        return fail(ESE_DECOMPRESS_CORRUPT, "Xpress stream ends early (length)");
                }
            }
        }
        length += 3; /* at most 0xFFFFFFFF + 3: no overflow in 64 bits */

        if (offset > w)
            return fail(ESE_DECOMPRESS_CORRUPT, "Xpress back reference before start of output");
        if (length > (uint64_t)(expected - w))
            return fail(ESE_DECOMPRESS_CORRUPT, "Xpress output longer than announced size");
        size_t count = (size_t)length;
        size_t src = w - offset;
        for (size_t i = 0; i < count; i++) /* byte by byte: overlap repeats */
            buf[w++] = buf[src++];
    }

    *out = buf;
    *out_size = expected;
    return ok_result();
}

ese_decompress_status ese_decompress(util_arena *arena, const uint8_t *data, size_t size, uint8_t **out,
                                     size_t *out_size, const char **error)
{
    uint8_t *result = NULL;
    size_t result_size = 0;
    decode_result res;

    if (!arena || !out) {
        res = fail(ESE_DECOMPRESS_CORRUPT, "invalid arguments");
    } else if (!data || size == 0) {
        res = fail(ESE_DECOMPRESS_CORRUPT, "empty compressed value");
    } else {
        switch (ese_compression_scheme_of(data, size)) {
        case ESE_COMPRESSION_7BIT_ASCII:
            res = decode_7bit(arena, data, size, false, &result, &result_size);
            break;
        case ESE_COMPRESSION_7BIT_UNICODE:
            res = decode_7bit(arena, data, size, true, &result, &result_size);
            break;
        case ESE_COMPRESSION_XPRESS:
            res = decode_xpress(arena, data, size, &result, &result_size);
            break;
        case ESE_COMPRESSION_SCRUB:
            res = fail(ESE_DECOMPRESS_SCRUBBED, "value was scrubbed (no data)");
            break;
        case ESE_COMPRESSION_XPRESS9:
            res = fail(ESE_DECOMPRESS_UNSUPPORTED, "unsupported compression: Xpress9");
            break;
        case ESE_COMPRESSION_XPRESS10:
            res = fail(ESE_DECOMPRESS_UNSUPPORTED, "unsupported compression: Xpress10");
            break;
        case ESE_COMPRESSION_LZ4:
            res = fail(ESE_DECOMPRESS_UNSUPPORTED, "unsupported compression: LZ4");
            break;
        default:
            res = fail(ESE_DECOMPRESS_CORRUPT, "invalid compression scheme");
            break;
        }
    }

    if (res.status != ESE_DECOMPRESS_OK) {
        result = NULL;
        result_size = 0;
    }
    if (out)
        *out = result;
    if (out_size)
        *out_size = result_size;
    if (error)
        *error = res.error;
    return res.status;
}
