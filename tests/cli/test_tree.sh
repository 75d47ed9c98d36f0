#!/usr/bin/env bash
# A folder searched at any depth (issue 19 part 1): a case folder holding
# several systems as collectors store them — KAPE (C/ProgramData/…, "%4" kept),
# Velociraptor (uploads/<accessor>/<URL-encoded volume>/…, every name
# URL-encoded, a shadow-copy volume), an XP "Documents and Settings" tree —
# gives the same records as each file read directly, each with source.root
# and source.sha256; a copy with the same bytes is read once; a link loop and
# a tree deeper than 64 levels give a warning, not a hang; more than 256
# entries in a folder lose nothing; a folder without a BITS source still
# exits 3 naming what was looked for. Also "-" (standard input).
# Usage: bash test_tree.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_tree.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_tree.sh BITSPARSE SHARED-DIR}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIX=$SRC/testdata
EVTX=$SHARED/testdata/evtx/win10-desktopimgdownldr.evtx
EVTX2=$SHARED/testdata/evtx/server-dc-t1197.evtx

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$EVTX" "$EVTX2" "$FIX/typical-win10.qmgr.db"
require_tools jq sha256sum
make_work

CASE=$WORK/case
DL=ProgramData/Microsoft/Network/Downloader
H1=$CASE/host1/C                                       # KAPE
H2=$CASE/host2/uploads/auto/C%3A                       # Velociraptor, live volume
H2VSS=$CASE/host2/uploads/ntfs_vss/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy3
H2LOG=$CASE/host2/uploads/ntfs/%5C%5C.%5CC%3A
H3=$CASE/host3/C                                       # XP
H4=$CASE/host4/C                                       # a second copy of host1's queue
mkdir -p "$H1/$DL" "$H1/Windows/System32/winevt/Logs" "$H2/$DL" "$H2VSS/$DL" \
    "$H2LOG/Windows/System32/winevt/Logs" \
    "$H3/Documents and Settings/All Users/Application Data/Microsoft/Network/Downloader" "$H4/$DL"
cp "$FIX/typical-win10.qmgr.db" "$H1/$DL/qmgr.db"
cp "$EVTX" "$H1/Windows/System32/winevt/Logs/Microsoft-Windows-Bits-Client%4Operational.evtx"
printf 'not a log' >"$H1/Windows/System32/winevt/Logs/Security.evtx"    # other logs: not read
cp "$FIX/malicious.qmgr.db" "$H2/$DL/qmgr.db"
cp "$FIX/page4k.qmgr.db" "$H2VSS/$DL/qmgr.db"
cp "$EVTX2" "$H2LOG/Windows/System32/winevt/Logs/Microsoft-Windows-Bits-Client%254Operational.evtx"
touch "$CASE/host2/uploads.json"
cp "$FIX/page32k.qmgr.db" "$H3/Documents and Settings/All Users/Application Data/Microsoft/Network/Downloader/QMGR.DB"
cp "$FIX/typical-win10.qmgr.db" "$H4/$DL/qmgr.db"
# more than 256 entries in one folder, the queue sorting last among them
for i in $(seq 1 300); do printf 'x' >"$H2/$DL/aaa-$i.tmp"; done
# a link back to an ancestor, and a tree 70 levels deep
ln -s ../.. "$H1/$DL/loop"
deep=$CASE/deep
for i in $(seq 1 70); do deep=$deep/d; done
mkdir -p "$deep"
printf 'notes' >"$CASE/readme.txt"

SHA_TYPICAL=$(sha256sum <"$FIX/typical-win10.qmgr.db" | cut -d' ' -f1)

# ids JQ-SELECT FILE: sorted "job_id file_id" lines of the records selected
ids() { jq -r "select($1) | \"\\(.job_id) \\(.file_id)\"" "$2" | sort; }
direct() { "$BIN" -q -f jsonl "$1" | jq -r '"\(.job_id) \(.file_id)"' | sort; }

run -f jsonl "$CASE"
expect_status 1 "case folder (warnings: loop, depth, duplicate, readme)"
OUT=$WORK/stdout
cp "$OUT" "$WORK/case.jsonl"

same_records() { # same_records DESCRIPTION ROOT FIXTURE
    if [ "$(ids ".source.root == \"$2\" and .source.format != \"evtx\"" "$WORK/case.jsonl")" = "$(direct "$3")" ] &&
        [ -n "$(direct "$3")" ]; then pass; else fail "$1: records differ from reading $3 directly"; fi
}
same_records "KAPE host1" "$H1" "$FIX/typical-win10.qmgr.db"
same_records "Velociraptor host2 live volume" "$H2" "$FIX/malicious.qmgr.db"
same_records "Velociraptor host2 shadow copy" "$H2VSS" "$FIX/page4k.qmgr.db"
same_records "XP host3" "$H3" "$FIX/page32k.qmgr.db"
check "host1 queue: a known job under its root" slurp_ok 'any(.source.root | endswith("/case/host1/C"))
    and any(.job_id == "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46" and (.source.root | endswith("/case/host1/C")))' \
    "$WORK/case.jsonl"
check "host1: every record has the queue's sha256" slurp_ok "map(select(.source.root == \"$H1\" and
    .source.format == \"ese\")) | length > 0 and all(.source.sha256 == \"$SHA_TYPICAL\")" "$WORK/case.jsonl"
check "host1 queue path" slurp_ok "map(select(.source.path == \"$H1/$DL/qmgr.db\")) | length == 4" \
    "$WORK/case.jsonl"
check "host4: the same bytes as host1 are read once" slurp_ok \
    "map(select(.source.root == \"$H4\")) | length == 0" "$WORK/case.jsonl"
check "host4: a note says so" grep -q "host4/C/$DL/qmgr.db: same content as .*host1/C/$DL/qmgr.db (sha256 $SHA_TYPICAL): read once" "$WORK/stderr"
for log in "$EVTX" "$EVTX2"; do  # KAPE "%4" and Velociraptor "%254"
    job=$("$BIN" -q -f jsonl "$log" | jq -r .job_id | sort -u)
    check "the job of $(basename "$log") is in the output" grep -q "\"job_id\":\"$job\"" "$WORK/case.jsonl"
done
check "the top folder's own files as today: readme.txt skipped with a note" grep -q "case/readme.txt: skipped" \
    "$WORK/stderr"
check "below it, other files are not read: no note" bash -c "! grep -q 'Security.evtx\\|aaa-1.tmp' '$WORK/stderr'"
check "link loop: a warning" grep -q "host1/C/$DL/loop: not followed: leads back to a folder it is inside" "$WORK/stderr"
check "depth: a warning" grep -q "not searched: more than 64 folder levels below the input" "$WORK/stderr"

# the same Velociraptor collection as its offline collector delivers it: a ZIP, read in place
if command -v zip >/dev/null; then
    ZIP=$WORK/Collection-host2-2026-12-04T10_00_00Z.zip
    (cd "$CASE/host2" && zip -qr "$ZIP" uploads.json uploads)
    run -f jsonl "$ZIP"
    expect_status 0 "Velociraptor ZIP"
    cp "$WORK/stdout" "$WORK/zip.jsonl"
    zip_same() { # zip_same DESCRIPTION MEMBER-ROOT FIXTURE
        if [ "$(ids ".source.root == \"$ZIP:$2\" and .source.format != \"evtx\"" "$WORK/zip.jsonl")" = "$(direct "$3")" ] &&
            [ -n "$(direct "$3")" ]; then pass; else fail "$1: records differ from reading $3 directly"; fi
    }
    zip_same "ZIP: live volume" "uploads/auto/C%3A" "$FIX/malicious.qmgr.db"
    zip_same "ZIP: shadow copy" "uploads/ntfs_vss/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy3" "$FIX/page4k.qmgr.db"
    check "ZIP: member path and sha256" slurp_ok "map(select(.source.path == \"$ZIP:uploads/auto/C%3A/$DL/qmgr.db\"))
        | length == 4 and all(.source.sha256 == \"$(sha256sum <"$FIX/malicious.qmgr.db" | cut -d' ' -f1)\")" "$WORK/zip.jsonl"
    job=$("$BIN" -q -f jsonl "$EVTX2" | jq -r .job_id | sort -u)
    check "ZIP: the event log's job (member name with %254)" grep -q "\"job_id\":\"$job\"" "$WORK/zip.jsonl"
    check "ZIP: nothing else" test "$(lines "$WORK/zip.jsonl")" -eq "$(($(direct "$FIX/malicious.qmgr.db" | wc -l) + $(direct "$FIX/page4k.qmgr.db" | wc -l) + $(direct "$EVTX2" | wc -l)))"
    printf 'PK\003\004broken' >"$WORK/broken.zip"
    run "$WORK/broken.zip"
    expect_status 3 "a damaged ZIP"
else
    not_checked "ZIP collection: zip is not installed"
fi

# the Velociraptor event log alone, through its encoded name
mkdir -p "$WORK/velo-only"
cp -r "$CASE/host2/uploads" "$WORK/velo-only/"
rm -rf "$WORK/velo-only/uploads/auto" "$WORK/velo-only/uploads/ntfs_vss"
run -f jsonl "$WORK/velo-only"
expect_status 0 "Velociraptor tree holding only the event log"
check "event log read from its URL-encoded name, root is the encoded volume" slurp_ok \
    "length > 0 and all(.source.root | endswith(\"/uploads/ntfs/%5C%5C.%5CC%3A\"))" "$WORK/stdout"

# a folder with no BITS source anywhere: exit 3, the paths looked for named
mkdir -p "$WORK/empty/C/Users/x"
printf 'x' >"$WORK/empty/C/Users/x/notes.txt"
run "$WORK/empty/C"
expect_status 3 "no BITS source in the tree"
check "message names what was looked for" grep -q "searched at any depth for qmgr\*.db, qmgr\*.dat and Microsoft-Windows-Bits-Client%4Operational.evtx" "$WORK/stderr"

# a file given directly works as today, and gets its root from its path
run -f jsonl "$H1/$DL/qmgr.db"
expect_status 0 "file given directly"
check "file given directly: root and sha256" slurp_ok \
    "length == 4 and all(.source.root == \"$H1\" and .source.sha256 == \"$SHA_TYPICAL\")" "$WORK/stdout"
run -f jsonl "$FIX/typical-win10.qmgr.db"
check "a file outside any system root: root empty" slurp_ok 'length == 4 and all(.source.root == "")' "$WORK/stdout"

# "-": standard input
"$BIN" -f jsonl - <"$FIX/typical-win10.qmgr.db" >"$WORK/stdin.jsonl" 2>"$WORK/stderr"
status=$?
expect_status 0 "standard input"
check "standard input: same records, path \"-\", sha256" slurp_ok \
    "length == 4 and all(.source.path == \"-\" and .source.sha256 == \"$SHA_TYPICAL\")" "$WORK/stdin.jsonl"
check "standard input: same ids as the file" test "$(ids true "$WORK/stdin.jsonl")" = "$(direct "$FIX/typical-win10.qmgr.db")"
run -f jsonl "$FIX/typical-win10.qmgr.db" "$FIX/typical-win10.qmgr.db"
check "same input twice: read once" slurp_ok 'length == 4' "$WORK/stdout"
check "same input twice: a note" grep -q "read once" "$WORK/stderr"

finish
