#include "util/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blocks start small and double up to BLOCK_MAX: many arenas are short-lived
 * scratch space holding a few strings, where a 64 KiB first block costs more
 * (allocation, page faults) than the work done in it. */
#define BLOCK_FIRST (4u * 1024u)
#define BLOCK_MAX (64u * 1024u)

struct util_arena_block {
    util_arena_block *next;
    size_t capacity;
    /* payload follows, aligned by the union */
    union {
        max_align_t align;
        unsigned char bytes[1];
    } data;
};

void util_arena_init(util_arena *arena) { memset(arena, 0, sizeof(*arena)); }

void util_arena_free(util_arena *arena)
{
    util_arena_block *block = arena->blocks;
    while (block) {
        util_arena_block *next = block->next;
        free(block);
        block = next;
    }
    memset(arena, 0, sizeof(*arena));
}

void util_arena_reset(util_arena *arena)
{
    if (!arena->blocks)
        return;
    util_arena_block *keep = arena->blocks;  /* the newest regular block: the largest */
    if (keep->capacity > BLOCK_MAX) {  /* one oversized request made it: not worth keeping */
        util_arena_free(arena);
        return;
    }
    util_arena_block *block = keep->next;
    while (block) {
        util_arena_block *next = block->next;
        free(block);
        block = next;
    }
    keep->next = NULL;
    arena->used_in_current = 0;
    arena->total_bytes = keep->capacity;
}

/* Room for size bytes, not zeroed (string copies overwrite every byte:
 * zeroing them was a memset call per copy). */
static void *arena_take(util_arena *arena, size_t size)
{
    size_t rounded = (size + 15u) & ~(size_t)15u;
    if (rounded < size)
        return NULL;
    if (!arena->blocks || arena->used_in_current + rounded > arena->blocks->capacity) {
        size_t next = BLOCK_FIRST;
        if (arena->blocks)
            next = arena->blocks->capacity >= BLOCK_MAX / 2 ? BLOCK_MAX : arena->blocks->capacity * 2;
        size_t capacity = rounded > next ? rounded : next;
        util_arena_block *block = malloc(offsetof(util_arena_block, data) + capacity);
        if (!block)
            return NULL;
        block->capacity = capacity;
        /* An allocation larger than any block goes behind the current block,
         * so the current block's free space is not wasted; anything smaller
         * starts a new current block, which keeps the sizes growing. */
        if (arena->blocks && rounded > BLOCK_MAX) {
            block->next = arena->blocks->next;
            arena->blocks->next = block;
            arena->total_bytes += capacity;
            return block->data.bytes;
        }
        block->next = arena->blocks;
        arena->blocks = block;
        arena->used_in_current = 0;
        arena->total_bytes += capacity;
    }
    void *p = arena->blocks->data.bytes + arena->used_in_current;
    arena->used_in_current += rounded;
    return p;
}

void *util_arena_alloc(util_arena *arena, size_t size)
{
    void *p = arena_take(arena, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *util_arena_array(util_arena *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t total = count * size;
    return util_arena_alloc(arena, total ? total : 1);
}

char *util_arena_strndup(util_arena *arena, const char *text, size_t length)
{
    char *copy = length < SIZE_MAX ? arena_take(arena, length + 1) : NULL;
    if (!copy)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *util_arena_strdup(util_arena *arena, const char *text)
{
    return util_arena_strndup(arena, text ? text : "", text ? strlen(text) : 0);
}

char *util_arena_text(util_arena *arena, size_t length)
{
    char *text = length < SIZE_MAX ? arena_take(arena, length + 1) : NULL;
    if (text)
        text[length] = '\0';
    return text;
}

static char *arena_vprintf(util_arena *arena, const char *format, va_list args) __attribute__((format(printf, 2, 0)));

static char *arena_vprintf(util_arena *arena, const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length < 0)
        return NULL;
    char *text = util_arena_alloc(arena, (size_t)length + 1);
    if (text)
        vsnprintf(text, (size_t)length + 1, format, args);
    return text;
}

char *util_arena_printf(util_arena *arena, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = arena_vprintf(arena, format, args);
    va_end(args);
    return text;
}

void util_notes_add(util_arena *arena, bp_note_list *list, const char *text)
{
    bp_note *note = util_arena_alloc(arena, sizeof(*note));
    if (!note)
        return;
    note->text = util_arena_strdup(arena, text);
    if (list->tail)
        list->tail->next = note;
    else
        list->head = note;
    list->tail = note;
    list->count++;
}

void util_notes_addf(util_arena *arena, bp_note_list *list, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = arena_vprintf(arena, format, args);
    va_end(args);
    if (text)
        util_notes_add(arena, list, text);
}
