/* Carving: recovering deleted BITS jobs and files (bits-format §7, ese-format
 * §11-12).
 *
 * A carve session lives for one bp_parse_path_ex / bp_parse_memory_ex call.
 * Collectors feed it candidates:
 *   - carve_ese_collect (ese_carve.c): a qmgr.db already read live — deleted
 *     nodes, orphaned or unreferenced long values, stale records in free space,
 *     stale tag slots, emptied and unreachable pages, then raw markers;
 *   - carve_scan_* (scan.c): any other input, streamed in blocks with overlap,
 *     searched for markers of both eras; ESE transaction logs get their segment
 *     headers spliced out of blobs that cross a 4 KiB boundary.
 * Every candidate is decoded, validated (validate.h) and de-duplicated by its
 * exact bytes: identical copies become one version with every location.
 * carve_session_finish then links carved files to carved or live jobs through
 * the jobs' file-id lists and appends the records after the live ones, which
 * it never changes: newest version of a job first, then orphan files, then job
 * ids known only from stale Jobs records, then file ids known only from stale
 * Files records that no job version found lists. */
#ifndef BP_CARVE_CARVE_H
#define BP_CARVE_CARVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "carve/validate.h"
#include "result/result.h"
#include "util/sha256.h"

struct ese_db;

/* How a copy was found, most reliable first (the order decides a version's
 * recovered_from when it was found in several ways). */
typedef enum carve_how {
    CARVE_HOW_ORPHAN_LV = 0,   /* long value no live record owns (refcount 0 or unreferenced) */
    CARVE_HOW_DELETED_FLAG,    /* node flagged deleted, still linked in its tree */
    CARVE_HOW_STALE_RECORD,    /* table record left in a page's free space */
    CARVE_HOW_STALE_TAG,       /* node a stale tag slot (>= itagMicFree) still locates */
    CARVE_HOW_EMPTY_PAGE,      /* page emptied (flag 0x8) that kept its old nodes */
    CARVE_HOW_UNREACHABLE_PAGE,/* page no tree reaches */
    CARVE_HOW_RAW_MARKER,      /* found by its markers only */
    CARVE_HOW_LOG,             /* in an ESE transaction log */
    CARVE_HOW_COUNT,
} carve_how;

const char *carve_how_name(carve_how how);

/* Where a candidate sits. */
typedef struct carve_place {
    carve_how how;
    const char *path;          /* arena */
    const char *format;        /* "ese", "raw", "log", "legacy" */
    const char *table;         /* "Jobs", "Files", "Jobs LV" ... or "" */
    uint32_t page, tag;
    uint64_t lid;
    uint64_t offset;
    uint32_t size;
    bool partial;
} carve_place;

typedef struct carve_session carve_session;

carve_session *carve_session_new(bp_result *result, const bp_parse_options *options);
/* Link, order and append the carved records; frees the session. Returns the
 * number of records added. */
size_t carve_session_finish(carve_session *session);
const bp_parse_options *carve_session_options(const carve_session *session);
bp_result *carve_session_result(const carve_session *session);

/* The input file about to be parsed is this mapping (util/mapped_file.h), and
 * the caller can hand it over afterwards: live blobs inside it are referenced,
 * not copied. After the parse, carve_session_keep_mapping takes the mapping
 * (malloc'ed; closed and freed by carve_session_finish) when some live blob
 * points into it; false: the caller closes it as usual. */
struct util_mapped_file;
void carve_session_offer_mapping(carve_session *session, struct util_mapped_file *mapping);
bool carve_session_keep_mapping(carve_session *session, struct util_mapped_file *mapping);

/* Records [first, end) of the result were read live from one input: their
 * blobs are not carved again and their jobs and files take part in linking. */
void carve_session_live_records(carve_session *session, size_t first, size_t end);
/* A live blob: carved copies byte-identical to it, or cut copies of it, are
 * dropped. A cut copy found later, in any input of the session, is compared
 * with its bytes, so they must last to the finish: bytes inside the mapping
 * offered with carve_session_offer_mapping are referenced, any others copied.
 * It is not decoded, its record being in the result already. */
void carve_session_live_blob(carve_session *session, bool is_job, bool legacy, const uint8_t *blob,
                             size_t size);
/* The same for the blob of a live Jobs or Files row of a qmgr.db at
 * row_offset (its node, as the row's record source has it): when the run
 * streams its records, a carved record linked to that live job or file gets
 * it decoded again from these bytes (session_live.c). */
void carve_session_live_row_blob(carve_session *session, bool is_job, const char *path, uint64_t row_offset,
                                 const uint8_t *blob, size_t size);

/* Add a validated candidate (bytes are copied). `missing` names what a partial
 * candidate lacks. `file_id` (files) may be "" when unknown. Legacy job records
 * carry their file records inline. Returns false only when out of memory. */
bool carve_session_add_job(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                           carve_verdict verdict, const char *missing, const carve_place *place);
bool carve_session_add_file(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                            const char *file_id, carve_verdict verdict, const char *missing,
                            const carve_place *place);

/* What the session holds under these bytes: nothing; a carved ESE version
 * (accepted by the checks the same bytes would pass again, so a collector that
 * knows a blob's extent adds the place without decoding it again); or a live
 * or legacy version (never checked as an ESE blob). */
typedef enum carve_known { CARVE_KNOWN_NEW, CARVE_KNOWN_CARVED, CARVE_KNOWN_OTHER } carve_known;
carve_known carve_session_known(carve_session *session, bool is_job, const uint8_t *blob, size_t size);
/* The arena carved jobs and files are decoded into (the result's). */
util_arena *carve_session_arena(carve_session *session);
/* As carve_session_add_job / _add_file (ESE blobs), with the blob decoded
 * already into carve_session_arena: a new version takes that decode, so a
 * candidate checked once is not decoded again. */
bool carve_session_add_decoded_job(carve_session *session, const uint8_t *blob, size_t size, bp_job *job,
                                   carve_verdict verdict, const char *missing, const carve_place *place);
bool carve_session_add_decoded_file(carve_session *session, const uint8_t *blob, size_t size, bp_file *file,
                                    const char *file_id, carve_verdict verdict, const char *missing,
                                    const carve_place *place);

/* A stale or deleted Jobs record whose blob is gone: the job id alone. */
void carve_session_job_id(carve_session *session, const char *job_id, const carve_place *place);
/* A stale or deleted Files record whose blob is not stored with it: the file
 * id alone. When no file blob found carries the id, the id becomes a record of
 * its own, linked to a job that lists it. */
void carve_session_file_id(carve_session *session, const char *file_id, const carve_place *place);
/* A stale or deleted Files record naming long value `lid` of input `path`:
 * evidence for the id of the file blob stored there. */
void carve_session_file_lid(carve_session *session, const char *path, uint64_t lid, const char *file_id);

/* ---- candidate decoding at a marker hit (candidate.c) ------------------------------------------ */

typedef struct carve_candidate {
    size_t start;              /* offset of the blob in the searched buffer */
    size_t length;             /* bytes of the blob (partial: what was decoded) */
    carve_verdict verdict;
    bool legacy;
    char missing[160];
    char file_id[37];          /* file blobs: id of an inline Files record in front, "" */
} carve_candidate;

/* Try the blob whose marker sits at data[pos]; it must end by `bound`. Only
 * data[0, bound) is read, so bound must not pass the end of the buffer: a
 * caller whose bound comes from file values (a tag, a page) clamps it to its
 * buffer first. The scratch arena takes the trial decodes (callers reset it). */
bool carve_try_ese_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out);
bool carve_try_ese_file(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out);
bool carve_try_legacy_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out);
/* A legacy file list at a transfer marker: each valid file record is passed on. */
typedef void (*carve_file_fn)(void *context, size_t start, size_t length, carve_verdict verdict,
                              const char *missing);
size_t carve_try_legacy_file_list(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos,
                                  carve_file_fn each, void *context);

/* One legacy file record (no marker of its own), decoded as the only record
 * of a file list. */
bp_file *carve_decode_legacy_file(util_arena *arena, const uint8_t *record, size_t size);
/* A file cut short: forget the fields of the stage that did not finish. */
void carve_forget_unfinished_stage(bp_file *file);

/* ---- collectors ---------------------------------------------------------------------------------- */

/* qmgr.db already read live: records [live_first, live_end) of the result came from it. */
void carve_ese_collect(carve_session *session, struct ese_db *db, const char *label, size_t live_first,
                       size_t live_end);

/* Search bytes in memory (any input that is not a queue). Returns a bp_status. */
int carve_scan_memory(carve_session *session, const uint8_t *data, size_t size, const char *label);
/* Stream a file (or block device) in blocks, hashing it as it goes (on a
 * second thread, util/sha256_pipe.h): sha256 gets its hex digest, "" when it
 * could not be read to its end; NULL: not hashed at all (--no-hash).
 * Returns 0, or -errno when it cannot be read. */
int carve_scan_path(carve_session *session, const char *path, char sha256[UTIL_SHA256_HEX_SIZE]);

/* Runs of bytes a caller reads (a disk image's unallocated clusters), searched
 * as carve_scan_path searches a file, in the same bounded memory. `offset` is
 * the bytes' offset in the input `label` (it becomes source.offset): bytes
 * that continue the previous call's are one run, blocks overlapping as in a
 * file; bytes elsewhere start a new run, and no blob is read across the gap.
 * carve_feed_free searches what is left, then frees. */
typedef struct carve_feed carve_feed;
carve_feed *carve_feed_new(carve_session *session, const char *label);
void carve_feed_bytes(carve_feed *feed, uint64_t offset, const uint8_t *data, size_t size);
void carve_feed_free(carve_feed *feed);

/* File names carving reads in a folder besides the queue files: ESE
 * transaction logs edb*.log, edbtmp.log, edbres*.jrs (any case). */
bool carve_is_log_name(const char *name);

/* ---- hooks for input/parse.c (carve_input.c) ------------------------------------------------------ */

/* The first 64 KiB of a file (malloc'ed), to recognise it before streaming it. */
uint8_t *carve_read_head(const char *path, size_t *size);
/* Stream-scan one input; problems become input warnings; sha256 (may be
 * NULL) as carve_scan_path. Returns a bp_status. */
int carve_scan_input(carve_session *session, const char *path, char sha256[UTIL_SHA256_HEX_SIZE]);
/* A folder entry carving reads besides the queue files: transaction logs, and
 * with scan every regular file. */
bool carve_folder_entry(carve_session *session, const char *folder, const char *name);
/* A recognised input other than qmgr.db (blob, legacy state file or record):
 * records [first, end) were read live from data; search the rest of it. */
void carve_scan_after_live(carve_session *session, const uint8_t *data, size_t size, const char *label,
                           size_t first, size_t end);
/* Finish the session of one bp_parse_*_ex call: append the carved records and
 * return the input status raised to 1 when a carved record has warnings. */
int carve_finish_input(carve_session *session, int status);

#endif
