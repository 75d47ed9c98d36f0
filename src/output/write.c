/* bp_write(): pick the writer for the format, then make sure every byte
 * actually reached the stream before reporting success. out_record_writer:
 * the same writers fed one record at a time. */
#include <stdlib.h>

#include "fields/record_fields.h"
#include "output/record_writer.h"
#include "output/writers.h"

int bp_write(FILE *out, const bp_result *result, bp_format format)
{
    if (!out)
        return -1;
    int rc;
    switch (format) {
    case BP_FORMAT_JSON:
        rc = out_write_json(out, result, false);
        break;
    case BP_FORMAT_JSONL:
        rc = out_write_json(out, result, true);
        break;
    case BP_FORMAT_CSV:
        rc = out_write_csv(out, result);
        break;
    case BP_FORMAT_CSV_EXCEL:
        rc = out_write_csv_excel(out, result);
        break;
    case BP_FORMAT_TIMELINE:
        rc = out_write_timeline(out, result);
        break;
    default:
        return -1;
    }
    /* a full disk may only show up when the buffer is flushed */
    if (fflush(out) == EOF || ferror(out))
        rc = -1;
    return rc;
}

struct out_record_writer {
    FILE *out;
    bp_format format;
    bool begun;            /* the part before the first record is written */
    size_t count;
    out_json_writer json;   /* JSON and JSON Lines */
    out_csv_writer csv;     /* CSV, for spreadsheets or not */
};

out_record_writer *out_record_writer_new(FILE *out, bp_format format)
{
    if (!out || (format != BP_FORMAT_JSON && format != BP_FORMAT_JSONL && format != BP_FORMAT_CSV &&
                 format != BP_FORMAT_CSV_EXCEL))
        return NULL;
    out_record_writer *writer = calloc(1, sizeof(*writer));
    if (!writer)
        return NULL;
    writer->out = out;
    writer->format = format;
    out_json_writer_init(&writer->json, out, format == BP_FORMAT_JSONL);
    out_csv_writer_init(&writer->csv, out, format == BP_FORMAT_CSV_EXCEL);
    return writer;
}

static bool is_csv(const out_record_writer *writer)
{
    return writer->format == BP_FORMAT_CSV || writer->format == BP_FORMAT_CSV_EXCEL;
}

static int begin(out_record_writer *writer)
{
    if (writer->begun)
        return 0;
    writer->begun = true;
    return is_csv(writer) ? out_csv_writer_begin(&writer->csv) : out_json_writer_begin(&writer->json);
}

int out_record_writer_put(out_record_writer *writer, const bp_record *record)
{
    if (begin(writer) != 0)
        return -1;
    writer->count++;
    return is_csv(writer) ? out_csv_writer_record(&writer->csv, record) : out_json_writer_record(&writer->json, record);
}

int out_record_writer_end(out_record_writer *writer)
{
    int rc = begin(writer);
    if (rc == 0)
        rc = is_csv(writer) ? out_csv_writer_end(&writer->csv) : out_json_writer_end(&writer->json);
    if (fflush(writer->out) == EOF || ferror(writer->out))
        rc = -1;
    return rc;
}

size_t out_record_writer_count(const out_record_writer *writer) { return writer ? writer->count : 0; }

void out_record_writer_free(out_record_writer *writer)
{
    if (!writer)
        return;
    out_json_writer_free(&writer->json);
    out_csv_writer_free(&writer->csv);
    free(writer);
}
