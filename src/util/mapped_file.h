/* An input file mapped read-only instead of read into memory, so its bytes do
 * not count toward the process's peak memory (issue 21).
 *
 * The mapping is PROT_READ and MAP_PRIVATE and is never written, so it holds
 * no private copies: dropping its resident pages (MADV_DONTNEED) only clears
 * page-table entries, and the next access faults the same bytes back in from
 * the page cache. Every pointer into the mapping therefore stays valid for as
 * long as it is mapped, however often it is trimmed.
 *
 * Readers that walk a large input tell the mapping what they are about to
 * read (util_mapped_touched); it drops what is resident before that would pass
 * UTIL_MAPPED_RESIDENT_MAX.
 * Code below the input layer does not get the handle passed in: it asks for
 * the live mapping (of this thread) that holds its buffer with
 * util_mapped_find, and gets NULL for ordinary memory, which must never be
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

/* What is resident is bounded by regions, not bytes: one page fault may map
 * a whole large folio of the page cache, up to the span of one page table
 * (2 MiB with 4 KiB pages; Linux 6.18 does so on ext4), however few bytes
 * were read. So the mapping notes which of these regions were read since the
 * last trim, and trims when one more would pass UTIL_MAPPED_RESIDENT_MAX.
 * 8 MiB rather than 4: fewer trims mean fewer pages faulted in again (about
 * 2 % of the CPU time of a 35 MiB queue, for 4 MiB more peak memory). */
#define UTIL_MAPPED_RESIDENT_MAX ((size_t)8 << 20)
#define UTIL_MAPPED_REGIONS_MAX 8  /* room for the regions noted (4 KiB pages: four of 2 MiB) */

typedef struct util_mapped_file {
    const uint8_t *data;    /* the file's bytes (an empty file: a static empty buffer) */
    size_t size;
    size_t mapped;          /* length of the mapping, 0 when nothing is mapped */
    int64_t file_size;      /* st_size when mapped, to notice a file that changed size */
    int fd;
    unsigned region_shift;  /* log2 of the bytes one page table maps */
    size_t region_limit;    /* regions that may be resident before a trim */
    size_t last_region;     /* the region read last (fast path) */
    size_t region_count;    /* regions read since the last trim */
    size_t regions[UTIL_MAPPED_REGIONS_MAX];
    struct util_mapped_file *next;  /* this thread's live mappings */
} util_mapped_file;

/* Map the regular file `path` (opened O_RDONLY). Returns false when it is not
 * a regular file or cannot be opened or mapped: the caller reads it instead.
 * `m` must stay at its address until util_mapped_close. */
bool util_mapped_open(util_mapped_file *m, const char *path);

/* SHA-256 of the whole file as hex, walking the mapping chunk by chunk with
 * read-ahead in front and the chunks behind dropped, so hashing never makes
 * the file resident. Returns false when the file's size changed meanwhile
 * (another process is writing it): the caller should not trust the mapping. */
bool util_mapped_sha256(util_mapped_file *m, char sha256[UTIL_SHA256_HEX_SIZE]);

/* Drop every resident page of the mapping (pointers into it stay valid). */
void util_mapped_trim(util_mapped_file *m);

/* [at, at + bytes) of the mapping are about to be read: trims first when
 * their regions would take more than UTIL_MAPPED_RESIDENT_MAX resident. */
void util_mapped_note_regions(util_mapped_file *m, size_t first, size_t last);
static inline void util_mapped_touched(util_mapped_file *m, const void *at, size_t bytes)
{
    size_t offset = (size_t)((uintptr_t)at - (uintptr_t)m->data);
    size_t first = offset >> m->region_shift;
    size_t last = (offset + (bytes ? bytes - 1 : 0)) >> m->region_shift;
    if (first != m->last_region || last != first)
        util_mapped_note_regions(m, first, last);
}

/* The live mapping of this thread that holds [data, data + size), or NULL
 * (ordinary memory, or nothing mapped). */
util_mapped_file *util_mapped_find(const void *data, size_t size);

/* Trim the mapping holding [data, data + size), if there is one: for a reader
 * that has finished a pass over a buffer it did not map itself. */
void util_mapped_release(const void *data, size_t size);

/* Close the file descriptor only: the mapping and every pointer into it stay
 * valid (for a mapping kept long after its file was parsed; no more
 * util_mapped_sha256 then). */
void util_mapped_close_fd(util_mapped_file *m);

void util_mapped_close(util_mapped_file *m);

#endif
