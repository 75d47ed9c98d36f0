/* CSV output (RFC 4180): a header row naming every field, one row per record,
 * CRLF line ends. Nested values are flattened into single cells as described
 * in docs/output-schema.md.
 *
 * The spreadsheet variant (BP_FORMAT_CSV_EXCEL) starts with a UTF-8 byte order
 * mark, so Excel reads the text as UTF-8, and defuses formula injection: job
 * names, descriptions, URLs and paths are chosen by whoever created the job,
 * and a cell such as =HYPERLINK(...) or @SUM(...) would run when the file is
 * opened. Such text cells get a leading apostrophe, which makes them plain
 * text. Numbers are left alone (-1 stays a number). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fields/field_text.h"
#include "fields/record_fields.h"
#include "output/writers.h"
#include "util/growable.h"

/* A spreadsheet treats a cell starting with one of these as a formula (tab
 * and CR because some of them strip leading whitespace first). */
static bool formula_start(const char *text) { return *text && strchr("=+-@\t\r", *text) != NULL; }

/* One row's text, built in memory and written with one fwrite (a stdio call
 * per cell cost more than the rest of the row). */
typedef struct csv_row {
    char *text;
    size_t length;
    size_t capacity;
    bool failed;     /* out of memory */
} csv_row;

static bool row_room(csv_row *row, size_t more)
{
    if (row->failed || more > SIZE_MAX / 2 - row->length ||
        !util_grow_to((void **)&row->text, &row->capacity, row->length + more, 1)) {
        row->failed = true;
        return false;
    }
    return true;
}

/* RFC 4180: quote a cell holding a comma, quote, CR or LF; double its quotes.
 * defuse: put an apostrophe before text that would start a formula. */
static void put_cell(csv_row *row, const char *text, bool first, bool defuse)
{
    size_t length = strlen(text);
    bool apostrophe = defuse && formula_start(text);
    if (length > SIZE_MAX / 4 || !row_room(row, 2 * length + 4))  /* every byte a quote, at worst */
        return;
    char *out = row->text + row->length;
    if (!first)
        *out++ = ',';
    bool quoted = strcspn(text, ",\"\r\n") < length;
    if (quoted)
        *out++ = '"';
    if (apostrophe)
        *out++ = '\'';
    if (!quoted) {
        memcpy(out, text, length);
        out += length;
    } else {
        for (size_t i = 0; i < length; i++) {
            if (text[i] == '"')
                *out++ = '"';
            *out++ = text[i];
        }
        *out++ = '"';
    }
    row->length = (size_t)(out - row->text);
}

static int write_row_text(FILE *out, csv_row *row)
{
    if (!row_room(row, 2))
        return -1;
    memcpy(row->text + row->length, "\r\n", 2);
    row->length += 2;
    return fwrite(row->text, 1, row->length, out) == row->length ? 0 : -1;
}

static bool is_number(const fields_field_value *value)
{
    return value->kind == FIELDS_FIELD_UNSIGNED || value->kind == FIELDS_FIELD_SIGNED;
}

/* Decimal text of a number (with '-' when negative) without printf. */
static const char *number_text(util_arena *scratch, uint64_t magnitude, bool negative)
{
    char digits[24];
    char *start = digits + sizeof digits;
    *--start = '\0';
    do {
        *--start = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        *--start = '-';
    return util_arena_strdup(scratch, start);
}

static const char *cell_text(util_arena *scratch, const fields_field_value *value)
{
    switch (value->kind) {
    case FIELDS_FIELD_TEXT:
        return value->text;
    case FIELDS_FIELD_UNSIGNED:
        return number_text(scratch, value->unsigned_number, false);
    case FIELDS_FIELD_SIGNED:  /* the magnitude as unsigned, so INT64_MIN does not overflow */
        return number_text(scratch, value->signed_number < 0 ? 0 - (uint64_t)value->signed_number
                                                             : (uint64_t)value->signed_number,
                           value->signed_number < 0);
    case FIELDS_FIELD_BOOL:
        return value->boolean ? "true" : "false";
    case FIELDS_FIELD_TEXT_LIST:
        return fields_join_text(scratch, value->texts, value->text_count, "|");
    case FIELDS_FIELD_ACES:
        return fields_csv_aces_text(scratch, value->aces, value->ace_count);
    case FIELDS_FIELD_DETECTIONS:
        return fields_detection_labels(scratch, value->detections, value->detection_count);
    case FIELDS_FIELD_EVENTS:
        return fields_csv_events_text(scratch, value->events, value->event_count);
    }
    return NULL;
}

/* Grouped fields become group_name columns (source_path, source_format ...). */
static int write_header(FILE *out)
{
    csv_row row = {0};
    for (size_t i = 0; i < fields_record_field_count(); i++) {
        const fields_field *field = fields_record_field(i);
        char name[128];
        if (field->group)
            snprintf(name, sizeof name, "%s_%s", field->group, field->name);
        else
            snprintf(name, sizeof name, "%s", field->name);
        put_cell(&row, name, i == 0, false);
    }
    int rc = row.failed ? -1 : write_row_text(out, &row);
    free(row.text);
    return rc;
}

static int write_row(FILE *out, const bp_record *record, bool excel)
{
    util_arena scratch;
    util_arena_init(&scratch);
    csv_row row = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && !row.failed && i < fields_record_field_count(); i++) {
        fields_field_value value;
        const char *text = NULL;
        if (fields_record_field_value(fields_record_field(i), record, &scratch, &value))
            text = cell_text(&scratch, &value);
        if (text)
            put_cell(&row, text, i == 0, excel && !is_number(&value));
        else
            rc = -1;
    }
    if (rc == 0 && !row.failed)
        rc = write_row_text(out, &row);
    else
        rc = -1;
    free(row.text);
    util_arena_free(&scratch);
    return rc;
}

int out_csv_writer_begin(FILE *out, bool excel)
{
    if (excel && fputs("\xEF\xBB\xBF", out) == EOF)  /* UTF-8 byte order mark */
        return -1;
    return write_header(out);
}

int out_csv_writer_record(FILE *out, const bp_record *record, bool excel) { return write_row(out, record, excel); }

static int write_csv(FILE *out, const bp_result *result, bool excel)
{
    if (out_csv_writer_begin(out, excel) != 0)
        return -1;
    size_t count = bp_result_count(result);
    for (size_t i = 0; i < count; i++)
        if (write_row(out, bp_result_record(result, i), excel) != 0)
            return -1;
    return 0;
}

int out_write_csv(FILE *out, const bp_result *result) { return write_csv(out, result, false); }

int out_write_csv_excel(FILE *out, const bp_result *result) { return write_csv(out, result, true); }
