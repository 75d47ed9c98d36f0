/* Region allocator: everything a parse produces lives until the arena is freed,
 * so decoders never track ownership of individual strings. */
#ifndef BP_UTIL_ARENA_H
#define BP_UTIL_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"

typedef struct util_arena_block util_arena_block;

typedef struct util_arena {
    util_arena_block *blocks;
    size_t used_in_current;
    size_t total_bytes;
} util_arena;

void util_arena_init(util_arena *arena);
void util_arena_free(util_arena *arena);
/* Forget everything allocated and keep the newest block for what comes next
 * (a scratch arena reused row after row, or batch after batch, without
 * returning to malloc each time). Pointers into the arena become invalid. */
void util_arena_reset(util_arena *arena);
/* Zeroed memory, 16-byte aligned. Returns NULL only when malloc fails. */
void *util_arena_alloc(util_arena *arena, size_t size);
/* Zeroed array of count elements of size bytes; NULL on overflow or malloc failure. */
void *util_arena_array(util_arena *arena, size_t count, size_t size);
char *util_arena_strdup(util_arena *arena, const char *text);
char *util_arena_strndup(util_arena *arena, const char *text, size_t length);
/* Room for a text of length bytes and its NUL (set), the rest not zeroed:
 * for a caller that writes every byte. NULL when malloc fails. */
char *util_arena_text(util_arena *arena, size_t length);
char *util_arena_printf(util_arena *arena, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a line to a note list (warnings, SIDs). */
void util_notes_add(util_arena *arena, bp_note_list *list, const char *text);
void util_notes_addf(util_arena *arena, bp_note_list *list, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
