#!/usr/bin/env python3
"""The scale targets of issue 21, measured (docs/performance.md, "Scale targets").

Usage: tests/bench/bench_targets.py BITSPARSE MKQMGR [RUNS] [JOBS...]

For each job count (default 100, 1000, 10000, 100000) the queue of
bench_scale.py (2 files a job, 16 KiB pages, dirty) is written once and
parsed RUNS times (default 5; 3 for 100 000 jobs) after a warm-up run, with
output to /dev/null, as:
  JSON Lines, JSON and CSV (detections on, the default), and --carve (JSON Lines).
Prints one Markdown row per case: median CPU time (user + system, GNU time;
steadier than wall time on a shared machine), peak RSS, CPU and memory per job
(linear growth means flat per-job values), the target and whether it is met.
Targets, for 10 000 jobs: JSON Lines <= 100 ms CPU and <= 32 MiB; JSON and CSV
within 1.2x of the JSON Lines time; --carve <= 200 ms and <= 64 MiB.
BENCH_WORK=DIR keeps the generated queues in DIR and reuses them (mkqmgr
needs minutes for 100 000 jobs), so two binaries can be measured on the same
files. Not a test: nothing is asserted (exit 0 unless a tool fails).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_scale import description, run_once  # noqa: E402

CASES = [
    ("jsonl", ["-f", "jsonl"]),
    ("json", ["-f", "json"]),
    ("csv", ["-f", "csv"]),
    ("--carve jsonl", ["--carve", "-f", "jsonl"]),
]


def target(case, jobs, cpu_ms, rss_mib, jsonl_ms):
    if jobs != 10000:
        return ""
    if case == "jsonl":
        ok = cpu_ms <= 100 and rss_mib <= 32
        return f"<= 100 ms, <= 32 MiB: {'met' if ok else 'missed'}"
    if case in ("json", "csv"):
        ok = cpu_ms <= 1.2 * jsonl_ms and rss_mib <= 32
        return f"<= 1.2x JSON Lines ({1.2 * jsonl_ms:.0f} ms), <= 32 MiB: {'met' if ok else 'missed'}"
    ok = cpu_ms <= 200 and rss_mib <= 64
    return f"<= 200 ms, <= 64 MiB: {'met' if ok else 'missed'}"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, mkqmgr = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    counts = [int(n) for n in sys.argv[4:]] or [100, 1000, 10000, 100000]
    print("| jobs | db size | output | runs | median CPU time | peak RSS | CPU per job | RSS per job | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    keep = os.environ.get("BENCH_WORK")
    if keep:
        os.makedirs(keep, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = keep or scratch
        for jobs in counts:
            desc = os.path.join(work, f"{jobs}.json")
            db = os.path.join(work, f"{jobs}.qmgr.db")
            if not os.path.exists(db):
                with open(desc, "w") as f:
                    json.dump(description(jobs), f)
                subprocess.run([mkqmgr, desc, "-o", db + ".part", "--page-size", "16384"], check=True)
                os.rename(db + ".part", db)
                os.unlink(desc)
            size_mib = os.path.getsize(db) / 1048576
            jsonl_ms = 0.0
            n = min(runs, 3) if jobs >= 100000 else runs
            for case, options in CASES:
                argv = [binary, "-q", *options, db]
                run_once(argv)  # warm the page cache
                cpu, peak, codes = [], 0, set()
                for _ in range(n):
                    _, cpu_seconds, rss_kib, code = run_once(argv)
                    cpu.append(cpu_seconds)
                    peak = max(peak, rss_kib)
                    codes.add(code)
                cpu_ms = statistics.median(cpu) * 1000
                rss_mib = peak / 1024
                if case == "jsonl":
                    jsonl_ms = cpu_ms
                status = "" if codes <= {0, 1} else f" (exit {','.join(map(str, sorted(codes)))})"
                print(f"| {jobs} | {size_mib:.1f} MiB | {case}{status} | {n} | {cpu_ms:.0f} ms | {rss_mib:.1f} MiB | "
                      f"{cpu_ms * 1000 / jobs:.1f} µs | {peak * 1024 / jobs / 1024:.1f} KiB | "
                      f"{target(case, jobs, cpu_ms, rss_mib, jsonl_ms)} |", flush=True)
            if not keep:
                os.unlink(db)


if __name__ == "__main__":
    main()
