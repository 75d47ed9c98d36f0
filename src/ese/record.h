/* Record (table leaf node data) decoding: fixed, variable and tagged columns,
 * multi-values, defaults, compression and long values (ese-format §8-§10). */
#ifndef BP_ESE_RECORD_H
#define BP_ESE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ese/catalog.h"
#include "ese/database.h"

typedef struct ese_value {
    const uint8_t *data;       /* resolved bytes (LV fetched, decompressed) */
    size_t size;
    bool separated;            /* came from the long-value tree */
    uint64_t lid;              /* its LID when separated */
    bool compressed;           /* was stored compressed */
    const char *problem;       /* non-NULL: the value could not be fully resolved */
} ese_value;

typedef struct ese_column_value {
    bool present;              /* false = NULL */
    bool from_default;         /* absent from the record; catalog default used */
    size_t count;              /* number of values (> 1 for multi-valued) */
    ese_value *values;         /* arena */
} ese_column_value;

typedef struct ese_record {
    const uint8_t *data;
    size_t size;
    uint8_t fixed_last;
    uint8_t variable_last;
    uint16_t fixed_end;
    bool valid;                /* header fits the data */
} ese_record;

bool ese_record_open(ese_record *record, const uint8_t *data, size_t size);

/* Value(s) of one column. Returns false only on a structural error in the
 * record (then `value` says NULL and a reason is in *problem). */
bool ese_record_get(const ese_db *db, const ese_table *table, const ese_record *record, uint32_t column_id,
                    ese_column_value *value, const char **problem);

/* Tagged column ids present in the record, in stored order (for listings). */
size_t ese_record_tagged_ids(const ese_db *db, const ese_record *record, uint32_t *ids, size_t max);

#endif
