/* Correlation of event-log records with queue records of the same job
 * (bp_result_correlate_events, declared in bitsparse/bitsparse.h; docs/format-evtx.md §6). */
#ifndef BP_EVTX_EVENT_MERGE_H
#define BP_EVTX_EVENT_MERGE_H

#include <stdbool.h>

#include "bitsparse/bitsparse.h"

/* True for a record built from event logs alone (source.format "evtx"). */
bool evtx_record_is_event_only(const bp_record *record);

#endif
