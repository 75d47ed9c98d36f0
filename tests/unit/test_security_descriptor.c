/* Security descriptor decoder (bits-format §4.6), binary SIDs, ACE names and
 * the offline well-known SID table. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"

#include "bits/security_descriptor.h"
#include "bits/well_known_sids.h"

#define REAL_SD_OFFSET 0x18A
#define REAL_SD_SIZE 1220
#define REAL_OWNER "S-1-5-21-1079689790-2336414676-942872339-1001"

static const char *find_note(const bp_note_list *list, const char *needle)
{
    for (const bp_note *note = list->head; note; note = note->next)
        if (strstr(note->text, needle))
            return note->text;
    return NULL;
}

static void print_notes(const bp_note_list *list)
{
    for (const bp_note *note = list->head; note; note = note->next)
        fprintf(stderr, "    warning: %s\n", note->text);
}

static bool descriptor_is_sane(const bits_security_descriptor *sd)
{
    if (!sd->owner_sid || !sd->group_sid || (sd->ace_count && !sd->aces))
        return false;
    for (size_t i = 0; i < sd->ace_count; i++) {
        const bp_ace *ace = &sd->aces[i];
        if (!ace->acl || !ace->ace_type || !ace->flags || !ace->rights || !ace->sid || !ace->account)
            return false;
    }
    return true;
}

static bool decode(util_arena *arena, const uint8_t *bytes, size_t size, bp_note_list *warnings,
                   bits_security_descriptor *sd)
{
    return bits_decode_security_descriptor(arena, util_reader_make(bytes, size), 0x100, "sd", warnings,
                                           sd);
}

/* ---- the descriptor of the real Windows 10 job ------------------------------------------- */

static void check_real(const uint8_t *bytes)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    CHECK(bits_decode_security_descriptor(&arena, util_reader_make(bytes, REAL_SD_SIZE), REAL_SD_OFFSET,
                                          "job blob: security descriptor", &warnings, &sd));
    CHECK_U64(sd.size, REAL_SD_SIZE);
    CHECK_U64(sd.revision, 1);
    CHECK_U64(sd.control, 0x801F);
    CHECK_STR(sd.owner_sid, REAL_OWNER);
    CHECK_STR(sd.group_sid, REAL_OWNER);
    CHECK(sd.has_integrity_label);
    CHECK_U64(sd.integrity_rid, 0x2000);
    CHECK_U64(sd.ace_count, 6);
    CHECK_U64(warnings.count, 0);
    print_notes(&warnings);
    if (sd.ace_count == 6) {  /* stored order: the SACL at offset 20, the DACL at 1028 */
        CHECK_STR(sd.aces[0].acl, "SACL");
        CHECK_STR(sd.aces[0].ace_type, "MandatoryLabel");
        CHECK_STR(sd.aces[0].sid, "S-1-16-8192");
        CHECK_STR(sd.aces[0].rights, "NoWriteUp");
        CHECK_STR(sd.aces[1].ace_type, "AccessDenied");
        CHECK_STR(sd.aces[1].sid, "S-1-5-7");
        CHECK_STR(sd.aces[2].sid, REAL_OWNER);
        CHECK_STR(sd.aces[2].account, "");
        CHECK_STR(sd.aces[3].sid, "S-1-5-32-544");
        CHECK_STR(sd.aces[4].sid, "S-1-5-32-580");
        CHECK_STR(sd.aces[5].sid, "S-1-15-2-1");
        for (int i = 1; i < 6; i++) {
            CHECK_STR(sd.aces[i].acl, "DACL");
            CHECK_U64(sd.aces[i].mask, 0xF003F);
            CHECK_U64(sd.aces[i].flags_raw, 0);
        }
    }
    util_arena_free(&arena);
}

/* Every cut and every overwritten u32: no crash, every string set. */
static void check_damage(const uint8_t *bytes)
{
    int failures = 0, silent_cuts = 0;
    uint8_t *copy = malloc(REAL_SD_SIZE);
    for (size_t length = 0; length <= REAL_SD_SIZE; length++) {
        uint8_t *cut = malloc(length ? length : 1);
        memcpy(cut, bytes, length);
        util_arena arena;
        util_arena_init(&arena);
        bp_note_list warnings = {0};
        bits_security_descriptor sd;
        decode(&arena, cut, length, &warnings, &sd);
        failures += !descriptor_is_sane(&sd);
        /* the group SID is the last structure: any shorter cut must say something */
        silent_cuts += length < REAL_SD_SIZE && warnings.count == 0;
        util_arena_free(&arena);
        free(cut);
    }
    for (size_t at = 0; at + 4 <= REAL_SD_SIZE; at++) {
        for (int fill = 0; fill < 2; fill++) {
            memcpy(copy, bytes, REAL_SD_SIZE);
            memset(copy + at, fill ? 0xFF : 0x00, 4);
            util_arena arena;
            util_arena_init(&arena);
            bp_note_list warnings = {0};
            bits_security_descriptor sd;
            decode(&arena, copy, REAL_SD_SIZE, &warnings, &sd);
            failures += !descriptor_is_sane(&sd);
            util_arena_free(&arena);
        }
    }
    CHECK_U64(failures, 0);
    CHECK_U64(silent_cuts, 0);
    free(copy);
}

/* ---- synthetic descriptors ----------------------------------------------------------------- */

typedef struct builder {
    uint8_t data[512];
    size_t size;
} builder;

static void put_bytes(builder *b, const void *bytes, size_t n)
{
    if (b->size + n > sizeof b->data)
        abort();
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_u8(builder *b, uint8_t v) { put_bytes(b, &v, 1); }

static void put_u16(builder *b, uint16_t v)
{
    put_u8(b, (uint8_t)v);
    put_u8(b, (uint8_t)(v >> 8));
}

static void put_u32(builder *b, uint32_t v)
{
    put_u16(b, (uint16_t)v);
    put_u16(b, (uint16_t)(v >> 16));
}

static const uint8_t sid_system[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
static const uint8_t sid_everyone[12] = {1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};

static void put_header(builder *b, uint16_t control, uint32_t owner, uint32_t group, uint32_t sacl,
                       uint32_t dacl)
{
    b->size = 0;
    put_u8(b, 1);
    put_u8(b, 0);
    put_u16(b, control);
    put_u32(b, owner);
    put_u32(b, group);
    put_u32(b, sacl);
    put_u32(b, dacl);
}

static void put_acl_header(builder *b, uint8_t revision, uint16_t size, uint16_t count)
{
    put_u8(b, revision);
    put_u8(b, 0);
    put_u16(b, size);
    put_u16(b, count);
    put_u16(b, 0);
}

/* DACL with an object ACE and a callback ACE, SACL with an audit ACE. */
static void check_ace_kinds(void)
{
    builder b;
    put_header(&b, 0x8014, 0, 0, 20, 20 + 8 + 24);
    put_acl_header(&b, 2, 8 + 24, 1);                /* SACL at 20 */
    put_u8(&b, 0x02);                                /* SystemAudit */
    put_u8(&b, 0xC0);                                /* SuccessfulAccess|FailedAccess */
    put_u16(&b, 24);
    put_u32(&b, 0x80000000);
    put_bytes(&b, sid_everyone, 12);
    put_u32(&b, 0);                                  /* 4 bytes of slack inside the ACE */
    put_acl_header(&b, 4, 8 + 56 + 20, 2);           /* DACL at 52 */
    put_u8(&b, 0x05);                                /* AccessAllowedObject */
    put_u8(&b, 0x13);
    put_u16(&b, 56);
    put_u32(&b, 0x00000100);
    put_u32(&b, 3);                                  /* both object types present */
    for (int i = 0; i < 32; i++)
        put_u8(&b, (uint8_t)i);
    put_bytes(&b, sid_system, 12);
    put_u8(&b, 0x09);                                /* AccessAllowedCallback */
    put_u8(&b, 0x20);
    put_u16(&b, 20);
    put_u32(&b, 0x10000000);
    put_bytes(&b, sid_everyone, 12);

    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK_STR(sd.owner_sid, "");
    CHECK_STR(sd.group_sid, "");
    CHECK(!sd.has_integrity_label);
    CHECK_U64(sd.ace_count, 3);
    CHECK_U64(warnings.count, 0);
    print_notes(&warnings);
    if (sd.ace_count == 3) {  /* the SACL (offset 20) is stored before the DACL (52) */
        CHECK_STR(sd.aces[0].acl, "SACL");
        CHECK_STR(sd.aces[0].ace_type, "SystemAudit");
        CHECK_STR(sd.aces[0].flags, "SuccessfulAccess|FailedAccess");
        CHECK_STR(sd.aces[0].rights, "GenericRead");
        CHECK_STR(sd.aces[0].sid, "S-1-1-0");
        CHECK_STR(sd.aces[1].acl, "DACL");
        CHECK_STR(sd.aces[1].ace_type, "AccessAllowedObject");
        CHECK_STR(sd.aces[1].sid, "S-1-5-18");
        CHECK_STR(sd.aces[1].account, "SYSTEM");
        CHECK_STR(sd.aces[1].flags, "ObjectInherit|ContainerInherit|Inherited");
        CHECK_STR(sd.aces[1].rights, "Specific0x100");
        CHECK_STR(sd.aces[2].ace_type, "AccessAllowedCallback");
        CHECK_STR(sd.aces[2].flags, "Critical");
        CHECK_STR(sd.aces[2].rights, "GenericAll");
        CHECK_STR(sd.aces[2].account, "Everyone");
    }
    CHECK_U64(sd.sid_count, 2);  /* no owner or group: Everyone (SACL), then SYSTEM */
    if (sd.sid_count == 2) {
        CHECK_STR(sd.sids[0], "S-1-1-0");
        CHECK_STR(sd.sids[1], "S-1-5-18");
    }
    util_arena_free(&arena);
}

/* A descriptor's ACEs share the rights text of the previous ACE with the same
 * mask; a mandatory label with that mask names other bits, so it must get its
 * own text, and the mask after it must not reuse the label's. */
static void check_repeated_masks(void)
{
    static const struct {
        uint8_t type;
        uint32_t mask;
        const char *rights;
    } aces[] = {
        {0x00, 0x000F003F, "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|Specific0x20|"
                           "Delete|ReadControl|WriteDac|WriteOwner"},
        {0x01, 0x000F003F, "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|Specific0x20|"
                           "Delete|ReadControl|WriteDac|WriteOwner"},
        {0x00, 0x00000001, "Specific0x1"},
        {0x11, 0x00000001, "NoWriteUp"},     /* mandatory label, same mask */
        {0x00, 0x00000001, "Specific0x1"},
        {0x11, 0x00000003, "NoWriteUp|NoReadUp"},
        {0x00, 0x000F003F, "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|Specific0x20|"
                           "Delete|ReadControl|WriteDac|WriteOwner"},
    };
    enum { COUNT = sizeof aces / sizeof aces[0], ACE_SIZE = 20 };
    builder b;
    put_header(&b, 0x8004, 0, 0, 0, 20);
    put_acl_header(&b, 2, (uint16_t)(8 + COUNT * ACE_SIZE), COUNT);
    for (size_t i = 0; i < COUNT; i++) {
        put_u8(&b, aces[i].type);
        put_u8(&b, 0);
        put_u16(&b, ACE_SIZE);
        put_u32(&b, aces[i].mask);
        put_bytes(&b, aces[i].type == 0x11 ? (const uint8_t[12]){1, 1, 0, 0, 0, 0, 0, 16, 0, 0x20, 0, 0}
                                           : sid_everyone, 12);
    }
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK_U64(sd.ace_count, COUNT);
    for (size_t i = 0; i < sd.ace_count && i < COUNT; i++) {
        CHECK_U64(sd.aces[i].mask, aces[i].mask);
        CHECK_STR(sd.aces[i].rights, aces[i].rights);
    }
    util_arena_free(&arena);
}

static void check_hostile(void)
{
    util_arena arena;
    util_arena_init(&arena);
    builder b;
    bits_security_descriptor sd;

    bp_note_list warnings = {0};  /* absolute form: offsets would be pointers */
    put_header(&b, 0x0014, 20, 20, 0, 0);
    CHECK(!decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK(find_note(&warnings, "sd: control 0x0014 at offset 0x100 is not self-relative") != NULL);
    CHECK(descriptor_is_sane(&sd));

    warnings = (bp_note_list){0};  /* owner and group outside, NULL DACL */
    put_header(&b, 0x8004, 500, 0xFFFFFFFF, 0, 0);
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK(find_note(&warnings, "owner SID at offset 0x2f4 lies outside the descriptor") != NULL);
    CHECK(find_note(&warnings, "group SID at offset 0x1000000ff lies outside") != NULL);
    CHECK_U64(sd.ace_count, 0);

    warnings = (bp_note_list){0};  /* 65535 claimed ACEs in a 28-byte ACL */
    put_header(&b, 0x8004, 0, 0, 0, 20);
    put_acl_header(&b, 2, 28, 0xFFFF);
    put_u8(&b, 0);
    put_u8(&b, 0);
    put_u16(&b, 20);
    put_u32(&b, 1);
    put_bytes(&b, sid_system, 12);
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK_U64(sd.ace_count, 1);
    CHECK(find_note(&warnings, "DACL claims 65535 ACEs but only 2 fit") != NULL);

    warnings = (bp_note_list){0};  /* ACE of size 0, ACL larger than the descriptor */
    put_header(&b, 0x8004, 0, 0, 0, 20);
    put_acl_header(&b, 2, 400, 3);
    put_u8(&b, 0);
    put_u8(&b, 0);
    put_u16(&b, 0);
    put_u32(&b, 1);
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK_U64(sd.ace_count, 0);
    CHECK(find_note(&warnings, "DACL at offset 0x114 claims 400 bytes, 16 available") != NULL);
    CHECK(find_note(&warnings, "DACL ACE 0 at offset 0x11c has an impossible size of 0 bytes") != NULL);

    warnings = (bp_note_list){0};  /* SID with 16 sub-authorities, unknown ACE type */
    put_header(&b, 0x8004, 0, 0, 0, 20);
    put_acl_header(&b, 2, 8 + 16 + 8, 2);
    put_u8(&b, 0);
    put_u8(&b, 0);
    put_u16(&b, 16);
    put_u32(&b, 1);
    put_bytes(&b, (const uint8_t[]){1, 16, 0, 0, 0, 0, 0, 5}, 8);
    put_u8(&b, 0x7F);
    put_u8(&b, 0);
    put_u16(&b, 8);
    put_u32(&b, 0xFFFFFFFF);
    CHECK(decode(&arena, b.data, b.size, &warnings, &sd));
    CHECK_U64(sd.ace_count, 2);
    CHECK(descriptor_is_sane(&sd));
    CHECK(find_note(&warnings, "ACE at offset 0x11c holds no valid SID") != NULL);
    CHECK(find_note(&warnings, "ACE at offset 0x12c has unknown type 0x7f") != NULL);
    if (sd.ace_count == 2) {
        CHECK_STR(sd.aces[0].sid, "");
        CHECK_STR(sd.aces[1].ace_type, "UNKNOWN");
        CHECK_STR(sd.aces[1].rights,
                  "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|Specific0x20|"
                  "Specific0x40|Specific0x80|Specific0x100|Specific0x200|Specific0x400|"
                  "Specific0x800|Specific0x1000|Specific0x2000|Specific0x4000|Specific0x8000|"
                  "Delete|ReadControl|WriteDac|WriteOwner|Synchronize|AccessSystemSecurity|"
                  "MaximumAllowed|GenericAll|GenericExecute|GenericWrite|GenericRead|0xce00000");
    }

    warnings = (bp_note_list){0};
    CHECK(!decode(&arena, NULL, 0, &warnings, &sd));
    CHECK(find_note(&warnings, "too short for a header") != NULL);
    util_arena_free(&arena);
}

/* ---- SIDs and names --------------------------------------------------------------------- */

static const char *sid_text(util_arena *arena, const uint8_t *bytes, size_t size, bool *failed)
{
    util_reader r = util_reader_make(bytes, size);
    const char *text = bits_read_sid(arena, &r);
    *failed = r.failed;
    return text;
}

static void check_sids(void)
{
    util_arena arena;
    util_arena_init(&arena);
    bool failed;
    CHECK_STR(sid_text(&arena, sid_system, 12, &failed), "S-1-5-18");
    CHECK_STR(sid_text(&arena, (const uint8_t[]){1, 0, 0, 0, 0, 0, 0, 0}, 8, &failed), "S-1-0");
    CHECK_STR(sid_text(&arena, (const uint8_t[]){1, 1, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 1, 0, 0, 0},
                       12, &failed),
              "S-1-0x123456789ABC-1");
    uint8_t longest[8 + 15 * 4];
    memset(longest, 0xFF, sizeof longest);
    longest[0] = 1;
    longest[1] = 15;
    memset(longest + 2, 0, 5);
    longest[7] = 5;
    CHECK_STR(sid_text(&arena, longest, sizeof longest, &failed),
              "S-1-5-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-"
              "4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295");
    CHECK(sid_text(&arena, sid_system, 11, &failed) == NULL && failed);
    CHECK(sid_text(&arena, (const uint8_t[]){2, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, 12, &failed) ==
              NULL && !failed);
    longest[1] = 16;
    CHECK(sid_text(&arena, longest, sizeof longest, &failed) == NULL && !failed);
    util_arena_free(&arena);
}

static void check_names(void)
{
    char text[BITS_FLAGS_TEXT_SIZE];
    CHECK_STR(bits_ace_type_name(0x00), "AccessAllowed");
    CHECK_STR(bits_ace_type_name(0x01), "AccessDenied");
    CHECK_STR(bits_ace_type_name(0x02), "SystemAudit");
    CHECK_STR(bits_ace_type_name(0x11), "MandatoryLabel");
    CHECK_STR(bits_ace_type_name(0x15), "SystemAccessFilter");
    CHECK_STR(bits_ace_type_name(0x16), "UNKNOWN");
    CHECK_STR(bits_ace_flags_text(0, text), "");
    CHECK_STR(bits_ace_flags_text(0x0F, text),
              "ObjectInherit|ContainerInherit|NoPropagateInherit|InheritOnly");
    CHECK_STR(bits_access_mask_text(0x7, 0x11, text), "NoWriteUp|NoReadUp|NoExecuteUp");
    CHECK_STR(bits_access_mask_text(0x9, 0x11, text), "NoWriteUp|0x8");
    CHECK_STR(bits_access_mask_text(0x120089, 0x00, text),
              "Specific0x1|Specific0x8|Specific0x80|ReadControl|Synchronize");
    CHECK_STR(bits_access_mask_text(0, 0x00, text), "");

    CHECK_STR(bits_well_known_sid_name("S-1-5-18"), "SYSTEM");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-18"), "NT AUTHORITY");
    CHECK_STR(bits_well_known_sid_name("S-1-5-19"), "LOCAL SERVICE");
    CHECK_STR(bits_well_known_sid_name("S-1-5-20"), "NETWORK SERVICE");
    CHECK_STR(bits_well_known_sid_name("S-1-5-7"), "ANONYMOUS LOGON");
    CHECK_STR(bits_well_known_sid_name("S-1-5-2"), "NETWORK");
    CHECK_STR(bits_well_known_sid_name("S-1-5-11"), "Authenticated Users");
    CHECK_STR(bits_well_known_sid_name("S-1-1-0"), "Everyone");
    CHECK_STR(bits_well_known_sid_name("S-1-3-0"), "CREATOR OWNER");
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-544"), "Administrators");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-32-544"), "BUILTIN");
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-545"), "Users");
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-580"), "Remote Management Users");
    CHECK_STR(bits_well_known_sid_name("S-1-15-2-1"), "ALL APPLICATION PACKAGES");
    CHECK_STR(bits_well_known_sid_name("S-1-16-0"), "Untrusted Mandatory Level");
    CHECK_STR(bits_well_known_sid_name("S-1-16-4096"), "Low Mandatory Level");
    CHECK_STR(bits_well_known_sid_name("S-1-16-8448"), "Medium Plus Mandatory Level");
    CHECK_STR(bits_well_known_sid_name("S-1-16-12288"), "High Mandatory Level");
    CHECK_STR(bits_well_known_sid_name("S-1-16-16384"), "System Mandatory Level");
    CHECK_STR(bits_well_known_sid_name("S-1-16-20480"), "Protected Process Mandatory Level");
    CHECK_STR(bits_well_known_sid_domain("S-1-16-8192"), "Mandatory Label");
    CHECK_STR(bits_well_known_sid_name("S-1-5-21-1079689790-2336414676-942872339-500"),
              "Administrator");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-21-1079689790-2336414676-942872339-500"), "");
    CHECK_STR(bits_well_known_sid_name(REAL_OWNER), "");
    CHECK_STR(bits_well_known_sid_name("S-1-5-21-1-2-500"), "");
    CHECK_STR(bits_well_known_sid_name("S-1-5-21-1-2-3-500-1"), "");
    CHECK_STR(bits_well_known_sid_name("S-1-5-180"), "");
    CHECK_STR(bits_well_known_sid_name(""), "");
    CHECK_STR(bits_well_known_sid_name(NULL), "");
}

int main(void)
{
    check_names();
    check_sids();
    check_ace_kinds();
    check_repeated_masks();
    check_hostile();

    if (check_failures)  /* report synthetic failures even without the shared data */
        return check_exit();
    size_t size = 0;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob != NULL && size >= REAL_SD_OFFSET + REAL_SD_SIZE);
    if (!blob || size < REAL_SD_OFFSET + REAL_SD_SIZE)
        return check_exit();
    check_real(blob + REAL_SD_OFFSET);
    check_damage(blob + REAL_SD_OFFSET);
    free(blob);
    return check_exit();
}
