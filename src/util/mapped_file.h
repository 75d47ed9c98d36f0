/* An input file mapped read-only instead of read into memory, so its bytes do
 * not count toward the process's peak memory (issue 21).
 *
 * The mapping is PROT_READ and MAP_PRIVATE and is never written, so it holds
 * no private copies: dropping its resident pages (MADV_DONTNEED) only clears
 * page-table entries, and the next access faults the same bytes back in from
 * the page cache. Every pointer into the mapping therefore stays valid for as
 * long as it is mapped, however often it is trimmed.
 *
 * Readers that walk a large input tell the mapping how many bytes they read
 * (bp_mapped_touched); every BP_MAPPED_TRIM_BYTES it drops what is resident.
 * Code below the input layer does not get the handle passed in: it asks for
 * the live mapping (of this thread) that holds its buffer with
 * bp_mapped_find, and gets NULL for ordinary memory, which must never be
 * trimmed (MADV_DONTNEED on anonymous memory would zero it).
 *
 * A file truncated by another process while it is mapped makes reads past
 * its new end raise SIGBUS; see docs/design.md for what is done about it. */
#ifndef BP_UTIL_MAPPED_FILE_H
#define BP_UTIL_MAPPED_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/sha256.h"

/* Resident mapped bytes are dropped after this many bytes were read. */
#define BP_MAPPED_TRIM_BYTES ((size_t)8 << 20)

typedef struct bp_mapped_file {
    const uint8_t *data;    /* the file's bytes (an empty file: a static empty buffer) */
    size_t size;
    size_t mapped;          /* length of the mapping, 0 when nothing is mapped */
    int64_t file_size;      /* st_size when mapped, to notice a file that changed size */
    int fd;
    size_t touched;         /* bytes read since the last trim */
    struct bp_mapped_file *next;  /* this thread's live mappings */
} bp_mapped_file;

/* Map the regular file `path` (opened O_RDONLY). Returns false when it is not
 * a regular file or cannot be opened or mapped: the caller reads it instead.
 * `m` must stay at its address until bp_mapped_close. */
bool bp_mapped_open(bp_mapped_file *m, const char *path);

/* SHA-256 of the whole file as hex, walking the mapping chunk by chunk with
 * read-ahead in front and the chunks behind dropped, so hashing never makes
 * the file resident. Returns false when the file's size changed meanwhile
 * (another process is writing it): the caller should not trust the mapping. */
bool bp_mapped_sha256(bp_mapped_file *m, char sha256[BP_SHA256_HEX_SIZE]);

/* Drop every resident page of the mapping (pointers into it stay valid). */
void bp_mapped_trim(bp_mapped_file *m);

/* `bytes` of the mapping were read: trims once BP_MAPPED_TRIM_BYTES add up. */
static inline void bp_mapped_touched(bp_mapped_file *m, size_t bytes)
{
    m->touched += bytes;
    if (m->touched >= BP_MAPPED_TRIM_BYTES)
        bp_mapped_trim(m);
}

/* The live mapping of this thread that holds [data, data + size), or NULL
 * (ordinary memory, or nothing mapped). */
bp_mapped_file *bp_mapped_find(const void *data, size_t size);

/* Trim the mapping holding [data, data + size), if there is one: for a reader
 * that has finished a pass over a buffer it did not map itself. */
void bp_mapped_release(const void *data, size_t size);

void bp_mapped_close(bp_mapped_file *m);

#endif
