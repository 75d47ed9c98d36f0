/* Decoder of one job record of a legacy state file qmgr0.dat / qmgr1.dat
 * (bits-format §6.2-6.4; docs/format-legacy.md), and of the inline file list
 * it holds. The same decoder reads a bare record cut out of a state file. */
#ifndef BP_BITS_LEGACY_JOB_RECORD_H
#define BP_BITS_LEGACY_JOB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

/* What follows field 48 (maximum download time) before the footer. */
typedef enum legacy_tail_kind {
    LEGACY_TAIL_NONE = 0,  /* not reached or not recognised */
    LEGACY_TAIL_WIN7,      /* 8 bytes: u32 field 49, u32 field 50 */
    LEGACY_TAIL_WIN10,     /* 55 bytes: fields 49-53 as in the ESE era, then a u8 */
    LEGACY_TAIL_OTHER,     /* footer found at another distance (warned) */
} legacy_tail_kind;

/* A file record and where it sits in the input. */
typedef struct legacy_file_entry {
    bp_file *file;
    size_t offset;
    size_t size;
} legacy_file_entry;

typedef struct legacy_file_list {
    legacy_file_entry *files;
    size_t count;
    size_t end;             /* offset after the closing transfer marker, or where reading stopped */
    bool complete;          /* both transfer markers and every announced record read */
} legacy_file_list;

typedef struct legacy_job_record {
    bp_job *job;            /* NULL only when out of memory */
    legacy_file_list files;
    size_t start;           /* offset of the header marker */
    size_t end;             /* offset after the footer; when the record did not decode, the
                               offset after the next copy of its marker, or the input's end */
    bool has_id;            /* fields 1-6 (up to the job id) decoded */
    bool complete;          /* decoded field by field up to a footer equal to the header */
    legacy_tail_kind tail;
} legacy_job_record;

/* Smallest possible legacy file record (five empty counted strings of 0 units,
 * counts and the 73-byte tail) and job record (marker, fields, footer). */
#define LEGACY_MIN_FILE_RECORD 110u
#define LEGACY_MIN_JOB_RECORD 200u

/* Decode the job record whose header marker is at data[start]. Warnings go to
 * the job (and its files) with absolute offsets. Always fills *out; returns
 * out->complete. */
bool legacy_decode_job_record(util_arena *arena, const uint8_t *data, size_t size, size_t start,
                              legacy_job_record *out);

/* Decode a file list at data[start]: transfer marker, u32 N, N file records,
 * transfer marker. List-level problems go to `warnings` prefixed with `what`. */
bool legacy_decode_file_list(util_arena *arena, const uint8_t *data, size_t size, size_t start,
                             bp_note_list *warnings, const char *what, legacy_file_list *out);

#endif
