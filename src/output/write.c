/* bp_write(): pick the writer for the format, then make sure every byte
 * actually reached the stream before reporting success. */
#include "fields/record_fields.h"
#include "output/writers.h"

int bp_write(FILE *out, const bp_result *result, bp_format format)
{
    if (!out)
        return -1;
    int rc;
    switch (format) {
    case BP_FORMAT_JSON:
        rc = bp_write_json(out, result, false);
        break;
    case BP_FORMAT_JSONL:
        rc = bp_write_json(out, result, true);
        break;
    case BP_FORMAT_CSV:
        rc = bp_write_csv(out, result);
        break;
    case BP_FORMAT_CSV_EXCEL:
        rc = bp_write_csv_excel(out, result);
        break;
    case BP_FORMAT_TIMELINE:
        rc = bp_write_timeline(out, result);
        break;
    default:
        return -1;
    }
    /* a full disk may only show up when the buffer is flushed */
    if (fflush(out) == EOF || ferror(out))
        rc = -1;
    return rc;
}
