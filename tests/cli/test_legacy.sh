#!/usr/bin/env bash
# Legacy qmgr0.dat / qmgr1.dat through the command line: the real empty state
# file (no records, exit 0, nothing on stderr), the real bare job records and
# file list, and generated state files (a folder with both generations, a
# damaged CRC, a truncated file). The real files are read in place; generated
# files go to a temporary folder. MKLEGACY (set by CTest) is the fixture writer.
# Usage: bash test_legacy.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_legacy.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_legacy.sh BITSPARSE SHARED-DIR}
LEGACY=$SHARED/testdata/legacy
MKLEGACY=${MKLEGACY:-$(dirname "$BIN")/tests/mklegacy}

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$LEGACY"
require_tools jq
[ -x "$MKLEGACY" ] || skip "mklegacy not built: $MKLEGACY"
make_work

# jq_all SELECT TEST FILE: JSON Lines; some record matches SELECT and all of those pass TEST
jq_all() { jq -e -s "map(select($1)) | length > 0 and all($2)" "$3" >/dev/null 2>&1; }
BEFORE=$(fingerprint "$LEGACY"/*)

# ---- the real files ------------------------------------------------------------

run "$LEGACY/win10early-empty.qmgr0.dat"
expect_status 0 "empty state file"
check "empty state file: no records" jq_ok 'length == 0' "$WORK/stdout"
check "empty state file: nothing on stderr" test ! -s "$WORK/stderr"
run -f csv "$LEGACY/win10early-empty.qmgr0.dat"
expect_status 0 "empty state file as CSV"
check "empty state file as CSV: header row only" test "$(wc -l <"$WORK/stdout")" -eq 1

run "$LEGACY/win7-job-record.bin"
expect_status 0 "Windows 7 job record"
check "win7 record: one record" jq_ok 'length == 1' "$WORK/stdout"
check "win7 record: values" jq_ok '.[0] | .job_id == "81120ac0-35b5-49ef-9c1a-0ee3d5572ffc" and
    .job_name == "TTT" and .owner_sid == "S-1-5-18" and
    .job_command == "c:\\windows\\system32\\cmd.exe" and
    .url == "http://mirror.isoc.org.il/pub/videolan/vlc/2.2.4/win64/vlc-2.2.4-win64.exe" and
    .full_path == "c:\\temp\\_bits2\\vlc3.exe" and .tmp_fullpath == "c:\\temp\\_bits2\\BIT36BE.tmp" and
    .bytes_transferred == 0 and .volume == "\\\\?\\Volume{9a222d92-399d-11e5-8e3a-806e6f6e6963}\\" and
    .created == "2017-03-06T11:12:58.8642977Z" and .modified == "2017-03-06T11:55:00.0925037Z" and
    .expiration == "2017-06-04T11:55:00.0925037Z" and .source.format == "legacy" and .warnings == []' \
    "$WORK/stdout"

run -f jsonl "$LEGACY/win10early-job-record.bin"
expect_status 0 "early Windows 10 job record"
check "win10 record: values" jq_ok '.job_id == "2f265c44-d606-40f4-ba5e-3c269739aa37" and
    .job_name == "STST" and .owner_sid == "S-1-5-18" and .job_state == "BG_JOB_STATE_QUEUED" and
    .job_command == "c:\\windows\\System32\\cmd.exe" and
    .url == "http://get.videolan.org/vlc/2.2.4/win64/vlc-2.2.4-win64.exe" and
    .full_path == "c:\\temp\\vlc.exe" and .tmp_fullpath == "c:\\temp\\BITFFC1.tmp" and
    .bytes_transferred == 9985 and .bytes_total == 31717016 and
    .created == "2017-07-09T10:44:34.3206223Z" and .modified == "2017-07-09T10:48:24.2379632Z" and
    .expiration == "2017-10-07T10:48:24.2379632Z"' "$WORK/stdout"

run "$LEGACY/win81-file-list.bin"
expect_status 1 "Windows 8.1 file list (a cut fragment)"
check "win81 list: one orphan file" jq_ok 'length == 1 and .[0].job_id == "" and
    .[0].bytes_transferred == 3226443 and .[0].bytes_total == 3226443 and
    (.[0].url | startswith("http://msedge.b.tlu.dl.delivery.mp.microsoft.com/")) and
    (.[0].warnings | any(startswith("orphan file")))' "$WORK/stdout"

# all four in one run
run -f jsonl "$LEGACY"/*
expect_status 1 "all real legacy files"
check "all real legacy files: three records" test "$(wc -l <"$WORK/stdout")" -eq 3

# ---- generated: a folder with both generations ------------------------------------

mkdir "$WORK/Downloader"
cat >"$WORK/old.json" <<'EOF'
{"profile": "win10early", "size": 16384, "jobs": [
  {"id": "11111111-1111-1111-1111-111111111111", "name": "kept", "modified": "2017-07-01T00:00:00Z",
   "files": [{"local_path": "c:\\temp\\a.exe", "remote_url": "http://example.test/a.exe"}]},
  {"id": "22222222-2222-2222-2222-222222222222", "name": "removed since", "modified": "2017-07-01T00:00:00Z",
   "notify_program": "c:\\windows\\system32\\cmd.exe"}]}
EOF
cat >"$WORK/new.json" <<'EOF'
{"profile": "win10early", "size": 16384, "jobs": [
  {"id": "11111111-1111-1111-1111-111111111111", "name": "kept", "modified": "2017-07-03T00:00:00Z",
   "files": [{"local_path": "c:\\temp\\a.exe", "remote_url": "http://example.test/a.exe"}]}]}
EOF
"$MKLEGACY" "$WORK/old.json" "$WORK/Downloader/qmgr1.dat" &&
    "$MKLEGACY" "$WORK/new.json" "$WORK/Downloader/qmgr0.dat"
check "mklegacy wrote the pair" test -s "$WORK/Downloader/qmgr0.dat" -a -s "$WORK/Downloader/qmgr1.dat"
run -f jsonl "$WORK/Downloader"
expect_status 0 "folder with qmgr0.dat and qmgr1.dat"
check "folder: the job of both files twice, the removed one once" \
    test "$(jq -s 'map(.job_id) | sort | join(",")' "$WORK/stdout")" = \
    '"11111111-1111-1111-1111-111111111111,11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222"'
check "folder: qmgr0.dat is the current generation" jq_all \
    '.source.path | endswith("qmgr0.dat")' '.source.generation == "current"' "$WORK/stdout"
check "folder: qmgr1.dat is the previous generation" jq_all \
    '.source.path | endswith("qmgr1.dat")' '.source.generation == "previous"' "$WORK/stdout"
check "folder: the job only in the previous file is labelled so" jq_all \
    '.job_id == "22222222-2222-2222-2222-222222222222"' '.source.generation == "previous"' "$WORK/stdout"
run -f csv "$WORK/Downloader/qmgr1.dat" "$WORK/Downloader/qmgr0.dat"
expect_status 0 "both paths as CSV"
check "CSV has the source_generation column" grep -q 'source_generation' "$WORK/stdout"
check "CSV rows carry the generation" test "$(grep -c ',previous,' "$WORK/stdout")" -eq 2

# ---- generated: damage -----------------------------------------------------------

cat >"$WORK/crc.json" <<'EOF'
{"profile": "win10early", "crc": "bad", "jobs": [{"name": "still read"}]}
EOF
"$MKLEGACY" "$WORK/crc.json" "$WORK/crc.qmgr0.dat"
run "$WORK/crc.qmgr0.dat"
expect_status 1 "CRC mismatch"
check "CRC mismatch: on stderr" grep -q 'CRC-32 mismatch' "$WORK/stderr"
check "CRC mismatch: records still written" jq_ok 'length == 1 and .[0].job_name == "still read"' \
    "$WORK/stdout"

head -c 1000 "$WORK/Downloader/qmgr1.dat" >"$WORK/cut.dat"  # job 2 spans 0x2d3-0x4e8
run "$WORK/cut.dat"
expect_status 1 "state file cut inside its second job"
check "cut file: the first job is kept" jq_ok \
    '.[0].job_id == "11111111-1111-1111-1111-111111111111" and .[0].warnings == []' "$WORK/stdout"
check "cut file: says so on stderr" grep -q 'cut off' "$WORK/stderr"

# a file that only looks like one by name is not read as one
printf 'not a queue at all, just text\n' >"$WORK/qmgr9.dat"
run "$WORK/qmgr9.dat"
expect_status 3 "text named qmgr9.dat"

check "real inputs unchanged" test "$(fingerprint "$LEGACY"/*)" = "$BEFORE"

finish
