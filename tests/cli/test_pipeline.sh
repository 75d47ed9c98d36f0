#!/usr/bin/env bash
# The command line in pipelines (issue 20): --summary, --fail-on, --csv-excel,
# --version, and the help and messages naming every input kind.
# Usage: bash test_pipeline.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
# MKQMGR (set by CTest) builds the queue with formula-like job names.
set -u

BIN=${1:?usage: test_pipeline.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_pipeline.sh BITSPARSE SHARED-DIR}
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WIN10=$SHARED/testdata/ese/win10-19045.qmgr.db
LOLBIN=$SHARED/testdata/evtx/win10-desktopimgdownldr.evtx

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$WIN10" "$LOLBIN"
require_tools jq pkg-config
make_work

# ---- --version: version, commit, build type, linked library versions ----------

run --version
expect_status 0 "--version"
check "--version: first line is the version of the header" \
    grep -qx "bitsparse $(sed -n 's/^#define BITSPARSE_VERSION "\(.*\)"$/\1/p' "$SOURCE/include/bitsparse/bitsparse.h")" \
    <(head -1 "$WORK/stdout")
check "--version: git commit (12 hex digits, maybe -dirty) or unknown" \
    grep -Eqx 'git commit: ([0-9a-f]{12}(-dirty)?|unknown \(not built from a git checkout\))' "$WORK/stdout"
if git -C "$SOURCE" rev-parse --short=12 HEAD >/dev/null 2>&1; then
    check "--version: the commit is one of this repository's" \
        git -C "$SOURCE" cat-file -e "$(sed -n 's/^git commit: \([0-9a-f]*\).*/\1/p' "$WORK/stdout")^{commit}"
fi
check "--version: build type" grep -Eqx 'build type: (Debug|Release|RelWithDebInfo|MinSizeRel|[A-Za-z]+)' "$WORK/stdout"
check "--version: libyaml $(pkg-config --modversion yaml-0.1)" \
    grep -qx "libyaml: $(pkg-config --modversion yaml-0.1)" "$WORK/stdout"
check "--version: libevtx $(pkg-config --modversion libevtx)" \
    grep -qx "libevtx: $(pkg-config --modversion libevtx)" "$WORK/stdout"

# ---- help and messages name every input kind -----------------------------------

run --help
check "--help names .evtx inputs" grep -q '\.evtx' "$WORK/stdout"
check "--help lists --summary, --fail-on, --csv-excel" \
    sh -c 'grep -q -- --summary "$1" && grep -q -- "--fail-on LEVEL" "$1" && grep -q -- --csv-excel "$1"' _ "$WORK/stdout"
check "--help lists exit status 4" grep -q '^  4  --fail-on' "$WORK/stdout"
printf 'neither a queue nor a log\n' >"$WORK/notes.txt"
run "$WORK/notes.txt"
expect_status 3 "a text file"
check "'not a BITS queue' names .evtx event logs" \
    grep -q 'not a BITS queue (.*Bits-Client \.evtx event log)' "$WORK/stderr"

# ---- --summary ------------------------------------------------------------------

run --summary "$WIN10" -o "$WORK/win10.json"
expect_status 0 "--summary win10"
check "--summary: the input's line (1 live record, 1 job, 1 low detection, dirty shutdown)" \
    grep -qxF "bitsparse: summary: $WIN10: 1 record (1 live, 0 carved), 1 job, detections: 0 critical, 0 high, 0 medium, 1 low, 0 informational; 0 warnings; ESE database: dirty shutdown" "$WORK/stderr"
check "--summary: the total line" \
    grep -qxF "bitsparse: summary: total of 1 input: 1 record (1 live, 0 carved), 1 job, detections: 0 critical, 0 high, 0 medium, 1 low, 0 informational; 0 warnings; ESE databases: 0 clean, 1 dirty or other" "$WORK/stderr"
check "--summary does not change the output" jq_ok 'length == 1 and .[0].job_id == "266504ac-d974-446c-96ad-2be13a5665b0"' "$WORK/win10.json"

run --summary --carve "$WIN10" -o /dev/null
check "--summary --carve: carved records and jobs counted apart from the live one" \
    grep -Eq "^bitsparse: summary: $WIN10: ([0-9]+) records \(1 live, [1-9][0-9]* carved\), [1-9][0-9]* jobs, .*[1-9][0-9]* warnings; ESE database: dirty shutdown$" "$WORK/stderr"
carved=$(sed -n "s|^bitsparse: summary: $WIN10: [0-9]* records (1 live, \([0-9]*\) carved).*|\1|p" "$WORK/stderr")
"$BIN" --carve -f jsonl "$WIN10" 2>/dev/null >"$WORK/carved.jsonl"
check "--summary --carve: the carved count is that of the output ($carved)" \
    test "$carved" = "$(jq -s '[.[] | select(.carved)] | length' "$WORK/carved.jsonl")"

run --summary "$WIN10" "$LOLBIN" -o /dev/null
check "--summary: the event log's record (2 medium, 1 informational detections), no database" \
    grep -qxF "bitsparse: summary: $LOLBIN: 1 record (1 live, 0 carved), 1 job, detections: 0 critical, 0 high, 2 medium, 0 low, 1 informational; 0 warnings" "$WORK/stderr"
check "--summary: total of 2 inputs" \
    grep -qxF "bitsparse: summary: total of 2 inputs: 2 records (2 live, 0 carved), 2 jobs, detections: 0 critical, 0 high, 2 medium, 1 low, 1 informational; 0 warnings; ESE databases: 0 clean, 1 dirty or other" "$WORK/stderr"

run "$WIN10" -o /dev/null
check "no summary without --summary when standard error is not a terminal" \
    sh -c '! grep -q "summary" "$1"' _ "$WORK/stderr"
if command -v script >/dev/null; then
    script -qec "$(printf '%q ' "$BIN" "$WIN10" -o /dev/null)" /dev/null >"$WORK/tty.txt" 2>&1
    check "summary printed when standard error is a terminal" grep -q "summary: total of 1 input" "$WORK/tty.txt"
    script -qec "$(printf '%q ' "$BIN" -q "$WIN10" -o /dev/null)" /dev/null >"$WORK/tty-quiet.txt" 2>&1
    check "no summary on a terminal with --quiet" sh -c '! grep -q summary "$1"' _ "$WORK/tty-quiet.txt"
else
    not_checked "summary on a terminal (script(1) not installed)"
fi

# ---- --fail-on LEVEL -------------------------------------------------------------

run --fail-on medium "$LOLBIN" -o "$WORK/lolbin.json"
expect_status 4 "--fail-on medium: desktopimgdownldr's BITS-004 and BITS-013 (medium) fire"
check "--fail-on: the output is written completely first" \
    jq_ok '.[0].job_id == "ff819706-9ff9-490b-ade5-b069232c5d23" and ([.[0].detections[].id] == ["BITS-004","BITS-012","BITS-013"])' "$WORK/lolbin.json"
run --fail-on high "$LOLBIN" -o /dev/null
expect_status 0 "--fail-on high: nothing above medium fires on desktopimgdownldr"
run --fail-on LOW "$WIN10" -o /dev/null
expect_status 4 "--fail-on LOW (case ignored): win10's low detection"
run --fail-on informational --min-severity high "$LOLBIN" -o /dev/null
expect_status 0 "--fail-on sees only the detections --min-severity reports"
run --fail-on medium --carve "$WIN10" -o /dev/null
expect_status 4 "--fail-on takes precedence over status 1 (carving warnings)"
run --fail-on severe "$WIN10"
expect_status 2 "--fail-on with an unknown level"
run --fail-on high --no-detections "$WIN10"
expect_status 2 "--fail-on with --no-detections"

# ---- --csv-excel -----------------------------------------------------------------

if [ -n "${MKQMGR:-}" ] && [ -x "$MKQMGR" ]; then
    jq '.jobs[0].name = "=HYPERLINK(\"http://203.0.113.9/x\",\"open\")"
        | .jobs[0].description = "@SUM(1+1)"
        | .jobs[1].name = "-2+3"
        | .jobs[1].description = "+cmd"' \
        "$SOURCE/testdata/descriptions/typical-win10.json" >"$WORK/formula.json"
    "$MKQMGR" "$WORK/formula.json" -o "$WORK/formula.qmgr.db" >/dev/null 2>&1
    check "mkqmgr built the formula queue" test -s "$WORK/formula.qmgr.db"
    run --csv-excel "$WORK/formula.qmgr.db" -o "$WORK/excel.csv"
    expect_status 0 "--csv-excel"
    check "--csv-excel: starts with the UTF-8 byte order mark" \
        test "$(head -c 3 "$WORK/excel.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf"
    check "--csv-excel: =HYPERLINK job name prefixed and quoted" \
        grep -qF ",\"'=HYPERLINK(\"\"http://203.0.113.9/x\"\",\"\"open\"\")\"," "$WORK/excel.csv"
    check "--csv-excel: @ description prefixed" grep -qF ",'@SUM(1+1)," "$WORK/excel.csv"
    check "--csv-excel: - and + cells prefixed" \
        sh -c 'grep -qF ",'"'"'-2+3,'"'"'+cmd," "$1"' _ "$WORK/excel.csv"
    check "--csv-excel: number cells stay numbers (file_size -1 not prefixed)" \
        sh -c '! grep -qF ",'"'"'-1" "$1"' _ "$WORK/excel.csv"
    run -f csv "$WORK/formula.qmgr.db" -o "$WORK/plain.csv"
    check "plain CSV: no byte order mark" test "$(head -c 3 "$WORK/plain.csv")" = "job"
    check "plain CSV: cells verbatim" grep -qF ",@SUM(1+1)," "$WORK/plain.csv"
    check "--csv-excel = plain CSV apart from the mark and the apostrophes" \
        cmp -s <(tail -c +4 "$WORK/excel.csv" | sed "s/,'/,/g; s/,\"'/,\"/g") "$WORK/plain.csv"
else
    not_checked "--csv-excel on a generated queue (MKQMGR not set)"
fi
run --csv-excel "$WIN10" -o "$WORK/by-option.json"
expect_status 0 "--csv-excel without -f writes CSV whatever the -o extension"
check "--csv-excel: header after the mark" grep -q $'^\xef\xbb\xbfjob_id,' "$WORK/by-option.json"
run --csv-excel -f json "$WIN10"
expect_status 2 "--csv-excel with -f json"

finish
