#include "ese/db_header.h"

#include "util/reader.h"

static bool legal_page_size(uint32_t size)
{
    return size == 4096 || size == 8192 || size == 16384 || size == 32768;
}

uint32_t ese_header_checksum(const uint8_t *page, size_t page_size)
{
    bp_reader r = bp_reader_make(page, page_size);
    uint32_t sum = ESE_SIGNATURE;
    bp_reader_skip(&r, 4);
    while (bp_reader_left(&r) >= 4)
        sum ^= bp_read_u32(&r);
    return sum;
}

typedef struct header_copy {
    bool has_signature;
    bool checksum_ok;
    uint32_t page_size;
} header_copy;

static header_copy inspect_copy(const uint8_t *data, size_t size, size_t offset, uint32_t page_size)
{
    header_copy copy = {false, false, page_size};
    bp_reader r = bp_reader_make(data, size);
    bp_reader page = bp_reader_sub(&r, offset, page_size);
    if (page.failed)
        return copy;
    bp_reader_seek(&page, 4);
    copy.has_signature = bp_read_u32(&page) == ESE_SIGNATURE;
    bp_reader_seek(&page, 0);
    uint32_t stored = bp_read_u32(&page);
    copy.checksum_ok = copy.has_signature && stored == ese_header_checksum(page.data, page.size);
    return copy;
}

static void decode_fields(ese_db_header *h, const uint8_t *page, size_t page_size)
{
    bp_reader r = bp_reader_make(page, page_size);
    h->checksum = bp_read_u32(&r);
    bp_reader_seek(&r, 8);
    h->format_version = bp_read_u32(&r);
    bp_reader_seek(&r, 16);
    h->dbtime = bp_read_u64(&r);
    bp_reader_seek(&r, 52);
    h->state = bp_read_u32(&r);
    bp_reader_seek(&r, 212);
    h->last_object_id = bp_read_u32(&r);
    h->os_major = bp_read_u32(&r);
    h->os_minor = bp_read_u32(&r);
    h->os_build = bp_read_u32(&r);
    bp_reader_seek(&r, 232);
    h->format_revision = bp_read_u32(&r);
}

bool ese_db_header_read(ese_db_header *h, const uint8_t *data, size_t size, bp_arena *arena,
                        bp_note_list *warnings)
{
    bp_reader r = bp_reader_make(data, size);
    bp_reader_seek(&r, 236);
    uint32_t declared = bp_read_u32(&r);
    if (declared == 0 && !r.failed)
        declared = 4096; /* old engines wrote 0 for the default size */

    header_copy primary = {false, false, 0};
    if (legal_page_size(declared))
        primary = inspect_copy(data, size, 0, declared);
    if (!primary.checksum_ok) {
        /* the stored size may be damaged: try each legal size for a page that checks out */
        for (uint32_t candidate = 4096; candidate <= 32768; candidate *= 2) {
            header_copy probe = inspect_copy(data, size, 0, candidate);
            if (probe.checksum_ok) {
                primary = probe;
                break;
            }
        }
    }

    /* The shadow sits one page further; probe every legal size when the
     * primary did not tell us the size reliably. */
    header_copy shadow = {false, false, 0};
    if (primary.checksum_ok) {
        shadow = inspect_copy(data, size, primary.page_size, primary.page_size);
    } else {
        for (uint32_t candidate = 4096; candidate <= 32768; candidate *= 2) {
            header_copy probe = inspect_copy(data, size, candidate, candidate);
            if (probe.has_signature && (probe.checksum_ok || !shadow.has_signature))
                shadow = probe;
            if (probe.checksum_ok)
                break;
        }
    }

    h->primary_valid = primary.checksum_ok;
    h->shadow_valid = shadow.checksum_ok;
    if (primary.checksum_ok) {
        h->copy_used = 0;
        h->page_size = primary.page_size;
        if (!shadow.checksum_ok)
            bp_notes_add(arena, warnings, "ESE header: shadow copy is damaged (primary used)");
    } else if (shadow.checksum_ok) {
        h->copy_used = 1;
        h->page_size = shadow.page_size;
        bp_notes_add(arena, warnings, "ESE header: primary copy is damaged, shadow copy used");
    } else if (primary.has_signature || shadow.has_signature) {
        h->degraded = true;
        h->copy_used = primary.has_signature ? 0 : 1;
        h->page_size = primary.has_signature ? (legal_page_size(declared) ? declared : 0) : shadow.page_size;
        if (!legal_page_size(h->page_size))
            h->page_size = shadow.has_signature ? shadow.page_size : 0;
        if (!legal_page_size(h->page_size))
            return false;
        bp_notes_add(arena, warnings,
                     "ESE header: both copies fail their checksum; reading in degraded mode");
    } else {
        return false;
    }

    size_t offset = h->copy_used ? h->page_size : 0;
    bp_reader page = bp_reader_sub(&r, offset, h->page_size);
    if (page.failed)
        return false;
    decode_fields(h, page.data, page.size);
    if (h->page_size != declared && h->copy_used == 0)
        bp_notes_addf(arena, warnings, "ESE header: stored page size %u is not legal; using %u", declared,
                      h->page_size);
    return true;
}

const char *ese_db_state_name(uint32_t state)
{
    switch (state) {
    case 1: return "just created";
    case 2: return "dirty shutdown";
    case 3: return "clean shutdown";
    case 4: return "being converted";
    case 5: return "force detach";
    case 6: return "incremental reseed in progress";
    case 7: return "dirty and patched shutdown";
    case 8: return "revert in progress";
    default: return "unknown";
    }
}
