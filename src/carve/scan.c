/* Scanning inputs of any size for BITS data (bits-format §7, ese-format §12):
 * the input is read in 4 MiB blocks that overlap by 64 KiB, so a blob that
 * starts in one block is decoded whole from it, and memory stays the same
 * whatever the input size. A hit on an ESE page (a qmgr.db inside an image)
 * is read only as far as its node, and a long value chunk by chunk
 * (scan_pages.h), never through the page's end; 64 KiB before each block are
 * kept for the page in front of a hit. Candidates go to the carve session. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bits/markers.h"
#include "carve/carve.h"
#include "carve/marker_finder.h"
#include "carve/scan_pages.h"
#include "util/reader.h"
#include "util/sha256.h"
#include "util/sha256_pipe.h"

#define SCAN_BLOCK ((size_t)4 << 20)
#define SCAN_PAGE_ALIGN ((size_t)4096)  /* capacity and SCAN_BLOCK are multiples of it */
#define SCAN_WINDOW ((size_t)64 << 10)   /* longest blob looked for; also the block overlap */
#define SCAN_LOOKBACK ((size_t)64 << 10) /* bytes kept before a hit: its page (<= 32 KiB) and one before */
_Static_assert((SCAN_BLOCK + SCAN_WINDOW + SCAN_LOOKBACK) % SCAN_PAGE_ALIGN == 0,
               "aligned_alloc needs a size that is a multiple of the alignment");
#define SCAN_TAKEN_SPANS 64              /* continuation chunks remembered (a ring) */
#define LOG_SEGMENT 4096u
#define LOG_SEGMENT_HEADER 40u
#define LOG_FRAGMENT_RECORD 77u          /* "fragment" log record: u8 type, u16 size */

typedef struct splice_gap {
    size_t at;                 /* offset in the spliced copy where bytes were removed */
    size_t length;
} splice_gap;

typedef struct scanner {
    carve_session *session;
    const char *label;
    bool is_log;
    carve_finder finder;
    util_arena scratch;
    const uint8_t *buf;
    size_t len;
    uint64_t base;             /* input offset of buf[0] */
    uint64_t skip_until;       /* hits before this input offset lie in a blob already taken */
    uint8_t *spliced;          /* scratch for log splicing (SCAN_WINDOW bytes) */
    splice_gap gaps[SCAN_WINDOW / LOG_SEGMENT + 2];
    size_t gap_count;
    scan_pages *pages;         /* page geometry learned so far (not for logs) */
    uint8_t *joined;           /* scratch for a long value read chunk by chunk (SCAN_WINDOW bytes) */
    struct {
        uint64_t start, end;
    } taken[SCAN_TAKEN_SPANS]; /* continuation chunks of the blobs taken last (a ring) */
    size_t taken_next;
} scanner;

bool carve_is_log_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 7 || strncasecmp(name, "edb", 3) != 0)
        return false;
    return strcasecmp(name + n - 4, ".log") == 0 || strcasecmp(name + n - 4, ".jrs") == 0;
}

/* An ESE log file header (ese-format §12): sector size, database page size
 * and the file type 3 at offset 667. */
static bool looks_like_log(const uint8_t *data, size_t size)
{
    util_reader r = util_reader_make(data, size);
    util_reader_seek(&r, 4);
    uint32_t generation = util_read_u32(&r);
    uint16_t sector = util_read_u16(&r);
    util_read_u16(&r);
    util_read_u16(&r);
    uint16_t page = util_read_u16(&r);
    util_reader_seek(&r, 667);
    uint32_t type = util_read_u32(&r);
    return !r.failed && generation && (sector == 512 || sector == 4096) &&
           (page == 4096 || page == 8192 || page == 16384 || page == 32768) && type == 3;
}

/* The candidate decoders read data[0, bound): bound is clamped to the
 * buffer's `size` bytes. */
static bool try_at(scanner *s, carve_needle_kind kind, const uint8_t *data, size_t size, size_t bound, size_t pos,
                   carve_candidate *cand)
{
    if (bound > size)
        bound = size;
    util_arena_free(&s->scratch);
    util_arena_init(&s->scratch);
    switch (kind) {
    case CARVE_NEEDLE_JOB_ESE: return carve_try_ese_job(&s->scratch, data, bound, pos, cand);
    case CARVE_NEEDLE_JOB_LEGACY: return carve_try_legacy_job(&s->scratch, data, bound, pos, cand);
    case CARVE_NEEDLE_FILE: return carve_try_ese_file(&s->scratch, data, bound, pos, cand);
    default: return false;
    }
}

/* Copy buf[pos, bound) without the log segment headers (and the fragment
 * record header that continues a split record) at 4 KiB boundaries of the
 * input. Returns the copy's length; 0 when no boundary is crossed. */
static size_t splice_segments(scanner *s, size_t pos, size_t bound)
{
    s->gap_count = 0;
    size_t out = 0;
    size_t at = pos;
    util_reader r = util_reader_make(s->buf, bound);
    while (at < bound && out < SCAN_WINDOW) {
        uint64_t absolute = s->base + at;
        uint64_t next = (absolute / LOG_SEGMENT + 1) * LOG_SEGMENT;
        size_t chunk = (size_t)(next - absolute);
        if (chunk > bound - at)
            chunk = bound - at;
        if (chunk > SCAN_WINDOW - out)
            chunk = SCAN_WINDOW - out;
        util_reader_seek(&r, at);
        const uint8_t *bytes = util_read_bytes(&r, chunk);
        if (!bytes)
            break;
        memcpy(s->spliced + out, bytes, chunk);
        out += chunk;
        at += chunk;
        if (at >= bound || s->base + at != next)
            break;
        /* a segment header: u64 checksum, then LGPOS with the segment number */
        util_reader h = util_reader_make(s->buf, bound);
        util_reader_seek(&h, at + 8);
        util_read_u16(&h);
        uint16_t segment = util_read_u16(&h);
        if (h.failed || segment != (uint16_t)(next / LOG_SEGMENT))
            break;
        size_t skip = LOG_SEGMENT_HEADER;
        util_reader_seek(&h, at + LOG_SEGMENT_HEADER);
        if (util_read_u8(&h) == LOG_FRAGMENT_RECORD && !h.failed)
            skip += 3;
        if (s->gap_count < sizeof(s->gaps) / sizeof(s->gaps[0])) {
            s->gaps[s->gap_count].at = out;
            s->gaps[s->gap_count].length = skip;
            s->gap_count++;
        }
        at += skip;
    }
    return s->gap_count ? out : 0;
}

/* Input bytes spanned by the first `length` bytes of the spliced copy. */
static size_t unspliced_length(const scanner *s, size_t length)
{
    size_t total = length;
    for (size_t i = 0; i < s->gap_count; i++)
        if (s->gaps[i].at < length)
            total += s->gaps[i].length;
    return total;
}

typedef struct list_context {
    scanner *s;
    carve_place place;
} list_context;

static void take_list_file(void *context, size_t start, size_t length, carve_verdict verdict, const char *missing)
{
    list_context *l = context;
    carve_place place = l->place;
    place.offset = l->s->base + start;
    place.size = (uint32_t)length;
    carve_session_add_file(l->s->session, l->s->buf + start, length, true, "", verdict, missing, &place);
}

static bool in_taken_chunk(const scanner *s, uint64_t absolute)
{
    for (size_t i = 0; i < SCAN_TAKEN_SPANS; i++)
        if (absolute >= s->taken[i].start && absolute < s->taken[i].end)
            return true;
    return false;
}

/* Mark the continuation chunks the blob took (its first `length` bytes of
 * the joined value, whose first `first_part` bytes lie at the hit): later
 * marker hits there are inside it. Chunks, or their tails, past the blob's
 * end are not marked: another blob may begin there. */
static void note_taken_chunks(scanner *s, const scan_lv_value *value, size_t length)
{
    size_t joined = value->first_part;   /* where span i starts in the joined value */
    for (size_t i = 0; i < value->span_count && joined < length; i++) {
        uint64_t size = value->spans[i].end - value->spans[i].start;
        uint64_t used = size < length - joined ? size : length - joined;
        s->taken[s->taken_next].start = value->spans[i].start;
        s->taken[s->taken_next].end = value->spans[i].start + used;
        s->taken_next = (s->taken_next + 1) % SCAN_TAKEN_SPANS;
        joined += (size_t)size;
    }
}

static bool scan_hit(void *context, size_t pos, const carve_needle *needle)
{
    scanner *s = context;
    uint64_t absolute = s->base + pos;
    if (absolute < s->skip_until || in_taken_chunk(s, absolute))
        return true;
    size_t bound = s->len - pos > SCAN_WINDOW ? pos + SCAN_WINDOW : s->len;
    carve_place place;
    memset(&place, 0, sizeof(place));
    place.how = s->is_log ? CARVE_HOW_LOG : CARVE_HOW_RAW_MARKER;
    place.path = s->label;
    place.format = s->is_log ? "log" : "raw";
    place.table = "";
    place.offset = absolute;

    if (needle->kind == CARVE_NEEDLE_TRANSFER) {
        util_arena_free(&s->scratch);
        util_arena_init(&s->scratch);
        list_context l = {s, place};
        l.place.format = "legacy";
        size_t taken = carve_try_legacy_file_list(&s->scratch, s->buf, bound, pos, take_list_file, &l);
        if (taken)
            s->skip_until = absolute + taken;
        return true;
    }
    carve_candidate cand;
    scan_lv_value value;
    if (s->pages && needle->kind != CARVE_NEEDLE_JOB_LEGACY &&
        scan_pages_read(s->pages, s->buf, s->len, s->base, pos, s->joined, SCAN_WINDOW, &value)) {
        /* on an ESE page: never past the node or the page (scan_pages.h) */
        place.page = value.pgno;
        place.tag = value.tag;
        place.lid = value.lid;
        if (value.long_value) {
            if (!try_at(s, needle->kind, s->joined, value.size, value.size, 0, &cand))
                return true;
            s->skip_until = absolute + (cand.length < value.first_part ? cand.length : value.first_part);
            if (cand.length > value.first_part)
                note_taken_chunks(s, &value, cand.length);
            place.size = (uint32_t)cand.length;
            if (needle->kind == CARVE_NEEDLE_FILE)
                carve_session_add_file(s->session, s->joined, cand.length, false, cand.file_id, cand.verdict,
                                       cand.missing, &place);
            else
                carve_session_add_job(s->session, s->joined, cand.length, false, cand.verdict, cand.missing,
                                      &place);
            return true;
        }
        if (value.end < bound)
            bound = value.end;
    }
    bool ok = try_at(s, needle->kind, s->buf, s->len, bound, pos, &cand);
    const uint8_t *blob = s->buf + pos;
    size_t span = ok ? cand.length : 0;
    if (s->is_log) {
        /* a blob that crosses a segment boundary has the segment header (and a
         * fragment record header) in it: without them it decodes as written */
        size_t spliced = splice_segments(s, pos, bound);
        carve_candidate joined;
        if (spliced && try_at(s, needle->kind, s->spliced, SCAN_WINDOW, spliced, 0, &joined) &&
            (!ok || joined.verdict == CARVE_FULL || (cand.verdict != CARVE_FULL && joined.length > cand.length)) &&
            unspliced_length(s, joined.length) > joined.length) {
            cand = joined;
            ok = true;
            blob = s->spliced;
            span = unspliced_length(s, cand.length);
        }
    }
    if (!ok)
        return true;
    place.size = (uint32_t)cand.length;
    if (cand.legacy)
        place.format = "legacy";
    s->skip_until = absolute + span;
    if (needle->kind == CARVE_NEEDLE_FILE)
        carve_session_add_file(s->session, blob, cand.length, false, cand.file_id, cand.verdict, cand.missing, &place);
    else
        carve_session_add_job(s->session, blob, cand.length, cand.legacy, cand.verdict, cand.missing, &place);
    return true;
}

static bool scanner_init(scanner *s, carve_session *session, const char *label, bool is_log)
{
    memset(s, 0, sizeof(*s));
    s->session = session;
    s->label = label;
    s->is_log = is_log;
    util_arena_init(&s->scratch);
    carve_finder_init(&s->finder, CARVE_FIND_JOBS | CARVE_FIND_FILES | CARVE_FIND_TRANSFER);
    s->spliced = is_log ? malloc(SCAN_WINDOW) : NULL;
    /* a log holds records, not database pages */
    s->pages = is_log ? NULL : scan_pages_new();
    s->joined = is_log ? NULL : malloc(SCAN_WINDOW);
    return is_log ? s->spliced != NULL : s->pages && s->joined;
}

static void scanner_free(scanner *s)
{
    util_arena_free(&s->scratch);
    free(s->spliced);
    scan_pages_free(s->pages);
    free(s->joined);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int carve_scan_memory(carve_session *session, const uint8_t *data, size_t size, const char *label)
{
    scanner *s = malloc(sizeof(*s));
    if (!s)
        return BP_STATUS_UNREADABLE;
    bool is_log = carve_is_log_name(base_name(label)) || looks_like_log(data, size);
    if (!scanner_init(s, session, label, is_log)) {
        scanner_free(s);
        free(s);
        return BP_STATUS_UNREADABLE;
    }
    s->buf = data;
    s->len = size;
    carve_finder_run_all(&s->finder, data, size, scan_hit, s);
    const bp_parse_options *options = carve_session_options(session);
    if (options->progress)
        options->progress(size, size, options->progress_context);
    scanner_free(s);
    free(s);
    return BP_STATUS_CLEAN;
}

/* read() until `want` bytes or end of input; -1 on error. */
static ssize_t read_fully(int fd, uint8_t *into, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t n = read(fd, into + got, want - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Search buf[0, len) from `from`: to its end when `last`, else up to the
 * overlap (the next block searches that). Returns where the search stopped. */
static size_t scan_search(scanner *s, const uint8_t *buf, size_t len, size_t from, bool last, bool progress,
                          uint64_t total)
{
    size_t limit = last ? len : len - SCAN_WINDOW;
    s->buf = buf;
    s->len = len;
    carve_finder_run(&s->finder, buf, len, from, limit, scan_hit, s);
    const bp_parse_options *options = carve_session_options(s->session);
    if (progress && options->progress)
        options->progress(s->base + limit, total, options->progress_context);
    return limit;
}

/* The full block buf[0, len) was searched: its overlap and the lookback
 * before it go to the start of `into` (buf itself, or the other buffer of a
 * pair), where the next block's bytes follow them. Returns the bytes kept and
 * sets *from to the first byte not yet searched. */
static size_t scan_keep(scanner *s, const uint8_t *buf, size_t len, uint8_t *into, size_t *from)
{
    size_t limit = len - SCAN_WINDOW;
    size_t keep_from = limit - SCAN_LOOKBACK;
    memmove(into, buf + keep_from, len - keep_from);
    s->base += keep_from;
    *from = limit - keep_from;
    return len - keep_from;
}

/* Search a block and, unless it is the last, keep its tail in place. */
static size_t scan_step(scanner *s, uint8_t *buf, size_t len, size_t *from, bool last, bool progress, uint64_t total)
{
    scan_search(s, buf, len, *from, last, progress, total);
    return last ? len : scan_keep(s, buf, len, buf, from);
}

/* Page-aligned: every block moves the buffer's start by SCAN_BLOCK bytes of
 * the file, so each read lands at an address congruent to its file offset
 * modulo 4096 and the kernel copies page to page; a malloc'ed buffer 16 bytes
 * off a page made that copy run at about half speed (4K aliasing; 23-29 % of
 * the whole scan, docs/performance.md). */
#define SCAN_CAPACITY (SCAN_BLOCK + SCAN_WINDOW + SCAN_LOOKBACK)

int carve_scan_path(carve_session *session, const char *path, char sha256[UTIL_SHA256_HEX_SIZE])
{
    if (sha256)
        sha256[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        close(fd);
        return -EINVAL;
    }
    uint64_t total = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        total = end > 0 ? (uint64_t)end : 0;
        lseek(fd, 0, SEEK_SET);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    size_t capacity = SCAN_CAPACITY;
    uint8_t *buf = aligned_alloc(SCAN_PAGE_ALIGN, capacity);
    scanner *s = malloc(sizeof(*s));
    if (!buf || !s) {
        free(buf);
        free(s);
        close(fd);
        return -ENOMEM;
    }
    /* the first block also tells a transaction log by its header */
    ssize_t first = read_fully(fd, buf, capacity);
    if (first < 0) {
        int saved = errno;
        free(buf);
        free(s);
        close(fd);
        return -saved;
    }
    bool is_log = carve_is_log_name(base_name(path)) || looks_like_log(buf, (size_t)first);
    if (!scanner_init(s, session, path, is_log)) {
        scanner_free(s);
        free(s);
        free(buf);
        close(fd);
        return -ENOMEM;
    }
    /* the input's sha256 (source.sha256) from the blocks as they are read: no
     * second pass, and on a second thread while this one searches them. Two
     * buffers take turns, so a block is read into one while the hasher is
     * still in the other; without the second (no memory) the one buffer is
     * reused once the hasher is past it. No sha256 asked for: no hashing. */
    size_t len = (size_t)first;
    size_t from = 0;
    bool eof = len < capacity;
    bool hashing = sha256 != NULL;
    util_sha256_pipe pipe;
    uint8_t *spare = NULL;
    if (hashing) {
        util_sha256_pipe_start(&pipe);
        if (!eof)  /* an input of one block needs no second buffer */
            spare = aligned_alloc(SCAN_PAGE_ALIGN, capacity);
        util_sha256_pipe_feed(&pipe, buf, len);
    }
    int status = 0;
    for (;;) {
        scan_search(s, buf, len, from, eof, true, total);
        if (eof)
            break;
        uint8_t *into = spare ? spare : buf;
        if (hashing)  /* only the block just fed, in the other buffer, may be hashed still */
            util_sha256_pipe_drain(&pipe, into == buf ? 0 : 1);
        len = scan_keep(s, buf, len, into, &from);
        ssize_t got = read_fully(fd, into + len, capacity - len);
        if (got < 0) {
            status = -errno;
            break;
        }
        if (hashing)
            util_sha256_pipe_feed(&pipe, into + len, (size_t)got);
        len += (size_t)got;
        eof = len < capacity;
        if (spare) {
            spare = buf;
            buf = into;
        }
    }
    if (hashing)
        util_sha256_pipe_finish(&pipe, status == 0 ? sha256 : NULL);
    scanner_free(s);
    free(s);
    free(buf);
    free(spare);
    close(fd);
    return status;
}

/* ---- runs of bytes fed by a caller (disk images: unallocated clusters) ---------------------------- */

struct carve_feed {
    scanner s;
    uint8_t *buf;
    size_t len, from;
    uint64_t next;             /* input offset that continues the open run */
    bool open;
};

carve_feed *carve_feed_new(carve_session *session, const char *label)
{
    carve_feed *feed = calloc(1, sizeof(*feed));
    if (!feed)
        return NULL;
    feed->buf = aligned_alloc(SCAN_PAGE_ALIGN, SCAN_CAPACITY);
    if (!feed->buf || !scanner_init(&feed->s, session, label, false)) {
        carve_feed_free(feed);
        return NULL;
    }
    return feed;
}

/* The open run ends: its last bytes are searched to its end, with no overlap
 * into whatever comes next (not contiguous with it in the input). */
static void feed_close_run(carve_feed *feed)
{
    if (feed->open && feed->len > feed->from)
        scan_step(&feed->s, feed->buf, feed->len, &feed->from, true, false, 0);
    feed->open = false;
    feed->len = 0;
    feed->from = 0;
}

void carve_feed_bytes(carve_feed *feed, uint64_t offset, const uint8_t *data, size_t size)
{
    if (feed->open && offset != feed->next)
        feed_close_run(feed);
    if (!feed->open) {
        feed->open = true;
        feed->s.base = offset;
    }
    feed->next = offset + size;
    while (size) {
        size_t n = SCAN_CAPACITY - feed->len < size ? SCAN_CAPACITY - feed->len : size;
        memcpy(feed->buf + feed->len, data, n);
        feed->len += n;
        data += n;
        size -= n;
        if (feed->len == SCAN_CAPACITY)
            feed->len = scan_step(&feed->s, feed->buf, feed->len, &feed->from, false, false, 0);
    }
}

void carve_feed_free(carve_feed *feed)
{
    if (!feed)
        return;
    if (feed->buf)
        feed_close_run(feed);
    scanner_free(&feed->s);
    free(feed->buf);
    free(feed);
}
