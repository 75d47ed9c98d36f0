/* What input/parse.c shares with input/folder.c: reading one file, and
 * recognising a BITS input by its first bytes. */
#ifndef BP_INPUT_PARSE_INTERNAL_H
#define BP_INPUT_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carve/carve.h"
#include "result/result.h"

/* Does data start like a BITS input (ESE database, legacy state file or
 * record, job or file blob, event log)? The first 64 KiB are enough. */
bool input_is_bits_input(const uint8_t *data, size_t size);
/* An ESE database (qmgr.db), as bp_parse_path would read it. */
bool input_is_ese_input(const uint8_t *data, size_t size);

/* Read one file into result (carving when carve is set). Returns a bp_status. */
int input_parse_file(const char *path, bp_result *result, carve_session *carve);

/* Parse bytes read out of somewhere (a disk image) with their provenance: read
 * once per content (sha256), noted for the records' source. */
int input_parse_bytes(const uint8_t *data, size_t size, const result_input_origin *origin, bp_result *result,
                   carve_session *carve);

/* Read every BITS file of a folder (not recursively). Returns a bp_status. */
int input_parse_folder(const char *path, bp_result *result, carve_session *carve);

#endif
