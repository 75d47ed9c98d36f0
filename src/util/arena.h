/* Region allocator: everything a parse produces lives until the arena is freed,
 * so decoders never track ownership of individual strings. */
#ifndef BP_UTIL_ARENA_H
#define BP_UTIL_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"

typedef struct bp_arena_block bp_arena_block;

typedef struct bp_arena {
    bp_arena_block *blocks;
    size_t used_in_current;
    size_t total_bytes;
} bp_arena;

void bp_arena_init(bp_arena *arena);
void bp_arena_free(bp_arena *arena);
/* Forget everything allocated and keep the newest block for what comes next
 * (a scratch arena reused row after row, or batch after batch, without
 * returning to malloc each time). Pointers into the arena become invalid. */
void bp_arena_reset(bp_arena *arena);
/* Zeroed memory, 16-byte aligned. Returns NULL only when malloc fails. */
void *bp_arena_alloc(bp_arena *arena, size_t size);
/* Zeroed array of count elements of size bytes; NULL on overflow or malloc failure. */
void *bp_arena_array(bp_arena *arena, size_t count, size_t size);
char *bp_arena_strdup(bp_arena *arena, const char *text);
char *bp_arena_strndup(bp_arena *arena, const char *text, size_t length);
char *bp_arena_printf(bp_arena *arena, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a line to a note list (warnings, SIDs). */
void bp_notes_add(bp_arena *arena, bp_note_list *list, const char *text);
void bp_notes_addf(bp_arena *arena, bp_note_list *list, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
