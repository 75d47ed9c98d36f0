/* Reading a .evtx file with libevtx (20181227, Debian 12). libevtx hands out
 * the record header (id, offset, written time), the provider, the event id and
 * the event data values; the names of the data items, the channel, the event
 * version and TimeCreated are only in the XML it renders, so a few elements of
 * that XML are read here (docs/format-evtx.md §2). libevtx itself runs in a
 * child process (see "libevtx, in a child process" below). */
#include "evtx/evtx_log.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libevtx.h>

#include "util/crc32.h"
#include "util/growable.h"
#include "util/reader.h"

/* Reported per problem kind before only a count is kept. */
#define EVTX_NOTES_PER_KIND 5

bool evtx_is_log(const uint8_t *data, size_t size)
{
    return data && size >= 8 && memcmp(data, "ElfFile\0", 8) == 0;
}

/* ---- time text ---------------------------------------------------------- */

static bool take_digits(const char **p, int count, int *value)
{
    *value = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        *value = *value * 10 + (c - '0');
    }
    *p += count;
    return true;
}

static bool take_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned yoe = (unsigned)(year - era * 400);
    unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool evtx_parse_time(const char *text, uint64_t *filetime)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int year, month, day, hour, minute, second;
    if (!p || !take_digits(&p, 4, &year) || !take_char(&p, '-') || !take_digits(&p, 2, &month) ||
        !take_char(&p, '-') || !take_digits(&p, 2, &day) || !take_char(&p, 'T') ||
        !take_digits(&p, 2, &hour) || !take_char(&p, ':') || !take_digits(&p, 2, &minute) ||
        !take_char(&p, ':') || !take_digits(&p, 2, &second))
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1601 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
        (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
        return false;
    uint64_t ticks = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 7)
                ticks = ticks * 10 + (uint64_t)(*p - '0');
        if (digits == 0)
            return false;
        for (; digits < 7; digits++)
            ticks *= 10;
    }
    if (!take_char(&p, 'Z') || *p != '\0')
        return false;
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day) + 134774;  /* since 1601 */
    uint64_t seconds = (uint64_t)days * 86400 + (uint64_t)(hour * 3600 + minute * 60 + second);
    *filetime = seconds * 10000000ULL + ticks;
    return true;
}

/* ---- the few XML elements needed ---------------------------------------- */

/* Start of the element `<name` (followed by a space, '/' or '>') in [from, end). */
static const char *find_element(const char *from, const char *end, const char *name)
{
    size_t length = strlen(name);
    for (const char *p = from; p && p < end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (!p)
            return NULL;
        if ((size_t)(end - p) > length + 1 && memcmp(p + 1, name, length) == 0 &&
            (p[length + 1] == ' ' || p[length + 1] == '/' || p[length + 1] == '>'))
            return p;
    }
    return NULL;
}

/* End of the start tag at `tag` (its '>'), or NULL. */
static const char *tag_end(const char *tag, const char *end)
{
    return memchr(tag, '>', (size_t)(end - tag));
}

/* Undo the XML escapes libevtx writes (&amp; &lt; &gt; &quot; &apos; &#..;). */
static char *xml_text(bp_arena *arena, const char *from, const char *to)
{
    char *out = bp_arena_alloc(arena, (size_t)(to - from) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (const char *p = from; p < to;) {
        static const struct { const char *entity; char c; } entities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
        };
        bool done = false;
        for (size_t i = 0; *p == '&' && i < sizeof(entities) / sizeof(entities[0]) && !done; i++) {
            size_t length = strlen(entities[i].entity);
            if ((size_t)(to - p) >= length && memcmp(p, entities[i].entity, length) == 0) {
                out[n++] = entities[i].c;
                p += length;
                done = true;
            }
        }
        if (!done && *p == '&' && p + 2 < to && p[1] == '#') {
            /* numeric references: only ASCII ones are expected here */
            const char *q = p + 2;
            int base = 10;
            if (*q == 'x' || *q == 'X') {
                base = 16;
                q++;
            }
            unsigned value = 0;
            const char *digits = q;
            for (; q < to && value < 0x80; q++) {
                int d = *q >= '0' && *q <= '9' ? *q - '0'
                        : base == 16 && (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f' ? (*q | 0x20) - 'a' + 10
                                                                                 : -1;
                if (d < 0)
                    break;
                value = value * (unsigned)base + (unsigned)d;
            }
            if (q > digits && q < to && *q == ';' && value > 0 && value < 0x80) {
                out[n++] = (char)value;
                p = q + 1;
                done = true;
            }
        }
        if (!done)
            out[n++] = *p++;
    }
    out[n] = '\0';
    return out;
}

/* Value of attribute `name` in the start tag at `tag`, or NULL. */
static char *attribute(bp_arena *arena, const char *tag, const char *end, const char *name)
{
    const char *close = tag_end(tag, end);
    if (!close)
        return NULL;
    size_t length = strlen(name);
    for (const char *p = tag; p + length + 2 < close; p++) {
        if (p[0] == ' ' && memcmp(p + 1, name, length) == 0 && p[length + 1] == '=' &&
            (p[length + 2] == '"' || p[length + 2] == '\'')) {
            const char *value = p + length + 3;
            const char *stop = memchr(value, p[length + 2], (size_t)(close - value));
            return stop ? xml_text(arena, value, stop) : NULL;
        }
    }
    return NULL;
}

/* Text content of the simple element at `tag` (up to the next '<'), or NULL. */
static char *element_text(bp_arena *arena, const char *tag, const char *end)
{
    const char *close = tag_end(tag, end);
    if (!close || close[-1] == '/')
        return close ? bp_arena_strdup(arena, "") : NULL;
    const char *stop = memchr(close + 1, '<', (size_t)(end - close - 1));
    return stop ? xml_text(arena, close + 1, stop) : NULL;
}

/* A whole decimal number (no sign, no spaces). */
static bool parse_decimal(const char *text, uint64_t *value)
{
    if (*text < '0' || *text > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return false;
    *value = v;
    return true;
}

/* Names of the EventData/Data items in order; *count = how many. NULL with
 * *count 0 when there is no EventData (e.g. a UserData event). */
static const char **data_names(bp_arena *arena, const char *xml, const char *end, size_t *count)
{
    *count = 0;
    const char *data = find_element(xml, end, "EventData");
    const char *close = data ? tag_end(data, end) : NULL;
    if (!close || close[-1] == '/')
        return NULL;
    const char **names = bp_arena_array(arena, EVTX_MAX_DATA_ITEMS, sizeof(*names));
    if (!names)
        return NULL;
    const char *stop = strstr(close, "</EventData>");
    if (!stop || stop > end)
        stop = end;
    for (const char *item = find_element(close, stop, "Data"); item && *count < EVTX_MAX_DATA_ITEMS;
         item = find_element(item + 1, stop, "Data")) {
        const char *name = attribute(arena, item, stop, "Name");
        names[(*count)++] = name ? name : "";
    }
    return names;
}

/* ---- record offsets -------------------------------------------------------- */

/* libevtx 20181227 reports offset 0 for every record, so the offsets come
 * from a walk over the chunks: 4 KiB file header, 64 KiB chunks starting
 * "ElfChnk\0", records from chunk offset 512 up to the chunk's free-space
 * offset (u32 at 48), each "**\0\0", u32 size, u64 record id. */
#define EVTX_FILE_HEADER_SIZE 4096
#define EVTX_CHUNK_SIZE 65536
#define EVTX_READ_PADDING (EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE)
#define EVTX_CHUNK_HEADER_SIZE 512

typedef struct record_offset {
    uint64_t id;
    uint64_t offset;
} record_offset;

typedef struct offset_index {
    record_offset *items;
    size_t count, capacity;
} offset_index;

/* What the walk over the chunks found. */
typedef struct chunk_walk {
    size_t chunks;            /* "ElfChnk" signatures */
    size_t intact;            /* whole chunks whose two CRC32s match */
    size_t header_chunks;     /* chunk count of the file header */
    size_t breaks;            /* chunk borders where the record numbers do not run on (cyclically) */
    uint64_t first_number, last_number;  /* record numbers of the first chunk, and of the last one so far */
    size_t cut_chunk;         /* offset of a chunk the file ends inside, 0 = none */
    size_t failed_crc;        /* whole chunks failing a CRC32 */
    size_t first_failed;      /* offset of the first of them */
} chunk_walk;

static int compare_record_offsets(const void *a, const void *b)
{
    const record_offset *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* A chunk's own checks: the CRC32 of its header (bytes 0-119 and 128-511,
 * stored at 124) and of its records (512 up to the free-space offset, stored
 * at 52). */
static bool chunk_intact(bp_reader *chunk, size_t free_offset)
{
    bp_reader_seek(chunk, 0);
    const uint8_t *head = bp_read_bytes(chunk, EVTX_CHUNK_HEADER_SIZE);
    if (!head || free_offset < EVTX_CHUNK_HEADER_SIZE)
        return false;
    bp_reader_seek(chunk, 52);
    uint32_t records_crc = bp_read_u32(chunk);
    bp_reader_seek(chunk, 124);
    uint32_t header_crc = bp_read_u32(chunk);
    bp_reader_seek(chunk, EVTX_CHUNK_HEADER_SIZE);
    const uint8_t *records = bp_read_bytes(chunk, free_offset - EVTX_CHUNK_HEADER_SIZE);
    return !chunk->failed && records && bp_crc32(bp_crc32(0, head, 120), head + 128, 384) == header_crc &&
           bp_crc32(0, records, free_offset - EVTX_CHUNK_HEADER_SIZE) == records_crc;
}

/* Records left in a chunk's free space (after its free-space offset): the
 * places of libevtx's "recovered" records. A record there counts when its
 * size is repeated in its last 4 bytes, as every record ends. */
static void index_free_space(bp_reader *chunk, size_t chunk_offset, size_t from, size_t length,
                             offset_index *index)
{
    for (size_t pos = (from + 7) & ~(size_t)7; pos + 28 <= length; pos += 8) {
        bp_reader_seek(chunk, pos);
        uint32_t magic = bp_read_u32(chunk);
        uint32_t record_size = bp_read_u32(chunk);
        uint64_t id = bp_read_u64(chunk);
        if (chunk->failed || magic != 0x00002a2a || record_size < 28 || record_size > length - pos)
            continue;
        bp_reader_seek(chunk, pos + record_size - 4);
        if (bp_read_u32(chunk) != record_size || chunk->failed)
            continue;
        if (!bp_grow((void **)&index->items, &index->capacity, index->count, sizeof(record_offset)))
            return;
        index->items[index->count++] = (record_offset){id, chunk_offset + pos};
        pos += record_size - 8;
    }
}

static void index_offsets(const uint8_t *data, size_t size, offset_index *index, offset_index *free_space,
                          chunk_walk *walk)
{
    bp_reader file = bp_reader_make(data, size);
    for (size_t chunk = EVTX_FILE_HEADER_SIZE; chunk < size; chunk += EVTX_CHUNK_SIZE) {
        size_t length = size - chunk < EVTX_CHUNK_SIZE ? size - chunk : EVTX_CHUNK_SIZE;
        bp_reader r = bp_reader_sub(&file, chunk, length);
        const uint8_t *signature = bp_read_bytes(&r, 8);
        if (!signature || memcmp(signature, "ElfChnk\0", 8) != 0)
            continue;
        /* record numbers run on from chunk to chunk, in a circle: an intact
         * log has exactly one place (newest to oldest) where they do not */
        uint64_t first = bp_read_u64(&r), last = bp_read_u64(&r);
        if (walk->chunks == 0)
            walk->first_number = first;
        else if (first != walk->last_number + 1)
            walk->breaks++;
        walk->last_number = last;
        walk->chunks++;
        if (length < EVTX_CHUNK_SIZE)
            walk->cut_chunk = chunk;
        bp_reader_seek(&r, 48);
        size_t end = bp_read_u32(&r);
        bool end_valid = !r.failed && end >= EVTX_CHUNK_HEADER_SIZE && end <= length;
        if (!end_valid)
            end = length;
        if (length == EVTX_CHUNK_SIZE && end_valid && chunk_intact(&r, end))
            walk->intact++;
        else if (length == EVTX_CHUNK_SIZE && walk->failed_crc++ == 0)
            walk->first_failed = chunk;
        size_t pos = EVTX_CHUNK_HEADER_SIZE;
        while (pos + 24 <= end) {
            bp_reader_seek(&r, pos);
            uint32_t magic = bp_read_u32(&r);
            uint32_t record_size = bp_read_u32(&r);
            uint64_t id = bp_read_u64(&r);
            if (r.failed || magic != 0x00002a2a || record_size < 24 || record_size > end - pos)
                break;
            if (!bp_grow((void **)&index->items, &index->capacity, index->count, sizeof(record_offset)))
                return;
            index->items[index->count++] = (record_offset){id, chunk + pos};
            pos += record_size;
        }
        index_free_space(&r, chunk, pos, length, free_space);
    }
    if (walk->chunks && walk->first_number != walk->last_number + 1)
        walk->breaks++;  /* the circle closes from the last chunk to the first */
    bp_reader_seek(&file, 42);
    walk->header_chunks = bp_read_u16(&file);
    if (index->count > 1)
        qsort(index->items, index->count, sizeof(record_offset), compare_record_offsets);
    if (free_space->count > 1)
        qsort(free_space->items, free_space->count, sizeof(record_offset), compare_record_offsets);
}

/* Does the record at data[at, at + size) hold `provider` as UTF-16LE text
 * (ASCII case ignored)? The System part names it as a substitution value. */
static bool record_names(const uint8_t *data, size_t at, size_t size, const char *provider)
{
    size_t length = strlen(provider);
    bp_reader r = bp_reader_make(data + at, size);
    for (size_t i = 0; length && i + 2 * length <= size; i++) {
        size_t k = 0;
        for (bp_reader_seek(&r, i); k < length; k++) {
            uint16_t unit = bp_read_u16(&r);
            if (r.failed || unit > 0x7f || tolower(unit) != tolower((unsigned char)provider[k]))
                break;
        }
        if (k == length)
            return true;
    }
    return false;
}

/* The free-space records of the provider, found without libevtx: records the
 * chunk walk finds past the chunks' last records that name the provider and
 * whose EventData bitsparse's own reader follows (their template is still in
 * the chunk). This is the count the note without --carve gives. */
static size_t count_free_space(const uint8_t *data, size_t size, const offset_index *free_space,
                               const char *provider)
{
    size_t found = 0;
    for (size_t i = 0; i < free_space->count; i++) {
        uint64_t at = free_space->items[i].offset;
        bp_reader r = bp_reader_make(data, size);
        bp_reader_seek(&r, (size_t)at + 4);
        uint32_t record_size = bp_read_u32(&r);
        if (r.failed || record_size > size - at)
            continue;
        binxml_value values[EVTX_MAX_DATA_ITEMS];
        size_t count;
        if (record_names(data, (size_t)at, record_size, provider) &&
            binxml_event_data_values(data, size, at, values, EVTX_MAX_DATA_ITEMS, &count, NULL))
            found++;
    }
    return found;
}

static uint64_t find_offset(const offset_index *index, uint64_t id)
{
    record_offset key = {id, 0};
    const record_offset *found =
        index->count ? bsearch(&key, index->items, index->count, sizeof(record_offset), compare_record_offsets)
                     : NULL;
    return found ? found->offset : 0;
}

/* ---- libevtx, in a child process ------------------------------------------
 *
 * libevtx 20181227 corrupts its heap and crashes on some damaged records
 * (libfwevt's XML reader), and a damaged log is exactly what a forensic tool
 * must survive. So libevtx runs in a forked child that decodes the records and
 * streams them to the parent through a pipe, one frame each. When the child
 * dies (or stops making progress), the parent notes it and starts a new child
 * at the record after the last one it received: one bad record costs that
 * record, not the log. */

enum frame_type {
    FRAME_OPENED = 1,     /* u32 records, u32 recovered, u8 dirty, u8 corrupted */
    FRAME_OPEN_FAILED,    /* reason text */
    FRAME_EVENT,          /* u32 index, the event */
    FRAME_OTHER,          /* u32 index: a record of another provider */
    FRAME_UNREADABLE,     /* u32 index, reason text */
    FRAME_NOTE,           /* a problem with one data item: text */
    FRAME_DONE,
};

#define FRAME_MAX_SIZE ((size_t)16 << 20)
#define CHILD_MAX_STARTS 64        /* children started for one log */
#define CHILD_TIMEOUT_MS 60000     /* without a frame, the child is taken as stuck */

/* ---- the child's side ---- */

static int simulated_crash = -1;

void evtx_log_simulate_crash(int index) { simulated_crash = index; }

typedef struct frame {
    uint8_t *bytes;
    size_t size, capacity;
    bool failed;
} frame;

static void put(frame *f, const void *bytes, size_t n)
{
    if (f->failed)
        return;
    if (f->size + n > f->capacity) {
        size_t capacity = f->capacity ? f->capacity : 1024;
        while (capacity < f->size + n)
            capacity *= 2;
        uint8_t *grown = realloc(f->bytes, capacity);
        if (!grown) {
            f->failed = true;
            return;
        }
        f->bytes = grown;
        f->capacity = capacity;
    }
    memcpy(f->bytes + f->size, bytes, n);
    f->size += n;
}

static void put_u32(frame *f, uint32_t v) { put(f, &v, sizeof v); }
static void put_u64(frame *f, uint64_t v) { put(f, &v, sizeof v); }

static void put_text(frame *f, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    put_u32(f, (uint32_t)n);
    put(f, text ? text : "", n);
}

static void begin(frame *f, uint32_t type)
{
    f->size = 0;
    f->failed = false;
    put_u32(f, type);
    put_u32(f, 0);  /* payload length, set by send */
}

/* false when the parent is gone */
static bool send_frame(int fd, frame *f)
{
    if (f->failed || f->size < 8 || f->size - 8 > FRAME_MAX_SIZE)
        return true;  /* out of memory for this frame: drop it */
    uint32_t length = (uint32_t)(f->size - 8);
    memcpy(f->bytes + 4, &length, 4);
    for (size_t done = 0; done < f->size;) {
        ssize_t n = write(fd, f->bytes + done, f->size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
}

/* libevtx error messages come as lines of a backtrace; the last one is the
 * most specific. */
static void error_text(libevtx_error_t *error, char *out, size_t size)
{
    out[0] = '\0';
    if (!error)
        return;
    char buf[2048];
    if (libevtx_error_sprint(error, buf, sizeof buf) > 0) {
        size_t length = strlen(buf);
        while (length && (buf[length - 1] == '\n' || buf[length - 1] == '\r' || buf[length - 1] == ' '))
            buf[--length] = '\0';
        const char *line = strrchr(buf, '\n');
        snprintf(out, size, "%s", line ? line + 1 : buf);
    }
    libevtx_error_free(&error);
}

/* A UTF-8 string from one of libevtx's size/get pairs; NULL when absent. */
typedef int (*size_fn)(libevtx_record_t *, size_t *, libevtx_error_t **);
typedef int (*text_fn)(libevtx_record_t *, uint8_t *, size_t, libevtx_error_t **);

static char *record_text(bp_arena *arena, libevtx_record_t *record, size_fn get_size, text_fn get_text,
                         size_t limit)
{
    size_t size = 0;
    libevtx_error_t *error = NULL;
    if (get_size(record, &size, &error) != 1 || size == 0 || size > limit) {
        libevtx_error_free(&error);
        return NULL;
    }
    char *text = bp_arena_alloc(arena, size + 1);
    if (text && get_text(record, (uint8_t *)text, size, &error) != 1) {
        libevtx_error_free(&error);
        return NULL;
    }
    if (text)
        text[size] = '\0';
    return text;
}

static char *data_value(bp_arena *arena, libevtx_record_t *record, int index)
{
    size_t size = 0;
    libevtx_error_t *error = NULL;
    if (libevtx_record_get_utf8_string_size(record, index, &size, &error) != 1 || size > EVTX_MAX_XML_SIZE) {
        libevtx_error_free(&error);
        return NULL;
    }
    char *text = bp_arena_alloc(arena, size + 1);
    if (text && size && libevtx_record_get_utf8_string(record, index, (uint8_t *)text, size, &error) != 1) {
        libevtx_error_free(&error);
        return NULL;
    }
    if (text)
        text[size] = '\0';
    return text;
}

/* Where the records lie: the chunks' records, and those in free space. */
typedef struct record_places {
    offset_index live, free_space;
    chunk_walk walk;
} record_places;

typedef struct child_state {
    int fd;
    frame out;
    const char *provider;
    const record_places *places;
} child_state;

static bool send_text(child_state *c, uint32_t type, const char *text)
{
    begin(&c->out, type);
    put_text(&c->out, text);
    return send_frame(c->fd, &c->out);
}

/* Decode one record of the wanted provider into *event (strings in scratch). */
static bool decode_record(child_state *c, libevtx_record_t *record, bool recovered, bp_arena *scratch,
                          evtx_event *event, char *problem, size_t problem_size)
{
    libevtx_error_t *error = NULL;
    memset(event, 0, sizeof(*event));
    event->channel = "";
    event->recovered = recovered;
    off64_t offset = 0;
    if (libevtx_record_get_event_identifier(record, &event->event_id, &error) != 1) {
        char reason[512];
        error_text(error, reason, sizeof reason);
        snprintf(problem, problem_size, "no event identifier%s%s", *reason ? ": " : "", reason);
        return false;
    }
    if (libevtx_record_get_identifier(record, &event->record_id, &error) != 1)
        libevtx_error_free(&error);
    if (libevtx_record_get_offset(record, &offset, &error) == 1 && offset > 0)
        event->offset = (uint64_t)offset;
    else
        event->offset = find_offset(recovered ? &c->places->free_space : &c->places->live, event->record_id);
    libevtx_error_free(&error);
    if (libevtx_record_get_written_time(record, &event->written_time, &error) != 1)
        libevtx_error_free(&error);
    event->time = event->written_time;

    char *xml = record_text(scratch, record, libevtx_record_get_utf8_xml_string_size,
                            libevtx_record_get_utf8_xml_string, EVTX_MAX_XML_SIZE);
    const char **names = NULL;
    size_t name_count = 0;
    if (xml) {
        const char *end = xml + strlen(xml);
        const char *system = find_element(xml, end, "System");
        const char *system_end = system ? strstr(system, "</System>") : NULL;
        if (system && system_end) {
            const char *tag = find_element(system, system_end, "TimeCreated");
            const char *text = tag ? attribute(scratch, tag, system_end, "SystemTime") : NULL;
            uint64_t created;
            if (text && evtx_parse_time(text, &created))
                event->time = created;
            tag = find_element(system, system_end, "Version");
            text = tag ? element_text(scratch, tag, system_end) : NULL;
            if (text)
                event->version = (uint32_t)strtoul(text, NULL, 10);
            tag = find_element(system, system_end, "Channel");
            text = tag ? element_text(scratch, tag, system_end) : NULL;
            if (text)
                event->channel = text;
            /* the EventRecordID Event Viewer shows; an exported log renumbers
             * its record headers from 1, so the header's counter can differ */
            tag = find_element(system, system_end, "EventRecordID");
            text = tag ? element_text(scratch, tag, system_end) : NULL;
            uint64_t record_id;
            if (text && parse_decimal(text, &record_id))
                event->record_id = record_id;
        }
        names = data_names(scratch, system_end ? system_end : xml, end, &name_count);
    }

    int strings = 0;
    if (libevtx_record_get_number_of_strings(record, &strings, &error) != 1) {
        libevtx_error_free(&error);
        strings = 0;
    }
    if (strings < 0)
        strings = 0;
    char note[160];
    if (strings > EVTX_MAX_DATA_ITEMS) {
        snprintf(note, sizeof note, "record %" PRIu64 " (event %" PRIu32 "): %d data items, only %d read",
                 event->record_id, event->event_id, strings, EVTX_MAX_DATA_ITEMS);
        send_text(c, FRAME_NOTE, note);
        strings = EVTX_MAX_DATA_ITEMS;
    }
    event->data_count = (size_t)strings;
    const char **values = bp_arena_array(scratch, event->data_count + 1, sizeof(*values));
    if (!values) {
        snprintf(problem, problem_size, "out of memory");
        return false;
    }
    event->values = values;
    for (int i = 0; i < strings; i++) {
        const char *value = data_value(scratch, record, i);
        if (!value) {
            snprintf(note, sizeof note, "record %" PRIu64 " (event %" PRIu32 "): data item %d unreadable",
                     event->record_id, event->event_id, i + 1);
            send_text(c, FRAME_NOTE, note);
            value = "";
        }
        values[i] = value;
    }
    event->names = names && name_count == event->data_count ? names : NULL;
    return true;
}

static bool send_event(child_state *c, uint32_t index, const evtx_event *e)
{
    frame *f = &c->out;
    begin(f, FRAME_EVENT);
    put_u32(f, index);
    put_u64(f, e->record_id);
    put_u64(f, e->offset);
    put_u32(f, e->event_id);
    put_u32(f, e->version);
    put_u64(f, e->time);
    put_u64(f, e->written_time);
    put_u32(f, e->recovered ? 1 : 0);
    put_text(f, e->provider);
    put_text(f, e->channel);
    put_u32(f, (uint32_t)e->data_count);
    put_u32(f, e->names ? 1 : 0);
    for (size_t i = 0; i < e->data_count; i++)
        put_text(f, e->values[i]);
    for (size_t i = 0; e->names && i < e->data_count; i++)
        put_text(f, e->names[i]);
    return send_frame(c->fd, f);
}

static bool send_index(child_state *c, uint32_t type, uint32_t index, const char *text)
{
    begin(&c->out, type);
    put_u32(&c->out, index);
    if (type == FRAME_UNREADABLE)
        put_text(&c->out, text);
    return send_frame(c->fd, &c->out);
}

static void child_read(child_state *c, libevtx_file_t *file, int start, bool free_space)
{
    libevtx_error_t *error = NULL;
    int count = 0;
    if (libevtx_file_get_number_of_records(file, &count, &error) != 1) {
        char reason[512];
        error_text(error, reason, sizeof reason);
        begin(&c->out, FRAME_OPEN_FAILED);
        put_text(&c->out, *reason ? reason : "cannot count the event records");
        send_frame(c->fd, &c->out);
        return;
    }
    int recovered = 0;
    if (libevtx_file_get_number_of_recovered_records(file, &recovered, NULL) != 1)
        recovered = 0;
    uint32_t flags = 0;
    if (libevtx_file_get_flags(file, &flags, NULL) != 1)
        flags = 0;
    begin(&c->out, FRAME_OPENED);
    put_u32(&c->out, count > 0 ? (uint32_t)count : 0);
    put_u32(&c->out, recovered > 0 ? (uint32_t)recovered : 0);
    uint8_t dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
    uint8_t corrupted = libevtx_file_is_corrupted(file, NULL) == 1;
    put(&c->out, &dirty, 1);
    put(&c->out, &corrupted, 1);
    if (!send_frame(c->fd, &c->out))
        return;
    /* the records, then (when asked) those libevtx finds in free space
     * (indexes count on after the records, so a restarted child resumes in
     * either part) */
    int total = count + (free_space && recovered > 0 && count <= INT_MAX - recovered ? recovered : 0);
    for (int i = start; i < total; i++) {
        if (i == simulated_crash)
            raise(SIGKILL);
        libevtx_record_t *record = NULL;
        char problem[600] = "";
        bool sent;
        bool from_free_space = i >= count;
        int got = from_free_space ? libevtx_file_get_recovered_record_by_index(file, i - count, &record, &error)
                                  : libevtx_file_get_record_by_index(file, i, &record, &error);
        if (got != 1 || !record) {
            error_text(error, problem, sizeof problem);
            error = NULL;
            if (!send_index(c, FRAME_UNREADABLE, (uint32_t)i, problem))
                return;
            continue;
        }
        bp_arena scratch;
        bp_arena_init(&scratch);
        const char *provider = record_text(&scratch, record, libevtx_record_get_utf8_source_name_size,
                                           libevtx_record_get_utf8_source_name, 4096);
        evtx_event event;
        if (!provider || strcasecmp(provider, c->provider) != 0) {
            sent = send_index(c, FRAME_OTHER, (uint32_t)i, NULL);
        } else if (!decode_record(c, record, from_free_space, &scratch, &event, problem, sizeof problem)) {
            sent = send_index(c, FRAME_UNREADABLE, (uint32_t)i, problem);
        } else {
            event.provider = provider;
            sent = send_event(c, (uint32_t)i, &event);
        }
        bp_arena_free(&scratch);
        libevtx_record_free(&record, NULL);
        if (!sent)
            return;
    }
    begin(&c->out, FRAME_DONE);
    send_frame(c->fd, &c->out);
}

static void child_main(int fd, const uint8_t *data, size_t size, const char *provider, const record_places *places,
                       int start, bool free_space)
{
    child_state c = {fd, {NULL, 0, 0, false}, provider, places};
    libbfio_handle_t *handle = NULL;
    libbfio_error_t *bfio_error = NULL;
    libevtx_file_t *file = NULL;
    libevtx_error_t *error = NULL;
    char reason[512] = "";
    /* libbfio's memory range (20170123) does not clamp a read to the range:
     * libevtx reads its 4 KiB header, or a 64 KiB chunk, past the end of a
     * short file. So libevtx gets a copy followed by zeros. */
    uint8_t *copy = size <= SIZE_MAX - EVTX_READ_PADDING ? malloc(size + EVTX_READ_PADDING) : NULL;
    if (copy) {
        memcpy(copy, data, size);
        memset(copy + size, 0, EVTX_READ_PADDING);
    }
    if (!copy) {
        send_text(&c, FRAME_OPEN_FAILED, "out of memory");
    } else if (libbfio_memory_range_initialize(&handle, &bfio_error) != 1 ||
               libbfio_memory_range_set(handle, copy, size, &bfio_error) != 1) {
        send_text(&c, FRAME_OPEN_FAILED, "libbfio cannot wrap the input");
    } else if (libevtx_file_initialize(&file, &error) != 1 ||
               libevtx_file_open_file_io_handle(file, handle, LIBEVTX_OPEN_READ, &error) != 1) {
        error_text(error, reason, sizeof reason);
        send_text(&c, FRAME_OPEN_FAILED, reason);
    } else {
        child_read(&c, file, start, free_space);
        libevtx_file_close(file, NULL);
    }
    /* no cleanup: _exit right away, the parent owns everything else */
    free(c.out.bytes);
    close(fd);
    _exit(0);
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
    bp_arena *arena;
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
        bp_notes_add(p->arena, p->warnings, text);
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

typedef struct cursor {
    const uint8_t *p, *end;
    bool failed;
} cursor;

static uint32_t take_u32(cursor *c)
{
    uint32_t v = 0;
    if (c->failed || (size_t)(c->end - c->p) < 4)
        c->failed = true;
    else
        memcpy(&v, c->p, 4), c->p += 4;
    return v;
}

static uint64_t take_u64(cursor *c)
{
    uint64_t v = 0;
    if (c->failed || (size_t)(c->end - c->p) < 8)
        c->failed = true;
    else
        memcpy(&v, c->p, 8), c->p += 8;
    return v;
}

static const char *take_text(cursor *c, bp_arena *arena)
{
    uint32_t n = take_u32(c);
    if (c->failed || (size_t)(c->end - c->p) < n) {
        c->failed = true;
        return "";
    }
    const char *text = bp_arena_strndup(arena, (const char *)c->p, n);
    c->p += n;
    if (!text)
        c->failed = true;
    return text ? text : "";
}

/* One frame from the child; returns false when the stream ends. */
static bool handle_frame(parent_state *p, uint32_t type, const uint8_t *payload, size_t length, bool *done)
{
    cursor c = {payload, payload + length, false};
    bp_arena scratch;
    bp_arena_init(&scratch);
    char text[700];
    switch (type) {
    case FRAME_OPENED:
        p->stats->records = take_u32(&c);
        p->stats->recovered = take_u32(&c);
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
                bp_notes_add(p->arena, p->warnings,
                             "libevtx reports the log as corrupted (some chunks or records are damaged)");
        }
        p->opened = true;
        break;
    case FRAME_OPEN_FAILED: {
        const char *reason = take_text(&c, &scratch);
        bp_notes_addf(p->arena, p->warnings, "libevtx cannot open the event log%s%s", *reason ? ": " : "", reason);
        p->open_failed = true;
        *done = true;
        break;
    }
    case FRAME_EVENT: {
        evtx_event e;
        memset(&e, 0, sizeof e);
        uint32_t index = take_u32(&c);
        e.record_id = take_u64(&c);
        e.offset = take_u64(&c);
        e.event_id = take_u32(&c);
        e.version = take_u32(&c);
        e.time = take_u64(&c);
        e.written_time = take_u64(&c);
        e.recovered = take_u32(&c) != 0;
        e.provider = take_text(&c, &scratch);
        e.channel = take_text(&c, &scratch);
        uint32_t count = take_u32(&c);
        bool named = take_u32(&c) != 0;
        if (count > EVTX_MAX_DATA_ITEMS)
            c.failed = true;
        const char **values = c.failed ? NULL : bp_arena_array(&scratch, count + 1, sizeof(*values));
        const char **names = c.failed || !named ? NULL : bp_arena_array(&scratch, count + 1, sizeof(*names));
        for (uint32_t i = 0; values && i < count; i++)
            values[i] = take_text(&c, &scratch);
        for (uint32_t i = 0; names && i < count; i++)
            names[i] = take_text(&c, &scratch);
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
        uint32_t index = take_u32(&c);
        p->next_index = (int)index + 1;
        if (index >= p->stats->records)
            p->stats->recovered_other++;
        else
            p->stats->other_provider++;
        break;
    }
    case FRAME_UNREADABLE: {
        uint32_t index = take_u32(&c);
        const char *reason = take_text(&c, &scratch);
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
        note(p, &p->bad_data, take_text(&c, &scratch));
        break;
    case FRAME_DONE:
        *done = true;
        break;
    default:
        c.failed = true;
    }
    bp_arena_free(&scratch);
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
        child_main(fds[1], data, size, p->provider, places, p->next_index, p->free_space);
    }
    close(fds[1]);
    bool done = false, timed_out = false, broken = false;
    uint8_t *payload = NULL;
    while (!done) {
        uint32_t header[2];
        if (!read_exact(fds[0], header, sizeof header, &timed_out))
            break;
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
                   void *context, bp_arena *arena, bp_note_list *warnings, evtx_log_stats *stats)
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
    index_offsets(data, size, &places.live, &places.free_space, &places.walk);
    p.places = &places;
    p.data = data;
    p.size = size;
    stats->free_space_readable = count_free_space(data, size, &places.free_space, provider);
    for (int starts = 0; starts < CHILD_MAX_STARTS; starts++) {
        char ended[160] = "";
        bool finished = run_child(&p, data, size, &places, ended, sizeof ended);
        if (finished && *ended && !p.opened) {  /* no pipe or no process */
            bp_notes_addf(arena, warnings, "cannot read the event log: %s", ended);
            p.open_failed = true;
        }
        if (finished)
            break;
        if (!p.opened) {
            bp_notes_addf(arena, warnings, "libevtx cannot open the event log: %s", ended);
            p.open_failed = true;
            break;
        }
        /* the record being read when the child died is skipped */
        if ((size_t)p.next_index < stats->records) {
            bp_notes_addf(arena, warnings, "record %d: %s; it was skipped and reading went on after it",
                          p.next_index, ended);
            stats->unreadable++;
        } else {
            bp_notes_addf(arena, warnings, "record %zu in free space: %s; it was skipped and reading went on after it",
                          (size_t)p.next_index - stats->records, ended);
            stats->recovered_unreadable++;
        }
        p.next_index++;
        if ((size_t)p.next_index >= stats->records + (free_space ? stats->recovered : 0))
            break;
        if (starts + 1 == CHILD_MAX_STARTS)
            bp_notes_addf(arena, warnings, "gave up after %d reader failures: records from %d on were not read",
                          CHILD_MAX_STARTS, p.next_index);
    }
    /* losses libevtx may pass over in silence, seen in the chunks themselves */
    const chunk_walk *walk = &places.walk;
    if (p.opened && walk->cut_chunk)
        bp_notes_addf(arena, warnings, "the log ends inside the chunk at offset %zu: it is cut short", walk->cut_chunk);
    if (p.opened && walk->chunks < walk->header_chunks)
        bp_notes_addf(arena, warnings, "the file header lists %zu chunks, %zu were found", walk->header_chunks,
                      walk->chunks);
    if (p.opened && walk->failed_crc)
        bp_notes_addf(arena, warnings, "%zu chunk(s) fail their CRC32 checksums (the first at offset %zu): their "
                                       "records may be altered", walk->failed_crc, walk->first_failed);
    if (p.opened && walk->breaks > 1)
        bp_notes_add(arena, warnings, "the chunks' record numbers do not run on from chunk to chunk: a chunk is "
                                      "missing, damaged or out of place");
    if (p.unreadable.count > EVTX_NOTES_PER_KIND)
        bp_notes_addf(arena, warnings, "%zu more unreadable records not listed",
                      p.unreadable.count - EVTX_NOTES_PER_KIND);
    if (p.bad_data.count > EVTX_NOTES_PER_KIND)
        bp_notes_addf(arena, warnings, "%zu more event data problems not listed",
                      p.bad_data.count - EVTX_NOTES_PER_KIND);
    free(places.live.items);
    free(places.free_space.items);
    return p.opened && !p.open_failed;
}
