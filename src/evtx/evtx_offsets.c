/* The walk over the chunks of a .evtx file: record offsets, chunk damage and
 * the records in free space, without libevtx (docs/format-evtx.md). */
#include "evtx/evtx_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32.h"
#include "util/growable.h"
#include "util/reader.h"

/* ---- record offsets -------------------------------------------------------- */

/* libevtx 20181227 reports offset 0 for every record, so the offsets come
 * from a walk over the chunks: 4 KiB file header, 64 KiB chunks starting
 * "ElfChnk\0", records from chunk offset 512 up to the chunk's free-space
 * offset (u32 at 48), each "**\0\0", u32 size, u64 record id. */

static int compare_record_offsets(const void *a, const void *b)
{
    const record_offset *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* A chunk's own checks: the CRC32 of its header (bytes 0-119 and 128-511,
 * stored at 124) and of its records (512 up to the free-space offset, stored
 * at 52). */
static bool chunk_intact(util_reader *chunk, size_t free_offset)
{
    util_reader_seek(chunk, 0);
    const uint8_t *head = util_read_bytes(chunk, EVTX_CHUNK_HEADER_SIZE);
    if (!head || free_offset < EVTX_CHUNK_HEADER_SIZE)
        return false;
    util_reader_seek(chunk, 52);
    uint32_t records_crc = util_read_u32(chunk);
    util_reader_seek(chunk, 124);
    uint32_t header_crc = util_read_u32(chunk);
    util_reader_seek(chunk, EVTX_CHUNK_HEADER_SIZE);
    const uint8_t *records = util_read_bytes(chunk, free_offset - EVTX_CHUNK_HEADER_SIZE);
    return !chunk->failed && records && util_crc32(util_crc32(0, head, 120), head + 128, 384) == header_crc &&
           util_crc32(0, records, free_offset - EVTX_CHUNK_HEADER_SIZE) == records_crc;
}

/* Records left in a chunk's free space (after its free-space offset): the
 * places of libevtx's "recovered" records. A record there counts when its
 * size is repeated in its last 4 bytes, as every record ends. */
static void index_free_space(util_reader *chunk, size_t chunk_offset, size_t from, size_t length,
                             offset_index *index)
{
    for (size_t pos = (from + 7) & ~(size_t)7; pos + 28 <= length; pos += 8) {
        util_reader_seek(chunk, pos);
        uint32_t magic = util_read_u32(chunk);
        uint32_t record_size = util_read_u32(chunk);
        uint64_t id = util_read_u64(chunk);
        if (chunk->failed || magic != 0x00002a2a || record_size < 28 || record_size > length - pos)
            continue;
        util_reader_seek(chunk, pos + record_size - 4);
        if (util_read_u32(chunk) != record_size || chunk->failed)
            continue;
        if (!util_grow((void **)&index->items, &index->capacity, index->count, sizeof(record_offset)))
            return;
        index->items[index->count++] = (record_offset){id, chunk_offset + pos};
        pos += record_size - 8;
    }
}

void evtx_index_offsets(const uint8_t *data, size_t size, offset_index *index, offset_index *free_space,
                        chunk_walk *walk)
{
    util_reader file = util_reader_make(data, size);
    for (size_t chunk = EVTX_FILE_HEADER_SIZE; chunk < size; chunk += EVTX_CHUNK_SIZE) {
        size_t length = size - chunk < EVTX_CHUNK_SIZE ? size - chunk : EVTX_CHUNK_SIZE;
        util_reader r = util_reader_sub(&file, chunk, length);
        const uint8_t *signature = util_read_bytes(&r, 8);
        if (!signature || memcmp(signature, "ElfChnk\0", 8) != 0)
            continue;
        /* record numbers run on from chunk to chunk, in a circle: an intact
         * log has exactly one place (newest to oldest) where they do not */
        uint64_t first = util_read_u64(&r), last = util_read_u64(&r);
        if (walk->chunks == 0)
            walk->first_number = first;
        else if (first != walk->last_number + 1)
            walk->breaks++;
        walk->last_number = last;
        walk->chunks++;
        if (length < EVTX_CHUNK_SIZE)
            walk->cut_chunk = chunk;
        util_reader_seek(&r, 48);
        size_t end = util_read_u32(&r);
        bool end_valid = !r.failed && end >= EVTX_CHUNK_HEADER_SIZE && end <= length;
        if (!end_valid)
            end = length;
        if (length == EVTX_CHUNK_SIZE && end_valid && chunk_intact(&r, end))
            walk->intact++;
        else if (length == EVTX_CHUNK_SIZE && walk->failed_crc++ == 0)
            walk->first_failed = chunk;
        size_t pos = EVTX_CHUNK_HEADER_SIZE;
        while (pos + 24 <= end) {
            util_reader_seek(&r, pos);
            uint32_t magic = util_read_u32(&r);
            uint32_t record_size = util_read_u32(&r);
            uint64_t id = util_read_u64(&r);
            if (r.failed || magic != 0x00002a2a || record_size < 24 || record_size > end - pos)
                break;
            if (!util_grow((void **)&index->items, &index->capacity, index->count, sizeof(record_offset)))
                return;
            index->items[index->count++] = (record_offset){id, chunk + pos};
            pos += record_size;
        }
        index_free_space(&r, chunk, pos, length, free_space);
    }
    if (walk->chunks && walk->first_number != walk->last_number + 1)
        walk->breaks++;  /* the circle closes from the last chunk to the first */
    util_reader_seek(&file, 42);
    walk->header_chunks = util_read_u16(&file);
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
    util_reader r = util_reader_make(data + at, size);
    for (size_t i = 0; length && i + 2 * length <= size; i++) {
        size_t k = 0;
        for (util_reader_seek(&r, i); k < length; k++) {
            uint16_t unit = util_read_u16(&r);
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
size_t evtx_count_free_space(const uint8_t *data, size_t size, const offset_index *free_space,
                             const char *provider)
{
    size_t found = 0;
    for (size_t i = 0; i < free_space->count; i++) {
        uint64_t at = free_space->items[i].offset;
        util_reader r = util_reader_make(data, size);
        util_reader_seek(&r, (size_t)at + 4);
        uint32_t record_size = util_read_u32(&r);
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

uint64_t evtx_find_offset(const offset_index *index, uint64_t id)
{
    record_offset key = {id, 0};
    const record_offset *found =
        index->count ? bsearch(&key, index->items, index->count, sizeof(record_offset), compare_record_offsets)
                     : NULL;
    return found ? found->offset : 0;
}

