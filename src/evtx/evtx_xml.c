/* The few XML elements read from libevtx's rendering of a record (names of
 * the data items, channel, version, TimeCreated: docs/format-evtx.md §2). */
#include "evtx/evtx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the few XML elements needed ---------------------------------------- */

/* Start of the element `<name` (followed by a space, '/' or '>') in [from, end). */
const char *evtx_xml_find_element(const char *from, const char *end, const char *name)
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
static char *xml_text(util_arena *arena, const char *from, const char *to)
{
    char *out = util_arena_alloc(arena, (size_t)(to - from) + 1);
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
char *evtx_xml_attribute(util_arena *arena, const char *tag, const char *end, const char *name)
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
char *evtx_xml_element_text(util_arena *arena, const char *tag, const char *end)
{
    const char *close = tag_end(tag, end);
    if (!close || close[-1] == '/')
        return close ? util_arena_strdup(arena, "") : NULL;
    const char *stop = memchr(close + 1, '<', (size_t)(end - close - 1));
    return stop ? xml_text(arena, close + 1, stop) : NULL;
}

/* A whole decimal number (no sign, no spaces). */
bool evtx_xml_parse_decimal(const char *text, uint64_t *value)
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
const char **evtx_xml_data_names(util_arena *arena, const char *xml, const char *end, size_t *count)
{
    *count = 0;
    const char *data = evtx_xml_find_element(xml, end, "EventData");
    const char *close = data ? tag_end(data, end) : NULL;
    if (!close || close[-1] == '/')
        return NULL;
    const char **names = util_arena_array(arena, EVTX_MAX_DATA_ITEMS, sizeof(*names));
    if (!names)
        return NULL;
    const char *stop = strstr(close, "</EventData>");
    if (!stop || stop > end)
        stop = end;
    for (const char *item = evtx_xml_find_element(close, stop, "Data"); item && *count < EVTX_MAX_DATA_ITEMS;
                                                  item = evtx_xml_find_element(item + 1, stop, "Data")) {
        const char *name = evtx_xml_attribute(arena, item, stop, "Name");
        names[(*count)++] = name ? name : "";
    }
    return names;
}

