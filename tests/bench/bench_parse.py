#!/usr/bin/env python3
"""Whole-process time and peak memory of `bitsparse` on each shared qmgr.db.

Usage: tests/bench/bench_parse.py BITSPARSE [SHARED_DIR] [RUNS]

Each input is parsed RUNS times (default 25) with output to /dev/null; the
median wall time and the largest peak RSS are printed as a Markdown table for
docs/performance.md. Not a test: nothing is asserted.

Peak RSS comes from GNU time (/usr/bin/time -f %M): Linux carries a process's
RSS high-water mark across exec, so measuring a child forked straight from
this Python process would report Python's own ~13 MiB instead.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv):
    with tempfile.NamedTemporaryFile("r") as rss:
        command = ["/usr/bin/time", "-f", "%M", "-o", rss.name] + argv
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        return elapsed, int(rss.read().split()[-1]), done.returncode


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../../shared")
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    inputs = sorted(os.path.join(shared, "testdata/ese", n) for n in os.listdir(os.path.join(shared, "testdata/ese")))
    print(f"| input | size | runs | median wall time | min | max | peak RSS | exit |")
    print(f"|---|---|---|---|---|---|---|---|")
    for path in inputs:
        samples, peak, codes = [], 0, set()
        run_once([binary, path])  # warm the page cache
        for _ in range(runs):
            elapsed, rss_kib, code = run_once([binary, path])
            samples.append(elapsed)
            peak = max(peak, rss_kib)
            codes.add(code)
        print(f"| {os.path.basename(path)} | {os.path.getsize(path) // 1024} KiB | {runs} | "
              f"{statistics.median(samples) * 1000:.2f} ms | {min(samples) * 1000:.2f} ms | "
              f"{max(samples) * 1000:.2f} ms | {peak / 1024:.1f} MiB | {','.join(map(str, sorted(codes)))} |")


if __name__ == "__main__":
    main()
