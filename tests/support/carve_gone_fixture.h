/* A qmgr.db written by mkqmgr whose deleted jobs lost (some of) their files:
 * the file blobs are wiped from the long-value tree, and optionally the Files
 * records too, so only the jobs' file-id lists (and the records' ids) remain.
 * Used by the carved-rows tests (issue 18 part 4). */
#ifndef BP_TESTS_CARVE_GONE_FIXTURE_H
#define BP_TESTS_CARVE_GONE_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#include "blob_encoders.h"
#include "database_writer.h"
#include "description.h"

/* Where needle occurs in data[from, size); SIZE_MAX when nowhere. */
static inline size_t fixture_find(const uint8_t *data, size_t size, size_t from, const uint8_t *needle, size_t length)
{
    for (size_t i = from; i + length <= size; i++)
        if (memcmp(data + i, needle, length) == 0)
            return i;
    return SIZE_MAX;
}

/* Zero every copy of the file's blob in the image; returns how many. */
static inline size_t fixture_wipe_file_blob(mk_buffer *image, const mk_file *file)
{
    mk_buffer blob = {NULL, 0, 0};
    mk_encode_file_blob(file, &blob);
    size_t wiped = 0;
    for (size_t at = 0; blob.size && (at = fixture_find(image->data, image->size, at, blob.data, blob.size)) != SIZE_MAX;
         at += blob.size, wiped++)
        memset(image->data + at, 0, blob.size);
    mk_buffer_free(&blob);
    return wiped;
}

/* Zero the Files record naming the file (`01 7F 15 00` Id `FE 00 01 04 00 05` LID: 34 bytes
 * with an 8-byte LID); true when found. */
static inline bool fixture_wipe_file_record(mk_buffer *image, const mk_file *file)
{
    uint8_t needle[20] = {0x01, 0x7F, 0x15, 0x00};
    memcpy(needle + 4, file->id, 16);
    size_t at = fixture_find(image->data, image->size, 0, needle, sizeof needle);
    if (at == SIZE_MAX || at + 34 > image->size)
        return false;
    memset(image->data + at, 0, 34);
    return true;
}

static inline const mk_file *fixture_file(const mk_description *d, const char *id)
{
    for (size_t i = 0; i < d->file_count; i++)
        if (strcmp(d->files[i].id_text, id) == 0)
            return &d->files[i];
    return NULL;
}

/* Build the description into *image (false on a description or option error). */
static inline bool fixture_build(const char *json, mk_description *d, mk_buffer *image)
{
    char err[256];
    if (!mk_description_parse(json, d, err, sizeof err)) {
        fprintf(stderr, "description: %s\n", err);
        return false;
    }
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.lv_page_per_value = -1;
    cli.reserved_tags = -1;
    cli.clean = -1;
    if (!mk_resolve_options(&d->options, &cli, &resolved, err, sizeof err)) {
        fprintf(stderr, "options: %s\n", err);
        mk_description_free(d);
        return false;
    }
    mk_layout layout;
    mk_build_database(d, &resolved, image, &layout);
    return true;
}

/* bp_parse_memory_ex with --carve. */
static inline bp_result *fixture_carve(const mk_buffer *image, int *status)
{
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = true;
    bp_result *result = NULL;
    *status = bp_parse_memory_ex(image->data, image->size, "fixture.qmgr.db", &options, &result);
    return result;
}

/* Carved records of a job id, in output order (at most `max`). */
static inline size_t fixture_job_rows(const bp_result *result, const char *job_id, const bp_record **rows, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->carved && r->job && strcmp(r->job->job_id, job_id) == 0 && count < max)
            rows[count++] = r;
    }
    return count;
}

static inline bool fixture_has_warning(const bp_note_list *notes, const char *text)
{
    for (const bp_note *n = notes->head; n; n = n->next)
        if (strcmp(n->text, text) == 0)
            return true;
    return false;
}

#endif
