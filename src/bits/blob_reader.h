/* Field readers shared by the blob decoders (job, file, legacy records): each
 * reads one field through the bounds-checked reader and, when it cannot, adds
 * a warning naming the field and its offset and returns false, so a decoder
 * is a sequence of `take` calls that stops at the first damaged field. */
#ifndef BP_BITS_BLOB_READER_H
#define BP_BITS_BLOB_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"
#include "util/reader.h"

typedef struct bits_blob_reader {
    util_reader r;
    util_arena *arena;
    bp_note_list *warnings;    /* where warnings go */
    const char *what;          /* warning prefix: "job blob", "file blob" ... */
    bool ran_out;              /* a field ran past the end of the data */
} bits_blob_reader;

void bits_blob_warn(bits_blob_reader *b, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Warn that `field` at `at` runs past the end of the data; returns false. */
bool bits_blob_truncated(bits_blob_reader *b, size_t at, const char *field);

/* Numbers: *out is written only when the read succeeds (file-total-zero). */
bool bits_take_u8(bits_blob_reader *b, const char *field, uint8_t *out);
bool bits_take_u32(bits_blob_reader *b, const char *field, uint32_t *out);
bool bits_take_u64(bits_blob_reader *b, const char *field, uint64_t *out);
bool bits_take_skip(bits_blob_reader *b, const char *field, size_t count);
/* 16 bytes (a GUID) returned in place. */
bool bits_take_guid(bits_blob_reader *b, const char *field, const uint8_t **out);
/* 16 bytes that must equal `expected`. */
bool bits_take_marker(bits_blob_reader *b, const char *field, const uint8_t *expected);
/* Counted UTF-16 string (bits-format §2): u32 units incl. the NUL, then the units. */
bool bits_take_wstr(bits_blob_reader *b, const char *field, const char **out);
/* A u8 presence flag, followed by a counted string when set. */
bool bits_take_optional_wstr(bits_blob_reader *b, const char *field, const char **out);
/* u32 count, then count items of item_size bytes that must fit; skipped. */
bool bits_take_counted_block(bits_blob_reader *b, const char *field, size_t item_size, uint32_t *count);

/* Position of the first `needle` at or after `from`, SIZE_MAX when absent. */
size_t bits_find_bytes(const util_reader *r, size_t from, const uint8_t *needle, size_t length);

#endif
