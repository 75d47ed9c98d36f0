/* The detection rules evaluated record by record, for records written as they
 * are finished (docs/design.md "Streaming"); bp_detect() is this over a whole
 * result. */
#ifndef BP_DETECT_DETECTOR_H
#define BP_DETECT_DETECTOR_H

#include <stddef.h>

#include "bitsparse/detect.h"
#include "result/result.h"

typedef struct detect_detector detect_detector;

/* One run of `rules` (which must outlive it): the verdict memo and the copies
 * of the rules' ids and titles are kept for all the records it sees, so the
 * detections of a record stay valid until the detector is freed. NULL when out
 * of memory. */
detect_detector *detect_detector_new(const bp_ruleset *rules, bp_severity min_severity);
/* Set the detections of records[0..count): their lists go to the result's
 * record arena. The number of detections, -1 when out of memory. */
long detect_detector_run(detect_detector *detector, bp_result *result, bp_record *records, size_t count);
void detect_detector_free(detect_detector *detector);

#endif
