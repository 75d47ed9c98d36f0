#!/usr/bin/env bash
# Inputs mapped instead of read whole (issue 21), from the command line: a
# regular file is mapped read-only and private (strace), and gives the records
# and source.sha256 it always gave; what cannot be mapped still works as
# before: standard input ("-") from a pipe; an empty file; and a sparse file
# larger than the old 2 GiB cap, which is no BITS input: exit 3 with its
# message, at once, without reading it (peak memory a few MiB), and a 64 MiB
# sparse file carved: nothing found, memory bounded. Regression
# duplicate-not-bits-read-once: the same non-BITS file twice is no BITS input
# twice (exit 3), not "read once".
#
# Usage: bash test_mapped_input.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_mapped_input.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_mapped_input.sh BITSPARSE SHARED-DIR}
DATA=$SHARED/testdata

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$DATA/blobs/win10-19045.job.blob" "$DATA/ese/win10-19045.qmgr.db"
require_tools jq truncate
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
make_work

JOB=$DATA/blobs/win10-19045.job.blob
JOB_ID=266504ac-d974-446c-96ad-2be13a5665b0
JOB_SHA=e300a1d4bb714ec943adcb803ad5bcbbf1b5a46513421d2489f03855c84e8ea6
NOT_BITS="not a BITS queue (neither an ESE qmgr.db, a legacy qmgr*.dat state file, a job or file blob nor a Bits-Client .evtx event log)"

# ---- a regular file: mapped, same record, its sha256 --------------------------------------
run -f jsonl "$JOB"
expect_status 0 "job blob"
check "job blob: its job id" jq_ok ".job_id == \"$JOB_ID\"" "$WORK/stdout"
check "job blob: source.sha256 of the file" jq_ok ".source.sha256 == \"$JOB_SHA\"" "$WORK/stdout"

if ! command -v strace >/dev/null; then
    not_checked "strace is not installed: how the input is mapped"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
    not_checked "strace cannot trace here (ptrace not permitted): how the input is mapped"
else
    strace -f -qq -e trace=openat,mmap -o "$WORK/trace" "$BIN" -q -f jsonl "$DATA/ese/win10-19045.qmgr.db" >/dev/null 2>&1
    size=$(stat -c %s "$DATA/ese/win10-19045.qmgr.db")
    check "queue: mapped whole, read-only and private" grep -qE "mmap\(NULL, $size, PROT_READ, MAP_PRIVATE, " "$WORK/trace"
    check "queue: nothing mapped writable from a file" bash -c "! grep -E 'mmap\(.*PROT_WRITE.*MAP_PRIVATE, [0-9]+, ' '$WORK/trace' | grep -vE 'MAP_ANONYMOUS|MAP_DENYWRITE|MAP_FIXED' | grep -q ."
fi

# ---- what cannot be mapped: as before -----------------------------------------------------
cat "$JOB" | "$BIN" -f jsonl - >"$WORK/stdout" 2>"$WORK/stderr"
status=$?
expect_status 0 "standard input from a pipe"
check "standard input: the job" jq_ok ".job_id == \"$JOB_ID\" and .source.path == \"-\"" "$WORK/stdout"
check "standard input: source.sha256 of the bytes" jq_ok ".source.sha256 == \"$JOB_SHA\"" "$WORK/stdout"

# ---- an empty file -------------------------------------------------------------------------
: >"$WORK/empty.bin"
run -f jsonl "$WORK/empty.bin"
expect_status 3 "empty file"
check "empty file: not a BITS queue" grep -qF "$WORK/empty.bin: $NOT_BITS" "$WORK/stderr"
run --carve -f jsonl "$WORK/empty.bin"
expect_status 0 "empty file carved"
check "empty file carved: no record" test "$(lines "$WORK/stdout")" = 0

# ---- regression duplicate-not-bits-read-once (docs/hardening.md) ---------------------------
printf 'case notes: not a BITS file\n' >"$WORK/notes-1.txt"
cp "$WORK/notes-1.txt" "$WORK/notes-2.txt"
run -f jsonl "$WORK/notes-1.txt" "$WORK/notes-2.txt"
expect_status 3 "regression duplicate-not-bits-read-once: no BITS input among the two"
check "regression duplicate-not-bits-read-once: the first is not a BITS queue" grep -qF "$WORK/notes-1.txt: $NOT_BITS" "$WORK/stderr"
check "regression duplicate-not-bits-read-once: nor is the second" grep -qF "$WORK/notes-2.txt: $NOT_BITS" "$WORK/stderr"
check "regression duplicate-not-bits-read-once: not read once" bash -c "! grep -q 'same content' '$WORK/stderr'"

# ---- a sparse file over the old 2 GiB cap --------------------------------------------------
truncate -s 3G "$WORK/sparse-3g.bin"
truncate -s 64M "$WORK/sparse-64m.bin"
if [ -x /usr/bin/time ]; then
    timed() { # the peak RSS alone (time adds a line when the exit status is not 0)
        /usr/bin/time -f "%M" -o "$WORK/time" "$BIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
        status=$?
        tail -n 1 "$WORK/time" >"$WORK/rss"
    }
else
    timed() { run "$@"; echo 0 >"$WORK/rss"; }
fi
timed -f jsonl "$WORK/sparse-3g.bin"
expect_status 3 "3 GiB sparse file"
check "3 GiB sparse file: not a BITS queue (no 2 GiB cap)" grep -qF "$WORK/sparse-3g.bin: $NOT_BITS" "$WORK/stderr"
check "3 GiB sparse file: not read into memory (peak RSS $(cat "$WORK/rss") KiB)" test "$(cat "$WORK/rss")" -lt 65536
timed --carve -f jsonl "$WORK/sparse-64m.bin"
expect_status 0 "64 MiB sparse file carved"
check "64 MiB sparse file carved: nothing found" test "$(lines "$WORK/stdout")" = 0
check "64 MiB sparse file carved: not held in memory (peak RSS $(cat "$WORK/rss") KiB)" test "$(cat "$WORK/rss")" -lt 65536

finish
