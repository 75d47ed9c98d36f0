/* Regression (issue 18): real Windows 10 1809 logs hold event 5 records
 * whose values do not fit their template: the value at the jobId place is
 * UTF-16 text ("NT AU..."), which libevtx renders as a GUID-looking string
 * ({0054004E-0020-0041-5500-540048004F00}); the job's real GUID is the first
 * 16 bytes of the 4th value. bitsparse made jobs of such text. Now a value is
 * a job id only when the record gives it the GUID type (0x0F, 16 bytes);
 * otherwise the event goes to the job another value starts with (a job named
 * earlier in the log), else to an unknown job, with a warning either way.
 *
 * Built by patching, in memory, the event 5 of job 8f97efec-... (Google
 * Update, owner NT AUTHORITY\SYSTEM, created by event 3 earlier) in
 * win10-openvpn.evtx: the jobId value's descriptor gets the string type and
 * its 16 bytes become "NT AUTHO" in UTF-16; in the first variant the
 * jobOwner value then starts with the job's GUID, as in the 1809 records. */
#include <stdlib.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#define LOG "testdata/evtx/win10-openvpn.evtx"
#define JOB "8f97efec-9bdf-4726-90b9-8c56b76bdbd7"
#define EVENT5_OFFSET 9864  /* where that job's event 5 record lies */

/* 8f97efec-9bdf-4726-90b9-8c56b76bdbd7 in Windows memory order */
static const uint8_t job_guid[16] = {0xec, 0xef, 0x97, 0x8f, 0xdf, 0x9b, 0x26, 0x47,
                                     0x90, 0xb9, 0x8c, 0x56, 0xb7, 0x6b, 0xdb, 0xd7};
static const uint8_t nt_autho[16] = {'N', 0, 'T', 0, ' ', 0, 'A', 0, 'U', 0, 'T', 0, 'H', 0, 'O', 0};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The event 5 record's EventData instance: u32 count 5, five descriptors
 * (u16 size, u8 type, u8 0), then the values; the third is the job GUID.
 * Returns the offset of the descriptors' count, 0 when not found. */
static size_t find_instance(const uint8_t *data, size_t size, size_t *guid_at)
{
    uint32_t record_size = le32(data + EVENT5_OFFSET + 4);
    CHECK(memcmp(data + EVENT5_OFFSET, "**\0\0", 4) == 0 && record_size < 65536);
    for (size_t q = EVENT5_OFFSET + 24; q + 24 < EVENT5_OFFSET + record_size && q + 24 < size; q++) {
        if (le32(data + q) != 5)
            continue;
        const uint8_t *d = data + q + 4;
        if (le16(d + 8) != 16 || d[10] != 0x0f || d[11] != 0)
            continue;
        size_t values = q + 4 + 5 * 4;
        size_t at = values + le16(d) + le16(d + 4);
        if (at + 16 <= size && memcmp(data + at, job_guid, 16) == 0) {
            *guid_at = at;
            return q;
        }
    }
    return 0;
}

static const bp_record *record_of(const bp_result *result, const char *job_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++)
        if (!strcmp(bp_result_record(result, i)->job->job_id, job_id))
            return bp_result_record(result, i);
    return NULL;
}

static const bp_event *event5_of(const bp_record *r)
{
    for (size_t i = 0; r && i < r->event_count; i++)
        if (r->events[i].event_id == 5 && r->events[i].offset == EVENT5_OFFSET)
            return &r->events[i];
    return NULL;
}

static bool has_warning(const bp_note_list *notes, const char *part)
{
    for (const bp_note *n = notes->head; n; n = n->next)
        if (strstr(n->text, part))
            return true;
    return false;
}

/* No record's job id comes from the text. */
static void check_no_text_job(const bp_result *result)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const char *id = bp_result_record(result, i)->job->job_id;
        CHECK(strcmp(id, "0054004e-0020-0041-5500-540048004f00") != 0);
        CHECK(strcmp(id, "nt autho") != 0);
        CHECK(*id == '\0' || strlen(id) == 36);
    }
}

int main(void)
{
    size_t size = 0;
    uint8_t *original = read_whole_file(shared_path(LOG), &size);
    CHECK(original && size > EVENT5_OFFSET + 65536);
    if (!original)
        return check_exit();

    /* intact: the event 5 belongs to its job, no warning about it */
    bp_result *result = NULL;
    bp_parse_memory(original, size, "openvpn.evtx", &result);
    CHECK_U64(bp_result_count(result), 256);
    const bp_record *job = record_of(result, JOB);
    CHECK(event5_of(job) != NULL);
    CHECK_STR(job ? bp_job_state_name(job->job->state) : "", "BG_JOB_STATE_CANCELLED");
    CHECK(job && !has_warning(&job->job->warnings, "not a GUID"));
    bp_result_free(result);

    size_t guid_at = 0, instance = find_instance(original, size, &guid_at);
    CHECK(instance != 0);
    if (!instance) {
        free(original);
        return check_exit();
    }
    uint8_t *data = malloc(size);
    CHECK(data != NULL);
    if (!data) {
        free(original);
        return check_exit();
    }

    /* 1: the GUID is the start of the 4th value (jobOwner) */
    memcpy(data, original, size);
    data[instance + 4 + 2 * 4 + 2] = 0x01;   /* jobId: string type */
    memcpy(data + guid_at, nt_autho, 16);
    CHECK(le16(data + instance + 4 + 3 * 4) >= 16);
    memcpy(data + guid_at + 16, job_guid, 16);
    result = NULL;
    bp_parse_memory(data, size, "patched.evtx", &result);
    check_no_text_job(result);
    CHECK_U64(bp_result_count(result), 256);
    job = record_of(result, JOB);
    CHECK(event5_of(job) != NULL);
    CHECK_STR(job ? bp_job_state_name(job->job->state) : "", "BG_JOB_STATE_CANCELLED");
    CHECK(job && has_warning(&job->job->warnings, "event 5 (record "));
    CHECK(job && has_warning(&job->job->warnings, "): the value at the job id's place is not a GUID (type 0x01, "
                                                  "16 bytes, read as "));
    CHECK(job && has_warning(&job->job->warnings, "; the job id is the first 16 bytes of data item 4 (jobOwner), a "
                                                  "job this log names before"));
    CHECK(record_of(result, "") == NULL);
    bp_result_free(result);

    /* 2: no value carries the GUID: an unknown job, with the warning */
    memcpy(data, original, size);
    data[instance + 4 + 2 * 4 + 2] = 0x01;
    memcpy(data + guid_at, nt_autho, 16);
    result = NULL;
    bp_parse_memory(data, size, "patched.evtx", &result);
    check_no_text_job(result);
    CHECK_U64(bp_result_count(result), 257);
    job = record_of(result, JOB);
    CHECK(job && event5_of(job) == NULL);
    CHECK_U64(job ? job->job->state : 0, UINT32_MAX);  /* nothing says it was cancelled now */
    const bp_record *unknown = record_of(result, "");
    CHECK(unknown != NULL && event5_of(unknown) != NULL);
    if (unknown) {
        CHECK_U64(unknown->event_count, 1);
        CHECK_STR(bp_job_state_name(unknown->job->state), "BG_JOB_STATE_CANCELLED");
        CHECK(has_warning(&unknown->job->warnings, ", and no other value starts with the id of a job this log "
                                                   "names before: the job is unknown"));
    }
    bp_result_free(result);

    /* 3: the GUID type and size kept, the bytes UTF-16 text (what libevtx
     * shows as {0054004E-0020-0041-5500-540048004F00}), the GUID in jobOwner */
    memcpy(data, original, size);
    memcpy(data + guid_at, nt_autho, 16);
    memcpy(data + guid_at + 16, job_guid, 16);
    result = NULL;
    bp_parse_memory(data, size, "patched.evtx", &result);
    check_no_text_job(result);
    CHECK_U64(bp_result_count(result), 256);
    job = record_of(result, JOB);
    CHECK(event5_of(job) != NULL);
    CHECK(job && has_warning(&job->job->warnings, "is not a GUID (type 0x0f, 16 bytes, read as "
                                                  "{0054004E-0020-0041-5500-540048004F00}); the job id is the first "
                                                  "16 bytes of data item 4 (jobOwner)"));
    bp_result_free(result);
    free(data);
    free(original);
    return check_exit();
}
