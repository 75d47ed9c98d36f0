#!/usr/bin/env bash
# The mkqmgr command line: every option gives a database bitsparse reads
# cleanly, the same command twice gives the same bytes, --delete removes a job
# from what bitsparse reports, and bad input is refused with exit status 2.
# Usage: bash test_mkqmgr_cli.sh BITSPARSE [SHARED-DIR]   (MKQMGR set by CTest)
set -u

BIN=${1:?usage: test_mkqmgr_cli.sh BITSPARSE [SHARED-DIR]}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
MKQMGR=${MKQMGR:-$BUILD/tests/tools/mkqmgr/mkqmgr}
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
DESC=$SOURCE/testdata/descriptions/malicious.json

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools jq
make_work

status_is() { # status_is WANT COMMAND...
    local want=$1
    shift
    "$@" >/dev/null 2>&1
    [ $? -eq "$want" ]
}

options=(
    ""
    "--page-size 4096"
    "--page-size 8192 --lid 4"
    "--page-size 32768 --state clean"
    "--reserved-tags"
    "--chunk-size 256"
    "--fill 50 --page-size 4096"
    "--lv-page-per-value --lid 4"
    "--delete b4c2e7a1-5d93-4f08-8e61-0c9a2d7f3b54"
)
for opt in "${options[@]}"; do
    # shellcheck disable=SC2086
    check "mkqmgr $opt" "$MKQMGR" "$DESC" -o "$WORK/a.db" $opt
    # shellcheck disable=SC2086
    check "mkqmgr $opt (again)" "$MKQMGR" "$DESC" -o "$WORK/b.db" $opt
    check "same bytes twice: $opt" cmp -s "$WORK/a.db" "$WORK/b.db"
    check "bitsparse reads it cleanly: $opt" status_is 0 "$BIN" "$WORK/a.db"
done

# --delete: the job and its file are gone from the output, the others stay
"$BIN" -q -f jsonl "$WORK/a.db" >"$WORK/deleted.jsonl"
check "--delete drops the job" test "$(jq -s 'map(select(.job_name == "Windows Update Check")) | length' "$WORK/deleted.jsonl")" = 0
check "--delete keeps the rest" test "$(jq -s 'length' "$WORK/deleted.jsonl")" = 3

# the committed file is what the command in its description's comment makes
"$MKQMGR" "$DESC" -o "$WORK/committed.db"
check "committed malicious.qmgr.db is current" cmp -s "$WORK/committed.db" "$SOURCE/testdata/malicious.qmgr.db"

# refusals
check "no output path" status_is 2 "$MKQMGR" "$DESC"
check "unknown option" status_is 2 "$MKQMGR" "$DESC" -o "$WORK/x.db" --bogus
check "bad page size" status_is 2 "$MKQMGR" "$DESC" -o "$WORK/x.db" --page-size 2048
check "bad LID size" status_is 2 "$MKQMGR" "$DESC" -o "$WORK/x.db" --lid 6
check "chunk too big for the page" status_is 2 "$MKQMGR" "$DESC" -o "$WORK/x.db" --page-size 4096 --chunk-size 8000
check "unknown job to delete" status_is 2 "$MKQMGR" "$DESC" -o "$WORK/x.db" --delete 00000000-0000-0000-0000-000000000001
printf '{"jobs":[{"id":"not-a-guid","owner_sid":"S-1-5-18","created":"2024-01-01T00:00:00Z"}]}' >"$WORK/bad.json"
check "bad GUID in the description" status_is 2 "$MKQMGR" "$WORK/bad.json" -o "$WORK/x.db"
printf '{"jobs":[{"id":"00000000-0000-0000-0000-000000000001","owner_sid":"S-1-5-18","created":"2024-01-01T00:00:00Z","nmae":"x"}]}' >"$WORK/bad.json"
check "misspelt key in the description" status_is 2 "$MKQMGR" "$WORK/bad.json" -o "$WORK/x.db"
printf '{"jobs":[{"id":"00000000-0000-0000-0000-000000000001","owner_sid":"S-1-5-18","created":"2024-13-01T00:00:00Z"}]}' >"$WORK/bad.json"
check "bad time in the description" status_is 2 "$MKQMGR" "$WORK/bad.json" -o "$WORK/x.db"
check "no file written on refusal" test ! -e "$WORK/x.db"

finish
