/* Fast search for the 16-byte BITS signatures (job markers of both eras, the
 * file marker, the transfer marker) in raw bytes (bits-format §7.1).
 *
 * The buffer is sampled on a grid of 13 bytes: a 16-byte needle that occurs
 * at offset p always covers exactly one grid point g in [p, p + 12] together
 * with the 4 bytes after it. The finder reads one 4-byte word per grid point
 * and looks it up in a 64 Kbit filter built from every 4-byte slice (shift
 * 0..12) of every needle; only words that pass the filter are checked against
 * the slices and then against the whole needle. None of the needles holds a
 * zero byte, so zero runs never pass, and text and random bytes rarely do:
 * the search reads each byte once and touches it a thirteenth as often. */
#ifndef BP_CARVE_MARKER_FINDER_H
#define BP_CARVE_MARKER_FINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bits/markers.h"

typedef enum carve_needle_kind {
    CARVE_NEEDLE_JOB_ESE,      /* ESE-era job marker (header and footer of a job blob) */
    CARVE_NEEDLE_JOB_LEGACY,   /* legacy job marker (header and footer of a job record) */
    CARVE_NEEDLE_FILE,         /* ESE-era file marker (header and footer of a file blob) */
    CARVE_NEEDLE_TRANSFER,     /* transfer marker (around a job's file list) */
} carve_needle_kind;

typedef struct carve_needle {
    const uint8_t *bytes;      /* BITS_GUID_SIZE bytes */
    carve_needle_kind kind;
} carve_needle;

#define CARVE_MAX_NEEDLES 32
#define CARVE_GRID 13          /* grid step: 16 - 4 + 1 */
#define CARVE_FILTER_BITS 16
#define CARVE_SLOT_COUNT 512   /* open-addressing table of (word, needle, shift) */

typedef struct carve_slot {
    uint32_t word;
    uint8_t needle;
    uint8_t shift;
    bool used;
} carve_slot;

typedef struct carve_finder {
    carve_needle needles[CARVE_MAX_NEEDLES];
    size_t needle_count;
    uint8_t filter[(1u << CARVE_FILTER_BITS) / 8];
    carve_slot slots[CARVE_SLOT_COUNT];
} carve_finder;

/* Which needles to look for. */
enum {
    CARVE_FIND_JOBS = 0x1,       /* every job marker, both eras */
    CARVE_FIND_FILES = 0x2,      /* the file marker */
    CARVE_FIND_TRANSFER = 0x4,   /* the transfer marker */
};

void carve_finder_init(carve_finder *finder, unsigned what);

/* Called for each occurrence, in increasing offset order. Return false to stop. */
typedef bool (*carve_hit_fn)(void *context, size_t offset, const carve_needle *needle);

/* Report every needle that starts in [from, to) and ends inside data[0, size).
 * Returns false when the callback stopped the search. */
bool carve_finder_run(const carve_finder *finder, const uint8_t *data, size_t size, size_t from, size_t to,
                      carve_hit_fn hit, void *context);

/* carve_finder_run over all of data. When data is a mapped input file it is
 * searched window by window, each window announced to the mapping for
 * trimming (util/mapped_file.h), so a large input never becomes resident whole;
 * the hits and their order are those of one run. */
bool carve_finder_run_all(const carve_finder *finder, const uint8_t *data, size_t size, carve_hit_fn hit,
                          void *context);

#endif
