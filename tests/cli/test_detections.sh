#!/usr/bin/env bash
# Detections through the command line: --list-rules, --rules, --no-default-rules,
# --min-severity, --no-detections, rule file errors (FILE:LINE:COLUMN, exit 2),
# and the detections of the real samples.
# Usage: bash test_detections.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_detections.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_detections.sh BITSPARSE SHARED-DIR}
ESE=$SHARED/testdata/ese
WIN10=$ESE/win10-19045.qmgr.db
WIN11=$ESE/win11-22000.qmgr.db
WIN7=$SHARED/testdata/legacy/win7-job-record.bin

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$ESE"
require_tools jq
make_work

# the first stderr line is exactly $1
stderr_is() { [ "$(head -n 1 "$WORK/stderr")" = "$1" ]; }

# ---- --list-rules ---------------------------------------------------------------

run --list-rules
expect_status 0 "--list-rules"
check "--list-rules: 15 built-in rules" test "$(lines "$WORK/stdout")" -eq 15
check "--list-rules: first line" grep -qx 'BITS-001  medium         Job has a notify command line' "$WORK/stdout"
check "--list-rules: ids in order" \
    test "$(cut -d' ' -f1 "$WORK/stdout" | tr '\n' ' ')" = "BITS-001 BITS-002 BITS-003 BITS-004 BITS-005 BITS-006 BITS-007 BITS-008 BITS-009 BITS-010 BITS-011 BITS-012 BITS-013 BITS-014 BITS-015 "
check "--list-rules: every line is ID SEVERITY TITLE" \
    test "$(grep -cE '^BITS-[0-9]{3}  (informational|low|medium|high|critical) +[A-Z].+$' "$WORK/stdout")" -eq 15
check "--list-rules: BITS-011 is critical" grep -qE '^BITS-011  critical ' "$WORK/stdout"
check "--list-rules: nothing on stderr" test ! -s "$WORK/stderr"
run --list-rules "$WIN10"
expect_status 0 "--list-rules ignores PATH"
check "--list-rules with PATH: still only the list" test "$(lines "$WORK/stdout")" -eq 15

run --list-rules --min-severity high
expect_status 0 "--list-rules --min-severity high"
check "--min-severity high lists 6 rules" test "$(lines "$WORK/stdout")" -eq 6
check "--min-severity high: only high and critical" \
    test "$(grep -cE '^BITS-[0-9]+  (high|critical) ' "$WORK/stdout")" -eq 6
run --list-rules --min-severity CRITICAL
check "--min-severity is case-insensitive" test "$(cat "$WORK/stdout")" = "BITS-011  critical       Failed job set to run its notify command"

run --list-rules --no-default-rules
expect_status 0 "--list-rules --no-default-rules"
check "--no-default-rules: no rules" test ! -s "$WORK/stdout"

cat >"$WORK/site.yaml" <<'EOF'
# site rules: one new rule, one replacing a built-in one
version: 1
rules:
  - id: SITE-MOZILLA
    title: Firefox update download
    severity: critical
    mitre: T1197
    match:
      all_of:
        - field: url_host
          host_in: [mozilla.net]
        - field: creator_program_name
          equals: firefox.exe
  - id: BITS-006
    title: Staging folder (site severity)
    severity: informational
    match:
      field: full_path
      contains: ['\ProgramData\', '\AppData\']
EOF
run --list-rules --rules "$WORK/site.yaml"
expect_status 0 "--list-rules --rules"
check "--rules adds one rule" test "$(lines "$WORK/stdout")" -eq 16
check "--rules: replaced rule keeps its place" \
    test "$(sed -n 6p "$WORK/stdout")" = "BITS-006      informational  Staging folder (site severity)"
check "--rules: new rule last, columns widened" \
    test "$(tail -n 1 "$WORK/stdout")" = "SITE-MOZILLA  critical       Firefox update download"
run --list-rules --no-default-rules --rules "$WORK/site.yaml"
check "--no-default-rules --rules: only the file's rules" test "$(lines "$WORK/stdout")" -eq 2

# ---- usage errors ---------------------------------------------------------------

run --min-severity severe "$WIN10"
expect_status 2 "unknown --min-severity"
check "unknown --min-severity: message" grep -q 'unknown severity' "$WORK/stderr"
run --rules
expect_status 2 "--rules without a file"
run --no-detections --rules "$WORK/site.yaml" "$WIN10"
expect_status 2 "--no-detections with --rules"
run --no-detections --list-rules
expect_status 2 "--no-detections with --list-rules"
run --no-detections --min-severity low "$WIN10"
expect_status 2 "--no-detections with --min-severity"
run --list-rules -f xml
expect_status 2 "--list-rules with a bad format"

# ---- rule file errors: FILE:LINE:COLUMN: message, exit 2, nothing written --------

cat >"$WORK/bad-field.yaml" <<'EOF'
rules:
  - id: X-1
    title: typo in a field name
    severity: low
    match:
      field: uri
      contains: evil
EOF
run --rules "$WORK/bad-field.yaml" "$WIN10" -o "$WORK/out.json"
expect_status 2 "rule file with an unknown field"
check "unknown field: FILE:LINE:COLUMN" \
    stderr_is "$WORK/bad-field.yaml:6:14: 'uri' is not a field (see the field list in docs/detections.md)"
check "rule error: no output file" test ! -e "$WORK/out.json"
check "rule error: no temp files" test -z "$(find "$WORK" -maxdepth 1 -name '.*.??????' -print -quit)"
run --rules "$WORK/bad-field.yaml" --list-rules
expect_status 2 "rule error with --list-rules"
check "rule error with --list-rules: nothing listed" test ! -s "$WORK/stdout"

printf 'rules:\n  - id: X-1\n    title: [unclosed\n' >"$WORK/bad-syntax.yaml"
run --rules "$WORK/bad-syntax.yaml" "$WIN10"
expect_status 2 "rule file with a YAML syntax error"
check "syntax error: FILE:LINE:COLUMN: YAML syntax error" \
    grep -qE "^$WORK/bad-syntax.yaml:[0-9]+:[0-9]+: YAML syntax error: " "$WORK/stderr"
check "syntax error: nothing on stdout" test ! -s "$WORK/stdout"

cat >"$WORK/bad-regex.yaml" <<'EOF'
rules:
  - id: X-1
    title: broken regex
    severity: high
    match: {field: job_command, regex: 'cmd(\.exe'}
EOF
run --rules "$WORK/bad-regex.yaml" "$WIN10"
expect_status 2 "rule file with a bad regex"
check "bad regex: FILE:LINE:COLUMN" grep -q "^$WORK/bad-regex.yaml:5:40: bad regex 'cmd(\\\\.exe': " "$WORK/stderr"

cat >"$WORK/bad-severity.yaml" <<'EOF'
rules:
  - id: X-1
    title: t
    severity: urgent
    match: {field: url, empty: false}
EOF
run --rules "$WORK/bad-severity.yaml" "$WIN10"
expect_status 2 "rule file with a bad severity"
check "bad severity: FILE:LINE:COLUMN" \
    stderr_is "$WORK/bad-severity.yaml:4:15: unknown severity 'urgent' (use informational, low, medium, high or critical)"

run --rules "$WORK/missing.yaml" "$WIN10"
expect_status 2 "missing rule file"
check "missing rule file: FILE:1:1" \
    stderr_is "$WORK/missing.yaml:1:1: cannot read the rule file: No such file or directory"
run --rules "$WORK" "$WIN10"
expect_status 2 "a folder as rule file"
: >"$WORK/empty.yaml"
run --rules "$WORK/empty.yaml" "$WIN10"
expect_status 2 "empty rule file"
check "empty rule file: message" grep -q "^$WORK/empty.yaml:1:1: empty rule file" "$WORK/stderr"
# the second of two files is bad: still refused
run --rules "$WORK/site.yaml" --rules "$WORK/bad-severity.yaml" "$WIN10"
expect_status 2 "good then bad rule file"

# ---- detections on the real samples ---------------------------------------------

run "$WIN10" -o "$WORK/win10.json"
win10_status=$status
check "win10: exit 0 or 1" test "$status" -le 1
check "win10: detections = [BITS-006]" jq_ok '[.[].detections | map(.id)] == [["BITS-006"]]' "$WORK/win10.json"
check "win10: detection object" \
    jq_ok '.[0].detections[0] == {"id": "BITS-006", "title": "Local file in a user-writable or staging folder", "severity": "low"}' \
    "$WORK/win10.json"
run "$WIN11" -o "$WORK/win11.json"
win11_status=$status
check "win11: exit 0 or 1" test "$status" -le 1
check "win11: every record [BITS-006]" \
    jq_ok 'length == 4 and all(.[]; (.detections | map(.id)) == ["BITS-006"])' "$WORK/win11.json"
check "win10+win11: nothing high or critical" \
    jq_ok '[.[].detections[] | select(.severity == "high" or .severity == "critical")] == []' \
    "$WORK/win11.json"
check "win10: nothing high or critical" \
    jq_ok '[.[].detections[] | select(.severity == "high" or .severity == "critical")] == []' \
    "$WORK/win10.json"

run --min-severity medium "$WIN11"
check "--min-severity medium: win11 has no detections" jq_ok 'all(.[]; .detections == [])' "$WORK/stdout"
run --no-detections "$WIN11"
check "--no-detections: exit status unchanged" test "$status" -eq "$win11_status"
check "--no-detections: detections empty" jq_ok 'all(.[]; .detections == [])' "$WORK/stdout"
check "--no-detections: everything else identical" \
    test "$(jq -c 'map(del(.detections))' "$WORK/stdout")" = "$(jq -c 'map(del(.detections))' "$WORK/win11.json")"

run --rules "$WORK/site.yaml" "$WIN11"
check "--rules: win11 detections" \
    jq_ok 'all(.[]; .detections == [{"id": "BITS-006", "title": "Staging folder (site severity)", "severity": "informational"}, {"id": "SITE-MOZILLA", "title": "Firefox update download", "severity": "critical"}])' \
    "$WORK/stdout"
check "--rules: exit status unaffected by detections" test "$status" -eq "$win11_status"
run --no-default-rules --rules "$WORK/site.yaml" --min-severity high "$WIN10" "$WIN11"
check "--no-default-rules --min-severity high: only SITE-MOZILLA on the Firefox jobs" \
    jq_ok '[.[].detections | map(.id)] == [[], ["SITE-MOZILLA"], ["SITE-MOZILLA"], ["SITE-MOZILLA"], ["SITE-MOZILLA"]]' \
    "$WORK/stdout"
run --no-default-rules "$WIN10"
check "--no-default-rules alone: no detections" jq_ok '.[0].detections == []' "$WORK/stdout"
check "--no-default-rules alone: exit status unchanged" test "$status" -eq "$win10_status"

run -f csv "$WIN11"
check "csv: detections column" test "$(head -n 1 "$WORK/stdout" | tr -d '\r' | tr ',' '\n' | grep -cx detections)" -eq 1
check "csv: BITS-006 in every row" test "$(grep -c ',BITS-006' "$WORK/stdout")" -eq 4
run -f jsonl --rules "$WORK/site.yaml" "$WIN11"
check "jsonl: detections" test "$(jq -c '.detections | map(.id)' "$WORK/stdout" | sort -u)" = '["BITS-006","SITE-MOZILLA"]'

# the Windows 7 persistence job, when the legacy reader reads it
if [ -f "$WIN7" ]; then
    run "$WIN7"
    if jq_ok 'length >= 1 and (.[0].job_name == "TTT")' "$WORK/stdout"; then
        check "win7 legacy job: persistence detections" \
            jq_ok '.[0].detections | map(.id) == ["BITS-001","BITS-002","BITS-006","BITS-007","BITS-010","BITS-012"]' \
            "$WORK/stdout"
        run --min-severity high "$WIN7"
        check "win7 legacy job: high ones" \
            jq_ok '.[0].detections | map(.id) == ["BITS-002","BITS-010"]' "$WORK/stdout"
    else
        echo "note: $WIN7 not read as a job (legacy reader missing); not checked"
    fi
fi

# the generated attack fixture (tests/tools/mkqmgr, testdata/descriptions/malicious.json),
# when it is there: every job lights up the rules it was built to trigger
MALICIOUS=$(dirname "$0")/../../testdata/malicious.qmgr.db
if [ -f "$MALICIOUS" ]; then
    run "$MALICIOUS"
    has() { # has JOB-NAME ID...: the job's detections include every ID
        local name=$1
        shift
        local want
        want=$(printf '"%s",' "$@")
        jq_ok "[.[] | select(.job_name == \"$name\") | .detections | map(.id)] | length >= 1 and all(.[]; contains([${want%,}]))" \
            "$WORK/stdout"
    }
    check "malicious: bitsadmin job, notify cmd, raw IP" \
        has "Windows Update Check" BITS-001 BITS-002 BITS-003 BITS-006 BITS-007 BITS-013
    check "malicious: SYSTEM job, PowerShell notify, paste site" \
        has "SystemHealthMonitor" BITS-001 BITS-002 BITS-004 BITS-010
    check "malicious: upload job" has "sync" BITS-003 BITS-008
    check "malicious: failed job with a notify command" \
        has "Adobe Acrobat Update" BITS-001 BITS-002 BITS-011
    check "malicious: high or critical on every job" \
        jq_ok 'all(.[]; any(.detections[]; .severity == "high" or .severity == "critical"))' "$WORK/stdout"
else
    echo "note: $MALICIOUS not generated; not checked"
fi

finish
