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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fields/field_text.h"
#include "fields/record_fields.h"
#include "output/text_block.h"
#include "output/writers.h"
#include "util/growable.h"

/* A spreadsheet treats a cell starting with one of these as a formula (tab
 * and CR because some of them strip leading whitespace first). */
static bool formula_start(const char *text) { return *text && strchr("=+-@\t\r", *text) != NULL; }

/* Room for `more` bytes after the row's text; the rare growth is out of
 * line, so the check made for every cell is one comparison. */
static bool grow_row(out_csv_row *row, size_t more)
{
    if (row->failed || more > SIZE_MAX / 2 - row->length ||
        !util_grow_to((void **)&row->text, &row->capacity, row->length + more, 1)) {
        row->failed = true;
        return false;
    }
    return true;
}

static inline bool row_room(out_csv_row *row, size_t more)
{
    /* capacity >= length always holds */
    if (!row->failed && row->text && more <= row->capacity - row->length)
        return true;
    return grow_row(row, more);
}

#ifdef __SSE2__
/* The length of text, and whether it holds a byte that makes the cell quoted
 * (',', '"', CR, LF), in one pass instead of strlen and strcspn (loads stay
 * inside the page of their first byte: text_block.h). */
static size_t scan_cell(const char *text, bool *special)
{
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'),
                  lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
    const char *s = text;
    *special = false;
    for (;;) {
        if (!out_text_block_in_page(s)) {
            char c = *s;
            if (c == '\0')
                return (size_t)(s - text);
            if (c == ',' || c == '"' || c == '\r' || c == '\n')
                *special = true;
            s++;
            continue;
        }
        __m128i bytes = out_text_block_load(s);
        unsigned ends = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, nul));
        __m128i marks = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, comma), _mm_cmpeq_epi8(bytes, quote)),
                                     _mm_or_si128(_mm_cmpeq_epi8(bytes, cr), _mm_cmpeq_epi8(bytes, lf)));
        unsigned hits = (unsigned)_mm_movemask_epi8(marks);
        if (ends) {
            unsigned length = (unsigned)__builtin_ctz(ends);
            if (hits & ((1u << length) - 1))
                *special = true;
            return (size_t)(s - text) + length;
        }
        if (hits)
            *special = true;
        s += 16;
    }
}
#else
static size_t scan_cell(const char *text, bool *special)
{
    size_t length = strlen(text);
    *special = strcspn(text, ",\"\r\n") < length;
    return length;
}
#endif

/* RFC 4180: quote a cell holding a comma, quote, CR or LF; double its quotes.
 * defuse: put an apostrophe before text that would start a formula. */
static void put_quoted_cell(out_csv_row *row, const char *text, bool first, bool defuse)
{
    bool quoted;
    size_t length = scan_cell(text, &quoted);
    bool apostrophe = defuse && formula_start(text);
    if (length > SIZE_MAX / 4 || !row_room(row, 2 * length + 4))  /* every byte a quote, at worst */
        return;
    char *out = row->text + row->length;
    if (!first)
        *out++ = ',';
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

#ifdef __SSE2__
/* A cell copied while its end is found, 16 bytes at a time (nearly every
 * cell needs no quotes: one pass instead of a scan and then a copy call).
 * A byte that makes the cell quoted sends it to put_quoted_cell, which
 * starts it over. Each block is stored before it is looked at, so 32 bytes
 * of room are kept ahead; loads stay inside the page of their first byte
 * (text_block.h). */
static void put_cell(out_csv_row *row, const char *text, bool first, bool defuse)
{
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'),
                  lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
    if (!row_room(row, 64))
        return;
    size_t start = row->length;
    char *out = row->text + start, *limit = row->text + row->capacity - 32;
    if (!first)
        *out++ = ',';
    if (defuse && formula_start(text))
        *out++ = '\'';
    for (const char *s = text;;) {
        if (out >= limit) {  /* fewer than 32 bytes of room left */
            row->length = (size_t)(out - row->text);
            if (!row_room(row, 64))
                return;
            out = row->text + row->length;
            limit = row->text + row->capacity - 32;
        }
        if (!out_text_block_in_page(s)) {  /* one byte at a time up to the next page */
            char c = *s++;
            if (c == '\0')
                break;
            if (c == ',' || c == '"' || c == '\r' || c == '\n')
                goto quoted;
            *out++ = c;
            continue;
        }
        __m128i bytes = out_text_block_load(s);
        _mm_storeu_si128((__m128i *)(void *)out, bytes);
        unsigned ends = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, nul));
        __m128i marks = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, comma), _mm_cmpeq_epi8(bytes, quote)),
                                     _mm_or_si128(_mm_cmpeq_epi8(bytes, cr), _mm_cmpeq_epi8(bytes, lf)));
        unsigned hits = (unsigned)_mm_movemask_epi8(marks);
        if (ends) {
            unsigned length = (unsigned)__builtin_ctz(ends);
            if (hits & ((1u << length) - 1))
                goto quoted;
            out += length;
            break;
        }
        if (hits)
            goto quoted;
        out += 16;
        s += 16;
    }
    row->length = (size_t)(out - row->text);
    return;
quoted:
    row->length = start;
    put_quoted_cell(row, text, first, defuse);
}
#else
static void put_cell(out_csv_row *row, const char *text, bool first, bool defuse)
{
    put_quoted_cell(row, text, first, defuse);
}
#endif

/* A number's cell: digits written straight into the row (never quoted, never
 * defused), without printf. */
static void put_number_cell(out_csv_row *row, uint64_t magnitude, bool negative, bool first)
{
    if (!row_room(row, 24))
        return;
    char digits[24];
    char *start = digits + sizeof digits;
    do {
        *--start = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        *--start = '-';
    size_t length = (size_t)(digits + sizeof digits - start);
    char *out = row->text + row->length;
    if (!first)
        *out++ = ',';
    memcpy(out, start, length);
    row->length = (size_t)(out + length - row->text);
}

static int write_row_text(FILE *out, out_csv_row *row)
{
    if (!row_room(row, 2))
        return -1;
    memcpy(row->text + row->length, "\r\n", 2);
    row->length += 2;
    return fwrite(row->text, 1, row->length, out) == row->length ? 0 : -1;
}

/* The ACE cell. The memo keeps the cell as it was written (quoted and
 * defused already), so a list written recently is one copy, not a scan of
 * its thousand bytes. false when out of memory. */
static bool put_aces_cell(out_csv_writer *writer, const bp_ace *aces, size_t count, bool first)
{
    out_csv_row *row = &writer->row;
    size_t length;
    const char *kept = out_ace_memo_find(&writer->aces_written, aces, count, 0, &length);
    if (kept) {
        if (length > SIZE_MAX / 2 || !row_room(row, length + 1))
            return false;
        char *out = row->text + row->length;
        if (!first)
            *out++ = ',';
        memcpy(out, kept, length);
        row->length = (size_t)(out + length - row->text);
        return true;
    }
    const char *text = fields_csv_aces_text(&writer->scratch, aces, count);
    if (!text)
        return false;
    size_t cell = row->length + (first ? 0 : 1);  /* after the comma */
    put_cell(row, text, first, writer->excel);
    if (!row->failed && count > 0)
        out_ace_memo_keep(&writer->aces_written, aces, count, 0, row->text + cell, row->length - cell);
    return !row->failed;
}

static const char *cell_text(out_csv_writer *writer, const fields_field_value *value)
{
    util_arena *scratch = &writer->scratch;
    switch (value->kind) {
    case FIELDS_FIELD_TEXT:
        return value->text;
    case FIELDS_FIELD_UNSIGNED:
    case FIELDS_FIELD_SIGNED:
        return NULL;  /* put_number_cell */
    case FIELDS_FIELD_BOOL:
        return value->boolean ? "true" : "false";
    case FIELDS_FIELD_TEXT_LIST:
        return fields_join_text(scratch, value->texts, value->text_count, "|");
    case FIELDS_FIELD_ACES:  /* put_aces_cell */
        return NULL;
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
    out_csv_row row = {0};
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

/* Rows are gathered and written out once this much is held (as the JSON
 * writer does: a write per row was a system call per row). */
enum { CSV_WRITE_BATCH = 64 * 1024 };

static int flush_rows(out_csv_writer *writer)
{
    out_csv_row *row = &writer->row;
    int rc = row->length && fwrite(row->text, 1, row->length, writer->out) != row->length ? -1 : 0;
    row->length = 0;
    return rc;
}

static int write_row(out_csv_writer *writer, const bp_record *record)
{
    out_csv_row *row = &writer->row;
    size_t start = row->length;
    int rc = 0;
    size_t count = fields_record_field_count();
    for (size_t i = 0; rc == 0 && !row->failed && i < count; i++) {
        fields_field_value value;
        if (!fields_record_field_value(fields_record_field(i), record, &writer->scratch, &value)) {
            rc = -1;
        } else if (value.kind == FIELDS_FIELD_UNSIGNED) {
            put_number_cell(row, value.unsigned_number, false, i == 0);
        } else if (value.kind == FIELDS_FIELD_SIGNED) {  /* the magnitude as unsigned: INT64_MIN fits */
            bool negative = value.signed_number < 0;
            put_number_cell(row, negative ? 0 - (uint64_t)value.signed_number : (uint64_t)value.signed_number,
                            negative, i == 0);
        } else if (value.kind == FIELDS_FIELD_ACES) {
            if (!put_aces_cell(writer, value.aces, value.ace_count, i == 0))
                rc = -1;
        } else {
            const char *text = cell_text(writer, &value);
            if (text)
                put_cell(row, text, i == 0, writer->excel);
            else
                rc = -1;
        }
    }
    util_arena_reset(&writer->scratch);
    if (rc == 0 && !row->failed && row_room(row, 2)) {
        memcpy(row->text + row->length, "\r\n", 2);
        row->length += 2;
    } else {
        rc = -1;
    }
    if (rc != 0) {  /* nothing of a failed row is written; the rows before it are */
        row->failed = false;
        row->length = start;
        flush_rows(writer);
        return -1;
    }
    return row->length >= CSV_WRITE_BATCH ? flush_rows(writer) : 0;
}

void out_csv_writer_init(out_csv_writer *writer, FILE *out, bool excel)
{
    memset(writer, 0, sizeof(*writer));
    writer->out = out;
    writer->excel = excel;
    util_arena_init(&writer->scratch);
    out_ace_memo_init(&writer->aces_written);
}

int out_csv_writer_begin(out_csv_writer *writer)
{
    if (writer->excel && fputs("\xEF\xBB\xBF", writer->out) == EOF)  /* UTF-8 byte order mark */
        return -1;
    return write_header(writer->out);
}

int out_csv_writer_record(out_csv_writer *writer, const bp_record *record) { return write_row(writer, record); }

int out_csv_writer_end(out_csv_writer *writer) { return flush_rows(writer); }

void out_csv_writer_free(out_csv_writer *writer)
{
    free(writer->row.text);
    util_arena_free(&writer->scratch);
    out_ace_memo_free(&writer->aces_written);
    memset(writer, 0, sizeof(*writer));
}

static int write_csv(FILE *out, const bp_result *result, bool excel)
{
    out_csv_writer writer;
    out_csv_writer_init(&writer, out, excel);
    int rc = out_csv_writer_begin(&writer);
    size_t count = bp_result_count(result);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = write_row(&writer, bp_result_record(result, i));
    if (rc == 0)
        rc = out_csv_writer_end(&writer);
    out_csv_writer_free(&writer);
    return rc;
}

int out_write_csv(FILE *out, const bp_result *result) { return write_csv(out, result, false); }

int out_write_csv_excel(FILE *out, const bp_result *result) { return write_csv(out, result, true); }
