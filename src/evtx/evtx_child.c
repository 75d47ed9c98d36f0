/* The libevtx child process: opens the log from memory, decodes each record
 * and streams it to the parent as frames (evtx_internal.h). */
#include "evtx/evtx_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libevtx.h>

#include "util/growable.h"

/* ---- libevtx, in a child process ------------------------------------------
 *
 * libevtx 20181227 corrupts its heap and crashes on some damaged records
 * (libfwevt's XML reader), and a damaged log is exactly what a forensic tool
 * must survive. So libevtx runs in a forked child that decodes the records and
 * streams them to the parent through a pipe, one frame each. When the child
 * dies (or stops making progress), the parent notes it and starts a new child
 * at the record after the last one it received: one bad record costs that
 * record, not the log. */

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
    if (n > SIZE_MAX - f->size || !util_grow_to((void **)&f->bytes, &f->capacity, f->size + n, 1)) {
        f->failed = true;
        return;
    }
    memcpy(f->bytes + f->size, bytes, n);
    f->size += n;
}

/* Numbers little-endian, as the parent reads them with the project's reader. */
static void put_le(frame *f, uint64_t v, size_t size)
{
    uint8_t bytes[8];
    for (size_t i = 0; i < size; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    put(f, bytes, size);
}

static void put_u32(frame *f, uint32_t v) { put_le(f, v, 4); }
static void put_u64(frame *f, uint64_t v) { put_le(f, v, 8); }

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
    for (size_t i = 0; i < 4; i++)  /* little-endian, as every number of a frame */
        f->bytes[4 + i] = (uint8_t)(length >> (8 * i));
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

static char *record_text(util_arena *arena, libevtx_record_t *record, size_fn get_size, text_fn get_text,
                         size_t limit)
{
    size_t size = 0;
    libevtx_error_t *error = NULL;
    if (get_size(record, &size, &error) != 1 || size == 0 || size > limit) {
        libevtx_error_free(&error);
        return NULL;
    }
    char *text = util_arena_alloc(arena, size + 1);
    if (text && get_text(record, (uint8_t *)text, size, &error) != 1) {
        libevtx_error_free(&error);
        return NULL;
    }
    if (text)
        text[size] = '\0';
    return text;
}

static char *data_value(util_arena *arena, libevtx_record_t *record, int index)
{
    size_t size = 0;
    libevtx_error_t *error = NULL;
    if (libevtx_record_get_utf8_string_size(record, index, &size, &error) != 1 || size > EVTX_MAX_XML_SIZE) {
        libevtx_error_free(&error);
        return NULL;
    }
    char *text = util_arena_alloc(arena, size + 1);
    if (text && size && libevtx_record_get_utf8_string(record, index, (uint8_t *)text, size, &error) != 1) {
        libevtx_error_free(&error);
        return NULL;
    }
    if (text)
        text[size] = '\0';
    return text;
}

/* Where the records lie: the chunks' records, and those in free space. */

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
static bool decode_record(child_state *c, libevtx_record_t *record, bool recovered, util_arena *scratch,
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
        event->offset = evtx_find_offset(recovered ? &c->places->free_space : &c->places->live, event->record_id);
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
        const char *system = evtx_xml_find_element(xml, end, "System");
        const char *system_end = system ? strstr(system, "</System>") : NULL;
        if (system && system_end) {
            const char *tag = evtx_xml_find_element(system, system_end, "TimeCreated");
            const char *text = tag ? evtx_xml_attribute(scratch, tag, system_end, "SystemTime") : NULL;
            uint64_t created;
            if (text && evtx_parse_time(text, &created))
                event->time = created;
            tag = evtx_xml_find_element(system, system_end, "Version");
            text = tag ? evtx_xml_element_text(scratch, tag, system_end) : NULL;
            if (text)
                event->version = (uint32_t)strtoul(text, NULL, 10);
            tag = evtx_xml_find_element(system, system_end, "Channel");
            text = tag ? evtx_xml_element_text(scratch, tag, system_end) : NULL;
            if (text)
                event->channel = text;
            /* the EventRecordID Event Viewer shows; an exported log renumbers
             * its record headers from 1, so the header's counter can differ */
            tag = evtx_xml_find_element(system, system_end, "EventRecordID");
            text = tag ? evtx_xml_element_text(scratch, tag, system_end) : NULL;
            uint64_t record_id;
            if (text && evtx_xml_parse_decimal(text, &record_id))
                event->record_id = record_id;
        }
        names = evtx_xml_data_names(scratch, system_end ? system_end : xml, end, &name_count);
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
    const char **values = util_arena_array(scratch, event->data_count + 1, sizeof(*values));
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
        util_arena scratch;
        util_arena_init(&scratch);
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
        util_arena_free(&scratch);
        libevtx_record_free(&record, NULL);
        if (!sent)
            return;
    }
    begin(&c->out, FRAME_DONE);
    send_frame(c->fd, &c->out);
}

void evtx_child_main(int fd, const uint8_t *data, size_t size, const char *provider, const record_places *places,
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

