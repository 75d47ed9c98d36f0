#!/usr/bin/env bash
# Regression (code review, finding 6): --summary credited every record to the
# first input that was a path prefix of its source, so with the inputs "d" and
# "d/inner/qmgr.db" the inner queue's records were counted under "d". The most
# specific (longest) input wins now; "d" still does not match "d2/...".
# Since folders are searched at any depth and an input met twice (same sha256)
# is read once with a note, "d" finds d/inner/qmgr.db first and the explicit
# input only adds that note: its records are still credited to it.
# Usage: bash test_regression_summary_nested_inputs.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_regression_summary_nested_inputs.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_regression_summary_nested_inputs.sh BITSPARSE SHARED-DIR}
WIN10=$SHARED/testdata/ese/win10-19045.qmgr.db
WIN11=$SHARED/testdata/ese/win11-22000.qmgr.db

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$WIN10" "$WIN11"
make_work

TYPICAL=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../testdata" && pwd)/typical-win10.qmgr.db

# d/qmgr.db: win10 (1 job); d/inner/qmgr.db: win11 (4 jobs); d2/qmgr.db: the generated typical-win10 (4 jobs)
mkdir -p "$WORK/d/inner" "$WORK/d2"
cp "$WIN10" "$WORK/d/qmgr.db"
cp "$WIN11" "$WORK/d/inner/qmgr.db"
cp "$TYPICAL" "$WORK/d2/qmgr.db"
cd "$WORK" || exit 1

run --summary d d/inner/qmgr.db d2 -o /dev/null
expect_status 1 "--summary d d/inner/qmgr.db d2 (d/inner/qmgr.db is met twice: a note)"
check "the folder d keeps only its own queue (1 record)" \
    grep -qxF "bitsparse: summary: d: 1 record (1 live, 0 carved), 1 job, detections: 0 critical, 0 high, 0 medium, 1 low, 0 informational; 0 warnings; ESE database: dirty shutdown" "$WORK/stderr"
check "the nested input d/inner/qmgr.db gets its 4 records" \
    grep -qxF "bitsparse: summary: d/inner/qmgr.db: 4 records (4 live, 0 carved), 4 jobs, detections: 0 critical, 0 high, 0 medium, 4 low, 0 informational; 1 warning; ESE database: dirty shutdown" "$WORK/stderr"
check "d2 is not taken for d (whole path components)" \
    grep -qxF "bitsparse: summary: d2: 4 records (4 live, 0 carved), 4 jobs, detections: 0 critical, 0 high, 2 medium, 3 low, 1 informational; 0 warnings; ESE database: dirty shutdown" "$WORK/stderr"
check "the total counts each record once (9)" \
    grep -qxF "bitsparse: summary: total of 3 inputs: 9 records (9 live, 0 carved), 9 jobs, detections: 0 critical, 0 high, 2 medium, 8 low, 1 informational; 1 warning; ESE databases: 0 clean, 3 dirty or other" "$WORK/stderr"

finish
