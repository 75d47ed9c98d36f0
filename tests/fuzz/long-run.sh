#!/usr/bin/env bash
# The long fuzz runs of docs/hardening.md: each target for a fixed number of
# executions (default 10 million), one process per target.
#
#   long-run.sh BUILD-DIR SHARED-DIR WORK-DIR [TARGET...]
#
# BUILD-DIR is a fuzz build (CC=clang -DBITSPARSE_FUZZ=ON). Environment:
#   FUZZ_RUNS   executions per target (default 10000000)
#   FUZZ_JOBS   targets run at the same time (default 1)
#   BITSPARSE_FUZZ_SKIP_EVENT_LOGS  1 (default): parse_memory and carve
#               return at once on event logs and get no .evtx seeds (below)
#   FUZZ_WORKERS  processes per target sharing its corpus (default 1); each
#               runs FUZZ_RUNS / FUZZ_WORKERS executions (libFuzzer -jobs),
#               their logs are WORK-DIR/logs/TARGET/fuzz-N.log
#
# Seeds: make_seeds' corpora. The targets that read whole databases
# (parse_memory, ese_qmgr, ese_walk, carve) get small inputs instead, at most
# 128 KiB each: the project's fixtures rewritten by mkqmgr with 4 KiB pages
# (28 pages each), every seed of the target that is already small, and the
# larger ESE seeds cut to 128 KiB. Under AddressSanitizer an input over
# 128 KiB costs an mmap and page faults on every execution, and the mutations
# libFuzzer makes do not need a megabyte to reach a structure; the 60 s CI
# runs (run-fuzzers.sh) keep the full-size samples.
#
# Per target: WORK-DIR/logs/TARGET.log (libFuzzer's output and final stats),
# WORK-DIR/corpus/TARGET, WORK-DIR/artifacts/TARGET/ (findings). A summary
# table is printed at the end and written to WORK-DIR/summary.txt. Exit
# status: 0 no finding, 1 a finding, 2 usage, 77 shared data missing.
set -u

BUILD=${1:?usage: long-run.sh BUILD-DIR SHARED-DIR WORK-DIR [TARGET...]}
SHARED=${2:?usage: long-run.sh BUILD-DIR SHARED-DIR WORK-DIR [TARGET...]}
WORK=${3:?usage: long-run.sh BUILD-DIR SHARED-DIR WORK-DIR [TARGET...]}
shift 3
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
    TARGETS=(decompress file_blob job_blob ese_qmgr ese_walk parse_memory carve binxml_values sigma)
fi
RUNS=${FUZZ_RUNS:-10000000}
JOBS=${FUZZ_JOBS:-1}
WORKERS=${FUZZ_WORKERS:-1}
mkdir -p "$WORK" || exit 2
BUILD=$(cd "$BUILD" && pwd) && WORK=$(cd "$WORK" && pwd) || exit 2  # the workers run elsewhere
FUZZ_DIR=$BUILD/tests/fuzz
MKQMGR=$BUILD/tests/tools/mkqmgr/mkqmgr
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
SMALL=131072
. "$(dirname "$0")/lib.sh"

if [ ! -d "$SHARED/testdata" ]; then
    echo "SKIPPED: shared test data not found: $SHARED/testdata"
    exit 77
fi
for t in "${TARGETS[@]}"; do
    [ -x "$FUZZ_DIR/fuzz_$t" ] || { echo "long-run: $FUZZ_DIR/fuzz_$t not built" >&2; exit 2; }
done

max_len() {
    case $1 in
    parse_memory | ese_qmgr | ese_walk | carve) echo $SMALL ;;
    job_blob | file_blob) echo 16384 ;;
    binxml_values) echo 65538 ;; # a record offset and a 64 KiB chunk
    *) echo 8192 ;;
    esac
}

mkdir -p "$WORK/logs"
rm -rf "$WORK/seeds" "$WORK/small" "$WORK/seeds-small"
"$FUZZ_DIR/make_seeds" "$SHARED" "$WORK/seeds" >/dev/null || exit 1

# Small database seeds shared by the whole-database targets.
mkdir -p "$WORK/small"
for description in "$SOURCE"/testdata/descriptions/*.json; do
    name=$(basename "$description" .json)
    "$MKQMGR" --page-size 4096 "$description" -o "$WORK/small/$name-4k.qmgr.db" >/dev/null || exit 1
done
"$MKQMGR" --page-size 4096 --reserved-tags "$SOURCE/testdata/descriptions/malicious.json" \
    -o "$WORK/small/malicious-4k-reserved-tags.qmgr.db" >/dev/null || exit 1
"$MKQMGR" --page-size 4096 --lid 4 --fill 50 "$SOURCE/testdata/descriptions/typical-win10.json" \
    -o "$WORK/small/typical-win10-4k-lid4-half-full.qmgr.db" >/dev/null || exit 1

# Event logs fork the libevtx child on every execution: ~13 ms under ASan
# against ~1 ms for other inputs. parse_memory and carve skip them here (the
# 60 s CI runs keep them); BITSPARSE_FUZZ_SKIP_EVENT_LOGS=0 puts them back.
export BITSPARSE_FUZZ_SKIP_EVENT_LOGS=${BITSPARSE_FUZZ_SKIP_EVENT_LOGS:-1}

seeds_for() {
    local t=$1 dir=$WORK/seeds/$1
    case $t in
    parse_memory | ese_qmgr | ese_walk | carve)
        dir=$WORK/seeds-small/$t
        mkdir -p "$dir"
        cp "$WORK"/small/*.db "$dir/"
        for f in "$WORK/seeds/$t"/*; do
            [[ $f == *.evtx && $BITSPARSE_FUZZ_SKIP_EVENT_LOGS != 0 ]] && continue
            head -c $SMALL "$f" >"$dir/$(basename "$f")"
        done
        ;;
    esac
    echo "$dir"
}

fuzz_export_sanitizer_options :quarantine_size_mb=16

run_one() {
    local t=$1 seeds
    seeds=$(seeds_for "$t")
    mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
    local start=$SECONDS status
    # -reload=30: the workers look for each other's new units every 30 s, not
    # every second (a listing and a stat of every unit of a corpus of thousands:
    # 4 % of a parse_memory worker's time)
    local args=(-max_len="$(max_len "$t")" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
        -reload=30 -artifact_prefix="$WORK/artifacts/$t/")
    [ -f "$SOURCE/tests/fuzz/$t.dict" ] && args+=(-dict="$SOURCE/tests/fuzz/$t.dict")
    if ((WORKERS > 1)); then
        # -jobs writes fuzz-N.log into the current folder; every job reports its own stats
        rm -rf "$WORK/logs/$t"
        mkdir -p "$WORK/logs/$t"
        (cd "$WORK/logs/$t" && "$FUZZ_DIR/fuzz_$t" -jobs="$WORKERS" -workers="$WORKERS" \
            -runs=$((RUNS / WORKERS)) "${args[@]}" "$WORK/corpus/$t" "$seeds" >"$WORK/logs/$t.log" 2>&1)
        status=$?
        # (the parent already copies each job's log into its own output)
        # A finding is a report in a worker's log or an input saved in the
        # artifacts. The parent also exits with 1 when its workers are stopped
        # by a signal (a session's end): without a report or an input that is
        # "stopped", and the executions so far count (docs/hardening.md).
        if grep -l -E 'ERROR|Test unit written|runtime error' "$WORK/logs/$t"/fuzz-*.log >/dev/null 2>&1 ||
            [ -n "$(ls -A "$WORK/artifacts/$t")" ]; then
            status=1
        elif [ "$status" -ne 0 ]; then
            status=stopped
        fi
    else
        "$FUZZ_DIR/fuzz_$t" -runs="$RUNS" "${args[@]}" "$WORK/corpus/$t" "$seeds" >"$WORK/logs/$t.log" 2>&1
        status=$?
    fi
    echo "$status $((SECONDS - start))" >"$WORK/logs/$t.status"
}

fuzz_for_each_target "$JOBS" run_one "${TARGETS[@]}"

findings=0
{
    echo "commit $(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$SOURCE" diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)'), $RUNS runs per target, $WORKERS process(es) each$([ "$BITSPARSE_FUZZ_SKIP_EVENT_LOGS" != 0 ] && echo ', event logs skipped by parse_memory and carve')"
    fuzz_summary_header
    for t in "${TARGETS[@]}"; do
        log=("$WORK/logs/$t.log")
        ((WORKERS > 1)) && log=("$WORK/logs/$t"/fuzz-*.log)
        read -r status took <"$WORK/logs/$t.status"
        result=ok
        if [ "$status" = stopped ]; then
            result="stopped before its runs, no finding in the workers' logs or artifacts"
        elif [ "$status" -ne 0 ]; then
            result="FINDING (exit $status, see $WORK/logs/$t.log and $WORK/artifacts/$t/)"
            findings=$((findings + 1))
        fi
        fuzz_summary_row "$t" "$took" "$WORK/corpus/$t" "$result" "${log[@]}"
    done
} | tee "$WORK/summary.txt"
grep -q FINDING "$WORK/summary.txt" && exit 1
exit 0
