#!/usr/bin/env bash
# Windows 11 24H2 package identity (bits-format §4.1 #54b) end to end: a
# qmgr.db mkqmgr writes with two packaged-app jobs and one classic job is read
# with exit status 0 and no warning; package_family_name and package_app_id
# appear in JSON, CSV (right after creator_program) and the timeline, whose
# job-created line names the app; a --rules rule can test them; --carve
# recovers a deleted 24H2 job with them; and the
# shared Windows 10/11 samples keep both fields empty, without a warning.
# Usage: bash test_package_identity.sh BITSPARSE [SHARED-DIR]   (MKQMGR set by CTest)
# jq programs use $name variables of their own (--arg), not the shell's:
# shellcheck disable=SC2016
set -u

BIN=${1:?usage: test_package_identity.sh BITSPARSE [SHARED-DIR]}
SHARED=${2:-}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
MKQMGR=${MKQMGR:-$BUILD/tests/tools/mkqmgr/mkqmgr}

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools jq
[ -x "$MKQMGR" ] || skip "mkqmgr not built: $MKQMGR"
make_work
jq_args_ok() { jq -e "$@" >/dev/null 2>&1; } # jq_args_ok JQ-ARGS... FILTER FILE

WIDGETS=MicrosoftWindows.Client.WebExperience_cw5n1h2txyewy
OUTLOOK=Microsoft.OutlookForWindows_8wekyb3d8bbwe
WEBVIEW='C:\Program Files (x86)\Microsoft\EdgeWebView\Application\131.0.2903.99\msedgewebview2.exe'

cat >"$WORK/24h2.json" <<EOF
{
  "comment": "Windows 11 24H2: two jobs of packaged apps hosted by Edge WebView2, one of a classic program",
  "options": {"reserved_tags": true},
  "os_build": 26100,
  "machine_guid": "60262afb-bfa5-4382-a0a6-f1837f9ca0a4",
  "jobs": [
    {"id": "3b8e51d2-0c47-4a9e-b6f3-7d21c9e5a084", "name": "WebExperience asset",
     "owner_sid": "S-1-5-21-2911405682-1803554197-3650872611-1001", "state": "TRANSFERRED",
     "created": "2024-11-19T09:12:44.5021337Z", "modified": "2024-11-19T09:12:47.0000000Z",
     "creator_program": $(jq -n --arg p "$WEBVIEW" '$p'),
     "package_family_name": "$WIDGETS", "package_app_id": "!App",
     "files": [{"id": "a7f0c3e9-58d2-4b16-9e4a-2c81d5f7b360", "local_path": "C:\\\\Users\\\\ana\\\\AppData\\\\Local\\\\Temp\\\\tile.png",
                "remote_url": "https://assets.msn.com/tile.png", "bytes_transferred": 5120}]},
    {"id": "c90d4f17-e26b-4835-a1c8-5b7e03f9d246", "name": "OutlookAttachment",
     "owner_sid": "S-1-5-21-2911405682-1803554197-3650872611-1001", "state": "SUSPENDED",
     "created": "2024-11-20T16:03:05.0000000Z",
     "creator_program": $(jq -n --arg p "$WEBVIEW" '$p'),
     "package_family_name": "$OUTLOOK", "package_app_id": "!Microsoft.OutlookforWindows"},
    {"id": "5d0a7e21-96c4-4f38-8b1d-e4c2a9073f65", "name": "Chrome Component Updater",
     "owner_sid": "S-1-5-21-2911405682-1803554197-3650872611-1001", "state": "TRANSFERRED",
     "created": "2024-11-21T08:00:00.0000000Z",
     "creator_program": "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe"}
  ]
}
EOF
check "mkqmgr writes the 24H2 queue" "$MKQMGR" "$WORK/24h2.json" -o "$WORK/qmgr.db"

# JSON: exit 0, no warning, both strings with the creator program they belong to
run "$WORK/qmgr.db" -o "$WORK/out.json"
expect_status 0 "healthy 24H2 queue"
check "no warning on stderr" test ! -s "$WORK/stderr"
check "no warning on any record" jq_ok 'length == 3 and all(.warnings == [])' "$WORK/out.json"
check "widgets: package family name, app id, host program" jq_args_ok --arg f "$WIDGETS" --arg p "$WEBVIEW" \
    '.[] | select(.job_name == "WebExperience asset") | .package_family_name == $f and .package_app_id == "!App" and
     .creator_program == $p and .job_state == "BG_JOB_STATE_TRANSFERRED" and .url == "https://assets.msn.com/tile.png"' \
    "$WORK/out.json"
check "outlook: package family name and app id" jq_args_ok --arg f "$OUTLOOK" \
    '.[] | select(.job_id == "c90d4f17-e26b-4835-a1c8-5b7e03f9d246") | .package_family_name == $f and
     .package_app_id == "!Microsoft.OutlookforWindows" and .job_state == "BG_JOB_STATE_SUSPENDED"' "$WORK/out.json"
check "classic job: both empty" jq_ok '.[] | select(.job_name == "Chrome Component Updater") |
     .package_family_name == "" and .package_app_id == "" and (.creator_program | endswith("chrome.exe"))' "$WORK/out.json"
check "fields follow creator_program" jq_ok '.[0] | keys_unsorted | (index("creator_program") + 1) == index("package_family_name")
     and (index("package_family_name") + 1) == index("package_app_id")' "$WORK/out.json"

# CSV: two columns after creator_program, with the values
run "$WORK/qmgr.db" -f csv
expect_status 0 "CSV"
tr -d '\r' <"$WORK/stdout" >"$WORK/out.csv"
check "CSV header" grep -q ',creator_program,package_family_name,package_app_id,' "$WORK/out.csv"
check "CSV widgets row" grep -qF "msedgewebview2.exe,$WIDGETS,!App," "$WORK/out.csv"
check "CSV outlook row" grep -qF "msedgewebview2.exe,$OUTLOOK,!Microsoft.OutlookforWindows," "$WORK/out.csv"
check "CSV classic row" grep -qF 'chrome.exe,,,' "$WORK/out.csv"

# timeline: the job-created line names the app (family name + app id, its AUMID); the other lines do not
run "$WORK/qmgr.db" --no-detections -f timeline -o "$WORK/out.jsonl"
expect_status 0 "timeline"
check "timeline: widgets created message" jq_args_ok -s --arg m "BITS job \"WebExperience asset\" (BG_JOB_STATE_TRANSFERRED): https://assets.msn.com/tile.png -> C:\\Users\\ana\\AppData\\Local\\Temp\\tile.png; packaged app: $WIDGETS!App" \
    'map(select(.job_id == "3b8e51d2-0c47-4a9e-b6f3-7d21c9e5a084" and .timestamp_desc == "BITS job created")) |
     length == 1 and .[0].message == $m and .[0].package_family_name == "MicrosoftWindows.Client.WebExperience_cw5n1h2txyewy"' \
    "$WORK/out.jsonl"
check "timeline: outlook created message" jq_args_ok -s --arg a "; packaged app: $OUTLOOK!Microsoft.OutlookforWindows" \
    'map(select(.job_id == "c90d4f17-e26b-4835-a1c8-5b7e03f9d246" and .timestamp_desc == "BITS job created")) |
     length == 1 and (.[0].message | endswith($a))' "$WORK/out.jsonl"
check "timeline: only created lines name it" slurp_ok \
    'map(select(.message | contains("packaged app"))) | length == 2 and all(.timestamp_desc == "BITS job created")' \
    "$WORK/out.jsonl"

run "$WORK/qmgr.db" -f timeline -o "$WORK/rules-timeline.jsonl"
check "timeline: the app comes before the detections" jq_args_ok -s --arg a "; packaged app: $WIDGETS!App; detections: " \
    'map(select(.timestamp_desc == "BITS job created" and .job_name == "WebExperience asset")) | .[0].message | contains($a)' \
    "$WORK/rules-timeline.jsonl"

# detection rules can test the new fields
cat >"$WORK/rules.yaml" <<'EOF'
version: 1
rules:
  - id: SITE-PKG-001
    title: Job requested by the Widgets board
    severity: low
    match:
      field: package_family_name
      starts_with: MicrosoftWindows.Client.WebExperience_
  - id: SITE-PKG-002
    title: Job of a packaged app hosted by WebView2
    severity: low
    match:
      all_of:
        - field: package_app_id
          starts_with: '!'
        - field: creator_program_name
          equals: msedgewebview2.exe
EOF
run "$WORK/qmgr.db" --no-default-rules --rules "$WORK/rules.yaml" -f jsonl
expect_status 0 "--rules on the package fields"
cp "$WORK/stdout" "$WORK/rules.jsonl"
check "rule on package_family_name fires on the widgets job only" slurp_ok \
    'map(select(.detections | map(.id) | index("SITE-PKG-001"))) | map(.job_name) == ["WebExperience asset"]' \
    "$WORK/rules.jsonl"
check "rule on package_app_id fires on both packaged jobs" slurp_ok \
    'map(select(.detections | map(.id) | index("SITE-PKG-002"))) | map(.job_name) | sort == ["OutlookAttachment", "WebExperience asset"]' \
    "$WORK/rules.jsonl"

# --carve: a deleted 24H2 job is recovered with its package identity, without a warning
check "mkqmgr --delete the outlook job" "$MKQMGR" "$WORK/24h2.json" -o "$WORK/deleted.db" \
    --delete c90d4f17-e26b-4835-a1c8-5b7e03f9d246
run "$WORK/deleted.db" --carve -f jsonl
expect_status 0 "--carve on the 24H2 queue"
check "carved outlook job keeps its package identity" jq_args_ok -s --arg f "$OUTLOOK" \
    'map(select(.carved)) | length == 1 and .[0].job_name == "OutlookAttachment" and .[0].package_family_name == $f and
     .[0].package_app_id == "!Microsoft.OutlookforWindows" and .[0].warnings == []' "$WORK/stdout"

# the shared samples (older layout of field 54) decode as before: empty fields, no warning
if [ -n "$SHARED" ] && [ -d "$SHARED/testdata" ]; then
    for sample in blobs/win10-19045.job.blob ese/win10-19045.qmgr.db ese/win11-22000.qmgr.db; do
        run "$SHARED/testdata/$sample" -f jsonl
        expect_status 0 "$sample"
        check "$sample: no package identity, no warning" slurp_ok \
            'length > 0 and all(.package_family_name == "" and .package_app_id == "" and .warnings == [])' "$WORK/stdout"
    done
else
    not_checked "shared samples (shared test data not found: ${SHARED:-no SHARED-DIR given})"
fi

finish
