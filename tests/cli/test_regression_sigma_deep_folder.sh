#!/usr/bin/env bash
# Regression (code review, finding 5): --sigma skipped folders more than 16
# levels below the named folder without a word. They are still not read (the
# bound stops a looping mount), but a warning names the first one.
# Usage: bash test_regression_sigma_deep_folder.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_regression_sigma_deep_folder.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_regression_sigma_deep_folder.sh BITSPARSE SHARED-DIR}
SIGMA=$SHARED/testdata/sigma

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$SIGMA/win_bits_client_new_job_via_bitsadmin.yml" "$SIGMA/win_bits_client_new_transfer_via_ip_address.yml"
make_work

BITSADMIN=1ff315dc-2a3a-4b71-8dde-873818d25d39
DIRECT_IP=90f138c1-f578-4ac3-8c49-eecfd847c8b7

# rules/l1/.../l16 (16 levels below rules: read) and l16/l17 (17 levels: not read)
cd "$WORK" || exit 1
deep=rules
for level in $(seq 1 16); do deep=$deep/l$level; done
mkdir -p "$deep/l17"
cp "$SIGMA/win_bits_client_new_transfer_via_ip_address.yml" "$deep/"
cp "$SIGMA/win_bits_client_new_job_via_bitsadmin.yml" "$deep/l17/"

run --no-default-rules --sigma rules --list-rules
expect_status 0 "--sigma with a folder 17 levels deep"
check "the rule 16 levels deep is loaded, the one 17 levels deep is not" \
    sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^$2 " "$1"' _ "$WORK/stdout" "$DIRECT_IP"
check "the bitsadmin rule (17 levels) is not listed" sh -c '! grep -q "$1" "$2"' _ "$BITSADMIN" "$WORK/stdout"
check "a warning names the folder not read" \
    grep -qxF "bitsparse: warning: 1 Sigma rule folder deeper than 16 levels not read (first: $deep/l17)" "$WORK/stderr"
check "nothing else on stderr" test "$(wc -l <"$WORK/stderr")" -eq 1

finish
