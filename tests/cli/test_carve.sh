#!/usr/bin/env bash
# --carve and --scan on the command line: help text, exit statuses, the live
# record unchanged and first, provenance fields in JSON and CSV, scanning a
# generated raw image and a folder, a quiet standard error when it is not a
# terminal, and inputs never modified.
# Usage: bash test_carve.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_carve.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_carve.sh BITSPARSE SHARED-DIR}
DATA=$SHARED/testdata
WIN10=$DATA/ese/win10-19045.qmgr.db
WIN11=$DATA/ese/win11-22000.qmgr.db
JOB=$DATA/blobs/win10-19045.job.blob
FILE=$DATA/blobs/win10-19045.file.blob
WIN7=$DATA/legacy/win7-job-record.bin

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$WIN10" "$WIN11" "$JOB" "$FILE" "$WIN7"
require_tools jq
make_work

# jq_records FILTER FILE: over a JSON Lines file, FILTER gives at least one
# result and every result is true
jq_records() { jq -s -e "[.[] | $1] | (length > 0 and all)" "$2" >/dev/null 2>&1; }
BEFORE=$(fingerprint "$WIN10" "$WIN11" "$JOB" "$FILE" "$WIN7")

# ---- help --------------------------------------------------------------------------------------
run --help
expect_status 0 "--help"
check "help names --carve" grep -q -- "--carve" "$WORK/stdout"
check "help names --scan" grep -q -- "--scan" "$WORK/stdout"

# ---- --carve on win10 --------------------------------------------------------------------------
run "$WIN10" -f jsonl
expect_status 0 "plain win10"
cp "$WORK/stdout" "$WORK/plain.jsonl"
run --carve "$WIN10" -f jsonl
expect_status 1 "--carve win10 (carved records carry warnings)"
cp "$WORK/stdout" "$WORK/carved.jsonl"
check "live record first and unchanged" test "$(head -1 "$WORK/carved.jsonl")" = "$(cat "$WORK/plain.jsonl")"
check "live record not carved" jq_records '.carved == false and .recovered_from == "" and .copies == 1 and .locations == []' "$WORK/plain.jsonl"
check "more than 100 carved records" test "$(tail -n +2 "$WORK/carved.jsonl" | jq -s 'map(select(.carved)) | length')" -gt 100
check "every carved row has provenance" test "$(tail -n +2 "$WORK/carved.jsonl" | jq -s 'map(select(.recovered_from == "" or (.locations | length) == 0 or .copies < 1)) | length')" = 0
check "no row without a job id, a URL and a file id" test "$(jq -s 'map(select(.job_id == "" and .url == "" and .file_id == "")) | length' "$WORK/carved.jsonl")" = 0
check "no all-zero job id" test "$(jq -s 'map(select(.job_id == "00000000-0000-0000-0000-000000000000")) | length' "$WORK/carved.jsonl")" = 0
check "no 1601 dates" test "$(jq -s 'map(select((.created + .modified + .completed) | test("^1601"))) | length' "$WORK/carved.jsonl")" = 0
check "job types are Microsoft names or empty" test "$(jq -s 'map(select(.job_type != "" and (.job_type | startswith("BG_JOB_TYPE_") | not))) | length' "$WORK/carved.jsonl")" = 0
# bits-format §8.4: the orphan with an error
check "orphan 9a54c35a in error" jq_records 'select(.job_id == "9a54c35a-c02f-4923-a7cc-53f4e41f165e" and .job_state == "BG_JOB_STATE_ERROR")
    | .error_hresult == "0x80072EE7" and .owner_sid == "S-1-5-18" and .recovered_from == "orphan-lv"
      and .source.job_long_value_id == "0x800000008000001c" and (.locations[0] | test("^job: orphan-lv at offset 906242 \\(2502 bytes\\) of .*; page 54 tag 5 \\(Jobs LV\\); long value 0x800000008000001c$"))' \
    "$WORK/carved.jsonl"
check "inline stale Files record linked to d21a2ecc" jq_records 'select(.file_id == "5fbecf0f-2637-42b5-b452-b5eb765cd0e1")
    | .job_id == "d21a2ecc-f196-499a-978b-9d82edf71849" and .bytes_total == 93747240 and .source.file_blob_size == 878
      and any(.locations[]; test("^file: stale-record at offset 540919 \\(878 bytes\\)"))' "$WORK/carved.jsonl"
check "13 job ids of the long-value trees" test "$(jq -r 'select((.recovered_from == "orphan-lv" or .carved == false) and .job_id != "") | .job_id' "$WORK/carved.jsonl" | sort -u | wc -l)" = 13
check "23 job ids with a blob" test "$(jq -r 'select(.job_id != "" and .source.job_blob_size > 0) | .job_id' "$WORK/carved.jsonl" | sort -u | wc -l)" = 23

# CSV carries the same provenance columns
run --carve "$WIN11" -f csv
expect_status 1 "--carve win11 as CSV"
check "CSV header has the provenance columns" grep -q "job_marker,recovered_from,copies,locations" "$WORK/stdout"
check "CSV has 27 rows and a header" test "$(grep -c 'BG_JOB_STATE\|orphan file\|only the job id' "$WORK/stdout")" -ge 20

# ---- inputs other than a queue ------------------------------------------------------------------
# a raw image: noise, blobs at odd offsets, twice the same job blob
head -c 300000 /dev/urandom >"$WORK/image.raw"
cat "$JOB" >>"$WORK/image.raw"
head -c 77777 /dev/zero >>"$WORK/image.raw"
cat "$WIN7" >>"$WORK/image.raw"
head -c 4200000 /dev/urandom >>"$WORK/image.raw"
cat "$JOB" >>"$WORK/image.raw"
head -c 1234 /dev/urandom >>"$WORK/image.raw"
IMAGE_BEFORE=$(fingerprint "$WORK/image.raw")
run "$WORK/image.raw"
expect_status 3 "a raw image without --scan is not a queue"
run --scan "$WORK/image.raw" -o "$WORK/scan.json"
expect_status 1 "--scan image (the job's file is not in it: a warning)"
check "nothing on stderr when it is not a terminal" test ! -s "$WORK/stderr"
check "scan found the job twice, as one record" jq_ok 'map(select(.job_id == "266504ac-d974-446c-96ad-2be13a5665b0")) | length == 1 and .[0].copies == 2 and .[0].recovered_from == "raw-marker" and .[0].source.offset == 300000' "$WORK/scan.json"
check "scan found the legacy record" jq_ok 'map(select(.job_id == "81120ac0-35b5-49ef-9c1a-0ee3d5572ffc" and .source.format == "legacy" and .job_name == "TTT")) | length == 1' "$WORK/scan.json"
# issue 19: a streamed input is hashed as it is read (several 4 MiB blocks here)
SHA_IMAGE=$(sha256sum <"$WORK/image.raw" | cut -d' ' -f1)
check "--scan: every record carries the streamed input's sha256" jq_ok "length == 2 and all(.source.sha256 == \"$SHA_IMAGE\")" "$WORK/scan.json"
check "image unchanged" test "$(fingerprint "$WORK/image.raw")" = "$IMAGE_BEFORE"
run --carve "$WORK/image.raw" -f jsonl
expect_status 1 "--carve on a raw file searches it too"
check "--carve found the same" test "$(jq -r '.job_id' "$WORK/stdout" | sort -u | tr '\n' ' ')" = "266504ac-d974-446c-96ad-2be13a5665b0 81120ac0-35b5-49ef-9c1a-0ee3d5572ffc "
# a folder with --scan: every file scanned or parsed
mkdir "$WORK/dir"
cp "$WORK/image.raw" "$WORK/dir/disk.img"
cp "$WIN11" "$WORK/dir/qmgr.db"
run --scan "$WORK/dir" -f jsonl
expect_status 1 "--scan folder"
check "folder: live win11 records first" test "$(head -4 "$WORK/stdout" | jq -r '.carved' | sort -u)" = "false"
check "folder: image and database carved" test "$(jq -r 'select(.carved) | .source.path' "$WORK/stdout" | sed 's|.*/||' | sort -u | tr '\n' ' ')" = "disk.img qmgr.db "
# recognised inputs with --carve: nothing carved twice
run --carve "$JOB" -f jsonl
expect_status 0 "--carve on a job blob"
check "blob: one record, not carved" test "$(jq -r '.carved' "$WORK/stdout" | tr '\n' ' ')" = "false "
run --carve "$WIN7" -f jsonl
check "legacy record: one record, not carved" test "$(jq -r '.carved' "$WORK/stdout" | tr '\n' ' ')" = "false "
# ---- a database with a deleted job (mkqmgr --delete) --------------------------------------------
if [ -n "${MKQMGR:-}" ] && [ -x "$MKQMGR" ]; then
    cat >"$WORK/deleted.json" <<'JSON'
{
  "jobs": [
    {"id": "11111111-2222-4333-8444-555555555555", "name": "kept", "owner_sid": "S-1-5-18",
     "created": "2024-03-14T08:41:17.5581203Z",
     "files": [{"id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "local_path": "C:\\Temp\\kept.bin",
                "remote_url": "https://example.org/kept.bin", "bytes_transferred": 10, "bytes_total": 10}]},
    {"id": "0c7e2d94-6f1a-4b3e-9d25-7a1c8e4b2f60", "name": "evil", "owner_sid": "S-1-5-21-1-2-3-1001",
     "created": "2024-03-15T09:00:00Z", "state": "ERROR", "deleted": true,
     "notify_program": "C:\\Windows\\System32\\cmd.exe", "notify_arguments": "/c calc.exe",
     "files": [{"id": "5b1f6a2c-93d4-4e7b-a0c8-2f6e91d3b745", "local_path": "C:\\Temp\\evil.exe",
                "remote_url": "http://198.51.100.7/evil.exe", "bytes_transferred": 5, "bytes_total": 20}]}
  ]
}
JSON
    if "$MKQMGR" "$WORK/deleted.json" -o "$WORK/deleted.qmgr.db" >/dev/null 2>"$WORK/stderr"; then
        run "$WORK/deleted.qmgr.db" -f jsonl
        check "deleted job absent from a plain run" test "$(jq -r '.job_id' "$WORK/stdout" | tr '\n' ' ')" = "11111111-2222-4333-8444-555555555555 "
        run --carve "$WORK/deleted.qmgr.db" -f jsonl
        expect_status 0 "--carve on a database with a deleted job (nothing to warn about)"
        check "deleted job carved with its file" jq_records 'select(.carved)
            | .job_id == "0c7e2d94-6f1a-4b3e-9d25-7a1c8e4b2f60" and .recovered_from == "deleted-flag"
              and .job_command == "C:\\Windows\\System32\\cmd.exe" and .job_arguments == "/c calc.exe"
              and .job_state == "BG_JOB_STATE_ERROR" and .file_id == "5b1f6a2c-93d4-4e7b-a0c8-2f6e91d3b745"
              and .url == "http://198.51.100.7/evil.exe" and .copies == 1
              and any(.locations[]; test("^job: deleted-flag at offset [0-9]+ of .*; page [0-9]+ tag [0-9]+ \\(Jobs\\); long value 0x8000000080000002$"))' \
            "$WORK/stdout"
        check "live job first and unchanged" test "$(head -1 "$WORK/stdout" | jq -r '.carved')" = "false"
    else
        fail "mkqmgr could not write the fixture"
    fi
else
    echo "note: MKQMGR not set; the deleted-job fixture is not tested"
fi

# a missing input with --scan
run --scan "$WORK/does-not-exist"
expect_status 3 "--scan on a missing path"

check "inputs unchanged" test "$(fingerprint "$WIN10" "$WIN11" "$JOB" "$FILE" "$WIN7")" = "$BEFORE"
finish
