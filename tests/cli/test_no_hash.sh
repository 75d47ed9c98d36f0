#!/usr/bin/env bash
# --no-hash and the --scan input's SHA-256 computed on a second thread (issue 21).
# * --scan of a generated 13 MiB image (more than three 4 MiB blocks) holding the
#   shared job and file blobs: source.sha256 is the file's sha256sum (the
#   hasher thread saw every byte, in order), the records at their offsets.
# * --no-hash: "sha256":"" in every record, and otherwise the same bytes as
#   without it, for a queue (JSON Lines and CSV), a job blob from standard
#   input and the --scan of the image.
# * The same input twice under --no-hash (docs/hardening.md): the same file,
#   another spelling of its path, or a symlink to it is read once with a note
#   naming device and inode, and so is a ZIP given twice; a copy (other inode) is
#   read again.
#
# Usage: bash test_no_hash.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_no_hash.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_no_hash.sh BITSPARSE SHARED-DIR}
DATA=$SHARED/testdata

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
QUEUE=$DATA/ese/win10-19045.qmgr.db
JOB=$DATA/blobs/win10-19045.job.blob
FILE=$DATA/blobs/win10-19045.file.blob
require_data "$QUEUE" "$JOB" "$FILE"
require_tools jq sha256sum seq
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
make_work

QUEUE_SHA=1a0333f6061c12c47b34f918a6055f2f60af5f51e6418e0b5189b473f2e39407
JOB_ID=266504ac-d974-446c-96ad-2be13a5665b0
# the sha256 fields emptied: what --no-hash must give, byte for byte
unhash() { sed -E 's/"sha256":"[0-9a-f]{64}"/"sha256":""/g' "$1"; }

# ---- a queue ----------------------------------------------------------------------------------
run -f jsonl "$QUEUE"
expect_status 0 "queue"
cp "$WORK/stdout" "$WORK/queue.jsonl"
check "queue: its sha256 without --no-hash" jq_ok ".source.sha256 == \"$QUEUE_SHA\"" "$WORK/queue.jsonl"
run -f jsonl --no-hash "$QUEUE"
expect_status 0 "queue --no-hash"
check "queue --no-hash: \"sha256\":\"\"" jq_ok ".source.sha256 == \"\" and .job_id == \"$JOB_ID\"" "$WORK/stdout"
check "queue --no-hash: the same records otherwise (JSON Lines)" cmp -s <(unhash "$WORK/queue.jsonl") "$WORK/stdout"
run -f csv "$QUEUE"
sed "s/$QUEUE_SHA//g" "$WORK/stdout" >"$WORK/queue.csv"
run -f csv --no-hash "$QUEUE"
check "queue --no-hash: the same records otherwise (CSV)" cmp -s "$WORK/queue.csv" "$WORK/stdout"

# ---- standard input ---------------------------------------------------------------------------
"$BIN" -f jsonl - <"$JOB" >"$WORK/stdin.jsonl" 2>"$WORK/stderr"
"$BIN" -f jsonl --no-hash - <"$JOB" >"$WORK/stdout" 2>"$WORK/stderr"
check "standard input --no-hash: \"sha256\":\"\"" jq_ok '.source.sha256 == ""' "$WORK/stdout"
check "standard input --no-hash: the same record otherwise" cmp -s <(unhash "$WORK/stdin.jsonl") "$WORK/stdout"

# ---- --scan of an image of several blocks: the threaded digest ---------------------------------
IMAGE=$WORK/image.raw
{
    seq 1 2000000 | head -c 9437000
    cat "$JOB"
    seq 3000000 4000000 | head -c 5000000
    cat "$FILE"
} >"$IMAGE"
IMAGE_SHA=$(sha256sum "$IMAGE" | cut -d' ' -f1)
run -f jsonl -q --scan "$IMAGE"
cp "$WORK/stdout" "$WORK/scan.jsonl"
check "scan: two records" test "$(lines "$WORK/scan.jsonl")" -eq 2
check "scan: the job at its offset" slurp_ok "map(select(.job_id == \"$JOB_ID\" and .source.offset == 9437000)) | length == 1" "$WORK/scan.jsonl"
check "scan: source.sha256 is the image's sha256sum ($IMAGE_SHA)" \
    slurp_ok "all(.[]; .source.sha256 == \"$IMAGE_SHA\")" "$WORK/scan.jsonl"
run -f jsonl -q --scan --no-hash "$IMAGE"
check "scan --no-hash: \"sha256\":\"\"" slurp_ok 'length == 2 and all(.[]; .source.sha256 == "")' "$WORK/stdout"
check "scan --no-hash: the same records otherwise" cmp -s <(unhash "$WORK/scan.jsonl") "$WORK/stdout"

# ---- the same input twice ---------------------------------------------------------------------
cp "$QUEUE" "$WORK/copy.qmgr.db"
ln -s "$QUEUE" "$WORK/link.qmgr.db"
DIR=$(dirname "$QUEUE")
run -f jsonl --no-hash "$QUEUE" "$DIR/../ese/$(basename "$QUEUE")"
check "same file twice --no-hash: read once" test "$(lines "$WORK/stdout")" -eq 1
check "same file twice --no-hash: the note names device and inode" \
    grep -q "same file as $QUEUE (device [0-9]*, inode [0-9]*): read once" "$WORK/stderr"
run -f jsonl --no-hash "$QUEUE" "$WORK/link.qmgr.db"
check "a symlink to it --no-hash: read once" test "$(lines "$WORK/stdout")" -eq 1
run -f jsonl --no-hash --scan "$IMAGE" "$IMAGE"
check "scan of the same image twice --no-hash: read once" test "$(lines "$WORK/stdout")" -eq 2
run -f jsonl --no-hash "$QUEUE" "$WORK/copy.qmgr.db"
check "a copy --no-hash: read again (two records, one per path)" \
    slurp_ok "length == 2 and (map(.source.path) | sort) == ([\"$QUEUE\", \"$WORK/copy.qmgr.db\"] | sort)" "$WORK/stdout"
check "a copy --no-hash: no note" bash -c "! grep -q 'read once' '$WORK/stderr'"
run -f jsonl "$QUEUE" "$WORK/copy.qmgr.db"
check "a copy with the hash: read once (same content)" test "$(lines "$WORK/stdout")" -eq 1
if command -v zip >/dev/null; then
    DL=$WORK/z/uploads/auto/C%3A/ProgramData/Microsoft/Network/Downloader
    mkdir -p "$DL" && cp "$QUEUE" "$DL/qmgr.db" && (cd "$WORK/z" && zip -qr ../c.zip uploads)
    run -f jsonl --no-hash "$WORK/c.zip" "$WORK/c.zip"
    check "a ZIP twice --no-hash: read once" test "$(lines "$WORK/stdout")" -eq 1
    check "a ZIP twice --no-hash: the note" grep -q "c.zip: same file as $WORK/c.zip (device" "$WORK/stderr"
    check "a ZIP member --no-hash: \"sha256\":\"\"" jq_ok '.source.sha256 == "" and (.source.path | endswith("c.zip:uploads/auto/C%3A/ProgramData/Microsoft/Network/Downloader/qmgr.db"))' "$WORK/stdout"
else
    not_checked "zip is not installed: a ZIP given twice under --no-hash"
fi

finish
