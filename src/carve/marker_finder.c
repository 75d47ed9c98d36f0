#include "carve/marker_finder.h"

#include <string.h>

#include "util/mapped_file.h"
#include "util/reader.h"

#define FILTER_MULTIPLIER 0x9E3779B1u
#define SLOT_MULTIPLIER 0x85EBCA77u

static inline uint32_t filter_index(uint32_t word)
{
    return (word * FILTER_MULTIPLIER) >> (32 - CARVE_FILTER_BITS);
}

static inline uint32_t slot_index(uint32_t word)
{
    return ((word * SLOT_MULTIPLIER) >> 23) & (CARVE_SLOT_COUNT - 1);
}

static void add_needle(carve_finder *finder, const uint8_t *bytes, carve_needle_kind kind)
{
    if (finder->needle_count >= CARVE_MAX_NEEDLES)
        return;
    size_t n = finder->needle_count++;
    finder->needles[n].bytes = bytes;
    finder->needles[n].kind = kind;
    for (uint8_t shift = 0; shift < CARVE_GRID; shift++) {
        uint32_t word = util_le32(bytes + shift);
        uint32_t f = filter_index(word);
        finder->filter[f >> 3] |= (uint8_t)(1u << (f & 7));
        uint32_t s = slot_index(word);
        while (finder->slots[s].used)
            s = (s + 1) & (CARVE_SLOT_COUNT - 1);
        finder->slots[s].used = true;
        finder->slots[s].word = word;
        finder->slots[s].needle = (uint8_t)n;
        finder->slots[s].shift = shift;
    }
}

void carve_finder_init(carve_finder *finder, unsigned what)
{
    memset(finder, 0, sizeof(*finder));
    if (what & CARVE_FIND_JOBS)
        for (size_t i = 0; i < bits_job_marker_count; i++)
            add_needle(finder, bits_job_markers[i].bytes,
                       bits_job_markers[i].era == BITS_ERA_LEGACY ? CARVE_NEEDLE_JOB_LEGACY : CARVE_NEEDLE_JOB_ESE);
    if (what & CARVE_FIND_FILES)
        add_needle(finder, bits_file_marker, CARVE_NEEDLE_FILE);
    if (what & CARVE_FIND_TRANSFER)
        add_needle(finder, bits_transfer_marker, CARVE_NEEDLE_TRANSFER);
}

/* 1 when the filter holds the word, else 0; an unsigned result so the hot loop
 * can OR four lookups without branching (clang warns on '|' over bools). */
static inline unsigned filter_has(const carve_finder *finder, uint32_t word)
{
    uint32_t f = filter_index(word);
    return (finder->filter[f >> 3] >> (f & 7)) & 1u;
}

/* The grid word at `base` passed the filter: report the needles it belongs to,
 * highest shift (= lowest start offset) first. */
static bool check_word(const carve_finder *finder, const uint8_t *data, size_t size, size_t base, uint32_t word,
                       size_t from, size_t to, carve_hit_fn hit, void *context)
{
    size_t starts[CARVE_MAX_NEEDLES];
    const carve_needle *found[CARVE_MAX_NEEDLES];
    size_t count = 0;
    for (uint32_t s = slot_index(word); finder->slots[s].used; s = (s + 1) & (CARVE_SLOT_COUNT - 1)) {
        const carve_slot *slot = &finder->slots[s];
        if (slot->word != word || base < slot->shift)
            continue;
        size_t start = base - slot->shift;
        if (start < from || start >= to || size - start < BITS_GUID_SIZE)
            continue;
        const carve_needle *needle = &finder->needles[slot->needle];
        if (memcmp(data + start, needle->bytes, BITS_GUID_SIZE) != 0)
            continue;
        if (count < sizeof(starts) / sizeof(starts[0])) {
            /* insertion by start offset */
            size_t i = count++;
            while (i > 0 && starts[i - 1] > start) {
                starts[i] = starts[i - 1];
                found[i] = found[i - 1];
                i--;
            }
            starts[i] = start;
            found[i] = needle;
        }
    }
    for (size_t i = 0; i < count; i++)
        if (!hit(context, starts[i], found[i]))
            return false;
    return true;
}

bool carve_finder_run(const carve_finder *finder, const uint8_t *data, size_t size, size_t from, size_t to,
                      carve_hit_fn hit, void *context)
{
    if (to > size)
        to = size;
    if (from >= to || size < BITS_GUID_SIZE || finder->needle_count == 0)
        return true;
    /* the bytes are checked once here; the loop below stays inside them */
    util_reader r = util_reader_make(data, size);
    const uint8_t *bytes = util_read_bytes(&r, size);
    if (!bytes)
        return true;
    /* grid words whose start can belong to a needle starting in [from, to): the
     * grid is every CARVE_GRID bytes from the start of data */
    size_t word = from - from % CARVE_GRID;
    size_t last = to - 1 + (CARVE_GRID - 1); /* a needle starting at to-1 covers a grid word by then */
    if (last > size - 4)
        last = size - 4;
    const size_t step = 4 * CARVE_GRID;
    while (word + step <= last + CARVE_GRID) {
        uint32_t w0 = util_le32(bytes + word), w1 = util_le32(bytes + word + CARVE_GRID);
        uint32_t w2 = util_le32(bytes + word + 2 * CARVE_GRID), w3 = util_le32(bytes + word + 3 * CARVE_GRID);
        if (filter_has(finder, w0) | filter_has(finder, w1) | filter_has(finder, w2) | filter_has(finder, w3)) {
            for (size_t k = 0; k < 4; k++) {
                size_t base = word + CARVE_GRID * k;
                uint32_t w = k == 0 ? w0 : k == 1 ? w1 : k == 2 ? w2 : w3;
                if (filter_has(finder, w) && !check_word(finder, bytes, size, base, w, from, to, hit, context))
                    return false;
            }
        }
        word += step;
    }
    for (; word <= last; word += CARVE_GRID) {
        uint32_t w = util_le32(bytes + word);
        if (filter_has(finder, w) && !check_word(finder, bytes, size, word, w, from, to, hit, context))
            return false;
    }
    return true;
}

/* Bytes searched between two reports to a mapping: a needle's start lies in
 * exactly one window and windows go front to back, so splitting changes
 * neither the hits nor their order. */
#define FINDER_WINDOW ((size_t)1 << 20)

bool carve_finder_run_all(const carve_finder *finder, const uint8_t *data, size_t size, carve_hit_fn hit,
                          void *context)
{
    util_mapped_file *mapping = util_mapped_find(data, size);
    if (!mapping)
        return carve_finder_run(finder, data, size, 0, size, hit, context);
    for (size_t from = 0; from < size; from += FINDER_WINDOW) {
        size_t to = size - from > FINDER_WINDOW ? from + FINDER_WINDOW : size;
        util_mapped_touched(mapping, data + from, to - from);
        if (!carve_finder_run(finder, data, size, from, to, hit, context))
            return false;
    }
    return true;
}
