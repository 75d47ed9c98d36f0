/* Event record binary XML, only as far as needed to pair each EventData/Data
 * item with its substitution value (docs/format-evtx.md §2a).
 *
 * A record's data is a fragment: header 0x0F, then a template instance 0x0C
 * (u8, u32 template id, u32 chunk offset of the template definition; the
 * definition follows inline when that offset is the current one: u32 next,
 * 16-byte GUID whose first 4 bytes are the template id, u32 body size,
 * body), then the instance's values: u32 count, `count` descriptors (u16
 * size, u8 type, u8 0), the value bytes in order.
 * Windows puts EventData in a second fragment held by a value of type 0x21
 * (binary XML), so values of that type are followed down, a few levels deep.
 * Names (of elements, attributes) are u32 chunk offsets; a name is inline
 * when its offset is the current position: u32 next, u16 hash, u16 length,
 * UTF-16 text, u16 0. */
#include "evtx/binxml_values.h"

#include <string.h>

#include "util/reader.h"

#define CHUNK_SIZE 65536
#define FILE_HEADER_SIZE 4096
#define MAX_DEPTH 4               /* nested fragments followed */
#define MAX_NESTING 64            /* element nesting inside one template */
#define MAX_TOKENS BINXML_MAX_STEPS  /* token steps for one record, over all its fragments */
#define MAX_VALUES 256            /* values of one template instance */

enum {
    TOKEN_END = 0x00, TOKEN_OPEN_START = 0x01, TOKEN_CLOSE_START = 0x02, TOKEN_CLOSE_EMPTY = 0x03,
    TOKEN_END_ELEMENT = 0x04, TOKEN_VALUE = 0x05, TOKEN_ATTRIBUTE = 0x06, TOKEN_CDATA = 0x07,
    TOKEN_CHAR_REF = 0x08, TOKEN_ENTITY_REF = 0x09, TOKEN_PI_TARGET = 0x0a, TOKEN_PI_DATA = 0x0b,
    TOKEN_TEMPLATE = 0x0c, TOKEN_SUBSTITUTION = 0x0d, TOKEN_OPTIONAL_SUBSTITUTION = 0x0e,
    TOKEN_FRAGMENT = 0x0f,
};
#define TOKEN_MORE 0x40           /* flag: attributes follow / more data follows */

typedef struct walk {
    util_reader chunk;              /* the whole chunk the record lies in */
    binxml_cost *cost;            /* the record's budget, shared by all its fragments */
    uint16_t ids[256];            /* substitution ids under EventData, in order */
    size_t id_count;
    bool found;                   /* an EventData element was seen */
    bool ambiguous;               /* a Data item without exactly one substitution */
} walk;

/* Is the name at chunk offset `name_offset` "EventData"? */
static bool name_is(util_reader *chunk, uint32_t name_offset, const char *ascii)
{
    util_reader r = util_reader_sub(chunk, name_offset, chunk->size > name_offset ? chunk->size - name_offset : 0);
    util_reader_skip(&r, 6);        /* next, hash */
    size_t length = util_read_u16(&r);
    if (r.failed || length != strlen(ascii))
        return false;
    for (size_t i = 0; i < length; i++)
        if (util_read_u16(&r) != (uint8_t)ascii[i])
            return false;
    return !r.failed;
}

/* A name reference at the reader's position (a u32 chunk offset), skipping the
 * name itself when it is inline. Returns the offset. */
static uint32_t take_name(util_reader *r, size_t base)
{
    uint32_t name_offset = util_read_u32(r);
    if (!r->failed && name_offset == base + r->pos) {
        util_reader_skip(r, 6);
        size_t length = util_read_u16(r);
        util_reader_skip(r, length * 2 + 2);
    }
    return name_offset;
}

/* Walk a template body (at chunk offset `base`, `length` bytes): the ids of
 * the substitutions inside EventData's Data items, one per item. */
static void walk_template(walk *w, size_t base, size_t length)
{
    util_reader r = util_reader_sub(&w->chunk, base, length);
    bool in_event_data[MAX_NESTING + 1] = {false};
    size_t depth = 0;               /* open elements */
    size_t data_depth = 0;          /* depth of the current Data item, 0 = none */
    size_t in_item = 0;             /* substitutions in the current Data item */
    while (util_reader_has(&r, 1)) {
        if (w->cost->steps >= MAX_TOKENS) {
            w->cost->over_budget = true;
            return;
        }
        w->cost->steps++;
        uint8_t token = util_read_u8(&r);
        switch (token & ~TOKEN_MORE) {
        case TOKEN_END:
            return;
        case TOKEN_OPEN_START: {
            util_reader_skip(&r, 2 + 4);  /* dependency id, element size */
            uint32_t name = take_name(&r, base);
            if (token & TOKEN_MORE)
                util_reader_skip(&r, 4);  /* attribute list size */
            if (r.failed || depth >= MAX_NESTING)
                return;
            bool parent_event_data = depth > 0 && in_event_data[depth];
            depth++;
            in_event_data[depth] = name_is(&w->chunk, name, "EventData");
            if (in_event_data[depth])
                w->found = true;
            else if (parent_event_data) {  /* a Data item (or any child of EventData) */
                data_depth = depth;
                in_item = 0;
            }
            break;
        }
        case TOKEN_CLOSE_START:
            break;
        case TOKEN_CLOSE_EMPTY:
        case TOKEN_END_ELEMENT:
            if (depth == 0)
                return;
            if (depth == data_depth) {
                if (in_item != 1)
                    w->ambiguous = true;
                data_depth = 0;
            }
            depth--;
            break;
        case TOKEN_VALUE: {
            uint8_t type = util_read_u8(&r);
            if (type != BINXML_TYPE_STRING)
                return;  /* templates hold text only here; anything else is not followed */
            size_t chars = util_read_u16(&r);
            util_reader_skip(&r, chars * 2);
            break;
        }
        case TOKEN_ATTRIBUTE:
        case TOKEN_ENTITY_REF:
        case TOKEN_PI_TARGET:
            take_name(&r, base);
            break;
        case TOKEN_CDATA:
        case TOKEN_PI_DATA: {
            size_t chars = util_read_u16(&r);
            util_reader_skip(&r, chars * 2);
            break;
        }
        case TOKEN_CHAR_REF:
            util_reader_skip(&r, 2);
            break;
        case TOKEN_SUBSTITUTION:
        case TOKEN_OPTIONAL_SUBSTITUTION: {
            uint16_t id = util_read_u16(&r);
            util_reader_skip(&r, 1);  /* the type the template expects */
            if (data_depth && depth >= data_depth) {
                in_item++;
                if (w->id_count < sizeof w->ids / sizeof w->ids[0])
                    w->ids[w->id_count++] = id;
                else
                    w->ambiguous = true;
            }
            break;
        }
        case TOKEN_FRAGMENT:
            util_reader_skip(&r, 3);
            break;
        default:
            return;  /* a nested template or an unknown token: stop here */
        }
        if (r.failed)
            return;
    }
}

/* What a fragment gave: its EventData values, an EventData it could not pair
 * with values (the record's answer all the same: a sibling fragment's values
 * belong to other items), or no EventData at all (look further). */
typedef enum fragment_result { FRAGMENT_NONE, FRAGMENT_FOUND, FRAGMENT_REFUSED } fragment_result;

/* One fragment at chunk offset `at` (`length` bytes): its template's EventData
 * items and the instance's values; else the first nested fragment (a value of
 * type 0x21) that has an EventData. */
static fragment_result read_fragment(util_reader *chunk, size_t at, size_t length, int depth, binxml_value *out,
                                     size_t max, size_t *count, binxml_cost *cost)
{
    /* Each nested fragment walks its template again: without one budget for
     * the whole record, a crafted chunk of nested 0x21 values costs 10^7 and
     * more token steps. A fragment itself costs a step per value it lists. */
    if (depth > MAX_DEPTH || cost->over_budget)
        return FRAGMENT_NONE;
    util_reader r = util_reader_sub(chunk, at, length);
    if (util_read_u8(&r) == TOKEN_FRAGMENT)
        util_reader_skip(&r, 3);
    else
        util_reader_seek(&r, 0);
    if (util_read_u8(&r) != TOKEN_TEMPLATE || r.failed)
        return FRAGMENT_NONE;
    util_reader_skip(&r, 1);  /* unknown */
    uint32_t template_id = util_read_u32(&r);
    uint32_t definition = util_read_u32(&r);
    size_t here = at + r.pos;
    if (r.failed)
        return FRAGMENT_NONE;
    util_reader def = util_reader_sub(chunk, definition, chunk->size > definition ? chunk->size - definition : 0);
    util_reader_skip(&def, 4);  /* next definition */
    uint32_t guid_start = util_read_u32(&def);
    util_reader_skip(&def, 12);  /* rest of the GUID */
    uint32_t body_size = util_read_u32(&def);
    size_t body = definition + def.pos;
    /* the instance's template id is the definition GUID's first 4 bytes: a
     * record left in free space can point to a place its chunk now uses for
     * another template, whose items its values do not belong to */
    if (def.failed || guid_start != template_id || body_size > chunk->size - body)
        return FRAGMENT_NONE;
    if (definition == here)  /* inline: the values follow the body */
        util_reader_skip(&r, 24 + (size_t)body_size);
    uint32_t value_count = util_read_u32(&r);
    if (r.failed || value_count > MAX_VALUES)
        return FRAGMENT_NONE;
    if (cost->steps + 1 + value_count > MAX_TOKENS) {
        cost->over_budget = true;
        return FRAGMENT_NONE;
    }
    cost->steps += 1 + value_count;
    binxml_value values[MAX_VALUES];
    for (uint32_t i = 0; i < value_count; i++) {
        values[i].size = util_read_u16(&r);
        values[i].type = util_read_u8(&r);
        util_reader_skip(&r, 1);
    }
    for (uint32_t i = 0; i < value_count; i++)
        values[i].bytes = values[i].size ? util_read_bytes(&r, values[i].size) : NULL;
    if (r.failed)
        return FRAGMENT_NONE;

    walk w;
    memset(&w, 0, sizeof w);
    w.chunk = *chunk;
    w.cost = cost;
    walk_template(&w, body, body_size);
    if (cost->over_budget)
        return FRAGMENT_NONE;
    if (w.found) {
        if (w.ambiguous || w.id_count > max)
            return FRAGMENT_REFUSED;
        for (size_t i = 0; i < w.id_count; i++)
            out[i] = w.ids[i] < value_count ? values[w.ids[i]] : (binxml_value){0, 0, NULL};
        *count = w.id_count;
        return FRAGMENT_FOUND;
    }
    for (uint32_t i = 0; i < value_count; i++) {
        if (values[i].type != BINXML_TYPE_BINXML || !values[i].bytes)
            continue;
        size_t nested = (size_t)(values[i].bytes - chunk->data);
        fragment_result nested_result = read_fragment(chunk, nested, values[i].size, depth + 1, out, max, count, cost);
        if (nested_result != FRAGMENT_NONE)
            return nested_result;
        if (cost->over_budget)
            return FRAGMENT_NONE;
    }
    return FRAGMENT_NONE;
}

bool binxml_event_data_values(const uint8_t *data, size_t size, uint64_t offset, binxml_value *out, size_t max,
                              size_t *count, binxml_cost *cost)
{
    binxml_cost own;
    if (!cost)
        cost = &own;
    memset(cost, 0, sizeof(*cost));
    *count = 0;
    if (!data || offset < FILE_HEADER_SIZE || offset >= size)
        return false;
    size_t chunk_start = FILE_HEADER_SIZE + (size_t)(offset - FILE_HEADER_SIZE) / CHUNK_SIZE * CHUNK_SIZE;
    util_reader file = util_reader_make(data, size);
    util_reader chunk = util_reader_sub(&file, chunk_start, size - chunk_start < CHUNK_SIZE ? size - chunk_start
                                                                                         : CHUNK_SIZE);
    if (chunk.failed)
        return false;
    size_t record = (size_t)offset - chunk_start;
    util_reader r = util_reader_sub(&chunk, record, chunk.size - record);
    uint32_t magic = util_read_u32(&r);
    uint32_t record_size = util_read_u32(&r);
    if (r.failed || magic != 0x00002a2a || record_size < 28 || record_size > chunk.size - record)
        return false;
    return read_fragment(&chunk, record + 24, record_size - 28, 0, out, max, count, cost) == FRAGMENT_FOUND;
}
