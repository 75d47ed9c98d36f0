/* The Jobs and Files tables of a qmgr.db joined into records (bits-format §3).
 * The Files table is only indexed first; each job is then decoded with its
 * files and its records finished before the next job is read, so a streamed
 * run (result/stream.c) holds one batch of records, not the whole queue. */
#include "bits/qmgr_db.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/file_index.h"
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

/* A decoded Files row and its source. */
typedef struct decoded_file {
    bp_file *file;
    bp_source source;
} decoded_file;

typedef struct file_index {
    file_entry *entries;
    size_t count, capacity;
    /* per sorted entry: its key's first 8 bytes as a number (0 without an id).
     * The id lookups search these: 8 bytes a file stay in the cache where the
     * 48-byte entries did not (the binary search missed it on every step).
     * NULL (out of memory): the entries are searched. */
    uint64_t *prefixes;
    uint32_t *starts;          /* where each bucket of the sort begins (file_index.h); NULL: not kept */
    decoded_file **decoded;    /* when records are kept: each file decoded once, shared */
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
    bits_sd_cache descriptors;   /* the jobs' security descriptors, decoded once each */
    util_arena row_scratch;      /* the column values of the row being read; reset after each row */
    util_arena blob_bytes;       /* the Blob of the row being decoded; reset once it is decoded */
    size_t added;
    bool failed;               /* out of memory: the walk stops */
} qmgr_reader;

/* One row read: its Id text, its source, what was wrong and its Blob bytes. */
typedef struct decoded_row {
    const char *id;
    bp_source source;
    bp_note_list problems;
    const uint8_t *blob;
    size_t blob_size;
} decoded_row;

/* Read the Id and the Blob of a row into `row`; the blob's bytes (a
 * reassembled long value) go to `blob_bytes`, which the caller resets once the
 * blob is decoded (the decoders copy what they keep). */
static void read_row(ese_db *db, ese_table *table, uint32_t id_column, uint32_t blob_column, const char *path,
                     const row_place *place, util_arena *arena, util_arena *row_scratch, util_arena *blob_bytes,
                     decoded_row *row)
{
    memset(row, 0, sizeof(*row));
    row->source.path = path;
    row->source.format = "ese";
    row->source.table = table->name;
    row->source.page = place->page;
    row->source.tag = place->tag;
    row->source.offset = place->offset;
    row->id = "";
    /* The column values' own arrays would go to db->arena, which lives as
     * long as the result: a row scratch instead, once nothing long-lived can
     * be built during the read (the table's long-value index: built by the
     * first separated value, in db->arena, with its page warnings). */
    util_arena *long_lived = db->arena;
    if (table->lv || !table->lv_root_pgno)
        db->arena = row_scratch;
    ese_record record;
    if (!ese_record_open(&record, place->data, place->data_size)) {
        util_notes_add(arena, &row->problems, "record header is damaged");
    } else {
        ese_column_value value;
        const char *problem;
        ese_record_get(db, table, &record, id_column, &value, &problem);
        if (value.present && value.values[0].size == 16)
            row->id = util_guid_string(arena, value.values[0].data);
        else
            util_notes_add(arena, &row->problems, "record has no 16-byte Id");
        db->value_arena = blob_bytes;
        bool got_blob = ese_record_get(db, table, &record, blob_column, &value, &problem);
        db->value_arena = NULL;
        if (!got_blob)
            util_notes_addf(arena, &row->problems, "Blob column unreadable: %s", problem);
        else if (!value.present)
            util_notes_add(arena, &row->problems, "record has no Blob");
        if (value.present) {
            const ese_value *v = &value.values[0];
            row->blob = v->data;
            row->blob_size = v->size;
            row->source.long_value_id = v->separated ? v->lid : 0;
            if (v->problem)
                util_notes_addf(arena, &row->problems, "Blob: %s", v->problem);
        }
    }
    row->source.blob_size = (uint32_t)row->blob_size;
    db->arena = long_lived;
    util_arena_reset(row_scratch);
}

static const uint8_t *blob_or_empty(const decoded_row *row) { return row->blob ? row->blob : (const uint8_t *)""; }

static row_place place_of(const file_entry *entry)
{
    return (row_place){entry->data, entry->data_size, entry->page, entry->tag, entry->offset};
}

/* Decode an indexed Files row into the record arena (once when records are kept). */
static bool decode_file(qmgr_reader *reader, file_entry *entry, decoded_file *out)
{
    size_t slot = (size_t)(entry - reader->files.entries);
    if (reader->files.decoded && reader->files.decoded[slot]) {
        *out = *reader->files.decoded[slot];
        return true;
    }
    util_arena *arena = result_record_arena(reader->result);
    decoded_row row;
    row_place place = place_of(entry);
    read_row(reader->db, reader->files_table, reader->files_id_column, reader->files_blob_column, reader->path,
             &place, arena, &reader->row_scratch, &reader->blob_bytes, &row);
    bp_file *file = bits_decode_file(arena, blob_or_empty(&row), row.blob_size);
    util_arena_reset(&reader->blob_bytes);
    if (!file)
        return false;
    file->file_id = row.id;
    for (bp_note *n = row.problems.head; n; n = n->next)
        util_notes_addf(arena, &file->warnings, "Files record (page %u tag %u): %s", entry->page, entry->tag,
                      n->text);
    *out = (decoded_file){file, row.source};
    if (reader->files.decoded) {
        reader->files.decoded[slot] = util_arena_alloc(arena, sizeof(decoded_file));
        if (reader->files.decoded[slot])
            *reader->files.decoded[slot] = *out;
    }
    return true;
}

static bp_record *add_record(qmgr_reader *reader, const bp_job *job, const bp_source *job_source,
                             file_entry *entry)
{
    decoded_file file = {NULL, {0}};
    if (entry && !decode_file(reader, entry, &file))
        return NULL;
    bp_record *record = result_add(reader->result);
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

/* The bytes of a GUID in the order util_guid_format writes them: comparing
 * these compares the texts (same length, digits in ASCII order). */
static void key_of_guid(const uint8_t guid[16], uint8_t key[16])
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        key[i] = guid[order[i]];
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The key of a GUID text as util_guid_format writes it; false for any other text
 * (which no indexed id can equal). */
static bool key_of_text(const char *text, uint8_t key[16])
{
    size_t n = 0;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash) {
            if (text[i] != '-')
                return false;
            continue;
        }
        int high = hex_digit(text[i]), low = high < 0 ? -1 : hex_digit(text[++i]);
        if (low < 0)
            return false;
        key[n++] = (uint8_t)(high << 4 | low);
    }
    return text[36] == '\0';
}

static bool index_file_row(const ese_page *page, const ese_node *node, void *context)
{
    qmgr_reader *reader = context;
    file_index *index = &reader->files;
    if (index->count >= UINT32_MAX || node->data_size > UINT32_MAX ||
        !util_grow((void **)&index->entries, &index->capacity, index->count, sizeof(file_entry)))
        return false;
    file_entry *entry = &index->entries[index->count];
    memset(entry, 0, sizeof(*entry));
    entry->walk_index = (uint32_t)index->count++;
    entry->data = node->data;
    entry->data_size = (uint32_t)node->data_size;
    entry->page = page->pgno;
    entry->tag = node->itag;
    entry->offset = node->file_offset;
    ese_record record;
    if (!ese_record_open(&record, node->data, node->data_size))
        return true;
    ese_db *db = reader->db;
    ese_table *table = reader->files_table;
    util_arena *long_lived = db->arena;  /* the values' arrays to the row scratch (see read_row) */
    if (table->lv || !table->lv_root_pgno)
        db->arena = &reader->row_scratch;
    ese_column_value value;
    const char *problem;
    ese_record_get(db, table, &record, reader->files_id_column, &value, &problem);
    if (value.present && value.values[0].size == 16) {
        key_of_guid(value.values[0].data, entry->key);
        entry->has_id = true;
    }
    if (!table->lv && table->lv_root_pgno) {
        /* the table's long values are indexed where the whole rows were read
         * before (the first row with a separated Blob), so the warnings of
         * that walk keep their place among the others */
        db->value_arena = &reader->blob_bytes;
        ese_record_get(db, table, &record, reader->files_blob_column, &value, &problem);
        db->value_arena = NULL;
        util_arena_reset(&reader->blob_bytes);
    }
    db->arena = long_lived;
    util_arena_reset(&reader->row_scratch);
    return true;
}

/* The prefixes of the sorted entries; left NULL when out of memory. */
static void index_prefixes(file_index *index)
{
    index->prefixes = malloc(index->count * sizeof(*index->prefixes));
    if (index->prefixes)
        for (size_t i = 0; i < index->count; i++)
            index->prefixes[i] = bits_file_key_prefix(index->entries[i].key);
}

/* Any entry with this id, as bsearch over the rows sorted by id text found
 * it before (bits_file_index_find). */
static file_entry *find_file(file_index *index, const char *id)
{
    uint8_t key[16] = {0};
    bool has_id = false;
    if (*id && !(has_id = key_of_text(id, key)))
        return NULL;  /* not a GUID text: no indexed id equals it */
    bits_file_lookup lookup = {index->entries, index->count, index->prefixes, index->starts};
    const file_entry *found = bits_file_index_find(&lookup, has_id, key);
    return found ? &index->entries[found - index->entries] : NULL;
}

/* ---- the Jobs table: each job decoded, joined and handed on ------------------- */

static bool emit_job_row(const ese_page *page, const ese_node *node, void *context)
{
    qmgr_reader *reader = context;
    bp_result *result = reader->result;
    util_arena *arena = result_record_arena(result);
    row_place place = {node->data, node->data_size, page->pgno, node->itag, node->file_offset};
    decoded_row row;
    read_row(reader->db, reader->table, reader->id_column, reader->blob_column, reader->path, &place, arena,
             &reader->row_scratch, &reader->blob_bytes, &row);
    bp_job *job = bits_decode_job_cached(arena, blob_or_empty(&row), row.blob_size, &reader->descriptors);
    util_arena_reset(&reader->blob_bytes);
    if (!job) {
        reader->failed = true;
        return false;
    }
    if (row.id[0] && job->job_id[0] && strcmp(row.id, job->job_id) != 0)
        util_notes_addf(arena, &row.problems, "Jobs.Id %s differs from the job id in the blob", row.id);
    if (!job->job_id[0])
        job->job_id = row.id;
    for (bp_note *n = row.problems.head; n; n = n->next)
        util_notes_addf(arena, &job->warnings, "Jobs record (page %u tag %u): %s", page->pgno, node->itag, n->text);

    if (job->file_count == 0 && !add_record(reader, job, &row.source, NULL))
        reader->failed = true;
    for (size_t f = 0; f < job->file_count && !reader->failed; f++) {
        const char *file_id = job->file_ids[f];
        file_entry *entry = find_file(&reader->files, file_id);
        bp_record *record = add_record(reader, job, &row.source, entry);
        if (!record)
            reader->failed = true;
        else if (!entry)
            util_notes_addf(arena, &record->warnings, "file %s is listed by the job but has no Files record",
                          file_id);
    }
    result_stream_point(result);  /* this job's records are final */
    return !reader->failed;
}

static ese_table *find_table(ese_db *db, const char *name, const char *path, bp_result *result,
                             uint32_t *id_column, uint32_t *blob_column)
{
    ese_table *table = ese_catalog_find(&db->catalog, name);
    if (!table) {
        util_notes_addf(&result->arena, &result->warnings, "%s: table %s not found in the ESE catalog", path, name);
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
    bits_sd_cache_init(&reader.descriptors, &result->arena);  /* outlives every batch of records */
    ese_walk_stats stats;
    reader.files_table = find_table(db, "Files", path, result, &reader.files_id_column, &reader.files_blob_column);
    if (reader.files_table)
        ese_btree_walk(db, reader.files_table->root_pgno, reader.files_table->objid, false, index_file_row, &reader,
                       &stats);
    if (reader.files.count) {
        reader.files.starts = malloc((BITS_FILE_BUCKETS + 1) * sizeof(*reader.files.starts));
        if (!bits_file_index_sort(reader.files.entries, reader.files.count, reader.files.starts)) {
            free(reader.files.starts);
            reader.files.starts = NULL;
        }
    }
    if (reader.files.count)
        index_prefixes(&reader.files);
    if (reader.files.count && !result->stream.sink)  /* no cache: decoded again per job when streaming */
        reader.files.decoded = calloc(reader.files.count, sizeof(*reader.files.decoded));
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
            util_notes_add(result_record_arena(result), &record->warnings, "orphan file: no job lists this file");
        result_stream_point(result);
    }
    free(reader.files.entries);
    free(reader.files.prefixes);
    free(reader.files.starts);
    free(reader.files.decoded);
    bits_sd_cache_free(&reader.descriptors);
    util_arena_free(&reader.row_scratch);
    util_arena_free(&reader.blob_bytes);
    return reader.added;
}
