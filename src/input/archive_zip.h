/* A collection delivered as a ZIP (Velociraptor's offline collector,
 * Collection-HOST-TIMESTAMP.zip), read in place through libarchive: members
 * streamed once, front to back; only the wanted ones are kept in memory. */
#ifndef BP_INPUT_ARCHIVE_ZIP_H
#define BP_INPUT_ARCHIVE_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carve/carve.h"
#include "result/result.h"

/* Does the input start like a ZIP (a local file header, "PK\3\4")? */
bool zip_looks_like(const uint8_t *head, size_t size);

/* Read every BITS source among the members (the names a tree search reads,
 * URL-decoded). Returns a bp_status. */
int zip_parse(const char *path, bp_result *result, carve_session *carve);

#endif
