#!/usr/bin/env bash
# Legacy benchmark (docs/performance.md, "Legacy jobs with many files"): for
# each file count N, mklegacy writes a qmgr0.dat with one job of N files; the
# plain parse and `--carve` of it are timed (median CPU time, user + system,
# of RUNS runs after a warm-up, and peak RSS by GNU time). Carving used to
# hash the job's whole record once per file (regression
# `carve-legacy-files-quadratic`): CPU time growing four-fold per doubling of
# N shows that back. Not a test: nothing is asserted.
#
# Usage: tests/bench/bench_legacy_files.sh BITSPARSE MKLEGACY [RUNS [N...]]
# (defaults: 5 runs; 1000 2000 4000 8000 16000 files)
set -u

BIN=${1:?usage: bench_legacy_files.sh BITSPARSE MKLEGACY [RUNS [N...]]}
MKLEGACY=${2:?usage: bench_legacy_files.sh BITSPARSE MKLEGACY [RUNS [N...]]}
RUNS=${3:-5}
shift $(($# < 3 ? $# : 3))
COUNTS=${*:-1000 2000 4000 8000 16000}
for tool in /usr/bin/time python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: $tool not found"; exit 77; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bitsparse-bench-legacy.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# median CPU seconds and the largest peak RSS (KiB) of RUNS runs of "$@"
measure() {
    "$@" >/dev/null 2>&1  # warm-up
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$@" >/dev/null 2>&1
        tail -1 "$WORK/time"
    done | python3 -c '
import statistics, sys
rows = [line.split() for line in sys.stdin if line.strip()]
cpu = statistics.median(float(u) + float(s) for u, s, _ in rows)
print(f"{cpu:.2f} s | {max(int(m) for _, _, m in rows) / 1024:.1f} MiB")'
}

echo "| files in the job | state file | plain parse: CPU | peak RSS | --carve: CPU | peak RSS |"
echo "|---|---|---|---|---|---|"
for n in $COUNTS; do
    python3 - "$n" >"$WORK/job.json" <<'EOF'
import json, sys
n = int(sys.argv[1])
files = [{"local_path": f"C:\\ProgramData\\Updater\\part{i:05d}.bin",
          "remote_url": f"http://updates.example.com/payload/part{i:05d}.bin"} for i in range(n)]
print(json.dumps({"jobs": [{"id": "0f1e2d3c-4b5a-4978-8a9b-aabbccddeeff", "name": "many files",
                            "files": files}]}))
EOF
    "$MKLEGACY" "$WORK/job.json" "$WORK/qmgr0.dat" || exit 1
    bytes=$(stat -c %s "$WORK/qmgr0.dat")
    plain=$(measure "$BIN" -q "$WORK/qmgr0.dat" -o /dev/null)
    carve=$(measure "$BIN" -q --carve "$WORK/qmgr0.dat" -o /dev/null)
    echo "| $n | $((bytes / 1024)) KiB | $plain | $carve |"
done
