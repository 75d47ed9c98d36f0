#include "ese/db_header.h"

#include <string.h>

#include "ese/page.h"
#include "util/reader.h"

/* Offsets of the header fields read (docs/format-ese.md §2). */
enum {
    HEADER_CHECKSUM = 0,
    HEADER_SIGNATURE = 4,
    HEADER_FORMAT_VERSION = 8,
    HEADER_DBTIME = 16,
    HEADER_STATE = 52,
    HEADER_LAST_OBJECT_ID = 212,  /* then OS major, minor and build */
    HEADER_FORMAT_REVISION = 232,
    HEADER_PAGE_SIZE = 236,
};

static bool legal_page_size(uint32_t size)
{
    return size == 4096 || size == 8192 || size == 16384 || size == 32768;
}

uint32_t ese_header_checksum(const uint8_t *page, size_t page_size)
{
    util_reader r = util_reader_make(page, page_size);
    uint32_t sum = ESE_SIGNATURE;
    util_reader_skip(&r, 4);
    while (util_reader_left(&r) >= 4)
        sum ^= util_read_u32(&r);
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
    util_reader r = util_reader_make(data, size);
    util_reader page = util_reader_sub(&r, offset, page_size);
    if (page.failed)
        return copy;
    util_reader_seek(&page, HEADER_SIGNATURE);
    copy.has_signature = util_read_u32(&page) == ESE_SIGNATURE;
    util_reader_seek(&page, HEADER_CHECKSUM);
    uint32_t stored = util_read_u32(&page);
    copy.checksum_ok = copy.has_signature && stored == ese_header_checksum(page.data, page.size);
    return copy;
}

static void decode_fields(ese_db_header *h, const uint8_t *page, size_t page_size)
{
    util_reader r = util_reader_make(page, page_size);
    h->checksum = util_read_u32(&r);
    util_reader_seek(&r, HEADER_FORMAT_VERSION);
    h->format_version = util_read_u32(&r);
    util_reader_seek(&r, HEADER_DBTIME);
    h->dbtime = util_read_u64(&r);
    util_reader_seek(&r, HEADER_STATE);
    h->state = util_read_u32(&r);
    util_reader_seek(&r, HEADER_LAST_OBJECT_ID);
    h->last_object_id = util_read_u32(&r);
    h->os_major = util_read_u32(&r);
    h->os_minor = util_read_u32(&r);
    h->os_build = util_read_u32(&r);
    util_reader_seek(&r, HEADER_FORMAT_REVISION);
    h->format_revision = util_read_u32(&r);
}

/* What checks out when the file is read with one legal page size. */
typedef struct size_evidence {
    uint32_t page_size;
    header_copy primary, shadow;
    bool page1_ok;             /* database page 1 (the system root) passes its page checksum */
    int score;                 /* how many of the three check out */
} size_evidence;

static bool page_checks_out(const uint8_t *data, size_t size, uint32_t page_size, uint32_t pgno)
{
    util_reader r = util_reader_make(data, size);
    util_reader page = util_reader_sub(&r, ((size_t)pgno + 1) * page_size, page_size);
    return !page.failed && ese_page_checksum_ok_at(page_size, page.data, pgno);
}

static size_evidence weigh_size(const uint8_t *data, size_t size, uint32_t page_size)
{
    size_evidence e;
    e.page_size = page_size;
    e.primary = inspect_copy(data, size, 0, page_size);
    e.shadow = inspect_copy(data, size, page_size, page_size);
    e.page1_ok = page_checks_out(data, size, page_size, 1);
    e.score = (int)e.primary.checksum_ok + (int)e.shadow.checksum_ok + (int)e.page1_ok;
    return e;
}

static const char *evidence_text(const size_evidence *e)
{
    bool p = e->primary.checksum_ok, s = e->shadow.checksum_ok, g = e->page1_ok;
    if (p && s && g)
        return "both header copies and page 1 check out at that size";
    if (p && s)
        return "both header copies check out at that size";
    if (p && g)
        return "the primary header and page 1 check out at that size";
    if (s && g)
        return "the shadow header and page 1 check out at that size";
    if (p)
        return "only the primary header checks out at that size";
    if (s)
        return "only the shadow header checks out at that size";
    if (g)
        return "only page 1 checks out at that size";
    return "nothing checks out at any legal size";
}

bool ese_db_header_read(ese_db_header *h, const uint8_t *data, size_t size, util_arena *arena,
                        bp_note_list *warnings)
{
    util_reader r = util_reader_make(data, size);
    util_reader_seek(&r, HEADER_PAGE_SIZE);
    uint32_t declared = util_read_u32(&r);

    /* Elect the page size by what checks out, not by the stored field alone:
     * the XOR header checksum of a 16 or 32 KiB header page whose tail is zero
     * also holds at 4096, so the primary alone cannot tell the size. The
     * shadow header (one page further) and page 1 only check out at the true
     * size. Ties go to the stored size, then to the smaller one. */
    size_evidence best;
    memset(&best, 0, sizeof(best));
    best.score = -1;
    if (legal_page_size(declared)) {
        /* the usual case, settled without probing: both copies check out at the stored size */
        best.page_size = declared;
        best.primary = inspect_copy(data, size, 0, declared);
        best.shadow = inspect_copy(data, size, declared, declared);
        if (best.primary.checksum_ok && best.shadow.checksum_ok)
            best.score = 2; /* page 1 not weighed */
    }
    bool settled = best.score == 2;
    for (uint32_t candidate = 4096; candidate <= 32768 && !settled; candidate *= 2) {
        size_evidence e = weigh_size(data, size, candidate);
        if (e.score > best.score || (e.score == best.score && candidate == declared))
            best = e;
    }

    uint32_t chosen = 0;
    if (best.score > 0) {
        chosen = best.page_size;
    } else if (legal_page_size(declared)) {
        chosen = declared; /* nothing checks out: trust a legal stored size (degraded mode) */
    } else {
        /* nothing checks out and the field is illegal: a shadow signature places the size */
        for (uint32_t candidate = 4096; candidate <= 32768 && !chosen; candidate *= 2)
            if (inspect_copy(data, size, candidate, candidate).has_signature)
                chosen = candidate;
        if (!chosen && declared == 0 && !r.failed)
            chosen = 4096; /* old engines stored 0 for the default size */
        if (!chosen)
            return false;
    }
    if (chosen != best.page_size)
        best = weigh_size(data, size, chosen);
    header_copy primary = best.primary, shadow = best.shadow;

    h->primary_valid = primary.checksum_ok;
    h->shadow_valid = shadow.checksum_ok;
    h->page_size = chosen;
    if (primary.checksum_ok) {
        h->copy_used = 0;
        if (!shadow.checksum_ok)
            util_notes_add(arena, warnings, "ESE header: shadow copy is damaged (primary used)");
    } else if (shadow.checksum_ok) {
        h->copy_used = 1;
        util_notes_add(arena, warnings, "ESE header: primary copy is damaged, shadow copy used");
    } else if (primary.has_signature || shadow.has_signature) {
        h->degraded = true;
        h->copy_used = primary.has_signature ? 0 : 1;
        util_notes_add(arena, warnings,
                     "ESE header: both copies fail their checksum; reading in degraded mode");
    } else {
        return false;
    }

    size_t offset = h->copy_used ? h->page_size : 0;
    util_reader page = util_reader_sub(&r, offset, h->page_size);
    if (page.failed)
        return false;
    decode_fields(h, page.data, page.size);
    /* name the stored value of the copy used when the election departs from it */
    util_reader_seek(&page, HEADER_PAGE_SIZE);
    uint32_t stored = util_read_u32(&page);
    /* 0 with a 4096-byte file whose two copies agree: the default of old engines, not damage */
    bool old_default = stored == 0 && chosen == 4096 && primary.checksum_ok && shadow.checksum_ok;
    if (stored != chosen && !old_default)
        util_notes_addf(arena, warnings, "ESE header: stored page size %u %s; using %u (%s)", stored,
                      legal_page_size(stored) ? "does not check out" : "is not legal", chosen,
                      evidence_text(&best));
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
