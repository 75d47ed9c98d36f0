#include "blob_encoders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* On-disk bytes of the GUIDs (bits-format §4.3, §4.1 #20, §5.1 #1/#22). */
static const uint8_t job_marker[16] = {0xA1, 0x56, 0x09, 0xE1, 0x43, 0xAF, 0xC9, 0x42,
                                       0x92, 0xE6, 0x6F, 0x98, 0x56, 0xEB, 0xA7, 0xF6};
static const uint8_t transfer_marker[16] = {0x36, 0xDA, 0x56, 0x77, 0x6F, 0x51, 0x5A, 0x43,
                                            0xAC, 0xAC, 0x44, 0xA2, 0x48, 0xFF, 0xF3, 0x4D};
static const uint8_t job_tail_anchor[16] = {3, 0, 0, 0, 0x12, 0, 0, 0, 3, 0, 0, 0, 0x13, 0, 0, 0};
static const uint8_t file_marker[16] = {0xE4, 0xCF, 0x9E, 0x51, 0x46, 0xD9, 0x97, 0x43,
                                        0xB7, 0x3E, 0x26, 0x85, 0x13, 0x05, 0x1A, 0xB2};
static const uint8_t file_tail_marker[16] = {0x2E, 0xB0, 0xAD, 0x7A, 0xCF, 0x8B, 0x2E, 0x4D,
                                             0xB8, 0x2F, 0x43, 0x19, 0xD2, 0xFB, 0x5F, 0x75};

enum {
    STATE_ERROR = 4,
    STATE_TRANSIENT_ERROR = 5,
    STATE_SUSPENDED = 3,
    STATE_TRANSFERRED = 6,
    STATE_ACKNOWLEDGED = 7,
    JOB_ACCESS_ALL = 0x000F003F,  /* mask of every DACL ACE in the samples */
    SACL_SIZE = 1008,             /* the samples' SACL: one label ACE, the rest zero */
};

/* ---- security descriptor (§4.6) ------------------------------------------------------------ */

bool mk_encode_sid(const char *text, mk_buffer *out)
{
    if (strncmp(text, "S-1-", 4) != 0)
        return false;
    const char *p = text + 4;
    char *end;
    unsigned long long authority = strtoull(p, &end, 10);
    if (end == p || authority > 0xFFFFFFFFFFFFULL)
        return false;
    uint32_t subs[15];
    size_t count = 0;
    for (p = end; *p == '-' && count < 15; p = end) {
        unsigned long long v = strtoull(p + 1, &end, 10);
        if (end == p + 1 || v > UINT32_MAX)
            return false;
        subs[count++] = (uint32_t)v;
    }
    if (*p)
        return false;
    mk_put_u8(out, 1);
    mk_put_u8(out, (uint8_t)count);
    for (int i = 5; i >= 0; i--)
        mk_put_u8(out, (uint8_t)(authority >> (8 * i)));
    for (size_t i = 0; i < count; i++)
        mk_put_u32(out, subs[i]);
    return true;
}

static void put_ace(mk_buffer *acl, uint8_t type, uint32_t mask, const char *sid)
{
    mk_buffer sid_bytes = {NULL, 0, 0};
    mk_encode_sid(sid, &sid_bytes);
    mk_put_u8(acl, type);
    mk_put_u8(acl, 0);
    mk_put_u16(acl, (uint16_t)(8 + sid_bytes.size));
    mk_put_u32(acl, mask);
    mk_put_bytes(acl, sid_bytes.data, sid_bytes.size);
    mk_buffer_free(&sid_bytes);
}

/* Control 0x801F, SACL with the mandatory label, DACL of the five ACEs every
 * sample carries, then owner = group = the job owner. */
static void put_security_descriptor(mk_buffer *out, const mk_job *job)
{
    mk_buffer sacl = {NULL, 0, 0}, dacl = {NULL, 0, 0}, owner = {NULL, 0, 0};
    char label[32];
    snprintf(label, sizeof label, "S-1-16-%u", job->owner_integrity);
    put_ace(&sacl, 0x11, 0x1, label);          /* SYSTEM_MANDATORY_LABEL, no-write-up */
    put_ace(&dacl, 0x01, JOB_ACCESS_ALL, "S-1-5-7");       /* deny Anonymous */
    put_ace(&dacl, 0x00, JOB_ACCESS_ALL, job->owner_sid);
    put_ace(&dacl, 0x00, JOB_ACCESS_ALL, "S-1-5-32-544");  /* Administrators */
    put_ace(&dacl, 0x00, JOB_ACCESS_ALL, "S-1-5-32-580");  /* Remote Management Users */
    put_ace(&dacl, 0x00, JOB_ACCESS_ALL, "S-1-15-2-1");    /* ALL APPLICATION PACKAGES */
    mk_encode_sid(job->owner_sid, &owner);

    uint32_t sacl_at = 20, dacl_at = sacl_at + SACL_SIZE;
    uint32_t owner_at = dacl_at + 8 + (uint32_t)dacl.size, group_at = owner_at + (uint32_t)owner.size;
    uint32_t total = group_at + (uint32_t)owner.size;
    mk_put_u32(out, total);
    mk_put_u8(out, 1);       /* revision */
    mk_put_u8(out, 0);
    mk_put_u16(out, 0x801F); /* self-relative, owner/group defaulted, DACL and SACL present */
    mk_put_u32(out, owner_at);
    mk_put_u32(out, group_at);
    mk_put_u32(out, sacl_at);
    mk_put_u32(out, dacl_at);
    mk_put_u8(out, 4);       /* SACL: revision 4, size 1008, one ACE */
    mk_put_u8(out, 0);
    mk_put_u16(out, SACL_SIZE);
    mk_put_u16(out, 1);
    mk_put_u16(out, 0);
    mk_put_bytes(out, sacl.data, sacl.size);
    mk_put_zeros(out, SACL_SIZE - 8 - sacl.size);
    mk_put_u8(out, 2);       /* DACL: revision 2, five ACEs */
    mk_put_u8(out, 0);
    mk_put_u16(out, (uint16_t)(8 + dacl.size));
    mk_put_u16(out, 5);
    mk_put_u16(out, 0);
    mk_put_bytes(out, dacl.data, dacl.size);
    mk_put_bytes(out, owner.data, owner.size);
    mk_put_bytes(out, owner.data, owner.size);
    mk_buffer_free(&sacl);
    mk_buffer_free(&dacl);
    mk_buffer_free(&owner);
}

/* ---- job blob (§4.1) ------------------------------------------------------------------------ */

static void put_timer(mk_buffer *out, bool present, uint64_t start, uint64_t deadline)
{
    mk_put_u8(out, present);
    if (present) {
        mk_put_u64(out, start);
        mk_put_u64(out, deadline);
    }
}

static void put_optional_wstr(mk_buffer *out, const char *text)
{
    mk_put_u8(out, text != NULL);
    if (text)
        mk_put_wstr(out, text);
}

void mk_encode_job_blob(const mk_description *d, const mk_job *job, mk_buffer *out)
{
    bool done = job->state == STATE_TRANSFERRED || job->state == STATE_ACKNOWLEDGED;
    const uint64_t second = MK_FILETIME_PER_SECOND;
    mk_put_bytes(out, job_marker, 16);                  /* 1 */
    mk_put_u32(out, 0);                                 /* 2: second type slot, 0 in every sample */
    mk_put_u32(out, job->priority);                     /* 3 */
    mk_put_u32(out, job->state);                        /* 4 */
    mk_put_u32(out, job->type);                         /* 5 */
    mk_put_bytes(out, job->id, 16);                     /* 6 */
    mk_put_wstr(out, job->name);                        /* 7-11 */
    mk_put_wstr(out, job->description);
    mk_put_wstr(out, job->notify_program);
    mk_put_wstr(out, job->notify_arguments);
    mk_put_wstr(out, job->owner_sid);
    mk_put_u32(out, job->notify_flags);                 /* 12 */
    mk_put_u32(out, strcmp(job->owner_sid, "S-1-5-18") == 0);  /* 13 */
    mk_put_u32(out, job->owner_integrity);              /* 14 */
    mk_put_u32(out, done);                              /* 15, 16: 1 on transferred jobs */
    mk_put_u32(out, done);
    mk_put_u32(out, mk_hash32(job->owner_sid, strlen(job->owner_sid), 17)); /* 17: per-owner constant */
    put_security_descriptor(out, job);                  /* 18, 19 */
    mk_put_bytes(out, transfer_marker, 16);             /* 20-23 */
    mk_put_u32(out, (uint32_t)job->file_count);
    for (size_t i = 0; i < job->file_count; i++)
        mk_put_bytes(out, d->files[job->file_indexes[i]].id, 16);
    mk_put_bytes(out, transfer_marker, 16);
    mk_put_u32(out, job->has_error);                    /* 24, 25: the 21-byte error record */
    if (job->has_error) {
        mk_put_u32(out, 0);
        mk_put_u32(out, job->error_hresult);
        mk_put_u32(out, 1);
        mk_put_u32(out, job->error_context);
        mk_put_u32(out, job->error_class);
        mk_put_u8(out, 0);
    }
    mk_put_u32(out, job->transient_error_count);        /* 26-28 */
    mk_put_u32(out, job->retry_delay);
    mk_put_u32(out, job->no_progress_timeout);
    mk_put_u64(out, job->created);                      /* 29-32 */
    mk_put_u64(out, job->modified);
    mk_put_u64(out, job->modified);
    mk_put_u64(out, job->completed);
    mk_put_u8(out, 0);                                  /* 33 */
    mk_put_u32(out, done ? 1 : job->has_error ? 2 : 0); /* 34: pending-notification kind */
    put_timer(out, true, job->modified, job->expiration);              /* 35: inactivity */
    put_timer(out, job->transient_error_count > 0, job->modified,      /* 36: no progress */
              job->modified + job->no_progress_timeout * second);
    put_timer(out, job->state == STATE_ERROR, job->modified, job->modified);  /* 37: error */
    put_timer(out, job->state == STATE_TRANSIENT_ERROR, job->modified,        /* 38: retry */
              job->modified + job->retry_delay * second);
    mk_put_u32(out, job->proxy_usage);                  /* 39-41 */
    put_optional_wstr(out, job->proxy_list);
    put_optional_wstr(out, job->proxy_bypass_list);
    mk_put_u8(out, 0);                                  /* 42 */
    mk_put_u32(out, job->acl_flags);                    /* 43 */
    mk_put_zeros(out, 3);                               /* 44 */
    mk_put_u8(out, 0);                                  /* 45: no custom headers */
    static const uint8_t block47[32] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    mk_put_bytes(out, block47, sizeof block47);         /* 47 */
    mk_put_u32(out, job->max_download_time);            /* 48 */
    mk_put_u32(out, 0);                                 /* 49, 50 */
    mk_put_u32(out, 0);
    mk_put_u32(out, job->cost_flags);                   /* 51 */
    mk_put_u32(out, 0);                                 /* 52 */
    mk_put_zeros(out, 38);                              /* 53 */
    mk_put_u8(out, job->state != STATE_SUSPENDED);      /* 54: a GUID twice */
    mk_put_bytes(out, job->field54_guid, 16);
    if (job->package_family_name || job->package_app_id) {
        mk_put_u8(out, 0);                              /* 54b (24H2): the creating app's package */
        put_optional_wstr(out, job->package_family_name);
        put_optional_wstr(out, job->package_app_id);
        mk_put_u8(out, 1);
        mk_put_u32(out, 0x25);                          /* unknown; 0x25 in every real sample */
    } else {
        mk_put_u8(out, 1);
    }
    mk_put_bytes(out, job->field54_guid, 16);
    mk_put_zeros(out, 21);                              /* 55 */
    mk_put_wstr(out, job->creator_program);             /* 56 */
    mk_put_bytes(out, job_tail_anchor, 16);             /* 57 */
    mk_put_wstr(out, job->http_method);                 /* 58 */
    mk_put_zeros(out, 3);                               /* 59 */
    mk_put_wstr(out, job->extra_string);                /* 60 */
    mk_put_u8(out, 0);                                  /* 61 */
    mk_put_bytes(out, job_marker, 16);                  /* 62: footer */
}

/* ---- file blob (§5.1) ------------------------------------------------------------------------ */

void mk_encode_file_blob(const mk_file *f, mk_buffer *out)
{
    bool complete = f->bytes_total != UINT64_MAX && f->bytes_transferred == f->bytes_total;
    mk_put_bytes(out, file_marker, 16);                 /* 1 */
    mk_put_wstr(out, f->local_path);                    /* 2-4 */
    mk_put_wstr(out, f->remote_url);
    mk_put_wstr(out, f->temp_path);
    mk_put_u64(out, f->bytes_transferred);              /* 5, 6 */
    mk_put_u64(out, f->bytes_total);
    mk_put_u8(out, 0);                                  /* 7 */
    mk_put_wstr(out, f->drive);                         /* 8, 9 */
    mk_put_wstr(out, f->volume);
    mk_put_u32(out, 3);                                 /* 10 */
    mk_put_u32(out, f->volume_serial);                  /* 11 */
    mk_put_u64(out, (uint64_t)f->file_size);            /* 12 */
    mk_put_u32(out, 0x80);                              /* 13: FILE_ATTRIBUTE_NORMAL */
    mk_put_u32(out, 0);                                 /* 14 */
    mk_put_u8(out, 0);                                  /* 15 */
    mk_put_u32(out, 0);                                 /* 16 */
    mk_put_u64(out, f->remote_file_time);               /* 17 */
    mk_put_zeros(out, 16);                              /* 18 */
    mk_put_u32(out, complete);                          /* 19 */
    mk_put_u64(out, f->bytes_transferred);              /* 20 */
    mk_put_u64(out, 0);                                 /* 21 */
    mk_put_bytes(out, file_tail_marker, 16);            /* 22 */
    mk_put_u32(out, 1);                                 /* 23 */
    mk_put_zeros(out, 6);                               /* 24 */
    mk_put_u32(out, complete);                          /* 25: range count */
    mk_put_zeros(out, 12);                              /* 26 */
    if (complete) {                                     /* 27 */
        mk_put_u64(out, f->bytes_total);
        mk_put_u64(out, 0);
    }
    mk_put_bytes(out, file_tail_marker, 16);            /* 28 */
    mk_put_bytes(out, file_marker, 16);                 /* 29: footer */
}
