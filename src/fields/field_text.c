/* Lists of a record as one line of text each (ACEs, events, detections): the
 * CSV cells, also what the detection rules match against, so both see the
 * same text (docs/output-schema.md). */
#include "fields/field_text.h"

#include <inttypes.h>
#include <string.h>

static const char *or_empty(const char *text) { return text ? text : ""; }

/* Join parts[0..count) with sep into the scratch arena. */
const char *fields_join_text(util_arena *scratch, const char *const *parts, size_t count, const char *sep)
{
    size_t length = 1;
    for (size_t i = 0; i < count; i++)
        length += strlen(or_empty(parts[i])) + strlen(sep);
    char *text = util_arena_text(scratch, length - 1);  /* written up to its NUL */
    if (!text)
        return NULL;
    char *end = text;
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            end = stpcpy(end, sep);
        end = stpcpy(end, or_empty(parts[i]));
    }
    *end = '\0';
    return text;
}

/* One ACE as ACL:type:SID(account):0xMASK:rights[:flags]; the account part
 * and the flags part are left out when empty. Put together by hand: six ACEs
 * per record through printf were a fifth of the CSV writer's time. */
static const char *ace_text(util_arena *scratch, const bp_ace *ace)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *parts[] = {or_empty(ace->acl), or_empty(ace->ace_type), or_empty(ace->sid),
                           or_empty(ace->account), or_empty(ace->rights), or_empty(ace->flags)};
    size_t lengths[6], total = 0;
    for (size_t i = 0; i < 6; i++)
        total += lengths[i] = strlen(parts[i]);
    /* separators ":" x4, "(" ")", "0x" and 8 digits, ":" before flags, NUL */
    char *text = util_arena_text(scratch, total + 17);  /* written up to its NUL */
    if (!text)
        return NULL;
    char *out = text;
    memcpy(out, parts[0], lengths[0]);
    out += lengths[0];
    *out++ = ':';
    memcpy(out, parts[1], lengths[1]);
    out += lengths[1];
    *out++ = ':';
    memcpy(out, parts[2], lengths[2]);
    out += lengths[2];
    if (lengths[3]) {
        *out++ = '(';
        memcpy(out, parts[3], lengths[3]);
        out += lengths[3];
        *out++ = ')';
    }
    memcpy(out, ":0x", 3);
    out += 3;
    for (int shift = 28; shift >= 0; shift -= 4)
        *out++ = hex[(ace->mask >> shift) & 15];
    *out++ = ':';
    memcpy(out, parts[4], lengths[4]);
    out += lengths[4];
    if (lengths[5]) {
        *out++ = ':';
        memcpy(out, parts[5], lengths[5]);
        out += lengths[5];
    }
    *out = '\0';
    return text;
}

const char *fields_csv_aces_text(util_arena *scratch, const bp_ace *aces, size_t count)
{
    if (count == 0)
        return "";
    const char **parts = util_arena_array(scratch, count, sizeof(*parts));
    if (!parts)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!(parts[i] = ace_text(scratch, &aces[i])))
            return NULL;
    return fields_join_text(scratch, parts, count, "; ");
}

const char *fields_detection_label(util_arena *scratch, const bp_detection *detection)
{
    const char *id = detection->id ? detection->id : "";
    if (!detection->author || !*detection->author)
        return id;
    return util_arena_printf(scratch, "%s (author: %s)", id, detection->author);
}

/* Detections as their labels joined by "|" (ids cannot hold a "|"). */
const char *fields_detection_labels(util_arena *scratch, const bp_detection *detections, size_t count)
{
    if (count == 0)
        return "";
    const char **ids = util_arena_array(scratch, count, sizeof(*ids));
    if (!ids)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!(ids[i] = fields_detection_label(scratch, &detections[i])))
            return NULL;
    return fields_join_text(scratch, ids, count, "|");
}

/* Events as "TIME event ID: what" joined by "|" (docs/output-schema.md). */
const char *fields_csv_events_text(util_arena *scratch, const bp_event *events, size_t count)
{
    if (count == 0)
        return "";
    const char **parts = util_arena_array(scratch, count, sizeof(*parts));
    if (!parts)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        char time[32];
        bp_format_filetime(events[i].time, time);
        /* a record from the log's free space says so, and where it lies */
        const char *recovered = events[i].recovered
                                    ? util_arena_printf(scratch, " (recovered at offset %" PRIu64 ")", events[i].offset)
                                    : "";
        if (!recovered ||
            !(parts[i] = util_arena_printf(scratch, "%s event %" PRIu32 "%s: %s", time, events[i].event_id,
                                         recovered, or_empty(events[i].what))))
            return NULL;
    }
    return fields_join_text(scratch, parts, count, "|");
}

