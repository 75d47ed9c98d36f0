/* Legacy BITS state files qmgr0.dat / qmgr1.dat (Windows XP to early Windows
 * 10; bits-format §6, docs/format-legacy.md), and the bare pieces cut out of
 * them (one job record, one file list). Like qmgr_db.c, these readers append
 * records to core's bp_result directly. */
#ifndef BP_BITS_LEGACY_STATE_FILE_H
#define BP_BITS_LEGACY_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"

/* FILE_HEADER must start within the first LEGACY_HEADER_SEARCH bytes' reach. */
#define LEGACY_HEADER_SEARCH 64u

typedef enum legacy_version {
    LEGACY_VERSION_UNKNOWN = 0,
    LEGACY_VERSION_WIN7,    /* {2B196AF5-...}: the Windows 7 sample family */
    LEGACY_VERSION_WIN10,   /* {09ED3228-...}: early Windows 10, with a CRC-32 */
} legacy_version;

/* What the state-file reader found, for callers and tests. */
typedef struct legacy_state_info {
    legacy_version version;
    size_t header_offset;      /* FILE_HEADER; SIZE_MAX when not found */
    uint32_t job_count[2];     /* announced by queue 1 and queue 2 */
    size_t jobs_read[2];       /* job records found (with at least their id) */
    const char *marker;        /* the marker learned from the first job, "" when none */
    bool trailer_found;        /* closing queue headers, FILE_HEADER and version GUID */
    bool crc_expected;         /* Win10-era file: a CRC-32 must follow the trailer */
    bool crc_present;          /* the 4 bytes after the trailer are the CRC of what precedes */
    uint32_t crc_stored, crc_computed;
    size_t end;                /* offset after the trailer (and CRC when present) */
    size_t stale_bytes;        /* non-zero bytes after `end` (not read) */
} legacy_state_info;

/* FILE_HEADER followed by QUEUE_HEADER within the first 64 bytes; or, with one of
 * the two damaged, a known version GUID at offset 0 and the other one. */
bool legacy_is_state_file(const uint8_t *data, size_t size);

/* Read a state file: one record per (job, file), source.format "legacy". Input
 * problems go to result->warnings prefixed with `label`. Registers the file for
 * the generation rule (legacy_generation.h). Returns a bp_status; info may be NULL. */
int legacy_state_file_read(const uint8_t *data, size_t size, const char *label, bp_result *result,
                           legacy_state_info *info);

/* A bare job record (starts with a job marker): its records, status. */
int legacy_job_record_read(const uint8_t *data, size_t size, const char *label, bp_result *result);

/* A bare file list (starts with the transfer marker): one orphan record per file. */
int legacy_file_list_read(const uint8_t *data, size_t size, const char *label, bp_result *result);

#endif
