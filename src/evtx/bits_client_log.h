/* The Microsoft-Windows-Bits-Client/Operational event log: its events (3 job
 * created, 4 completed, 5 cancelled, 59/60/61 transfer started/stopped/failed,
 * and any other one naming a job) are gathered per job id and turned into
 * records: one per job and URL, source.format "evtx" (docs/format-evtx.md).
 * Like bits/qmgr_db.c this layer appends records to core's bp_result. */
#ifndef BP_EVTX_BITS_CLIENT_LOG_H
#define BP_EVTX_BITS_CLIENT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"
#include "evtx/evtx_log.h"

#define BITS_CLIENT_PROVIDER "Microsoft-Windows-Bits-Client"

/* Read the .evtx bytes (evtx_is_log) and append the records of its
 * Bits-Client events to result; with `carve` also the Bits-Client records
 * libevtx recovers from the log's free space (bp_event.recovered), else only
 * a note counting them; input-level notes go to result->warnings
 * prefixed with label. Returns a bp_status: 3 when libevtx cannot open the
 * log, 1 when anything was noted (other providers skipped, no Bits-Client
 * event, unknown layouts, events linked by title), else 0. */
int evtx_bits_read(const uint8_t *data, size_t size, const char *label, bool carve, bp_result *result);

/* The same in steps, for events from elsewhere (tests): feed the events of
 * one log in log order, then finish, which appends the records, adds the
 * input-level notes to *notes (in result's arena) and frees the log. label
 * must live as long as the result. add returns false when out of memory;
 * finish false when records are missing for that reason. */
typedef struct bits_log bits_log;
bits_log *bits_log_new(bp_result *result, const char *label);
bool bits_log_add(bits_log *log, const evtx_event *event);
bool bits_log_finish(bits_log *log, bp_note_list *notes);

#endif
