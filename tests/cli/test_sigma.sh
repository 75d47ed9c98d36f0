#!/usr/bin/env bash
# Sigma rules through the command line (--sigma): SigmaHQ's seven Bits-Client
# rules, unmodified, on the shared logs and on a generated queue (live and
# carved records) with known matches and non-matches; the author in JSON, CSV
# and timeline; --list-rules with id/level/title/author; bitsparse's own test
# rules (testdata/sigma: cidr, windash, base64offset, re|i, null) on the same
# queue; a rule of another logsource skipped with one note; a malformed rule
# refused with FILE:LINE:COLUMN (exit 2).
# Usage: bash test_sigma.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_sigma.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_sigma.sh BITSPARSE SHARED-DIR}
SIGMA=$SHARED/testdata/sigma
EVTX=$SHARED/testdata/evtx
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OWN=$HERE/../../testdata/sigma
DESCRIPTION=$HERE/../../testdata/descriptions/sigma-queue.json

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
require_data "$SIGMA" "$EVTX"
require_tools jq
if [ -z "${MKQMGR:-}" ] || [ ! -x "$MKQMGR" ]; then
    skip "MKQMGR (tests/tools/mkqmgr) not set: no generated queue"
fi
make_work

BITSADMIN=1ff315dc-2a3a-4b71-8dde-873818d25d39
POWERSHELL=fe3a2d49-f255-4d10-935c-bda7391108eb
EXTENSION=b85e5894-9b19-4d86-8c87-a2f3b81f0521
SHARING=d635249d-86b5-4dad-a8c7-d7272b788586
DIRECT_IP=90f138c1-f578-4ac3-8c49-eecfd847c8b7
TLD=6d44fb93-e7d2-475c-9d3d-54c9c1e33427
FOLDER=f8a56cb7-a363-44ed-a82f-5926bb44cd05
ROTH="Florian Roth (Nextron Systems)"

# sigma_ids FILE JOB: the detection ids of the job's records, space separated
sigma_ids() { jq -r --arg job "$2" '[.[] | select(.job_id == $job) | .detections[].id] | join(" ")' "$1"; }

# ---- --list-rules -------------------------------------------------------------------

run --no-default-rules --sigma "$SIGMA" --list-rules
expect_status 0 "--list-rules --sigma"
check "--list-rules: the seven shared rules" test "$(lines "$WORK/stdout")" -eq 7
check "--list-rules: bitsadmin rule with its author" \
    grep -qxF "$BITSADMIN  low            New BITS Job Created Via Bitsadmin  author: frack113" "$WORK/stdout"
check "--list-rules: direct IP rule with its author" \
    grep -qxF "$DIRECT_IP  high           BITS Transfer Job Download From Direct IP  author: Nasreddine Bencherchali (Nextron Systems)" "$WORK/stdout"
check "--list-rules --sigma: nothing on stderr" test ! -s "$WORK/stderr"
run --sigma "$SIGMA" --list-rules
check "--list-rules: 15 own rules + 7 Sigma rules" test "$(lines "$WORK/stdout")" -eq 22
check "--list-rules: own rules show no author" grep -qxE 'BITS-001 +medium +Job has a notify command line' "$WORK/stdout"

# ---- the shared logs -----------------------------------------------------------------

run --no-default-rules --sigma "$SIGMA" "$EVTX/server-dc-t1197.evtx"
check "server-dc-t1197: bitsadmin.exe job matches the bitsadmin rule only (192.168. is filtered)" \
    test "$(sigma_ids "$WORK/stdout" 6f364a04-6299-4349-a8b6-34bed5e400ef)" = "$BITSADMIN"
check "server-dc-t1197: JSON names the author" \
    jq_ok '[.[].detections[]] == [{"id":"1ff315dc-2a3a-4b71-8dde-873818d25d39","title":"New BITS Job Created Via Bitsadmin","severity":"low","author":"frack113"}]' "$WORK/stdout"
run --no-default-rules --sigma "$SIGMA" "$EVTX/win10-19044-aptsimulator.evtx"
check "aptsimulator: the weather job's 16403 (blob.weather.microsoft.com:80, no '.com/') matches the TLD rule" \
    test "$(sigma_ids "$WORK/stdout" 3a184aa7-8da6-4789-bb42-0c3458940002)" = "$TLD"
check "aptsimulator: no other detection" jq_ok '[.[].detections[]] | length == 1' "$WORK/stdout"
check "aptsimulator: author of the TLD rule" jq_ok "[.[].detections[].author] == [\"$ROTH\"]" "$WORK/stdout"
for log in win10-desktopimgdownldr win10-19043-rathbunvm win7-persist-bitsadmin win10-openvpn; do
    run --no-default-rules --sigma "$SIGMA" "$EVTX/$log.evtx"
    check "$log: no Sigma match (no 16403 / only .com/ and .sfx.ms/ hosts / no processPath)" \
        jq_ok '[.[].detections[]] | length == 0' "$WORK/stdout"
done

# ---- a generated queue ------------------------------------------------------------------

"$MKQMGR" "$DESCRIPTION" -o "$WORK/sigma.qmgr.db" >/dev/null 2>"$WORK/stderr" || fail "mkqmgr sigma-queue.json"
run --no-default-rules --sigma "$SIGMA" "$WORK/sigma.qmgr.db"
expect_status 0 "queue with --sigma"
J=$WORK/stdout
check "job 1 (bitsadmin, 203.0.113.45, C:\\Users\\Public\\payload.exe)" \
    test "$(sigma_ids "$J" a1000001-0000-4000-8000-000000000001)" = "$BITSADMIN $EXTENSION $DIRECT_IP $TLD $FOLDER"
check "job 2 (pwsh, raw.githubusercontent.com, Desktop\\a.ps1)" \
    test "$(sigma_ids "$J" a1000002-0000-4000-8000-000000000002)" = "$POWERSHELL $EXTENSION $SHARING $FOLDER"
check "job 3 (updater into AppData from a .com host): nothing" \
    test "$(sigma_ids "$J" a1000003-0000-4000-8000-000000000003)" = ""
check "job 4 (192.168.10.254 filtered as local): extension and TLD" \
    test "$(sigma_ids "$J" a1000004-0000-4000-8000-000000000004)" = "$EXTENSION $TLD"
check "job 5 (https://7-zip.org filtered as 7-Zip): extension and TLD" \
    test "$(sigma_ids "$J" a1000005-0000-4000-8000-000000000005)" = "$EXTENSION $TLD"
check "deleted job 6 is not read live" test "$(sigma_ids "$J" a1000006-0000-4000-8000-000000000006)" = ""
check "JSON: every Sigma detection has its author" \
    jq_ok '[.[].detections[] | select(.author == null or .author == "")] | length == 0' "$J"
check "JSON: job 2's file sharing match by Florian Roth" \
    jq_ok ".[] | select(.job_id == \"a1000002-0000-4000-8000-000000000002\") | .detections[] | select(.id == \"$SHARING\") | .author == \"$ROTH\" and .severity == \"high\"" "$J"

run --carve --no-default-rules --sigma "$SIGMA" "$WORK/sigma.qmgr.db"
check "carved job 6 (https://evil.xyz/notes.txt) matches the TLD rule" \
    jq_ok ".[] | select(.job_id == \"a1000006-0000-4000-8000-000000000006\") | .carved == true and ([.detections[].id] == [\"$TLD\"])" "$WORK/stdout"

run --no-default-rules --sigma "$SIGMA" -f csv "$WORK/sigma.qmgr.db"
check "CSV: job 1's detections with authors" \
    grep -qF "$BITSADMIN (author: frack113)|$EXTENSION (author: frack113)|$DIRECT_IP (author: Nasreddine Bencherchali (Nextron Systems))|$TLD (author: $ROTH)|$FOLDER (author: $ROTH)" "$WORK/stdout"
run --sigma "$SIGMA" -f timeline "$WORK/sigma.qmgr.db"
check "timeline: message names severity and author" \
    grep -qF "$POWERSHELL (low; author: frack113), $EXTENSION (medium; author: frack113)" "$WORK/stdout"
check "timeline: own rules unchanged next to Sigma rules" grep -qF 'detections: BITS-003 (high), ' "$WORK/stdout"
check "timeline: detections array labels carry the author" \
    slurp_ok "[.[] | select(.job_id == \"a1000003-0000-4000-8000-000000000003\") | .detections[]] | all(test(\"author\") | not)" "$WORK/stdout"
check "timeline: job 4's detections array" \
    slurp_ok "[.[] | select(.job_id == \"a1000004-0000-4000-8000-000000000004\")][0].detections | index(\"$TLD (author: $ROTH)\") != null" "$WORK/stdout"

# ---- bitsparse's own test rules: modifiers on queue records ------------------------------

run --no-default-rules --sigma "$OWN" "$WORK/sigma.qmgr.db"
expect_status 0 "--sigma testdata/sigma"
check "one note for the rule of another logsource" \
    test "$(cat "$WORK/stderr")" = "bitsparse: note: 1 Sigma rule skipped: logsource is not windows/bits-client (first: $OWN/other-logsource.yml)"
check "cidr 203.0.113.0/24: job 1 only" \
    test "$(sigma_ids "$J" a1000001-0000-4000-8000-000000000001)" = "7e0c1a52-bits-test-cidr"
check "re|i + null (no processId in a queue) and windash ' -x ': job 2" \
    test "$(sigma_ids "$J" a1000002-0000-4000-8000-000000000002)" = "7e0c1a52-bits-test-re-null 7e0c1a52-bits-test-windash-base64"
check "re|i on C:\\Program Files\\: job 3" \
    test "$(sigma_ids "$J" a1000003-0000-4000-8000-000000000003)" = "7e0c1a52-bits-test-re-null"
check "base64offset|contains 'http://' in the title: job 4 (svchost: no re match)" \
    test "$(sigma_ids "$J" a1000004-0000-4000-8000-000000000004)" = "7e0c1a52-bits-test-windash-base64"
check "'7-Zip' title has no ' -x ': job 5 re only" \
    test "$(sigma_ids "$J" a1000005-0000-4000-8000-000000000005)" = "7e0c1a52-bits-test-re-null"

# ---- errors ------------------------------------------------------------------------------

printf 'title: Bad\nid: bad-1\nlogsource:\n    service: bits-client\ndetection:\n    sel:\n        LocalName|expand: x\n    condition: sel\n' >"$WORK/bad.yml"
run --sigma "$WORK/bad.yml" "$WORK/sigma.qmgr.db"
expect_status 2 "malformed Sigma rule"
check "malformed rule: FILE:LINE:COLUMN and why" \
    test "$(head -n 1 "$WORK/stderr")" = "$WORK/bad.yml:7:9: field 'LocalName|expand': modifier 'expand' is not supported (supported: contains, startswith, endswith, all, re, re|i, cidr, windash, base64, base64offset, cased, exists)"
check "malformed rule: no output" test ! -s "$WORK/stdout"
run --sigma "$WORK/missing-folder" "$WORK/sigma.qmgr.db"
expect_status 2 "--sigma on a missing path"
check "missing path named" grep -qF "cannot read the Sigma rules $WORK/missing-folder" "$WORK/stderr"
run --no-detections --sigma "$SIGMA" "$WORK/sigma.qmgr.db"
expect_status 2 "--no-detections with --sigma"
run --sigma "$SIGMA" -o "$SIGMA/out.json" "$WORK/sigma.qmgr.db"
expect_status 2 "-o inside a --sigma folder"
check "-o inside a --sigma folder writes nothing" test ! -e "$SIGMA/out.json"

finish
