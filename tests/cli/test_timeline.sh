#!/usr/bin/env bash
# -f timeline: JSON Lines for Timesketch, one line per non-empty time of each
# record, sorted by time, each with datetime / timestamp_desc / message.
# Usage: bash test_timeline.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_timeline.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_timeline.sh BITSPARSE SHARED-DIR}
ESE=$SHARED/testdata/ese
WIN10=$ESE/win10-19045.qmgr.db
WIN11=$ESE/win11-22000.qmgr.db

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$ESE"
require_tools jq
make_work

# every line parses on its own as a JSON object with the three Timesketch fields
each_line_valid() { # each_line_valid FILE
    local line n=0
    while IFS= read -r line; do
        n=$((n + 1))
        if ! printf '%s\n' "$line" | jq -e '
                type == "object"
                and (.datetime | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}\\+00:00$"))
                and (.timestamp_desc | type == "string" and length > 0)
                and (.message | type == "string" and length > 0)
                and (.timestamp | type == "number")' >/dev/null 2>&1; then
            echo "  line $n: $line" | cut -c1-300
            return 1
        fi
    done <"$1"
    [ "$n" -gt 0 ]
}
# the number of non-empty times in the JSON output of the same input
expected_lines() { # expected_lines INPUT...
    "$BIN" -q "$@" | jq '[.[] | (.created, .modified, .completed, .expiration, .remote_file_time) | select(. != "")] | length'
}

# ---- Windows 11: 4 records x 5 times ----------------------------------------------

run -f timeline "$WIN11"
check "win11 timeline: exit 0 or 1 (got $status)" test "$status" -le 1
check "win11 timeline: every line valid" each_line_valid "$WORK/stdout"
check "win11 timeline: 20 lines (4 records x 5 times)" test "$(lines "$WORK/stdout")" -eq 20
check "win11 timeline: as many lines as non-empty times" test "$(lines "$WORK/stdout")" -eq "$(expected_lines "$WIN11")"
check "win11 timeline: sorted by datetime" slurp_ok 'map(.datetime) == (map(.datetime) | sort)' "$WORK/stdout"
check "win11 timeline: 4 lines of each kind" \
    slurp_ok 'group_by(.timestamp_desc) | map([.[0].timestamp_desc, length]) == [["BITS job completed",4],["BITS job created",4],["BITS job expiration",4],["BITS job modified",4],["BITS remote file modified",4]]' \
    "$WORK/stdout"
check "win11 timeline: the four jobs" \
    slurp_ok '[.[].job_id] | unique == ["364e3f0d-0423-459b-919d-ac6ea17b4101","5c26fc39-0647-43cf-bd6b-2ca3125c7fb3","8e4f897b-f5b3-433e-8864-87c44edaf7d0","c54f0fa1-7435-4369-94ca-d57cf8e63e80"]' \
    "$WORK/stdout"
check "win11 timeline: first line is the remote file time" \
    slurp_ok '.[0].datetime == "2023-02-14T16:03:54.000000+00:00" and .[0].timestamp_desc == "BITS remote file modified"' \
    "$WORK/stdout"
check "win11 timeline: last line is an expiration" \
    slurp_ok '.[-1].datetime == "2023-05-21T03:03:12.905927+00:00" and .[-1].timestamp_desc == "BITS job expiration"' \
    "$WORK/stdout"
check "win11 timeline: a created line" \
    slurp_ok 'map(select(.job_id == "c54f0fa1-7435-4369-94ca-d57cf8e63e80" and .timestamp_desc == "BITS job created")) | length == 1 and .[0].datetime == "2023-02-18T19:27:58.746154+00:00" and .[0].created == "2023-02-18T19:27:58.7461545Z"' \
    "$WORK/stdout"
check "win11 timeline: message" \
    slurp_ok '.[0].message | startswith("BITS job \"MozillaUpdate 308046B0AF4A39CB\" (BG_JOB_STATE_TRANSFERRED): https://download-installer.cdn.mozilla.net/") and contains(" -> C:\\ProgramData\\Mozilla-") and endswith("; detections: BITS-006 (low)")' \
    "$WORK/stdout"
check "win11 timeline: fields flattened like CSV" \
    slurp_ok 'all(.[]; has("source_path") and (has("source") | not) and (.acls | type == "string") and (.additional_sids | type == "array") and .detections == ["BITS-006"] and .data_type == "windows:bits:job")' \
    "$WORK/stdout"
check "win11 timeline: timestamp = datetime in microseconds" \
    slurp_ok 'all(.[]; .timestamp == ((.datetime | sub("\\.[0-9]+\\+00:00$"; "Z") | fromdateiso8601) * 1000000 + (.datetime | capture("\\.(?<us>[0-9]{6})").us | tonumber)))' \
    "$WORK/stdout"

# ---- Windows 10, several inputs, -o ---------------------------------------------------

run -f timeline "$WIN10"
check "win10 timeline: every line valid" each_line_valid "$WORK/stdout"
check "win10 timeline: 5 lines" test "$(lines "$WORK/stdout")" -eq 5
check "win10 timeline: created line" \
    slurp_ok 'map(select(.timestamp_desc == "BITS job created")) | length == 1 and .[0].datetime == "2022-12-21T02:18:03.120465+00:00" and .[0].timestamp == 1671589083120465' \
    "$WORK/stdout"
check "win10 timeline: modified and completed share a time, modified first" \
    slurp_ok '[.[] | select(.datetime == "2022-12-21T02:18:43.408792+00:00") | .timestamp_desc] == ["BITS job modified", "BITS job completed"]' \
    "$WORK/stdout"
check "win10 timeline: message names the job" \
    slurp_ok 'all(.[]; .message | startswith("BITS job \"Chrome Component Updater\" (BG_JOB_STATE_TRANSFERRED): http://edgedl.me.gvt1.com/"))' \
    "$WORK/stdout"

run -f timeline "$WIN10" "$WIN11"
check "two inputs: 25 lines" test "$(lines "$WORK/stdout")" -eq 25
check "two inputs: as many lines as non-empty times" test "$(lines "$WORK/stdout")" -eq "$(expected_lines "$WIN10" "$WIN11")"
check "two inputs: sorted" slurp_ok 'map(.timestamp) == (map(.timestamp) | sort)' "$WORK/stdout"
cp "$WORK/stdout" "$WORK/both.stdout"

run -f timeline -o "$WORK/timeline.jsonl" "$WIN10" "$WIN11"
check "-o with -f timeline: exit 0 or 1" test "$status" -le 1
check "-o with -f timeline: same as stdout" cmp -s "$WORK/timeline.jsonl" "$WORK/both.stdout"
check "-o with -f timeline: nothing on stdout" test ! -s "$WORK/stdout"

run -f timeline --no-detections "$WIN11"
check "--no-detections: no detections in messages" slurp_ok 'all(.[]; (.message | contains("detections") | not) and .detections == [])' "$WORK/stdout"
check "--no-detections: same 20 lines" test "$(lines "$WORK/stdout")" -eq 20

run -f timeline "$WORK/does-not-exist.db"
check "unreadable input: exit 3" test "$status" -eq 3
check "unreadable input: no lines" test ! -s "$WORK/stdout"

finish
