#!/usr/bin/env bash
# Run the libFuzzer targets of a fuzz build for a bounded time each.
#
#   run-fuzzers.sh BUILD-DIR SHARED-DIR SECONDS [TARGET...]
#
# BUILD-DIR is a build configured with CC=clang -DBITSPARSE_FUZZ=ON and built.
# Seeds are made from SHARED-DIR/testdata at run time (make_seeds) into
# $FUZZ_WORK/seeds; the growing corpus stays in $FUZZ_WORK/corpus/TARGET and
# findings go to $FUZZ_WORK/artifacts/TARGET/ (FUZZ_WORK defaults to
# BUILD-DIR/fuzz-work; none of it belongs in the repository). SECONDS=0 only
# runs every seed once. Targets run FUZZ_JOBS at a time (default: the number
# of CPUs). Exit status: 0 no finding, 1 a finding (crash, sanitizer report,
# leak, timeout, out of memory, broken invariant), 2 usage, 77 shared data
# missing.
set -u

BUILD=${1:?usage: run-fuzzers.sh BUILD-DIR SHARED-DIR SECONDS [TARGET...]}
SHARED=${2:?usage: run-fuzzers.sh BUILD-DIR SHARED-DIR SECONDS [TARGET...]}
SECONDS_EACH=${3:?usage: run-fuzzers.sh BUILD-DIR SHARED-DIR SECONDS [TARGET...]}
shift 3
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
    TARGETS=(parse_memory ese_qmgr ese_walk job_blob file_blob decompress carve binxml_values sigma)
fi
WORK=${FUZZ_WORK:-$BUILD/fuzz-work}
JOBS=${FUZZ_JOBS:-$(nproc)}
FUZZ_DIR=$BUILD/tests/fuzz
. "$(dirname "$0")/lib.sh"

if [ ! -d "$SHARED/testdata" ]; then
    echo "SKIPPED: shared test data not found: $SHARED/testdata"
    exit 77
fi
for t in "${TARGETS[@]}"; do
    if [ ! -x "$FUZZ_DIR/fuzz_$t" ]; then
        echo "run-fuzzers: $FUZZ_DIR/fuzz_$t not built (configure with CC=clang -DBITSPARSE_FUZZ=ON)" >&2
        exit 2
    fi
done

# Largest input each target is given (qmgr.db seeds are 0.8-1.2 MiB, the generic
# ESE seeds of ese_walk 0.13-0.64 MiB).
max_len() {
    case $1 in
    parse_memory | ese_qmgr | carve) echo 1400000 ;;
    ese_walk) echo 700000 ;;
    job_blob | file_blob) echo 16384 ;;
    binxml_values) echo 65538 ;; # a record offset and a 64 KiB chunk
    *) echo 8192 ;;
    esac
}

rm -rf "$WORK/seeds" "$WORK/logs"
mkdir -p "$WORK/seeds" "$WORK/logs"
"$FUZZ_DIR/make_seeds" "$SHARED" "$WORK/seeds" >/dev/null || {
    status=$?
    [ "$status" -eq 77 ] && exit 77
    echo "run-fuzzers: make_seeds failed ($status)" >&2
    exit 1
}

fuzz_export_sanitizer_options ""

run_one() {
    local t=$1 corpus=$WORK/corpus/$1 artifacts=$WORK/artifacts/$1 log=$WORK/logs/$1.log
    mkdir -p "$corpus" "$artifacts"
    local args=(-max_len="$(max_len "$t")" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
    # a dictionary of the input's keywords, where the target has one
    [ -f "$(dirname "$0")/$t.dict" ] && args+=(-dict="$(dirname "$0")/$t.dict")
    if [ "$SECONDS_EACH" -eq 0 ]; then
        args+=(-runs=0)
    else
        args+=(-max_total_time="$SECONDS_EACH")
    fi
    local start=$SECONDS
    "$FUZZ_DIR/fuzz_$t" "${args[@]}" "$corpus" "$WORK/seeds/$t" >"$log" 2>&1
    local status=$?
    echo "$status $((SECONDS - start))" >"$WORK/logs/$t.status"
}

fuzz_for_each_target "$JOBS" run_one "${TARGETS[@]}"

findings=0
fuzz_summary_header
for t in "${TARGETS[@]}"; do
    read -r status took <"$WORK/logs/$t.status"
    result=ok
    if [ "$status" -ne 0 ]; then
        result="FINDING (exit $status)"
        findings=$((findings + 1))
    fi
    fuzz_summary_row "$t" "$took" "$WORK/corpus/$t" "$result" "$WORK/logs/$t.log"
done
if ((findings)); then
    for t in "${TARGETS[@]}"; do
        read -r status took <"$WORK/logs/$t.status"
        [ "$status" -eq 0 ] && continue
        echo "---- fuzz_$t: $WORK/logs/$t.log (last lines); inputs in $WORK/artifacts/$t/"
        grep -v '^#[0-9]' "$WORK/logs/$t.log" | tail -40
        ls -l "$WORK/artifacts/$t/"
    done
    echo "run-fuzzers: $findings target(s) with findings. Minimize each input (fuzz_TARGET" \
        "-minimize_crash=1 -runs=100000 INPUT), then save it as tests/fuzz/regressions/NAME.bin" \
        "(see tests/fuzz/regressions/README.md)."
    exit 1
fi
exit 0
