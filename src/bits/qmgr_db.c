#include "bits/qmgr_db.h"

#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "ese/btree.h"
#include "ese/long_value.h"
#include "ese/record.h"
#include "util/growable.h"
#include "util/text.h"

/* Where a row of the Jobs or Files table is, and its source fields. */
typedef struct row_place {
    const uint8_t *data;       /* the row's node data (in the input bytes) */
    size_t data_size;
    uint32_t page;
    uint16_t tag;
    uint64_t offset;
} row_place;

/* A Files row as indexed by the first walk: its id and where it is, so it is
 * decoded only when a job that lists it is emitted (or as an orphan at the
 * end), not all of them up front. */
typedef struct file_entry {
    const char *id;            /* the Id column as text, "" when there is none */
    size_t walk_index;         /* ties between equal ids: walk order */
    row_place place;
    bool used;                 /* listed by some job */
    struct decoded_file *decoded;  /* when records are kept: decoded once, shared */
} file_entry;

/* A decoded Files row and its source. */
typedef struct decoded_file {
    bp_file *file;
    bp_source source;
} decoded_file;

typedef struct file_index {
    file_entry *entries;
    size_t count, capacity;
    bp_arena ids;              /* the id texts; freed with the index */
} file_index;

typedef struct qmgr_reader {
    ese_db *db;
    ese_table *table;
    uint32_t id_column;
    uint32_t blob_column;
    const char *path;
    bp_result *result;
    ese_table *files_table;
    uint32_t files_id_column, files_blob_column;
    file_index files;
    size_t added;
    bool failed;               /* out of memory: the walk stops */
} qmgr_reader;

/* One row read: its Id text and the decoded blob. */
typedef struct decoded_row {
    const char *id;
    bp_source source;
    bp_note_list problems;
    const uint8_t *blob;
    size_t blob_size;
} decoded_row;

/* Read the Id and the Blob of a row into `row`; the blob's bytes (a
 * reassembled long value) go to `blob_bytes`, which the caller frees once the
 * blob is decoded (the decoders copy what they keep). */
static void read_row(ese_db *db, ese_table *table, uint32_t id_column, uint32_t blob_column, const char *path,
                     const row_place *place, bp_arena *arena, bp_arena *blob_bytes, decoded_row *row)
{
    memset(row, 0, sizeof(*row));
    row->source.path = path;
    row->source.format = "ese";
    row->source.table = table->name;
    row->source.page = place->page;
    row->source.tag = place->tag;
    row->source.offset = place->offset;
    row->id = "";
    ese_record record;
    if (!ese_record_open(&record, place->data, place->data_size)) {
        bp_notes_add(arena, &row->problems, "record header is damaged");
    } else {
        ese_column_value value;
        const char *problem;
        ese_record_get(db, table, &record, id_column, &value, &problem);
        if (value.present && value.values[0].size == 16)
            row->id = bp_guid_string(arena, value.values[0].data);
        else
            bp_notes_add(arena, &row->problems, "record has no 16-byte Id");
        db->value_arena = blob_bytes;
        bool got_blob = ese_record_get(db, table, &record, blob_column, &value, &problem);
        db->value_arena = NULL;
        if (!got_blob)
            bp_notes_addf(arena, &row->problems, "Blob column unreadable: %s", problem);
        else if (!value.present)
            bp_notes_add(arena, &row->problems, "record has no Blob");
        if (value.present) {
            const ese_value *v = &value.values[0];
            row->blob = v->data;
            row->blob_size = v->size;
            row->source.long_value_id = v->separated ? v->lid : 0;
            if (v->problem)
                bp_notes_addf(arena, &row->problems, "Blob: %s", v->problem);
        }
    }
    row->source.blob_size = (uint32_t)row->blob_size;
}

static const uint8_t *blob_or_empty(const decoded_row *row) { return row->blob ? row->blob : (const uint8_t *)""; }

/* Decode an indexed Files row into the record arena (once when records are kept). */
static bool decode_file(qmgr_reader *reader, file_entry *entry, decoded_file *out)
{
    if (entry->decoded) {
        *out = *entry->decoded;
        return true;
    }
    bp_arena *arena = bp_result_record_arena(reader->result);
    bp_arena blob_bytes;
    bp_arena_init(&blob_bytes);
    decoded_row row;
    read_row(reader->db, reader->files_table, reader->files_id_column, reader->files_blob_column, reader->path,
             &entry->place, arena, &blob_bytes, &row);
    bp_file *file = bits_decode_file(arena, blob_or_empty(&row), row.blob_size);
    bp_arena_free(&blob_bytes);
    if (!file)
        return false;
    file->file_id = row.id;
    for (bp_note *n = row.problems.head; n; n = n->next)
        bp_notes_addf(arena, &file->warnings, "Files record (page %u tag %u): %s", entry->place.page,
                      entry->place.tag, n->text);
    *out = (decoded_file){file, row.source};
    if (!reader->result->stream.sink) {
        entry->decoded = bp_arena_alloc(arena, sizeof(decoded_file));
        if (entry->decoded)
            *entry->decoded = *out;
    }
    return true;
}

static bp_record *add_record(qmgr_reader *reader, const bp_job *job, const bp_source *job_source,
                             file_entry *entry)
{
    decoded_file file = {NULL, {0}};
    if (entry && !decode_file(reader, entry, &file))
        return NULL;
    bp_record *record = bp_result_add(reader->result);
    if (!record)
        return NULL;
    reader->added++;
    if (job) {
        record->job = job;
        record->job_source = *job_source;
    }
    if (entry) {
        record->file = file.file;
        record->file_source = file.source;
        entry->used = true;
    }
    return record;
}

/* ---- the Files table: an index ------------------------------------------------ */

static bool index_file_row(const ese_page *page, const ese_node *node, void *context)
{
    qmgr_reader *reader = context;
    file_index *index = &reader->files;
    if (!bp_grow((void **)&index->entries, &index->capacity, index->count, sizeof(file_entry)))
        return false;
    file_entry *entry = &index->entries[index->count];
    memset(entry, 0, sizeof(*entry));
    entry->walk_index = index->count++;
    entry->place = (row_place){node->data, node->data_size, page->pgno, node->itag, node->file_offset};
    entry->id = "";
    ese_record record;
    if (!ese_record_open(&record, node->data, node->data_size))
        return true;
    ese_column_value value;
    const char *problem;
    ese_record_get(reader->db, reader->files_table, &record, reader->files_id_column, &value, &problem);
    if (value.present && value.values[0].size == 16)
        entry->id = bp_guid_string(&index->ids, value.values[0].data);
    if (!entry->id)
        return false;
    if (!reader->files_table->lv && reader->files_table->lv_root_pgno) {
        /* the table's long values are indexed where the whole rows were read
         * before (the first row with a separated Blob), so the warnings of
         * that walk keep their place among the others */
        bp_arena blob_bytes;
        bp_arena_init(&blob_bytes);
        reader->db->value_arena = &blob_bytes;
        ese_record_get(reader->db, reader->files_table, &record, reader->files_blob_column, &value, &problem);
        reader->db->value_arena = NULL;
        bp_arena_free(&blob_bytes);
    }
    return true;
}

/* Equal ids keep their walk order (as the stable sort of glibc kept them). */
static int compare_entries(const void *a, const void *b)
{
    const file_entry *x = a, *y = b;
    int order = strcmp(x->id, y->id);
    if (order)
        return order;
    return x->walk_index < y->walk_index ? -1 : x->walk_index > y->walk_index;
}

static int compare_id(const void *key, const void *entry)
{
    return strcmp(key, ((const file_entry *)entry)->id);
}

/* Any entry with this id (as bsearch over the rows sorted by id found it before). */
static file_entry *find_file(file_index *index, const char *id)
{
    if (index->count == 0)
        return NULL; /* bsearch must not see a NULL array */
    return bsearch(id, index->entries, index->count, sizeof(file_entry), compare_id);
}

/* ---- the Jobs table: each job decoded, joined and handed on ------------------- */

static bool emit_job_row(const ese_page *page, const ese_node *node, void *context)
{
    qmgr_reader *reader = context;
    bp_result *result = reader->result;
    bp_arena *arena = bp_result_record_arena(result);
    bp_arena blob_bytes;
    bp_arena_init(&blob_bytes);
    row_place place = {node->data, node->data_size, page->pgno, node->itag, node->file_offset};
    decoded_row row;
    read_row(reader->db, reader->table, reader->id_column, reader->blob_column, reader->path, &place, arena,
             &blob_bytes, &row);
    bp_job *job = bits_decode_job(arena, blob_or_empty(&row), row.blob_size);
    bp_arena_free(&blob_bytes);
    if (!job) {
        reader->failed = true;
        return false;
    }
    if (row.id[0] && job->job_id[0] && strcmp(row.id, job->job_id) != 0)
        bp_notes_addf(arena, &row.problems, "Jobs.Id %s differs from the job id in the blob", row.id);
    if (!job->job_id[0])
        job->job_id = row.id;
    for (bp_note *n = row.problems.head; n; n = n->next)
        bp_notes_addf(arena, &job->warnings, "Jobs record (page %u tag %u): %s", page->pgno, node->itag, n->text);

    if (job->file_count == 0 && !add_record(reader, job, &row.source, NULL))
        reader->failed = true;
    for (size_t f = 0; f < job->file_count && !reader->failed; f++) {
        const char *file_id = job->file_ids[f];
        file_entry *entry = find_file(&reader->files, file_id);
        bp_record *record = add_record(reader, job, &row.source, entry);
        if (!record)
            reader->failed = true;
        else if (!entry)
            bp_notes_addf(arena, &record->warnings, "file %s is listed by the job but has no Files record",
                          file_id);
    }
    bp_result_stream_point(result);  /* this job's records are final */
    return !reader->failed;
}

static ese_table *find_table(ese_db *db, const char *name, const char *path, bp_result *result,
                             uint32_t *id_column, uint32_t *blob_column)
{
    ese_table *table = ese_catalog_find(&db->catalog, name);
    if (!table) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: table %s not found in the ESE catalog", path, name);
        return NULL;
    }
    const ese_column *id = ese_table_column_named(table, "Id");
    const ese_column *blob = ese_table_column_named(table, "Blob");
    *id_column = id ? id->id : 1;
    *blob_column = blob ? blob->id : 256;
    return table;
}

size_t qmgr_db_read(ese_db *db, const char *path, bp_result *result)
{
    qmgr_reader reader;
    memset(&reader, 0, sizeof(reader));
    reader.db = db;
    reader.path = path;
    reader.result = result;
    bp_arena_init(&reader.files.ids);
    ese_walk_stats stats;
    reader.files_table = find_table(db, "Files", path, result, &reader.files_id_column, &reader.files_blob_column);
    if (reader.files_table)
        ese_btree_walk(db, reader.files_table->root_pgno, reader.files_table->objid, false, index_file_row, &reader,
                       &stats);
    if (reader.files.count)
        qsort(reader.files.entries, reader.files.count, sizeof(file_entry), compare_entries);
    reader.table = find_table(db, "Jobs", path, result, &reader.id_column, &reader.blob_column);
    if (reader.table)
        ese_btree_walk(db, reader.table->root_pgno, reader.table->objid, false, emit_job_row, &reader, &stats);

    /* files no job lists, in id order */
    for (size_t f = 0; f < reader.files.count && !reader.failed; f++) {
        file_entry *entry = &reader.files.entries[f];
        if (entry->used)
            continue;
        bp_record *record = add_record(&reader, NULL, NULL, entry);
        if (record)
            bp_notes_add(bp_result_record_arena(result), &record->warnings, "orphan file: no job lists this file");
        bp_result_stream_point(result);
    }
    free(reader.files.entries);
    bp_arena_free(&reader.files.ids);
    return reader.added;
}
