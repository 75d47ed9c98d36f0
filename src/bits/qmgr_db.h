/* Windows 10/11 qmgr.db: read the Jobs and Files tables of an open ESE
 * database, decode their blobs and join them into records (bits-format §3). */
#ifndef BP_BITS_QMGR_DB_H
#define BP_BITS_QMGR_DB_H

#include "result/result.h"
#include "ese/database.h"

/* Append the live records of `db` to `result`. `path` labels the source.
 * Returns the number of records added. */
size_t qmgr_db_read(ese_db *db, const char *path, bp_result *result);

#endif
