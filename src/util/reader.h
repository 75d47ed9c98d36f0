/* The one bounds-checked cursor over untrusted bytes. Every read of file data
 * goes through it: a read past the end returns zero, sets `failed` and never
 * touches memory outside [data, data + size). Callers check `failed` once after
 * a group of reads instead of after each one. */
#ifndef BP_UTIL_READER_H
#define BP_UTIL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct util_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    bool failed;
} util_reader;

static inline util_reader util_reader_make(const uint8_t *data, size_t size)
{
    util_reader r = {data, data ? size : 0, 0, false};
    return r;
}

/* A reader over [offset, offset + length) of r's data, or a failed empty one. */
util_reader util_reader_sub(const util_reader *r, size_t offset, size_t length);

static inline size_t util_reader_left(const util_reader *r)
{
    return r->pos <= r->size ? r->size - r->pos : 0;
}

static inline bool util_reader_has(const util_reader *r, size_t n)
{
    return !r->failed && util_reader_left(r) >= n;
}

bool util_reader_seek(util_reader *r, size_t pos);
bool util_reader_skip(util_reader *r, size_t n);
uint16_t util_read_u16be(util_reader *r);
uint32_t util_read_u32be(util_reader *r);
uint64_t util_read_u64be(util_reader *r);
/* Copy n bytes into out (zero-filled on failure). */
bool util_read_copy(util_reader *r, void *out, size_t n);

/* Little-endian loads from a buffer already known to hold the bytes. */
static inline uint16_t util_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t util_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t util_le64(const uint8_t *p)
{
    return (uint64_t)util_le32(p) | ((uint64_t)util_le32(p + 4) << 32);
}
static inline uint32_t util_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t util_be64(const uint8_t *p)
{
    return ((uint64_t)util_be32(p) << 32) | (uint64_t)util_be32(p + 4);
}

/* Pointer to the next n bytes (and advance), or NULL with `failed` set.
 * Inline with the little-endian reads below: they run for every word of
 * every page and record, and the check is two compares. */
static inline const uint8_t *util_read_bytes(util_reader *r, size_t n)
{
    if (!util_reader_has(r, n)) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

static inline uint8_t util_read_u8(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 1);
    return p ? p[0] : 0;
}

static inline uint16_t util_read_u16(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 2);
    return p ? util_le16(p) : 0;
}

static inline uint32_t util_read_u32(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 4);
    return p ? util_le32(p) : 0;
}

static inline uint64_t util_read_u64(util_reader *r)
{
    const uint8_t *p = util_read_bytes(r, 8);
    return p ? util_le64(p) : 0;
}

#endif
