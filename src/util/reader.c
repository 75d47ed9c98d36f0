#include "util/reader.h"

#include <string.h>

util_reader util_reader_sub(const util_reader *r, size_t offset, size_t length)
{
    util_reader sub = {NULL, 0, 0, true};
    if (offset > r->size || length > r->size - offset)
        return sub;
    return util_reader_make(r->data + offset, length);
}

bool util_reader_seek(util_reader *r, size_t pos)
{
    if (pos > r->size) {
        r->failed = true;
        return false;
    }
    r->pos = pos;
    return true;
}

bool util_reader_skip(util_reader *r, size_t n)
{
    if (!util_reader_has(r, n)) {
        r->failed = true;
        return false;
    }
    r->pos += n;
    return true;
}


bool util_read_copy(util_reader *r, void *out, size_t n)
{
    const uint8_t *p = util_read_bytes(r, n);
    if (!p) {
        memset(out, 0, n);
        return false;
    }
    memcpy(out, p, n);
    return true;
}





uint16_t util_read_u16be(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t util_read_u32be(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 4);
    return p ? util_be32(p) : 0;
}

uint64_t util_read_u64be(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 8);
    return p ? util_be64(p) : 0;
}
