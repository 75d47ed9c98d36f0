#include "byte_buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mk_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        fputs("mkqmgr: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

void *mk_realloc(void *p, size_t size)
{
    void *grown = realloc(p, size ? size : 1);
    if (!grown) {
        fputs("mkqmgr: out of memory\n", stderr);
        exit(3);
    }
    return grown;
}

char *mk_strdup(const char *text)
{
    size_t n = strlen(text);
    char *copy = mk_alloc(n + 1);
    memcpy(copy, text, n);
    return copy;
}

void mk_buffer_free(mk_buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->size = b->capacity = 0;
}

uint8_t *mk_buffer_extend(mk_buffer *b, size_t n)
{
    if (n == 0)
        return b->data ? b->data + b->size : NULL;
    if (b->capacity - b->size < n) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (capacity - b->size < n)
            capacity *= 2;
        b->data = mk_realloc(b->data, capacity);
        b->capacity = capacity;
    }
    uint8_t *at = b->data + b->size;
    memset(at, 0, n);
    b->size += n;
    return at;
}

void mk_put_bytes(mk_buffer *b, const void *bytes, size_t n)
{
    if (n)
        memcpy(mk_buffer_extend(b, n), bytes, n);
}

void mk_put_zeros(mk_buffer *b, size_t n) { mk_buffer_extend(b, n); }
void mk_put_u8(mk_buffer *b, uint8_t v) { *mk_buffer_extend(b, 1) = v; }
void mk_put_u16(mk_buffer *b, uint16_t v) { mk_store_u16(mk_buffer_extend(b, 2), v); }
void mk_put_u32(mk_buffer *b, uint32_t v) { mk_store_u32(mk_buffer_extend(b, 4), v); }
void mk_put_u64(mk_buffer *b, uint64_t v) { mk_store_u64(mk_buffer_extend(b, 8), v); }

void mk_put_u16be(mk_buffer *b, uint16_t v)
{
    uint8_t *p = mk_buffer_extend(b, 2);
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void mk_put_u32be(mk_buffer *b, uint32_t v)
{
    mk_put_u16be(b, (uint16_t)(v >> 16));
    mk_put_u16be(b, (uint16_t)v);
}

void mk_put_u64be(mk_buffer *b, uint64_t v)
{
    mk_put_u32be(b, (uint32_t)(v >> 32));
    mk_put_u32be(b, (uint32_t)v);
}

void mk_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void mk_store_u32(uint8_t *p, uint32_t v)
{
    mk_store_u16(p, (uint16_t)v);
    mk_store_u16(p + 2, (uint16_t)(v >> 16));
}

void mk_store_u64(uint8_t *p, uint64_t v)
{
    mk_store_u32(p, (uint32_t)v);
    mk_store_u32(p + 4, (uint32_t)(v >> 32));
}

/* Next code point of a UTF-8 string (the description parser validated it). */
static uint32_t next_code_point(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t c = *p++;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra)
        c &= 0x3Fu >> extra;
    while (extra-- > 0 && (*p & 0xC0) == 0x80)
        c = (c << 6) | (*p++ & 0x3F);
    *s = p;
    return c;
}

void mk_put_wstr(mk_buffer *b, const char *utf8)
{
    size_t count_at = b->size;
    mk_put_u32(b, 0);
    uint32_t units = 0;
    const unsigned char *s = (const unsigned char *)utf8;
    while (*s) {
        uint32_t c = next_code_point(&s);
        if (c >= 0x10000) {
            c -= 0x10000;
            mk_put_u16(b, (uint16_t)(0xD800 | (c >> 10)));
            mk_put_u16(b, (uint16_t)(0xDC00 | (c & 0x3FF)));
            units += 2;
        } else {
            mk_put_u16(b, (uint16_t)c);
            units++;
        }
    }
    mk_put_u16(b, 0);
    mk_store_u32(b->data + count_at, units + 1);
}

uint32_t mk_hash32(const void *bytes, size_t n, uint32_t seed)
{
    const uint8_t *p = bytes;
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}
