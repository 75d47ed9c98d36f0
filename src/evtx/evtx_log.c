/* Reading a .evtx file with libevtx (20181227, Debian 12). libevtx hands out
 * the record header (id, offset, written time), the provider, the event id and
 * the event data values; the names of the data items, the channel, the event
 * version and TimeCreated are only in the XML it renders, so a few elements of
 * that XML are read here (docs/format-evtx.md §2). libevtx itself runs in a
 * child process (see "libevtx, in a child process" below). */
#include "evtx/evtx_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libevtx.h>

#include "util/mapped_file.h"
#include "util/reader.h"

/* Reported per problem kind before only a count is kept. */
#define EVTX_NOTES_PER_KIND 5

bool evtx_is_log(const uint8_t *data, size_t size)
{
    return data && size >= 8 && memcmp(data, "ElfFile\0", 8) == 0;
}

/* ---- the parent's side ---- */

typedef struct note_counter {
    size_t count;
} note_counter;

typedef struct parent_state {
    const char *provider;
    bool free_space;           /* libevtx's recovered records are read too */
    evtx_event_fn fn;
    void *context;
    util_arena *arena;
    bp_note_list *warnings;
    evtx_log_stats *stats;
    note_counter unreadable, bad_data;
    bool opened, open_failed, stopped;
    const record_places *places;
    const uint8_t *data;       /* the log, for the values' types (binxml_values.h) */
    size_t size;
    int next_index;            /* first record the next child must read */
} parent_state;

static void note(parent_state *p, note_counter *counter, const char *text)
{
    if (counter->count++ < EVTX_NOTES_PER_KIND)
        util_notes_add(p->arena, p->warnings, text);
}

/* Read exactly n bytes; false on EOF, error or timeout. */
static bool read_exact(int fd, void *out, size_t n, bool *timed_out)
{
    uint8_t *p = out;
    for (size_t done = 0; done < n;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, CHILD_TIMEOUT_MS);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            *timed_out = true;
            return false;
        }
        if (ready < 0)
            return false;
        ssize_t got = read(fd, p + done, n - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        done += (size_t)got;
    }
    return true;
}

/* A text of a frame: u32 length, then the bytes (no NUL); "" and r->failed
 * set when it does not fit the frame or the arena is out of memory. */
static const char *read_text(util_reader *r, util_arena *arena)
{
    uint32_t n = util_read_u32(r);
    const uint8_t *bytes = r->failed ? NULL : util_read_bytes(r, n);
    if (!bytes)
        return "";
    const char *text = util_arena_strndup(arena, (const char *)bytes, n);
    if (!text)
        r->failed = true;
    return text ? text : "";
}

/* One frame from the child; returns false when the stream ends. */
static bool handle_frame(parent_state *p, uint32_t type, const uint8_t *payload, size_t length, bool *done)
{
    util_reader c = util_reader_make(payload, length);  /* frames are little-endian (evtx_child.c) */
    util_arena scratch;
    util_arena_init(&scratch);
    char text[700];
    switch (type) {
    case FRAME_OPENED:
        p->stats->records = util_read_u32(&c);
        p->stats->recovered = util_read_u32(&c);
        if (!c.failed && length >= 10) {
            p->stats->dirty = payload[8] != 0;
            /* libevtx 20181227 also calls a log corrupted when its header
             * lags the chunks (a live copy, "dirty"): believe it only when a
             * chunk fails its CRC32s or it lists other records than the
             * chunks hold */
            const chunk_walk *walk = &p->places->walk;
            bool chunks_agree = walk->chunks > 0 && walk->intact == walk->chunks &&
                                p->places->live.count == p->stats->records;
            if (payload[9] && !p->opened && !chunks_agree)
                util_notes_add(p->arena, p->warnings,
                             "libevtx reports the log as corrupted (some chunks or records are damaged)");
        }
        p->opened = true;
        break;
    case FRAME_OPEN_FAILED: {
        const char *reason = read_text(&c, &scratch);
        util_notes_addf(p->arena, p->warnings, "libevtx cannot open the event log%s%s", *reason ? ": " : "", reason);
        p->open_failed = true;
        *done = true;
        break;
    }
    case FRAME_EVENT: {
        evtx_event e;
        memset(&e, 0, sizeof e);
        uint32_t index = util_read_u32(&c);
        e.record_id = util_read_u64(&c);
        e.offset = util_read_u64(&c);
        e.event_id = util_read_u32(&c);
        e.version = util_read_u32(&c);
        e.time = util_read_u64(&c);
        e.written_time = util_read_u64(&c);
        e.recovered = util_read_u32(&c) != 0;
        e.provider = read_text(&c, &scratch);
        e.channel = read_text(&c, &scratch);
        uint32_t count = util_read_u32(&c);
        bool named = util_read_u32(&c) != 0;
        if (count > EVTX_MAX_DATA_ITEMS)
            c.failed = true;
        const char **values = c.failed ? NULL : util_arena_array(&scratch, count + 1, sizeof(*values));
        const char **names = c.failed || !named ? NULL : util_arena_array(&scratch, count + 1, sizeof(*names));
        for (uint32_t i = 0; values && i < count; i++)
            values[i] = read_text(&c, &scratch);
        for (uint32_t i = 0; names && i < count; i++)
            names[i] = read_text(&c, &scratch);
        p->next_index = (int)index + 1;
        if (c.failed || !values) {
            p->stats->unreadable++;
            snprintf(text, sizeof text, "record %" PRIu32 ": event lost between the reader and the parser", index);
            note(p, &p->unreadable, text);
            break;
        }
        e.data_count = count;
        e.values = values;
        e.names = names;
        /* the values' own types, from the record's bytes (libevtx gives text only) */
        binxml_value raw[EVTX_MAX_DATA_ITEMS];
        size_t raw_count = 0;
        binxml_cost cost;
        if (binxml_event_data_values(p->data, p->size, e.offset, raw, EVTX_MAX_DATA_ITEMS, &raw_count, &cost) &&
            raw_count == count)
            e.raw = raw;
        else if (cost.over_budget)
            p->stats->binxml_over_budget++;  /* types unknown; the caller notes how many */
        if (e.recovered)
            p->stats->recovered_delivered++;
        else
            p->stats->delivered++;
        if (!p->fn(&e, p->context))
            p->stopped = *done = true;
        break;
    }
    case FRAME_OTHER: {
        uint32_t index = util_read_u32(&c);
        p->next_index = (int)index + 1;
        if (index >= p->stats->records)
            p->stats->recovered_other++;
        else
            p->stats->other_provider++;
        break;
    }
    case FRAME_UNREADABLE: {
        uint32_t index = util_read_u32(&c);
        const char *reason = read_text(&c, &scratch);
        p->next_index = (int)index + 1;
        if (index >= p->stats->records) {  /* most leftovers in free space are fragments libevtx cannot read */
            p->stats->recovered_unreadable++;
            break;
        }
        p->stats->unreadable++;
        snprintf(text, sizeof text, "record %" PRIu32 " unreadable%s%s", index, *reason ? ": " : "", reason);
        note(p, &p->unreadable, text);
        break;
    }
    case FRAME_NOTE:
        note(p, &p->bad_data, read_text(&c, &scratch));
        break;
    case FRAME_DONE:
        *done = true;
        break;
    default:
        c.failed = true;
    }
    util_arena_free(&scratch);
    return !c.failed;
}

/* One child: returns true when it finished (or the parent stopped it). */
static bool run_child(parent_state *p, const uint8_t *data, size_t size, const record_places *places,
                      char *ended, size_t ended_size)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(ended, ended_size, "cannot create a pipe: %s", strerror(errno));
        return true;
    }
    fflush(NULL);  /* the child must not write out the parent's buffers */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(ended, ended_size, "cannot start the reader process: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return true;
    }
    if (pid == 0) {
        close(fds[0]);
        evtx_child_main(fds[1], data, size, p->provider, places, p->next_index, p->free_space);
    }
    close(fds[1]);
    bool done = false, timed_out = false, broken = false;
    uint8_t *payload = NULL;
    while (!done) {
        uint8_t header_bytes[8];  /* u32 type, u32 payload length (little-endian) */
        if (!read_exact(fds[0], header_bytes, sizeof header_bytes, &timed_out))
            break;
        uint32_t header[2] = {util_le32(header_bytes), util_le32(header_bytes + 4)};
        if (header[1] > FRAME_MAX_SIZE) {
            broken = true;
            break;
        }
        uint8_t *grown = realloc(payload, header[1] ? header[1] : 1);
        if (!grown || !read_exact(fds[0], grown, header[1], &timed_out)) {
            payload = grown ? grown : payload;
            broken = !grown;
            break;
        }
        payload = grown;
        if (!handle_frame(p, header[0], payload, header[1], &done)) {
            broken = true;
            break;
        }
    }
    free(payload);
    close(fds[0]);
    if (!done || p->stopped)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (done)
        return true;
    if (timed_out)
        snprintf(ended, ended_size, "libevtx made no progress for %d s", CHILD_TIMEOUT_MS / 1000);
    else if (broken)
        snprintf(ended, ended_size, "the reader process sent a damaged frame");
    else if (WIFSIGNALED(status))
        snprintf(ended, ended_size, "libevtx crashed (signal %d)", WTERMSIG(status));
    else
        snprintf(ended, ended_size, "the reader process ended early (status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return false;
}

bool evtx_log_read(const uint8_t *data, size_t size, const char *provider, bool free_space, evtx_event_fn fn,
                   void *context, util_arena *arena, bp_note_list *warnings, evtx_log_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    parent_state p;
    memset(&p, 0, sizeof p);
    p.provider = provider;
    p.free_space = free_space;
    p.fn = fn;
    p.context = context;
    p.arena = arena;
    p.warnings = warnings;
    p.stats = stats;
    record_places places;
    memset(&places, 0, sizeof places);
    evtx_index_offsets(data, size, &places.live, &places.free_space, &places.walk);
    p.places = &places;
    p.data = data;
    p.size = size;
    stats->free_space_readable = evtx_count_free_space(data, size, &places.free_space, provider);
    /* both walks are done: a mapped log's pages need not stay (the child reads them again) */
    util_mapped_release(data, size);
    for (int starts = 0; starts < CHILD_MAX_STARTS; starts++) {
        char ended[160] = "";
        bool finished = run_child(&p, data, size, &places, ended, sizeof ended);
        if (finished && *ended && !p.opened) {  /* no pipe or no process */
            util_notes_addf(arena, warnings, "cannot read the event log: %s", ended);
            p.open_failed = true;
        }
        if (finished)
            break;
        if (!p.opened) {
            util_notes_addf(arena, warnings, "libevtx cannot open the event log: %s", ended);
            p.open_failed = true;
            break;
        }
        /* the record being read when the child died is skipped */
        if ((size_t)p.next_index < stats->records) {
            util_notes_addf(arena, warnings, "record %d: %s; it was skipped and reading went on after it",
                          p.next_index, ended);
            stats->unreadable++;
        } else {
            util_notes_addf(arena, warnings, "record %zu in free space: %s; it was skipped and reading went on after it",
                          (size_t)p.next_index - stats->records, ended);
            stats->recovered_unreadable++;
        }
        p.next_index++;
        if ((size_t)p.next_index >= stats->records + (free_space ? stats->recovered : 0))
            break;
        if (starts + 1 == CHILD_MAX_STARTS)
            util_notes_addf(arena, warnings, "gave up after %d reader failures: records from %d on were not read",
                          CHILD_MAX_STARTS, p.next_index);
    }
    /* losses libevtx may pass over in silence, seen in the chunks themselves */
    const chunk_walk *walk = &places.walk;
    if (p.opened && walk->cut_chunk)
        util_notes_addf(arena, warnings, "the log ends inside the chunk at offset %zu: it is cut short", walk->cut_chunk);
    if (p.opened && walk->chunks < walk->header_chunks)
        util_notes_addf(arena, warnings, "the file header lists %zu chunks, %zu were found", walk->header_chunks,
                      walk->chunks);
    if (p.opened && walk->failed_crc)
        util_notes_addf(arena, warnings, "%zu chunk(s) fail their CRC32 checksums (the first at offset %zu): their "
                                       "records may be altered", walk->failed_crc, walk->first_failed);
    if (p.opened && walk->breaks > 1)
        util_notes_add(arena, warnings, "the chunks' record numbers do not run on from chunk to chunk: a chunk is "
                                      "missing, damaged or out of place");
    if (p.unreadable.count > EVTX_NOTES_PER_KIND)
        util_notes_addf(arena, warnings, "%zu more unreadable records not listed",
                      p.unreadable.count - EVTX_NOTES_PER_KIND);
    if (p.bad_data.count > EVTX_NOTES_PER_KIND)
        util_notes_addf(arena, warnings, "%zu more event data problems not listed",
                      p.bad_data.count - EVTX_NOTES_PER_KIND);
    free(places.live.items);
    free(places.free_space.items);
    return p.opened && !p.open_failed;
}

