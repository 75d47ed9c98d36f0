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
#include <string.h>

#include "fields/field_text.h"
#include "fields/record_fields.h"
#include "output/writers.h"

/* A spreadsheet treats a cell starting with one of these as a formula (tab
 * and CR because some of them strip leading whitespace first). */
static bool formula_start(const char *text) { return *text && strchr("=+-@\t\r", *text) != NULL; }

/* RFC 4180: quote a cell holding a comma, quote, CR or LF; double its quotes.
 * defuse: put an apostrophe before text that would start a formula. */
static int put_cell(FILE *out, const char *text, bool first, bool defuse)
{
    if (!first && fputc(',', out) == EOF)
        return -1;
    const char *prefix = defuse && formula_start(text) ? "'" : "";
    if (strpbrk(text, ",\"\r\n") == NULL)
        return fputs(prefix, out) == EOF || fputs(text, out) == EOF ? -1 : 0;
    if (fputc('"', out) == EOF || fputs(prefix, out) == EOF)
        return -1;
    for (const char *run = text; *run;) {
        const char *quote = strchr(run, '"');
        size_t length = quote ? (size_t)(quote - run) + 1 : strlen(run);
        if (fwrite(run, 1, length, out) != length || (quote && fputc('"', out) == EOF))
            return -1;
        run += length;
    }
    return fputc('"', out) == EOF ? -1 : 0;
}

static bool is_number(const bp_field_value *value)
{
    return value->kind == BP_FIELD_UNSIGNED || value->kind == BP_FIELD_SIGNED;
}

/* Decimal text of a number (with '-' when negative) without printf. */
static const char *number_text(bp_arena *scratch, uint64_t magnitude, bool negative)
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
    return bp_arena_strdup(scratch, start);
}

static const char *cell_text(bp_arena *scratch, const bp_field_value *value)
{
    switch (value->kind) {
    case BP_FIELD_TEXT:
        return value->text;
    case BP_FIELD_UNSIGNED:
        return number_text(scratch, value->unsigned_number, false);
    case BP_FIELD_SIGNED:  /* the magnitude as unsigned, so INT64_MIN does not overflow */
        return number_text(scratch, value->signed_number < 0 ? 0 - (uint64_t)value->signed_number
                                                             : (uint64_t)value->signed_number,
                           value->signed_number < 0);
    case BP_FIELD_BOOL:
        return value->boolean ? "true" : "false";
    case BP_FIELD_TEXT_LIST:
        return fields_join_text(scratch, value->texts, value->text_count, "|");
    case BP_FIELD_ACES:
        return bp_csv_aces_text(scratch, value->aces, value->ace_count);
    case BP_FIELD_DETECTIONS:
        return fields_detection_labels(scratch, value->detections, value->detection_count);
    case BP_FIELD_EVENTS:
        return bp_csv_events_text(scratch, value->events, value->event_count);
    }
    return NULL;
}

/* Grouped fields become group_name columns (source_path, source_format ...). */
static int write_header(FILE *out)
{
    for (size_t i = 0; i < bp_record_field_count(); i++) {
        const bp_field *field = bp_record_field(i);
        char name[128];
        if (field->group)
            snprintf(name, sizeof name, "%s_%s", field->group, field->name);
        else
            snprintf(name, sizeof name, "%s", field->name);
        if (put_cell(out, name, i == 0, false) != 0)
            return -1;
    }
    return fputs("\r\n", out) == EOF ? -1 : 0;
}

static int write_row(FILE *out, const bp_record *record, bool excel)
{
    bp_arena scratch;
    bp_arena_init(&scratch);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < bp_record_field_count(); i++) {
        bp_field_value value;
        const char *text = NULL;
        if (bp_record_field_value(bp_record_field(i), record, &scratch, &value))
            text = cell_text(&scratch, &value);
        rc = text ? put_cell(out, text, i == 0, excel && !is_number(&value)) : -1;
    }
    if (rc == 0 && fputs("\r\n", out) == EOF)
        rc = -1;
    bp_arena_free(&scratch);
    return rc;
}

int bp_csv_writer_begin(FILE *out, bool excel)
{
    if (excel && fputs("\xEF\xBB\xBF", out) == EOF)  /* UTF-8 byte order mark */
        return -1;
    return write_header(out);
}

int bp_csv_writer_record(FILE *out, const bp_record *record, bool excel) { return write_row(out, record, excel); }

static int write_csv(FILE *out, const bp_result *result, bool excel)
{
    if (bp_csv_writer_begin(out, excel) != 0)
        return -1;
    size_t count = bp_result_count(result);
    for (size_t i = 0; i < count; i++)
        if (write_row(out, bp_result_record(result, i), excel) != 0)
            return -1;
    return 0;
}

int bp_write_csv(FILE *out, const bp_result *result) { return write_csv(out, result, false); }

int bp_write_csv_excel(FILE *out, const bp_result *result) { return write_csv(out, result, true); }
