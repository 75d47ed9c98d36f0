/* Regression ace-stored-order (issue 18 part 5): the ACEs were listed DACL
 * first whatever the bytes said, and additional_sids started with the owner
 * and group. A self-relative descriptor stores offsets to its SACL and DACL;
 * the ACEs now come in the order the ACLs are stored, and additional_sids
 * lists every distinct SID in the order its bytes are stored.
 * The real Windows 10 job's descriptor stores the SACL (mandatory label
 * S-1-16-8192) at offset 20, the DACL at 1028, the owner at 1164 and the
 * group at 1192: the label comes first. A hand-built descriptor with the DACL
 * first stays DACL first. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

#include "bits/job_blob.h"
#include "bits/security_descriptor.h"
#include "fields/record_fields.h"
#include "util/reader.h"

#define REAL_SD_OFFSET 0x18A
#define REAL_OWNER "S-1-5-21-1079689790-2336414676-942872339-1001"

/* The additional_sids output field of a record. */
static const fields_field *field_named(const char *name)
{
    for (size_t i = 0; i < fields_record_field_count(); i++)
        if (strcmp(fields_record_field(i)->name, name) == 0)
            return fields_record_field(i);
    return NULL;
}

static void check_real_blob(const uint8_t *blob, size_t size)
{
    /* the offsets as the bytes give them, read independently of the decoder */
    util_reader r = util_reader_make(blob, size);
    util_reader_seek(&r, REAL_SD_OFFSET + 4);
    uint32_t owner = util_read_u32(&r), group = util_read_u32(&r), sacl = util_read_u32(&r), dacl = util_read_u32(&r);
    CHECK(!r.failed);
    CHECK_U64(sacl, 20);
    CHECK_U64(dacl, 1028);
    CHECK_U64(owner, 1164);
    CHECK_U64(group, 1192);

    util_arena arena;
    util_arena_init(&arena);
    bp_job *job = bits_decode_job(&arena, blob, size);
    CHECK(job != NULL);
    if (!job) {
        util_arena_free(&arena);
        return;
    }
    static const char *const order[6][3] = {
        {"SACL", "MandatoryLabel", "S-1-16-8192"}, {"DACL", "AccessDenied", "S-1-5-7"},
        {"DACL", "AccessAllowed", REAL_OWNER},     {"DACL", "AccessAllowed", "S-1-5-32-544"},
        {"DACL", "AccessAllowed", "S-1-5-32-580"}, {"DACL", "AccessAllowed", "S-1-15-2-1"},
    };
    CHECK_U64(job->ace_count, 6);
    for (size_t i = 0; i < 6 && i < job->ace_count; i++) {
        CHECK_STR(job->aces[i].acl, order[i][0]);
        CHECK_STR(job->aces[i].ace_type, order[i][1]);
        CHECK_STR(job->aces[i].sid, order[i][2]);
    }
    /* additional_sids: the label, then the DACL's trustees; owner and group
     * (stored last) are the DACL's second trustee already */
    bp_record record;
    memset(&record, 0, sizeof(record));
    record.job = job;
    fields_field_value value;
    const fields_field *field = field_named("additional_sids");
    CHECK(field && fields_record_field_value(field, &record, &arena, &value));
    static const char *const sids[] = {"S-1-16-8192", "S-1-5-7", REAL_OWNER, "S-1-5-32-544", "S-1-5-32-580",
                                       "S-1-15-2-1"};
    CHECK_U64(value.text_count, 6);
    for (size_t i = 0; i < 6 && i < value.text_count; i++)
        CHECK_STR(value.texts[i], sids[i]);
    util_arena_free(&arena);
}

/* ---- a hand-built descriptor: DACL at 20, SACL after it, owner and group last ---------------- */

typedef struct builder {
    uint8_t data[256];
    size_t size;
} builder;

static void put(builder *b, const void *bytes, size_t n)
{
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_u32(builder *b, uint32_t v)
{
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, bytes, 4);
}

static void check_dacl_first(void)
{
    static const uint8_t sid_system[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    static const uint8_t sid_everyone[12] = {1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    static const uint8_t sid_high[12] = {1, 1, 0, 0, 0, 0, 0, 16, 0, 0x30, 0, 0};
    static const uint8_t sid_admins[16] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0};
    builder b = {{0}, 0};
    put(&b, (const uint8_t[]){1, 0, 0x14, 0x80}, 4);  /* revision 1, DACL + SACL present, self-relative */
    put_u32(&b, 100);                                  /* owner: Administrators */
    put_u32(&b, 116);                                  /* group: SYSTEM */
    put_u32(&b, 72);                                   /* SACL */
    put_u32(&b, 20);                                   /* DACL */
    put(&b, (const uint8_t[]){2, 0, 52, 0, 2, 0, 0, 0}, 8);  /* DACL at 20: 2 ACEs */
    put(&b, (const uint8_t[]){0x00, 0, 20, 0}, 4);
    put_u32(&b, 0x001F0000);
    put(&b, sid_everyone, 12);
    put(&b, (const uint8_t[]){0x01, 0, 24, 0}, 4);  /* AccessDenied Administrators */
    put_u32(&b, 0x00040000);
    put(&b, sid_admins, 16);
    put(&b, (const uint8_t[]){2, 0, 28, 0, 1, 0, 0, 0}, 8);  /* SACL at 72: the label */
    put(&b, (const uint8_t[]){0x11, 0, 20, 0}, 4);
    put_u32(&b, 1);
    put(&b, sid_high, 12);
    put(&b, sid_admins, 16);  /* owner at 100 */
    put(&b, sid_system, 12);  /* group at 116 */
    CHECK_U64(b.size, 128);

    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    CHECK(bits_decode_security_descriptor(&arena, util_reader_make(b.data, b.size), 0, "sd", &warnings, &sd));
    CHECK_U64(warnings.count, 0);
    CHECK_STR(sd.owner_sid, "S-1-5-32-544");
    CHECK_STR(sd.group_sid, "S-1-5-18");
    CHECK_U64(sd.ace_count, 3);
    if (sd.ace_count == 3) {
        CHECK_STR(sd.aces[0].acl, "DACL");
        CHECK_STR(sd.aces[0].sid, "S-1-1-0");
        CHECK_STR(sd.aces[1].acl, "DACL");
        CHECK_STR(sd.aces[1].ace_type, "AccessDenied");
        CHECK_STR(sd.aces[1].sid, "S-1-5-32-544");
        CHECK_STR(sd.aces[2].acl, "SACL");
        CHECK_STR(sd.aces[2].sid, "S-1-16-12288");
    }
    /* stored order: Everyone, Administrators (DACL), the label (SACL), then
     * SYSTEM (the group); the owner repeats Administrators */
    static const char *const sids[] = {"S-1-1-0", "S-1-5-32-544", "S-1-16-12288", "S-1-5-18"};
    CHECK_U64(sd.sid_count, 4);
    for (size_t i = 0; i < 4 && i < sd.sid_count; i++)
        CHECK_STR(sd.sids[i], sids[i]);
    util_arena_free(&arena);
}

int main(void)
{
    check_dacl_first();
    if (check_failures)  /* report synthetic failures even without the shared data */
        return check_exit();
    size_t size = 0;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob != NULL && size == 2055);
    if (blob && size == 2055)
        check_real_blob(blob, size);
    free(blob);
    return check_exit();
}
