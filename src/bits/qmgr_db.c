#include "bits/qmgr_db.h"

#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "ese/btree.h"
#include "ese/record.h"
#include "util/growable.h"
#include "util/text.h"

/* One decoded row of the Jobs or Files table. */
typedef struct qmgr_row {
    const char *id;            /* the table's Id column */
    bp_job *job;
    bp_file *file;
    bp_source source;
    bool used;                 /* file rows: listed by some job */
} qmgr_row;

typedef struct qmgr_rows {
    qmgr_row *rows;
    size_t count, capacity;
} qmgr_rows;

typedef struct table_reader {
    ese_db *db;
    ese_table *table;
    uint32_t id_column;
    uint32_t blob_column;
    const char *path;
    bool is_jobs;
    qmgr_rows *out;
    bp_note_list *warnings;
} table_reader;

static qmgr_row *add_row(qmgr_rows *rows)
{
    if (!bp_grow((void **)&rows->rows, &rows->capacity, rows->count, sizeof(qmgr_row)))
        return NULL;
    qmgr_row *row = &rows->rows[rows->count++];
    memset(row, 0, sizeof(*row));
    return row;
}

static bool read_table_row(const ese_page *page, const ese_node *node, void *context)
{
    table_reader *reader = context;
    bp_arena *arena = reader->db->arena;
    ese_record record;
    qmgr_row *row = add_row(reader->out);
    if (!row)
        return false;
    row->source.path = reader->path;
    row->source.format = "ese";
    row->source.table = reader->table->name;
    row->source.page = page->pgno;
    row->source.tag = node->itag;
    row->source.offset = node->file_offset;
    row->id = "";
    bp_note_list problems = {NULL, NULL, 0};
    const uint8_t *blob = NULL;
    size_t blob_size = 0;
    /* The blob's bytes (a reassembled long value) are needed only until the
     * record is decoded; the decoders copy what they keep into arena. */
    bp_arena blob_bytes;
    bp_arena_init(&blob_bytes);

    if (!ese_record_open(&record, node->data, node->data_size)) {
        bp_notes_add(arena, &problems, "record header is damaged");
    } else {
        ese_column_value value;
        const char *problem;
        ese_record_get(reader->db, reader->table, &record, reader->id_column, &value, &problem);
        if (value.present && value.values[0].size == 16)
            row->id = bp_guid_string(arena, value.values[0].data);
        else
            bp_notes_add(arena, &problems, "record has no 16-byte Id");
        reader->db->value_arena = &blob_bytes;
        bool got_blob = ese_record_get(reader->db, reader->table, &record, reader->blob_column, &value, &problem);
        reader->db->value_arena = NULL;
        if (!got_blob)
            bp_notes_addf(arena, &problems, "Blob column unreadable: %s", problem);
        else if (!value.present)
            bp_notes_add(arena, &problems, "record has no Blob");
        if (value.present) {
            const ese_value *v = &value.values[0];
            blob = v->data;
            blob_size = v->size;
            row->source.long_value_id = v->separated ? v->lid : 0;
            if (v->problem)
                bp_notes_addf(arena, &problems, "Blob: %s", v->problem);
        }
    }
    row->source.blob_size = (uint32_t)blob_size;
    if (reader->is_jobs) {
        row->job = bits_decode_job(arena, blob ? blob : (const uint8_t *)"", blob_size);
        bp_arena_free(&blob_bytes);
        if (!row->job)
            return false;
        if (row->id[0] && row->job->job_id[0] && strcmp(row->id, row->job->job_id) != 0)
            bp_notes_addf(arena, &problems, "Jobs.Id %s differs from the job id in the blob", row->id);
        if (!row->job->job_id[0])
            row->job->job_id = row->id;
        for (bp_note *n = problems.head; n; n = n->next)
            bp_notes_addf(arena, &row->job->warnings, "Jobs record (page %u tag %u): %s", page->pgno, node->itag,
                          n->text);
    } else {
        row->file = bits_decode_file(arena, blob ? blob : (const uint8_t *)"", blob_size);
        bp_arena_free(&blob_bytes);
        if (!row->file)
            return false;
        row->file->file_id = row->id;
        for (bp_note *n = problems.head; n; n = n->next)
            bp_notes_addf(arena, &row->file->warnings, "Files record (page %u tag %u): %s", page->pgno,
                          node->itag, n->text);
    }
    return true;
}

static bool read_table(ese_db *db, const char *name, bool is_jobs, const char *path, qmgr_rows *out,
                       bp_result *result)
{
    ese_table *table = ese_catalog_find(&db->catalog, name);
    if (!table) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: table %s not found in the ESE catalog", path, name);
        return false;
    }
    const ese_column *id = ese_table_column_named(table, "Id");
    const ese_column *blob = ese_table_column_named(table, "Blob");
    table_reader reader = {db, table, id ? id->id : 1, blob ? blob->id : 256, path, is_jobs, out,
                           &result->warnings};
    ese_walk_stats stats;
    ese_btree_walk(db, table->root_pgno, table->objid, false, read_table_row, &reader, &stats);
    return true;
}

static int compare_rows_by_id(const void *a, const void *b)
{
    return strcmp(((const qmgr_row *)a)->id, ((const qmgr_row *)b)->id);
}

/* Files sorted by id: the join stays O(n log n) for queues with thousands of jobs. */
static qmgr_row *find_file(qmgr_rows *files, const char *id)
{
    if (files->count == 0)
        return NULL; /* bsearch must not see a NULL array */
    qmgr_row key;
    key.id = id;
    return bsearch(&key, files->rows, files->count, sizeof(qmgr_row), compare_rows_by_id);
}

static bp_record *add_record(bp_result *result, qmgr_row *job, qmgr_row *file)
{
    bp_record *record = bp_result_add(result);
    if (!record)
        return NULL;
    if (job) {
        record->job = job->job;
        record->job_source = job->source;
    }
    if (file) {
        record->file = file->file;
        record->file_source = file->source;
        file->used = true;
    }
    return record;
}

size_t qmgr_db_read(ese_db *db, const char *path, bp_result *result)
{
    qmgr_rows jobs = {NULL, 0, 0}, files = {NULL, 0, 0};
    size_t before = result->count;
    read_table(db, "Files", false, path, &files, result);
    read_table(db, "Jobs", true, path, &jobs, result);
    if (files.count)
        qsort(files.rows, files.count, sizeof(qmgr_row), compare_rows_by_id);

    for (size_t j = 0; j < jobs.count; j++) {
        qmgr_row *job = &jobs.rows[j];
        if (job->job->file_count == 0) {
            add_record(result, job, NULL);
            continue;
        }
        for (size_t f = 0; f < job->job->file_count; f++) {
            const char *file_id = job->job->file_ids[f];
            qmgr_row *file = find_file(&files, file_id);
            bp_record *record = add_record(result, job, file);
            if (record && !file)
                bp_notes_addf(&result->arena, &record->warnings,
                              "file %s is listed by the job but has no Files record", file_id);
        }
    }
    for (size_t f = 0; f < files.count; f++) {
        if (files.rows[f].used)
            continue;
        bp_record *record = add_record(result, NULL, &files.rows[f]);
        if (record)
            bp_notes_add(&result->arena, &record->warnings, "orphan file: no job lists this file");
    }
    free(jobs.rows);
    free(files.rows);
    return result->count - before;
}
