#include "ese/record.h"

#include <string.h>

#include "ese/compression.h"
#include "ese/long_value.h"
#include "util/reader.h"

/* The record layout (docs/format-ese.md §7): a 4-byte header, fixed
 * columns 1-127, variable columns 128-255 with their u16 end offsets, then
 * the tagged area of 4-byte entries. */
enum {
    RECORD_HEADER_SIZE = 4,
    LAST_FIXED_COLUMN = 127,
    FIRST_VARIABLE_COLUMN = 128,
    LAST_VARIABLE_COLUMN = 255,
    VARIABLE_END_SIZE = 2,
    VARIABLE_END_OFFSET = 0x7FFF,   /* end relative to the variable data */
    VARIABLE_END_NULL = 0x8000,
    TAGGED_ENTRY_SIZE = 4,          /* u16 column id, u16 offset word */
    TAGGED_OFFSET_SMALL = 0x1FFF,   /* offset mask, 4/8 KiB pages */
    TAGGED_OFFSET_LARGE = 0x7FFF,   /* offset mask, 16/32 KiB pages */
    TAGGED_SMALL_HAS_HEADER = 0x4000,  /* small pages: the value starts with a header byte */
    TAGGED_SMALL_NULL = 0x2000,
    MULTI_OFFSET_SIZE = 2,          /* multi-values: u16 offsets, count = first / 2 */
    MULTI_OFFSET = 0x7FFF,
    MULTI_OFFSET_SEPARATED = 0x8000,
};

/* The header byte of a tagged value (§7). */
enum {
    TAG_HEADER_LONG_VALUE = 0x01,
    TAG_HEADER_COMPRESSED = 0x02,
    TAG_HEADER_SEPARATED = 0x04,
    TAG_HEADER_MULTI = 0x08,
    TAG_HEADER_TWO_VALUES = 0x10,
    TAG_HEADER_NULL = 0x20,
    TAG_HEADER_ENCRYPTED = 0x40,
};

bool ese_record_open(ese_record *record, const uint8_t *data, size_t size)
{
    memset(record, 0, sizeof(*record));
    record->data = data;
    record->size = size;
    util_reader r = util_reader_make(data, size);
    record->fixed_last = util_read_u8(&r);
    record->variable_last = util_read_u8(&r);
    record->fixed_end = util_read_u16(&r);
    record->valid = !r.failed && record->fixed_end >= RECORD_HEADER_SIZE && record->fixed_end <= size;
    return record->valid;
}

static size_t variable_count(const ese_record *record)
{
    return record->variable_last >= FIRST_VARIABLE_COLUMN ? (size_t)record->variable_last - LAST_FIXED_COLUMN : 0;
}

/* Start of the variable data and of the tagged area. */
static bool record_areas(const ese_record *record, size_t *variable_data, size_t *tagged_start)
{
    size_t count = variable_count(record);
    util_reader r = util_reader_make(record->data, record->size);
    *variable_data = record->fixed_end + VARIABLE_END_SIZE * count;
    uint16_t last_end = 0;
    if (count) {
        util_reader_seek(&r, record->fixed_end + VARIABLE_END_SIZE * (count - 1));
        last_end = util_read_u16(&r) & VARIABLE_END_OFFSET;
    }
    *tagged_start = *variable_data + last_end;
    return !r.failed && *tagged_start <= record->size;
}

static bool single_value(const ese_db *db, ese_column_value *out, const uint8_t *data, size_t size)
{
    out->values = util_arena_alloc(db->arena, sizeof(ese_value));
    if (!out->values)
        return false;
    out->values[0].data = data;
    out->values[0].size = size;
    out->count = 1;
    out->present = true;
    return true;
}

static void resolve_separated(const ese_db *db, ese_table *table, ese_value *value)
{
    util_reader r = util_reader_make(value->data, value->size);
    uint64_t lid;
    if (value->size == 4)
        lid = util_read_u32(&r);
    else if (value->size == 8)
        lid = util_read_u64(&r);
    else {
        value->problem = "separated value with a long-value id that is neither 4 nor 8 bytes";
        return;
    }
    value->separated = true;
    value->lid = lid;
    const uint8_t *bytes;
    size_t size;
    const char *problem;
    if (ese_lv_read(db, table, lid, &bytes, &size, &problem)) {
        value->data = bytes;
        value->size = size;
    } else {
        value->data = NULL;
        value->size = 0;
    }
    value->problem = problem;
}

static void resolve_compressed(const ese_db *db, ese_value *value)
{
    uint8_t *plain;
    size_t plain_size;
    const char *error;
    ese_decompress_status status = ese_decompress(db->value_arena ? db->value_arena : db->arena, value->data, value->size, &plain, &plain_size, &error);
    value->compressed = true;
    if (status == ESE_DECOMPRESS_OK) {
        value->data = plain;
        value->size = plain_size;
    } else {
        value->problem = error ? error : "compressed value could not be decompressed";
    }
}

/* Split a multi-valued tagged value into its instances (ese-format §8.4). */
static bool multi_values(const ese_db *db, ese_table *table, uint8_t header, const uint8_t *data, size_t size,
                         ese_column_value *out)
{
    util_reader r = util_reader_make(data, size);
    if (header & TAG_HEADER_TWO_VALUES) {
        uint8_t first_size = util_read_u8(&r);
        if (r.failed || (size_t)first_size + 1 > size)
            return false;
        out->values = util_arena_array(db->arena, 2, sizeof(ese_value));
        if (!out->values)
            return false;
        out->values[0].data = data + 1;
        out->values[0].size = first_size;
        out->values[1].data = data + 1 + first_size;
        out->values[1].size = size - 1 - first_size;
        out->count = 2;
    } else {
        uint16_t first = util_read_u16(&r) & MULTI_OFFSET;
        size_t count = first / MULTI_OFFSET_SIZE;
        if (r.failed || count == 0 || first > size)
            return false;
        out->values = util_arena_array(db->arena, count, sizeof(ese_value));
        if (!out->values)
            return false;
        util_reader_seek(&r, 0);
        uint16_t current = util_read_u16(&r);
        for (size_t i = 0; i < count; i++) {
            uint16_t next = i + 1 < count ? util_read_u16(&r) : (uint16_t)size;
            size_t start = current & MULTI_OFFSET, end = next & MULTI_OFFSET;
            if (r.failed || start > end || end > size)
                return false;
            ese_value *value = &out->values[i];
            value->data = data + start;
            value->size = end - start;
            if (current & MULTI_OFFSET_SEPARATED)
                resolve_separated(db, table, value);
            current = next;
        }
        out->count = count;
    }
    /* only the first instance carries the compression (ese-generic multi.edb) */
    if ((header & TAG_HEADER_COMPRESSED) && !out->values[0].separated)
        resolve_compressed(db, &out->values[0]);
    out->present = true;
    return true;
}

static bool tagged_value(const ese_db *db, ese_table *table, const ese_record *record, uint32_t column_id,
                         ese_column_value *out, const char **problem)
{
    size_t variable_data, start;
    if (!record_areas(record, &variable_data, &start)) {
        *problem = "record variable area runs past its end";
        return false;
    }
    if (start >= record->size)
        return true; /* no tagged columns */
    util_reader area = util_reader_make(record->data + start, record->size - start);
    uint16_t mask = db->large_pages ? TAGGED_OFFSET_LARGE : TAGGED_OFFSET_SMALL;
    util_read_u16(&area);
    size_t entries = (util_read_u16(&area) & mask) / TAGGED_ENTRY_SIZE;
    if (area.failed || entries == 0 || entries * TAGGED_ENTRY_SIZE > area.size) {
        *problem = "tagged column directory is damaged";
        return false;
    }
    for (size_t k = 0; k < entries; k++) {
        util_reader_seek(&area, TAGGED_ENTRY_SIZE * k);
        uint16_t fid = util_read_u16(&area);
        uint16_t word = util_read_u16(&area);
        if (fid != column_id)
            continue;
        size_t begin = word & mask;
        size_t end = area.size;
        if (k + 1 < entries) {
            util_reader_skip(&area, 2);
            end = util_read_u16(&area) & mask;
        }
        if (area.failed || begin > end || end > area.size) {
            *problem = "tagged column points outside the record";
            return false;
        }
        const uint8_t *bytes = area.data + begin;
        size_t size = end - begin;
        bool has_header = db->large_pages || (word & TAGGED_SMALL_HAS_HEADER);
        if (!db->large_pages && (word & TAGGED_SMALL_NULL))
            return true; /* explicitly NULL */
        uint8_t header = 0;
        if (has_header) {
            if (size == 0) {
                *problem = "tagged column value without its header byte";
                return false;
            }
            header = bytes[0];
            bytes++;
            size--;
        }
        if (header & TAG_HEADER_NULL)
            return true;
        if (header & TAG_HEADER_MULTI) {
            if (!multi_values(db, table, header, bytes, size, out)) {
                *problem = "multi-valued column is damaged";
                return false;
            }
            return true;
        }
        if (!single_value(db, out, bytes, size))
            return false;
        if (header & TAG_HEADER_ENCRYPTED)
            out->values[0].problem = "value is encrypted; returned as stored";
        else if (header & TAG_HEADER_SEPARATED)
            resolve_separated(db, table, &out->values[0]);
        else if (header & TAG_HEADER_COMPRESSED)
            resolve_compressed(db, &out->values[0]);
        return true;
    }
    return true;
}

bool ese_record_get(const ese_db *db, const ese_table *const_table, const ese_record *record, uint32_t column_id,
                    ese_column_value *out, const char **problem)
{
    /* the table's long-value store is built lazily on first use */
    ese_table *table = (ese_table *)const_table;
    memset(out, 0, sizeof(*out));
    *problem = NULL;
    if (!record->valid) {
        *problem = "record header is damaged";
        return false;
    }
    const ese_column *column = ese_table_column(table, column_id);
    bool ok = true;
    bool in_record = false;
    if (column_id >= 1 && column_id <= LAST_FIXED_COLUMN) {
        if (column_id <= record->fixed_last && column) {
            in_record = true;
            size_t bitmap_size = ((size_t)record->fixed_last + 7) / 8;
            size_t bitmap_start = record->fixed_end >= bitmap_size ? record->fixed_end - bitmap_size : 0;
            util_reader r = util_reader_make(record->data, record->fixed_end);
            util_reader_seek(&r, bitmap_start + (column_id - 1) / 8);
            uint8_t bits = util_read_u8(&r);
            bool is_null = (bits >> ((column_id - 1) % 8)) & 1;
            if (r.failed || column->fixed_offset + column->fixed_size > bitmap_start) {
                *problem = "fixed column lies outside the fixed area";
                ok = false;
            } else if (!is_null) {
                ok = single_value(db, out, record->data + column->fixed_offset, column->fixed_size);
            }
        }
    } else if (column_id >= FIRST_VARIABLE_COLUMN && column_id <= LAST_VARIABLE_COLUMN) {
        size_t k = column_id - FIRST_VARIABLE_COLUMN;
        if (k < variable_count(record)) {
            in_record = true;
            size_t variable_data, tagged_start;
            util_reader r = util_reader_make(record->data, record->size);
            util_reader_seek(&r, record->fixed_end + VARIABLE_END_SIZE * k);
            uint16_t end = util_read_u16(&r);
            uint16_t begin = 0;
            if (k) {
                util_reader_seek(&r, record->fixed_end + VARIABLE_END_SIZE * (k - 1));
                begin = util_read_u16(&r) & VARIABLE_END_OFFSET;
            }
            if (!record_areas(record, &variable_data, &tagged_start) || r.failed ||
                begin > (end & VARIABLE_END_OFFSET) || variable_data + (end & VARIABLE_END_OFFSET) > record->size) {
                *problem = "variable column lies outside the record";
                ok = false;
            } else if (!(end & VARIABLE_END_NULL)) {
                ok = single_value(db, out, record->data + variable_data + begin, (size_t)(end & VARIABLE_END_OFFSET) - begin);
            }
        }
    } else {
        ok = tagged_value(db, table, record, column_id, out, problem);
        in_record = out->present;
    }
    if (!in_record && !out->present && column && column->default_value && ok) {
        single_value(db, out, column->default_value, column->default_size);
        out->from_default = true;
    }
    return ok;
}

size_t ese_record_tagged_ids(const ese_db *db, const ese_record *record, uint32_t *ids, size_t max)
{
    size_t variable_data, start;
    if (!record->valid || !record_areas(record, &variable_data, &start) || start >= record->size)
        return 0;
    util_reader area = util_reader_make(record->data + start, record->size - start);
    uint16_t mask = db->large_pages ? TAGGED_OFFSET_LARGE : TAGGED_OFFSET_SMALL;
    util_read_u16(&area);
    size_t entries = (util_read_u16(&area) & mask) / TAGGED_ENTRY_SIZE;
    if (area.failed || entries * TAGGED_ENTRY_SIZE > area.size)
        return 0;
    size_t n = 0;
    util_reader_seek(&area, 0);
    for (size_t k = 0; k < entries && n < max; k++) {
        ids[n++] = util_read_u16(&area);
        util_read_u16(&area);
    }
    return n;
}
