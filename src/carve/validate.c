#include "carve/validate.h"

#include <stdio.h>
#include <string.h>

#include "bits/markers.h"
#include "util/reader.h"

bool carve_filetime_ok(uint64_t filetime)
{
    return filetime == 0 || (filetime >= CARVE_FILETIME_MIN && filetime < CARVE_FILETIME_MAX);
}

bool carve_guid_text_ok(const char *text)
{
    if (!text || strlen(text) != 36)
        return false;
    bool all_zero = true, all_f = true;
    for (const char *p = text; *p; p++) {
        if (*p == '-')
            continue;
        if (*p != '0')
            all_zero = false;
        if (*p != 'f' && *p != 'F')
            all_f = false;
    }
    return !all_zero && !all_f;
}

bool carve_sid_text_ok(const char *text)
{
    if (!text || strncmp(text, "S-1-", 4) != 0)
        return false;
    const char *p = text + 4;
    for (;;) {
        size_t digits = 0;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits == 0 || digits > 10)
            return false;
        if (*p == '\0')
            return true;
        if (*p != '-')
            return false;
        p++;
    }
}

/* One counted string: 1 = good, 0 = wrong, -1 = the data ends first. */
static int one_string(util_reader *r)
{
    if (util_reader_left(r) < 4)
        return -1;
    uint32_t units = util_read_u32(r);
    if (units == 0 || units > BITS_WSTR_MAX_UNITS)
        return 0;
    bool cut = util_reader_left(r) < (size_t)units * 2;
    size_t available = cut ? util_reader_left(r) / 2 : units;
    const uint8_t *text = util_read_bytes(r, available * 2);
    if (!text && available)
        return 0;
    for (size_t i = 0; i < available; i++) {
        uint16_t unit = util_le16(text + 2 * i);
        bool last = i + 1 == units;
        if ((unit == 0) != last)
            return 0;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (i + 1 >= available)
                return cut ? -1 : 0;
            uint16_t next = util_le16(text + 2 * (i + 1));
            if (next < 0xDC00 || next > 0xDFFF)
                return 0;
            i++;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            return 0;
        }
    }
    return cut ? -1 : 1;
}

bool carve_strings_ok(const uint8_t *data, size_t size, size_t offset, unsigned count, bool *cut, size_t *end)
{
    *cut = false;
    util_reader r = util_reader_make(data, size);
    if (!util_reader_seek(&r, offset)) {
        *cut = true;
        *end = offset;
        return true;
    }
    *end = offset;
    for (unsigned i = 0; i < count; i++) {
        int status = one_string(&r);
        if (status == 0)
            return false;
        if (status < 0) {
            *cut = true;
            return true;
        }
        *end = r.pos;
    }
    return true;
}

static void append(char *out, size_t out_size, const char *what)
{
    size_t used = strlen(out);
    if (used + 1 >= out_size)
        return;
    snprintf(out + used, out_size - used, "%s%s", used ? ", " : "", what);
}

static bool timer_ok(const bp_timer *timer)
{
    return carve_filetime_ok(timer->start) && carve_filetime_ok(timer->deadline);
}

carve_verdict carve_check_job(const bp_job *job, const uint8_t *blob, size_t size, char *missing, size_t missing_size)
{
    missing[0] = '\0';
    /* fields 1-6: a real job id and enumerations in range */
    if (size < 0x30 || !carve_guid_text_ok(job->job_id))
        return CARVE_REJECT;
    if (job->job_type > 2 || job->priority > 3 || job->state > 8)
        return CARVE_REJECT;
    /* fields 7-11: five counted strings; upload jobs may carry a second GUID first */
    bool cut = false;
    size_t end = 0;
    bool strings = carve_strings_ok(blob, size, 0x30, 5, &cut, &end);
    if (!strings && size >= 0x40 && bits_is_job_marker(blob + 0x10))
        strings = carve_strings_ok(blob, size, 0x40, 5, &cut, &end);
    if (!strings)
        return CARVE_REJECT;
    if (!cut && !carve_sid_text_ok(job->owner_sid))
        return CARVE_REJECT;
    if (job->notify_flags > 0x3F)
        return CARVE_REJECT;
    for (size_t i = 0; i < job->file_count; i++)
        if (!carve_guid_text_ok(job->file_ids[i]))
            return CARVE_REJECT;
    if (!carve_filetime_ok(job->created) || !carve_filetime_ok(job->modified) ||
        !carve_filetime_ok(job->modified2) || !carve_filetime_ok(job->completed))
        return CARVE_REJECT;
    if (job->created && job->modified && job->created > job->modified)
        return CARVE_REJECT;
    if (!timer_ok(&job->inactivity_timer) || !timer_ok(&job->no_progress_timer) || !timer_ok(&job->error_timer) ||
        !timer_ok(&job->retry_timer))
        return CARVE_REJECT;
    if (job->complete)
        return CARVE_FULL;
    /* partial: say what is missing */
    if (cut)
        append(missing, missing_size, "names and owner");
    if (cut || job->security_descriptor_size == 0)
        append(missing, missing_size, "security descriptor");
    if (cut || (job->file_count == 0 && job->created == 0))
        append(missing, missing_size, "file list");
    if (job->created == 0 && job->modified == 0)
        append(missing, missing_size, "times");
    if (!job->tail_decoded && !job->creator_program[0])
        append(missing, missing_size, "creator program and HTTP method");
    append(missing, missing_size, "footer");
    return CARVE_PARTIAL;
}

carve_verdict carve_check_file(const bp_file *file, const uint8_t *blob, size_t size, size_t strings_at,
                               char *missing, size_t missing_size)
{
    missing[0] = '\0';
    bool cut = false;
    size_t end = 0;
    if (!carve_strings_ok(blob, size, strings_at, 3, &cut, &end))
        return CARVE_REJECT;
    if (!file->remote_url[0])
        return CARVE_REJECT;   /* every BITS file has a remote name; no row without a URL */
    if (file->bytes_total != UINT64_MAX && file->bytes_transferred > file->bytes_total)
        return CARVE_REJECT;
    if (!carve_filetime_ok(file->remote_file_time))
        return CARVE_REJECT;
    if (file->complete)
        return CARVE_FULL;
    if (cut)
        append(missing, missing_size, "local and temporary path");
    if (!file->volume[0])
        append(missing, missing_size, "byte counts and volume");
    if (!file->tail_decoded)
        append(missing, missing_size, "file size and remote time");
    append(missing, missing_size, "footer");
    return CARVE_PARTIAL;
}
