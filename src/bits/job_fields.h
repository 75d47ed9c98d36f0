/* Readers of the groups of job fields that every BITS job serializer shares
 * (bits-format §4.1 fields 1-19 and 24-47). The legacy job record
 * (legacy_job_record.c) and the ESE-era job blob (job_blob.c) are built from them.
 *
 * They read through a bits_blob_reader (blob_reader.h); offsets in warnings are
 * positions of its reader, so a reader over a whole state file gives file
 * offsets and one over a single blob blob offsets. */
#ifndef BP_BITS_JOB_FIELDS_H
#define BP_BITS_JOB_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "bits/blob_reader.h"
#include "bits/security_descriptor_cache.h"
#include "util/arena.h"

/* Fields 1-6: marker (any 16 bytes; *marker points at them), type/priority/state
 * (type chosen as in §4.4), job id. Sets job->marker and job->job_id. */
bool bits_job_read_header(bits_blob_reader *b, bp_job *job, const uint8_t **marker);
/* Fields 2-6 alone, for callers that read (and check) the marker themselves. */
bool bits_job_read_type_state_id(bits_blob_reader *b, bp_job *job);
/* Fields 7-17: display name, description, notify program and arguments, owner
 * SID, notify flags, LocalSystem flag, integrity level, three unknown u32s. */
bool bits_job_read_owner(bits_blob_reader *b, bp_job *job);
/* Fields 18-19: u32 length and the security descriptor. An impossible length is
 * a warning, not a failure (returns true with the reader after the length):
 * the caller then looks for the transfer marker. `cache` (NULL: none) answers
 * a descriptor already decoded without warnings (security_descriptor_cache.h). */
bool bits_job_read_security(bits_blob_reader *b, bp_job *job, bits_sd_cache *cache);
/* Fields 24-25: u32 error count, then the records (21-byte form or, when only
 * that one fits, the older 25-byte form; §4.5). */
bool bits_job_read_errors(bits_blob_reader *b, bp_job *job);
/* Fields 26-38: counters, the four times, u8, u32 and the four timers. */
bool bits_job_read_times(bits_blob_reader *b, bp_job *job);
/* Fields 39-47: proxy usage and lists, ACL flags, custom headers, 32-byte block. */
bool bits_job_read_options(bits_blob_reader *b, bp_job *job);

/* Every string of a fresh job set to "", blob_size from size. */
void bits_job_init(bp_job *job, size_t size);

#endif
