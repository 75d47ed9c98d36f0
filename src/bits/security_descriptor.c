#include "bits/security_descriptor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/well_known_sids.h"
#include "util/string_map.h"
#include "util/text.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

enum {
    SD_HEADER_SIZE = 20,
    ACL_HEADER_SIZE = 8,
    ACE_HEADER_SIZE = 4,
    ACE_MIN_SIZE = 8,            /* header + access mask */
    SID_MAX_SUB_AUTHORITIES = 15,
    SID_TEXT_SIZE = 256,         /* "S-1-" + 48-bit authority + 15 x "-4294967295" */
    SMALL_SID_COUNT = 16,        /* up to this many SIDs are told apart without a hash map */
};

enum {
    SE_DACL_PRESENT = 0x0004,
    SE_SACL_PRESENT = 0x0010,
};

enum {
    ACE_TYPE_ACCESS_ALLOWED_COMPOUND = 0x04,
    ACE_TYPE_MANDATORY_LABEL = 0x11,
    ACE_OBJECT_TYPE_PRESENT = 0x1,
    ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2,
};

/* One ACL inside the descriptor, its bounds already clamped to the descriptor. */
typedef struct acl_view {
    const char *label;           /* "DACL" / "SACL" */
    bool present;
    size_t start;                /* offset of the ACL header in the descriptor */
    size_t end;                  /* one past its last byte */
    uint16_t ace_count;          /* as claimed by the header */
} acl_view;

typedef struct sd_decoder {
    util_arena *arena;
    util_reader sd;
    size_t base;
    const char *where;
    bp_note_list *warnings;
    bits_security_descriptor *out;
    size_t *ace_offsets;         /* malloc: where each decoded ACE starts (for the SID order) */
    /* the rights text of the previous distinct mask: a descriptor's ACEs mostly
     * repeat one mask (allow and deny the same rights), and the text depends on
     * the mask and on whether the ACE is a mandatory label only */
    const char *last_rights;     /* in arena, like the ACEs that share it; NULL: none yet */
    uint32_t last_mask;
    bool last_is_label;
} sd_decoder;

static void sd_warn(sd_decoder *d, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void sd_warn(sd_decoder *d, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    util_utf8_vformat(text, sizeof text, format, args);
    va_end(args);
    if (d->warnings)
        util_notes_addf(d->arena, d->warnings, "%s: %s", d->where, text);
}

/* The decimal digits of value appended at text[used]; the new length. */
static size_t append_decimal(char *text, size_t used, uint64_t value)
{
    char digits[20];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count > 0)
        text[used++] = digits[--count];
    return used;
}

char *bits_read_sid(util_arena *arena, util_reader *r)
{
    uint8_t revision = util_read_u8(r);
    uint8_t count = util_read_u8(r);
    const uint8_t *authority = util_read_bytes(r, 6);
    if (r->failed || revision != 1 || count > SID_MAX_SUB_AUTHORITIES)
        return NULL;
    uint64_t value = 0;
    for (int i = 0; i < 6; i++)
        value = (value << 8) | authority[i];
    /* built without snprintf (every job has several SIDs); the longest text
     * is 183 bytes, so it always fits */
    char text[SID_TEXT_SIZE];
    size_t used = 0;
    memcpy(text, "S-1-", 4);
    used = 4;
    if (value >> 32) {
        static const char digits[] = "0123456789ABCDEF";
        text[used++] = '0';
        text[used++] = 'x';
        for (int shift = 44; shift >= 0; shift -= 4)
            text[used++] = digits[(value >> shift) & 15];
    } else {
        used = append_decimal(text, used, value);
    }
    for (uint8_t i = 0; i < count; i++) {
        uint32_t sub = util_read_u32(r);
        text[used++] = '-';
        used = append_decimal(text, used, sub);
    }
    text[used] = '\0';
    if (r->failed)
        return NULL;
    return util_arena_strdup(arena, text);
}

const char *bits_ace_type_name(uint8_t ace_type)
{
    static const char *const names[] = {
        "AccessAllowed",              /* 0x00 */
        "AccessDenied",               /* 0x01 */
        "SystemAudit",                /* 0x02 */
        "SystemAlarm",                /* 0x03 */
        "AccessAllowedCompound",      /* 0x04 */
        "AccessAllowedObject",        /* 0x05 */
        "AccessDeniedObject",         /* 0x06 */
        "SystemAuditObject",          /* 0x07 */
        "SystemAlarmObject",          /* 0x08 */
        "AccessAllowedCallback",      /* 0x09 */
        "AccessDeniedCallback",       /* 0x0A */
        "AccessAllowedCallbackObject",/* 0x0B */
        "AccessDeniedCallbackObject", /* 0x0C */
        "SystemAuditCallback",        /* 0x0D */
        "SystemAlarmCallback",        /* 0x0E */
        "SystemAuditCallbackObject",  /* 0x0F */
        "SystemAlarmCallbackObject",  /* 0x10 */
        "MandatoryLabel",             /* 0x11 */
        "SystemResourceAttribute",    /* 0x12 */
        "SystemScopedPolicyId",       /* 0x13 */
        "SystemProcessTrustLabel",    /* 0x14 */
        "SystemAccessFilter",         /* 0x15 */
    };
    return ace_type < COUNT_OF(names) ? names[ace_type] : "UNKNOWN";
}

static bool ace_type_is_object(uint8_t ace_type)
{
    switch (ace_type) {
    case 0x05: case 0x06: case 0x07: case 0x08: case 0x0B: case 0x0C: case 0x0F: case 0x10:
        return true;
    default:
        return false;
    }
}

const char *bits_ace_flags_text(uint8_t flags, char out[BITS_FLAGS_TEXT_SIZE])
{
    static const bits_flag_name names[] = {
        {0x01, "ObjectInherit"}, {0x02, "ContainerInherit"}, {0x04, "NoPropagateInherit"},
        {0x08, "InheritOnly"},   {0x10, "Inherited"},        {0x20, "Critical"},
        {0x40, "SuccessfulAccess"}, {0x80, "FailedAccess"},
    };
    return bits_flags_text(flags, names, COUNT_OF(names), out, BITS_FLAGS_TEXT_SIZE);
}

const char *bits_access_mask_text(uint32_t mask, uint8_t ace_type, char out[BITS_FLAGS_TEXT_SIZE])
{
    static const bits_flag_name label_policy[] = {
        {0x1, "NoWriteUp"}, {0x2, "NoReadUp"}, {0x4, "NoExecuteUp"},
    };
    static const bits_flag_name rights[] = {
        {0x00000001, "Specific0x1"},    {0x00000002, "Specific0x2"},
        {0x00000004, "Specific0x4"},    {0x00000008, "Specific0x8"},
        {0x00000010, "Specific0x10"},   {0x00000020, "Specific0x20"},
        {0x00000040, "Specific0x40"},   {0x00000080, "Specific0x80"},
        {0x00000100, "Specific0x100"},  {0x00000200, "Specific0x200"},
        {0x00000400, "Specific0x400"},  {0x00000800, "Specific0x800"},
        {0x00001000, "Specific0x1000"}, {0x00002000, "Specific0x2000"},
        {0x00004000, "Specific0x4000"}, {0x00008000, "Specific0x8000"},
        {0x00010000, "Delete"},         {0x00020000, "ReadControl"},
        {0x00040000, "WriteDac"},       {0x00080000, "WriteOwner"},
        {0x00100000, "Synchronize"},    {0x01000000, "AccessSystemSecurity"},
        {0x02000000, "MaximumAllowed"}, {0x10000000, "GenericAll"},
        {0x20000000, "GenericExecute"}, {0x40000000, "GenericWrite"},
        {0x80000000, "GenericRead"},
    };
    if (ace_type == ACE_TYPE_MANDATORY_LABEL)
        return bits_flags_text(mask, label_policy, COUNT_OF(label_policy), out, BITS_FLAGS_TEXT_SIZE);
    return bits_flags_text(mask, rights, COUNT_OF(rights), out, BITS_FLAGS_TEXT_SIZE);
}

/* An arena copy of text, "" when out of memory (strings are never NULL). */
static const char *arena_text(util_arena *arena, const char *text)
{
    const char *copy = util_arena_strdup(arena, text);
    return copy ? copy : "";
}

/* SID at `offset` of the descriptor, "" (with a warning) when it does not decode. */
static const char *sid_at(sd_decoder *d, uint32_t offset, const char *what)
{
    if (offset == 0)
        return "";
    util_reader r = d->sd;
    char *sid = NULL;
    if (util_reader_seek(&r, offset))
        sid = bits_read_sid(d->arena, &r);
    if (!sid) {
        sd_warn(d, "%s SID at offset 0x%zx %s", what, d->base + offset,
                r.failed ? "lies outside the descriptor" : "is not a valid SID");
        return "";
    }
    return sid;
}

static acl_view read_acl_header(sd_decoder *d, const char *label, bool flagged, uint32_t offset)
{
    acl_view acl = {label, false, 0, 0, 0};
    if (!flagged || offset == 0)
        return acl;  /* absent, or a NULL ACL: no entries to list */
    util_reader r = d->sd;
    util_reader_seek(&r, offset);
    util_read_u8(&r);  /* AclRevision */
    util_read_u8(&r);  /* Sbz1 */
    uint16_t acl_size = util_read_u16(&r);
    uint16_t ace_count = util_read_u16(&r);
    if (r.failed) {
        sd_warn(d, "%s header at offset 0x%zx lies outside the descriptor", label, d->base + offset);
        return acl;
    }
    size_t end = (size_t)offset + acl_size;
    if (acl_size < ACL_HEADER_SIZE || end > d->sd.size) {
        sd_warn(d, "%s at offset 0x%zx claims %u bytes, %zu available", label, d->base + offset,
                acl_size, d->sd.size - offset);
        end = d->sd.size;
    }
    acl.present = true;
    acl.start = offset;
    acl.end = end;
    acl.ace_count = ace_count;
    return acl;
}

/* Most ACEs that can really fit, whatever the header claims. */
static size_t acl_capacity(const acl_view *acl)
{
    if (!acl->present || acl->end < acl->start + ACL_HEADER_SIZE)
        return 0;
    size_t room = (acl->end - acl->start - ACL_HEADER_SIZE) / ACE_MIN_SIZE;
    return acl->ace_count < room ? acl->ace_count : room;
}

/* The SID of an ACE body positioned after the access mask; "" when the type has none. */
static const char *ace_sid(sd_decoder *d, util_reader *body, uint8_t ace_type, size_t ace_offset)
{
    if (ace_type > 0x15) {
        sd_warn(d, "ACE at offset 0x%zx has unknown type 0x%02x", d->base + ace_offset, ace_type);
        return "";
    }
    if (ace_type == ACE_TYPE_ACCESS_ALLOWED_COMPOUND)
        util_reader_skip(body, 4);  /* compound type + reserved, then the server SID */
    if (ace_type_is_object(ace_type)) {
        uint32_t object_flags = util_read_u32(body);
        if (object_flags & ACE_OBJECT_TYPE_PRESENT)
            util_reader_skip(body, 16);
        if (object_flags & ACE_INHERITED_OBJECT_TYPE_PRESENT)
            util_reader_skip(body, 16);
    }
    char *sid = bits_read_sid(d->arena, body);
    if (!sid) {
        sd_warn(d, "ACE at offset 0x%zx holds no valid SID", d->base + ace_offset);
        return "";
    }
    return sid;
}

static void note_integrity_label(sd_decoder *d, const bp_ace *ace)
{
    static const char prefix[] = "S-1-16-";
    if (ace->ace_type_raw != ACE_TYPE_MANDATORY_LABEL ||
        strncmp(ace->sid, prefix, sizeof prefix - 1) != 0)
        return;
    d->out->has_integrity_label = true;
    d->out->integrity_rid = (uint32_t)strtoul(ace->sid + sizeof prefix - 1, NULL, 10);
}

/* Decode the ACE at *pos into *ace and advance; false when the ACL cannot go on. */
static bool decode_ace(sd_decoder *d, const acl_view *acl, size_t index, size_t *pos, bp_ace *ace)
{
    util_reader r = d->sd;
    util_reader_seek(&r, *pos);
    uint8_t ace_type = util_read_u8(&r);
    uint8_t flags = util_read_u8(&r);
    uint16_t ace_size = util_read_u16(&r);
    if (r.failed || *pos + ACE_HEADER_SIZE > acl->end) {
        sd_warn(d, "%s ends at ACE %zu of %u (offset 0x%zx)", acl->label, index, acl->ace_count,
                d->base + *pos);
        return false;
    }
    if (ace_size < ACE_MIN_SIZE || ace_size > acl->end - *pos) {
        sd_warn(d, "%s ACE %zu at offset 0x%zx has an impossible size of %u bytes", acl->label, index,
                d->base + *pos, ace_size);
        return false;
    }
    util_reader body = util_reader_sub(&d->sd, *pos + ACE_HEADER_SIZE, ace_size - ACE_HEADER_SIZE);
    uint32_t mask = util_read_u32(&body);
    char text[BITS_FLAGS_TEXT_SIZE];
    ace->acl = acl->label;
    ace->ace_type_raw = ace_type;
    ace->ace_type = bits_ace_type_name(ace_type);
    ace->flags_raw = flags;
    ace->flags = flags ? arena_text(d->arena, bits_ace_flags_text(flags, text)) : "";  /* most ACEs: none */
    ace->mask = mask;
    bool is_label = ace_type == ACE_TYPE_MANDATORY_LABEL;
    if (!d->last_rights || d->last_mask != mask || d->last_is_label != is_label) {
        d->last_rights = arena_text(d->arena, bits_access_mask_text(mask, ace_type, text));
        d->last_mask = mask;
        d->last_is_label = is_label;
    }
    ace->rights = d->last_rights;
    ace->sid = ace_sid(d, &body, ace_type, *pos);
    ace->account = bits_well_known_sid_name(ace->sid);
    note_integrity_label(d, ace);
    *pos += ace_size;
    return true;
}

static void decode_acl(sd_decoder *d, const acl_view *acl)
{
    size_t limit = acl_capacity(acl);
    if (acl->present && acl->ace_count > limit)
        sd_warn(d, "%s claims %u ACEs but only %zu fit", acl->label, acl->ace_count, limit);
    size_t pos = acl->start + ACL_HEADER_SIZE;
    for (size_t index = 0; index < limit; index++) {
        size_t at = pos;
        if (!decode_ace(d, acl, index, &pos, &d->out->aces[d->out->ace_count]))
            break;
        if (d->ace_offsets)
            d->ace_offsets[d->out->ace_count] = at;
        d->out->ace_count++;
    }
}

typedef struct placed_sid {
    size_t offset;
    size_t index;                /* ties: owner, group, then the ACEs as decoded */
    const char *sid;
} placed_sid;

static int compare_placed_sids(const void *a, const void *b)
{
    const placed_sid *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Every distinct SID of the descriptor (owner, group, each ACE's trustee) in
 * the order its bytes are stored. Without the ACE offsets (out of memory) the
 * owner and group come first. */
static void list_sids_in_stored_order(sd_decoder *d, uint32_t owner, uint32_t group)
{
    bits_security_descriptor *out = d->out;
    size_t total = out->ace_count + 2;
    placed_sid *placed = malloc(total * sizeof(*placed));
    const char **sids = util_arena_array(d->arena, total, sizeof(*sids));
    if (!placed || !sids) {
        free(placed);
        return;
    }
    size_t count = 0;
    placed[count++] = (placed_sid){d->ace_offsets ? owner : 0, 0, out->owner_sid};
    placed[count++] = (placed_sid){d->ace_offsets ? group : 0, 1, out->group_sid};
    for (size_t i = 0; i < out->ace_count; i++, count++)
        placed[count] = (placed_sid){d->ace_offsets ? d->ace_offsets[i] : 1, count, out->aces[i].sid};
    qsort(placed, count, sizeof(*placed), compare_placed_sids);
    /* a job's descriptor has a handful of SIDs: compared with those kept so
     * far; a hash map only for descriptors with many ACEs */
    bool use_map = count > SMALL_SID_COUNT;
    util_string_map seen = {0};
    for (size_t i = 0; i < count; i++) {
        const char *sid = placed[i].sid;
        if (!sid || !sid[0])
            continue;
        bool known = false;
        if (use_map) {
            size_t at;
            known = util_string_map_get(&seen, sid, &at);
            if (!known)
                util_string_map_add(&seen, sid, out->sid_count);
        } else {
            for (size_t k = 0; k < out->sid_count && !known; k++)
                known = strcmp(sids[k], sid) == 0;
        }
        if (!known)
            sids[out->sid_count++] = sid;
    }
    util_string_map_free(&seen);
    free(placed);
    out->sids = sids;
}

static void empty_descriptor(bits_security_descriptor *out, size_t size)
{
    memset(out, 0, sizeof(*out));
    out->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    out->owner_sid = "";
    out->group_sid = "";
}

bool bits_decode_security_descriptor(util_arena *arena, util_reader sd, size_t base_offset,
                                     const char *where, bp_note_list *warnings,
                                     bits_security_descriptor *out)
{
    sd_decoder d = {.arena = arena, .sd = util_reader_make(sd.data, sd.size), .base = base_offset,
                    .where = where ? where : "security descriptor", .warnings = warnings, .out = out};
    empty_descriptor(out, sd.size);
    util_reader r = d.sd;
    out->revision = util_read_u8(&r);
    util_read_u8(&r);  /* Sbz1 (resource manager control bits) */
    out->control = util_read_u16(&r);
    uint32_t owner = util_read_u32(&r), group = util_read_u32(&r);
    uint32_t sacl = util_read_u32(&r), dacl = util_read_u32(&r);
    if (r.failed) {
        sd_warn(&d, "only %zu bytes at offset 0x%zx, too short for a header", sd.size, base_offset);
        return false;
    }
    if (!(out->control & BITS_SE_SELF_RELATIVE)) {
        sd_warn(&d, "control 0x%04x at offset 0x%zx is not self-relative", out->control, base_offset);
        return false;
    }
    if (out->revision != 1)
        sd_warn(&d, "unexpected revision %u at offset 0x%zx", out->revision, base_offset);
    out->owner_sid = sid_at(&d, owner, "owner");
    out->group_sid = sid_at(&d, group, "group");
    acl_view dacl_view = read_acl_header(&d, "DACL", out->control & SE_DACL_PRESENT, dacl);
    acl_view sacl_view = read_acl_header(&d, "SACL", out->control & SE_SACL_PRESENT, sacl);
    size_t capacity = acl_capacity(&dacl_view) + acl_capacity(&sacl_view);
    out->aces = capacity ? util_arena_array(arena, capacity, sizeof(bp_ace)) : NULL;
    if (capacity && !out->aces)
        return false;
    d.ace_offsets = capacity ? malloc(capacity * sizeof(size_t)) : NULL;
    /* the ACLs in the order their bytes are stored: Windows writes the SACL
     * before the DACL, but the offsets decide */
    bool sacl_first = sacl_view.present && (!dacl_view.present || sacl_view.start < dacl_view.start);
    decode_acl(&d, sacl_first ? &sacl_view : &dacl_view);
    decode_acl(&d, sacl_first ? &dacl_view : &sacl_view);
    list_sids_in_stored_order(&d, owner, group);
    free(d.ace_offsets);
    return true;
}
