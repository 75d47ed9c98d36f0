#!/usr/bin/env bash
# Command-line behaviour of bitsparse: options, exit statuses, output files,
# and that inputs are never modified.
# Usage: bash test_cli.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_cli.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_cli.sh BITSPARSE SHARED-DIR}
ESE=$SHARED/testdata/ese
WIN10=$ESE/win10-19045.qmgr.db
WIN11=$ESE/win11-22000.qmgr.db

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$ESE"
require_tools jq
make_work

INPUTS_BEFORE=$(fingerprint "$WIN10" "$WIN11")
inputs_unchanged() {
    check "inputs unchanged after: $1" test "$(fingerprint "$WIN10" "$WIN11")" = "$INPUTS_BEFORE"
}

# ---- options and usage errors -------------------------------------------------

run --help
expect_status 0 "--help"
check "--help prints usage" grep -q '^Usage: bitsparse' "$WORK/stdout"
check "--help lists exit statuses" grep -qi 'exit status' "$WORK/stdout"
check "--help lists -o" grep -q -- '--output' "$WORK/stdout"
run -h
expect_status 0 "-h"

run --version
expect_status 0 "--version"
check "--version text" grep -Eqx 'bitsparse [0-9]+\.[0-9]+\.[0-9]+' "$WORK/stdout"
run -V
expect_status 0 "-V"

run
expect_status 2 "no arguments"
check "no arguments: message on stderr" test -s "$WORK/stderr"

run -f xml "$WIN10"
expect_status 2 "bad -f"
run --bogus "$WIN10"
expect_status 2 "unknown long option"
run -x "$WIN10"
expect_status 2 "unknown short option"
run "$WIN10" -o
expect_status 2 "-o without a file name"
run -q
expect_status 2 "only options, no PATH"

# ---- -o onto an input ----------------------------------------------------------

cp -p "$WIN10" "$WORK/copy.qmgr.db"
COPY_BEFORE=$(fingerprint "$WORK/copy.qmgr.db")
run "$WORK/copy.qmgr.db" -o "$WORK/copy.qmgr.db"
expect_status 2 "-o equal to the input"
ln -s "$WORK/copy.qmgr.db" "$WORK/link.json"
run "$WORK/copy.qmgr.db" -o "$WORK/link.json"
expect_status 2 "-o a symlink to the input"
ln "$WORK/copy.qmgr.db" "$WORK/hard.json"
run -o "$WORK/hard.json" "$WIN11" "$WORK/copy.qmgr.db"
expect_status 2 "-o a hard link to the second input"
run "$WORK/copy.qmgr.db" -o "$WORK/./copy.qmgr.db"
expect_status 2 "-o the input by another spelling"
mkdir "$WORK/evidence"
cp -p "$WIN10" "$WORK/evidence/qmgr.db"
run "$WORK/evidence" -o "$WORK/evidence/qmgr.db"
expect_status 2 "-o an existing file inside an input folder"
check "input in folder unchanged" test "$(fingerprint "$WORK/evidence/qmgr.db")" = "$COPY_BEFORE"
check "input unchanged after -o refusals" test "$(fingerprint "$WORK/copy.qmgr.db")" = "$COPY_BEFORE"
check "no temp files after -o refusals" no_temp_files "$WORK"
run "$WIN10" -o "$WIN10"
expect_status 2 "-o equal to the shared input"
inputs_unchanged "-o onto the shared input"

# ---- unreadable inputs -------------------------------------------------------

run "$WORK/does-not-exist.db"
expect_status 3 "nonexistent path"
check "nonexistent path: message on stderr" test -s "$WORK/stderr"
run -q "$WORK/does-not-exist.db"
expect_status 3 "nonexistent path, quiet"
check "-q keeps stderr empty" test ! -s "$WORK/stderr"
run "$WORK/does-not-exist.db" -o "$WORK/none.json"
expect_status 3 "nonexistent path with -o"
check "nothing readable: no output file" test ! -e "$WORK/none.json"
check "nothing readable: no temp files" no_temp_files "$WORK"

# ---- real queues -------------------------------------------------------------

run "$WIN10" -o "$WORK/out.json"
check "win10 -o out.json: exit 0 or 1 (got $status)" test "$status" -le 1
check "win10: jq accepts the output" jq_ok . "$WORK/out.json"
check "win10: exactly 1 record" jq_ok 'length == 1' "$WORK/out.json"
check "win10: job_id" jq_ok '.[0].job_id == "266504ac-d974-446c-96ad-2be13a5665b0"' \
    "$WORK/out.json"
check "win10: url" jq_ok '.[0].url | startswith("http://edgedl.me.gvt1.com/")' \
    "$WORK/out.json"
check "win10: stdout empty with -o" test ! -s "$WORK/stdout"
check "win10: no temp files" no_temp_files "$WORK"
inputs_unchanged "win10 -o out.json"

run "$WIN10"
check "win10 to stdout: exit 0 or 1" test "$status" -le 1
check "win10 to stdout: same as the file" cmp -s "$WORK/stdout" "$WORK/out.json"

run "$WIN11" -o "$WORK/win11.json"
check "win11: exit 0 or 1 (got $status)" test "$status" -le 1
check "win11: exactly 4 records" jq_ok 'length == 4' "$WORK/win11.json"
inputs_unchanged "win11 json"

run -f jsonl "$WIN11"
check "win11 jsonl: exit 0 or 1" test "$status" -le 1
check "win11 jsonl: 4 lines" test "$(wc -l <"$WORK/stdout")" -eq 4
check "win11 jsonl: every line an object" \
    slurp_ok 'length == 4 and all(.[]; type == "object")' "$WORK/stdout"
check "win11 jsonl: one object per line" \
    test "$(jq -c . "$WORK/stdout" | wc -l)" -eq 4
inputs_unchanged "win11 jsonl"

run "$WIN11" -o "$WORK/win11.jsonl"
check "-o .jsonl selects jsonl" test "$(wc -l <"$WORK/win11.jsonl")" -eq 4

run -o "$WORK/win11.csv" "$WIN11"
check "win11 csv: exit 0 or 1" test "$status" -le 1
check "win11 csv: header + 4 rows" test "$(wc -l <"$WORK/win11.csv")" -eq 5
check "win11 csv: header row" grep -q '^job_id,file_id,owner_sid,' "$WORK/win11.csv"
check "win11 csv: CRLF line ends" test "$(grep -c $'\r$' "$WORK/win11.csv")" -eq 5
inputs_unchanged "win11 csv"

run -f csv -o "$WORK/forced.json" "$WIN11"
check "-f wins over the extension" grep -q '^job_id,' "$WORK/forced.json"

run "$WIN10" "$WIN11"
check "two inputs: exit 0 or 1" test "$status" -le 1
check "two inputs: 5 records" jq_ok 'length == 5' "$WORK/stdout"

run "$WIN10" "$WORK/does-not-exist.db"
expect_status 1 "one readable, one missing input"
check "partly readable: records still written" jq_ok 'length == 1' "$WORK/stdout"

# output that cannot be written: no file, status 3
run "$WIN10" -o "$WORK/no/such/folder/out.json"
expect_status 3 "-o into a missing folder"
check "-o into a missing folder: nothing created" test ! -e "$WORK/no"
if [ -w /dev/full ]; then
    "$BIN" "$WIN10" >/dev/full 2>"$WORK/stderr"
    status=$?
    expect_status 3 "stdout on a full device"
fi
inputs_unchanged "the whole run"

finish
