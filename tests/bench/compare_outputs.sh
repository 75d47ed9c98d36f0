#!/usr/bin/env bash
# Compare two bitsparse binaries' output, byte for byte, on every shared
# sample, every fixture under testdata/ and any extra inputs given, in every
# format: plain, --carve, --scan, and with the shared Sigma rules.
# Used to show that a speed change left the output unchanged.
# usage: compare_outputs.sh OLD_BIN NEW_BIN SHARED_DIR [EXTRA_INPUT...]
# Prints "compared N runs, M differ" and exits 1 when any run differs
# (output, standard error or exit status).
set -uo pipefail
old=$1 new=$2 shared=$3
shift 3
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

inputs=()
while IFS= read -r -d '' f; do inputs+=("$f"); done < <(
    find "$shared/testdata" "$here/testdata" -type f \
        ! -name '*.md' ! -name '*.txt' ! -name '*.yml' ! -name '*.gz' -print0 | sort -z)
inputs+=("$shared/testdata" "$here/testdata" "$@")

runs=0 differ=0
for input in "${inputs[@]}"; do
    for format in json jsonl csv timeline; do
        for extra in "" "--carve" "--scan" "--sigma $shared/testdata/sigma"; do
            # shellcheck disable=SC2086
            "$old" -f "$format" $extra "$input" >"$work/old.out" 2>"$work/old.err"
            old_rc=$?
            # shellcheck disable=SC2086
            "$new" -f "$format" $extra "$input" >"$work/new.out" 2>"$work/new.err"
            new_rc=$?
            runs=$((runs + 1))
            if [ "$old_rc" != "$new_rc" ] || ! cmp -s "$work/old.out" "$work/new.out" ||
                ! cmp -s "$work/old.err" "$work/new.err"; then
                differ=$((differ + 1))
                echo "DIFFERS: -f $format $extra $input (exit $old_rc vs $new_rc)"
            fi
        done
    done
done
echo "compared $runs runs, $differ differ"
[ "$differ" = 0 ]
