#include "util/reader.h"

#include <string.h>

bp_reader bp_reader_sub(const bp_reader *r, size_t offset, size_t length)
{
    bp_reader sub = {NULL, 0, 0, true};
    if (offset > r->size || length > r->size - offset)
        return sub;
    return bp_reader_make(r->data + offset, length);
}

bool bp_reader_seek(bp_reader *r, size_t pos)
{
    if (pos > r->size) {
        r->failed = true;
        return false;
    }
    r->pos = pos;
    return true;
}

bool bp_reader_skip(bp_reader *r, size_t n)
{
    if (!bp_reader_has(r, n)) {
        r->failed = true;
        return false;
    }
    r->pos += n;
    return true;
}


bool bp_read_copy(bp_reader *r, void *out, size_t n)
{
    const uint8_t *p = bp_read_bytes(r, n);
    if (!p) {
        memset(out, 0, n);
        return false;
    }
    memcpy(out, p, n);
    return true;
}





uint16_t bp_read_u16be(bp_reader *r)
{
    const uint8_t *p = bp_read_bytes(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t bp_read_u32be(bp_reader *r)
{
    const uint8_t *p = bp_read_bytes(r, 4);
    return p ? bp_be32(p) : 0;
}

uint64_t bp_read_u64be(bp_reader *r)
{
    const uint8_t *p = bp_read_bytes(r, 8);
    return p ? bp_be64(p) : 0;
}
