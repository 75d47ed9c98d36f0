#!/usr/bin/env bash
# Bits-Client event logs (.evtx) on the command line: recognised by content,
# alone or in a folder, one record per job and URL with its events; exit
# statuses; CSV and timeline forms of the events; merged into a queue's record
# when both name the same job; inputs never modified.
# Usage: bash test_evtx.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_evtx.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_evtx.sh BITSPARSE SHARED-DIR}
EVTX=$SHARED/testdata/evtx
DESKTOP=$EVTX/win10-desktopimgdownldr.evtx
SERVER=$EVTX/server-dc-t1197.evtx
WIN7=$EVTX/win7-persist-bitsadmin.evtx
OPENVPN=$EVTX/win10-openvpn.evtx
WIN10DB=$SHARED/testdata/ese/win10-19045.qmgr.db

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$DESKTOP" "$WIN10DB"
require_tools jq python3
make_work

INPUTS_BEFORE=$(fingerprint "$DESKTOP" "$SERVER" "$WIN7" "$OPENVPN" "$WIN10DB")

# ---- one log each --------------------------------------------------------

run -f jsonl "$DESKTOP"
check "desktopimgdownldr: exit 0" test "$status" -eq 0
check "desktopimgdownldr: nothing on stderr" test ! -s "$WORK/stderr"
check "desktopimgdownldr: one record" test "$(lines "$WORK/stdout")" -eq 1
check "desktopimgdownldr: the job" slurp_ok '.[0] | .job_id == "ff819706-9ff9-490b-ade5-b069232c5d23"
    and .job_name == "Download LockScreen Image" and .owner_account == "MSEDGEWIN10\\IEUser" and .owner_sid == ""
    and .creator_program == "C:\\Windows\\System32\\desktopimgdownldr.exe" and .target_path == .creator_program
    and .created == "2020-07-03T08:55:46.3523393Z" and .completed == "2020-07-03T08:55:51.3562594Z"
    and .job_state == "BG_JOB_STATE_ACKNOWLEDGED" and .job_type == "" and .priority == "" and .proxy_usage == ""
    and .url == "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z" and .bytes_total == 162791 and .bytes_transferred == 162791
    and .bytes_downloaded == 0 and .file_size == -1 and .error_hresult == "" and .error_context == ""
    and .source.format == "evtx" and .source.offset == 4608 and .warnings == []' "$WORK/stdout"
check "desktopimgdownldr: five events in log order" slurp_ok '.[0].events | map(.event_id) == [3, 209, 59, 60, 4]
    and map(.record_id) == [2774, 2775, 2776, 2777, 2778] and (map(.time) | . == sort)
    and .[0].time == "2020-07-03T08:55:46.3523393Z"
    and (.[0].what | contains("desktopimgdownldr.exe (pid 1996)"))
    and (.[3].what | contains("status 0x00000000"))
    and all(.[]; .log | endswith("win10-desktopimgdownldr.evtx"))' "$WORK/stdout"
check "desktopimgdownldr: a LOLBin download is detected" \
    slurp_ok '.[0].detections | length > 0' "$WORK/stdout"

run -f jsonl "$SERVER"
check "server: exit 0 (no Bits-Client record in free space)" test "$status" -eq 0
check "server: nothing on stderr" test ! -s "$WORK/stderr"
check "server: the T1197 job" slurp_ok 'length == 1 and (.[0] | .job_id == "6f364a04-6299-4349-a8b6-34bed5e400ef"
    and .job_name == "test" and .owner_account == "hns\\Administrator"
    and .creator_program == "C:\\Windows\\System32\\bitsadmin.exe"
    and .url == "http://192.168.10.254:80/calc.exe" and .bytes_transferred == 32256
    and .job_state == "BG_JOB_STATE_ACKNOWLEDGED" and (.events | map(.event_id)) == [3, 59, 60, 4])' "$WORK/stdout"

run -f jsonl "$WIN7"
check "win7: exit 1 (event 3 linked by title)" test "$status" -eq 1
check "win7: two jobs, each linked with a warning" slurp_ok 'length == 2
    and map(.job_name) == ["backdoor", "hola"]
    and map(.job_id) == ["b35c4a1d-4425-45be-92d1-b67183ae222f", "51607467-5ab5-4dcb-aaf0-fb92c997c0bd"]
    and all(.[]; .owner_account == "IEWIN7\\IEUser" and .url == "C:\\Windows\\system32\\cmd.exe"
        and .bytes_total == 302592 and .job_state == ""
        and (.warnings | length == 1 and (.[0] | startswith("job: event 3 (job created, record ")
            and contains("names no job id (Windows 7 layout): linked to this job by its title"))))' "$WORK/stdout"

run -q -f jsonl "$OPENVPN"
check "openvpn: 256 records" test "$(lines "$WORK/stdout")" -eq 256
check "openvpn: events per id as EXPECTED.md" slurp_ok '[.[].events[].event_id] | group_by(.) | map([.[0], length])
    == [[3, 254], [4, 125], [5, 84], [59, 162], [60, 129], [61, 492], [209, 101]]' "$WORK/stdout"
check "openvpn: one record per job id" slurp_ok '(map(.job_id) | unique | length) == 256' "$WORK/stdout"

# a live copy (header lags the chunks) with 9 Bits-Client records in free space
RATHBUN=$EVTX/win10-19043-rathbunvm.evtx
if [ -f "$RATHBUN" ]; then
    run -f jsonl "$RATHBUN"
    check "rathbunvm: exit 1 (free space not read)" test "$status" -eq 1
    check "rathbunvm: one note with the count" test "$(grep -c "9 Microsoft-Windows-Bits-Client records lie in the log's free space" "$WORK/stderr")" -eq 1 -a "$(lines "$WORK/stderr")" -eq 1
    check "rathbunvm: 32 jobs, none recovered" slurp_ok 'length == 32 and ([.[].events[] | select(.recovered)] | length) == 0' "$WORK/stdout"
    run --carve -f jsonl "$RATHBUN"
    check "rathbunvm --carve: exit 0" test "$status" -eq 0
    check "rathbunvm --carve: nothing on stderr" test ! -s "$WORK/stderr"
    check "rathbunvm --carve: 9 recovered events 59 with offsets" slurp_ok '[.[].events[] | select(.recovered)]
        | length == 9 and all(.[]; .event_id == 59 and .offset >= 163256)
        and (map(.record_id) | sort) == [114, 115, 122, 130, 137, 146, 155, 156, 163]' "$WORK/stdout"
    run --carve -f csv "$RATHBUN"
    check "rathbunvm --carve csv: marked in the events cell" grep -q "event 59 (recovered at offset 164512): transfer {ABE45016" "$WORK/stdout"
    run --carve -f timeline "$RATHBUN"
    check "rathbunvm --carve timeline: 9 recovered lines" test "$(grep -c '"message":"recovered from free space at offset' "$WORK/stdout")" -eq 9
fi

# ---- output forms ---------------------------------------------------------

run -f csv "$DESKTOP"
check "csv: an events column" python3 - "$WORK/stdout" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
cell = rows[0]["events"]
parts = cell.split("|")
assert len(rows) == 1 and rows[0]["owner_account"] == "MSEDGEWIN10\\IEUser", rows
assert len(parts) == 5, parts
assert parts[0].startswith('2020-07-03T08:55:46.3523393Z event 3: job "Download LockScreen Image" created by'), parts[0]
assert parts[4].startswith("2020-07-03T08:55:51.3562594Z event 4: job"), parts[4]
EOF

run -f timeline "$DESKTOP"
check "timeline: one line per event plus the remote file time" test "$(lines "$WORK/stdout")" -eq 6
check "timeline: event lines" slurp_ok 'map(.timestamp_desc) == ["BITS remote file modified",
    "BITS job created (event 3)", "BITS event 209", "BITS transfer started (event 59)",
    "BITS transfer stopped (event 60)", "BITS job completed (event 4)"]
    and (map(.timestamp) | . == sort)
    and ([.[] | select(.data_type == "windows:bits:event")] | length) == 5
    and (.[1].message | startswith("job \"Download LockScreen Image\" created by MSEDGEWIN10\\IEUser"))' \
    "$WORK/stdout"

# ---- folders and merging --------------------------------------------------

mkdir "$WORK/evidence"
ln -s "$DESKTOP" "$WORK/evidence/Microsoft-Windows-Bits-Client%4Operational.evtx"
ln -s "$WIN7" "$WORK/evidence/win7.evtx"
ln -s "$WIN10DB" "$WORK/evidence/qmgr.db"
echo "not a log" >"$WORK/evidence/readme.txt"
run -f jsonl "$WORK/evidence"
check "folder: exit 1 (win7 warnings)" test "$status" -eq 1
check "folder: queue and logs" slurp_ok 'length == 4 and (map(.source.format) | sort) == ["ese", "evtx", "evtx", "evtx"]' \
    "$WORK/stdout"

# the same job in a queue and a log: the log's job id replaced (its 16-byte
# GUID value) by the queue's
python3 - "$DESKTOP" "$WORK/same-job.evtx" <<'EOF'
import sys, uuid
data = open(sys.argv[1], "rb").read()
old = uuid.UUID("ff819706-9ff9-490b-ade5-b069232c5d23").bytes_le
new = uuid.UUID("266504ac-d974-446c-96ad-2be13a5665b0").bytes_le
assert data.count(old) == 5
open(sys.argv[2], "wb").write(data.replace(old, new))
EOF
for order in "$WIN10DB $WORK/same-job.evtx" "$WORK/same-job.evtx $WIN10DB"; do
    # shellcheck disable=SC2086
    run -f jsonl $order
    check "merge ($order): one record, the queue's, with the events" slurp_ok 'length == 1 and (.[0] |
        .job_id == "266504ac-d974-446c-96ad-2be13a5665b0" and .source.format == "ese"
        and .job_name == "Chrome Component Updater" and .owner_account == "MSEDGEWIN10\\IEUser"
        and (.events | map(.event_id)) == [3, 209, 59, 60, 4])' "$WORK/stdout"
done

# ---- damaged and foreign logs ---------------------------------------------

head -c 4096 "$DESKTOP" >"$WORK/header-only.evtx"
run "$WORK/header-only.evtx"
check "header only: exit 1, no record" test "$status" -eq 1 -a "$(jq length "$WORK/stdout")" -eq 0
printf 'ElfFile\0 but nothing else' >"$WORK/fake.evtx"
run "$WORK/fake.evtx"
check "fake log: exit 3" test "$status" -eq 3
check "fake log: says libevtx cannot open it" grep -q "fake.evtx: libevtx cannot open the event log" "$WORK/stderr"

check "inputs unchanged" test "$(fingerprint "$DESKTOP" "$SERVER" "$WIN7" "$OPENVPN" "$WIN10DB")" = "$INPUTS_BEFORE"

finish
