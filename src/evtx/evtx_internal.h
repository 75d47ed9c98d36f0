/* What the parts of the .evtx reader share (evtx_log.h is the outside view):
 * the chunk walk and offset index (evtx_offsets.c), the few XML elements read
 * from libevtx's rendering (evtx_xml.c), and the frames the libevtx child
 * (evtx_child.c) sends to the parent (evtx_log.c). */
#ifndef BP_EVTX_EVTX_INTERNAL_H
#define BP_EVTX_EVTX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtx/evtx_log.h"
#include "util/arena.h"

/* ---- record offsets (evtx_offsets.c) ---- */

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

/* ---- the child process (evtx_child.c) and its frames ---- */

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

typedef struct record_places {
    offset_index live, free_space;
    chunk_walk walk;
} record_places;

const char *evtx_xml_find_element(const char *from, const char *end, const char *name);
char *evtx_xml_attribute(util_arena *arena, const char *tag, const char *end, const char *name);
char *evtx_xml_element_text(util_arena *arena, const char *tag, const char *end);
bool evtx_xml_parse_decimal(const char *text, uint64_t *value);
const char **evtx_xml_data_names(util_arena *arena, const char *xml, const char *end, size_t *count);
void evtx_index_offsets(const uint8_t *data, size_t size, offset_index *index, offset_index *free_space,
                        chunk_walk *walk);
size_t evtx_count_free_space(const uint8_t *data, size_t size, const offset_index *free_space,
                             const char *provider);
uint64_t evtx_find_offset(const offset_index *index, uint64_t id);
void evtx_child_main(int fd, const uint8_t *data, size_t size, const char *provider, const record_places *places,
                     int start, bool free_space);

#endif
