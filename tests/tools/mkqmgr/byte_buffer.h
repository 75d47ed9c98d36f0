/* A growable byte buffer with little/big-endian writers: every encoder of
 * mkqmgr appends to one of these. Allocation failure aborts the tool (it is a
 * test fixture writer, not a library). */
#ifndef MKQMGR_BYTE_BUFFER_H
#define MKQMGR_BYTE_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct mk_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
} mk_buffer;

void mk_buffer_free(mk_buffer *b);
/* Make room for n more bytes and return where they go (zeroed, size grown). */
uint8_t *mk_buffer_extend(mk_buffer *b, size_t n);
void mk_put_bytes(mk_buffer *b, const void *bytes, size_t n);
void mk_put_zeros(mk_buffer *b, size_t n);
void mk_put_u8(mk_buffer *b, uint8_t v);
void mk_put_u16(mk_buffer *b, uint16_t v);
void mk_put_u32(mk_buffer *b, uint32_t v);
void mk_put_u64(mk_buffer *b, uint64_t v);
void mk_put_u16be(mk_buffer *b, uint16_t v);
void mk_put_u32be(mk_buffer *b, uint32_t v);
void mk_put_u64be(mk_buffer *b, uint64_t v);
/* BITS counted string (bits-format §2): u32 UTF-16 units including the NUL,
 * then the UTF-16LE text and the NUL. `utf8` must be valid UTF-8. */
void mk_put_wstr(mk_buffer *b, const char *utf8);

/* Stores into memory already allocated. */
void mk_store_u16(uint8_t *p, uint16_t v);
void mk_store_u32(uint8_t *p, uint32_t v);
void mk_store_u64(uint8_t *p, uint64_t v);

/* malloc that aborts on failure. */
void *mk_alloc(size_t size);
void *mk_realloc(void *p, size_t size);
char *mk_strdup(const char *text);

/* FNV-1a: the tool's only source of "random" values, so output depends on the
 * description alone. */
uint32_t mk_hash32(const void *bytes, size_t n, uint32_t seed);

#endif
