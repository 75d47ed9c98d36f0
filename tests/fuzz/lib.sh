# Shared by run-fuzzers.sh (bounded-time runs, CI) and long-run.sh (runs of a
# fixed number of executions). Sourced, not run.

# Sanitizer settings of every run unless the caller set its own.
fuzz_export_sanitizer_options() {
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1$1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}

# fuzz_for_each_target JOBS FUNCTION TARGET...: FUNCTION TARGET for every
# target, at most JOBS at the same time; returns when all have ended.
fuzz_for_each_target() {
    local jobs=$1 run=$2 running=0 t
    shift 2
    for t in "$@"; do
        if ((running >= jobs)); then
            wait -n
            running=$((running - 1))
        fi
        "$run" "$t" &
        running=$((running + 1))
    done
    wait
}

# The summary table: fuzz_summary_header, then one fuzz_summary_row TARGET
# SECONDS CORPUS-DIR RESULT LOG... per target (columns from fuzz_stats).
fuzz_summary_header() {
    printf '%-14s %12s %9s %9s %7s %9s %8s %s\n' target execs seconds exec/s cov peak-rss corpus result
}

fuzz_summary_row() {
    local target=$1 took=$2 corpus=$3 result=$4 execs per_second cov rss units
    shift 4
    read -r execs per_second cov rss < <(fuzz_stats "$@")
    units=$(find "$corpus" -type f | wc -l)
    printf '%-14s %12s %9s %9s %7s %9s %8s %s\n' "$target" "$execs" "$took" "$per_second" "$cov" "${rss}MB" \
        "$units" "$result"
}

# fuzz_stats LOG...: "EXECS EXEC/S COV PEAK-RSS-MB" from libFuzzer's final
# stats (-print_final_stats=1). With the logs of several workers of one
# target: executions and speeds summed, the largest coverage and peak. "?"
# for what no log holds (a run that died before its stats).
fuzz_stats() {
    local execs per_second cov rss
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$@" | awk '{s += $1} END {if (NR) print s}')
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$@" | awk '{s += $1} END {if (NR) print s}')
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$@" | sort -n | tail -1)
    cov=$(cat "$@" | grep -o 'cov: [0-9]*' | sort -t' ' -k2 -n | tail -1 | cut -d' ' -f2)
    echo "${execs:-?} ${per_second:-?} ${cov:-?} ${rss:-?}"
}
