#!/usr/bin/env python3
"""Parse time and peak memory of `bitsparse` on large generated queues.

Usage: tests/bench/bench_scale.py BITSPARSE MKQMGR [RUNS] [JOBS...]

For each job count (default 100, 1000, 10000) a description with that many
jobs of 2 files each is written, turned into a qmgr.db by mkqmgr (16 KiB
pages, 8-byte LIDs, dirty, as Windows 10/11 leave it; and 4 KiB pages for
the largest count), and parsed RUNS times (default 7, at least 5) with
output to /dev/null after one warm-up run. BENCH_ARGS adds options to every
bitsparse run (for example BENCH_ARGS=--carve); BENCH_DELETED=1 writes every
second job deleted (its records and long values left for --carve to find, as
mkqmgr --delete does). Prints a Markdown table for
docs/performance.md: median / min / max wall time, median CPU time (user +
system, which a busy machine disturbs less), peak RSS (GNU time %M, see
bench_parse.py for why), exit status. Not a test: nothing is asserted.
The descriptions are deterministic, so the databases are the same every run.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv):
    """Wall time, CPU time (user + system: less sensitive to a busy machine), peak RSS KiB, exit."""
    with tempfile.NamedTemporaryFile("r") as stats:
        command = ["/usr/bin/time", "-f", "%U %S %M", "-o", stats.name] + argv
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        user, system, rss = stats.read().split()[-3:]
        return elapsed, float(user) + float(system), int(rss), done.returncode


def guid(n, salt):
    # deterministic, well-formed, spread over the key space like real GUIDs
    x = (n * 2654435761 + salt * 40503) & 0xFFFFFFFF
    y = (n * 97 + salt) & 0xFFFF
    return f"{x:08x}-{y:04x}-4{n % 4096:03x}-8{salt % 4096:03x}-{n * 7919 + salt:012x}"


def description(jobs, deleted=False):
    owner = "S-1-5-21-2718281828-3141592653-1414213562-1001"
    out = {"jobs": []}
    for i in range(jobs):
        files = []
        for k in range(2):
            files.append({
                "id": guid(i, 1 + k),
                "local_path": f"C:\\Users\\dana\\AppData\\Local\\Temp\\updater_{i}\\part{k}.bin",
                "remote_url": f"https://updates.example.com/channel/stable/{i}/part{k}.bin",
                "bytes_transferred": 100000 + i, "bytes_total": 100000 + i,
                "remote_file_time": "2024-03-01T12:00:00.0000000Z",
            })
        out["jobs"].append({
            "id": guid(i, 0), "name": f"Updater job {i}", "description": f"package {i}",
            "owner_sid": owner if i % 3 else "S-1-5-18", "state": "TRANSFERRED",
            "created": "2024-03-01T12:00:00.0000000Z", "modified": "2024-03-01T12:05:00.0000000Z",
            "creator_program": "C:\\Program Files\\Example\\updater.exe", "files": files,
        })
        if deleted and i % 2 == 0:
            out["jobs"][-1]["deleted"] = True
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, mkqmgr = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    options = os.environ.get("BENCH_ARGS", "").split()
    runs = max(5, int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    counts = [int(n) for n in sys.argv[4:]] or [100, 1000, 10000]
    cases = [(n, 16384) for n in counts] + [(max(counts), 4096)]
    print("| jobs | files | page size | db size | runs | median wall time | min | max | median CPU time | peak RSS | exit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for jobs, page_size in cases:
            desc = os.path.join(work, f"{jobs}.json")
            db = os.path.join(work, f"{jobs}-{page_size}.qmgr.db")
            with open(desc, "w") as f:
                json.dump(description(jobs, os.environ.get("BENCH_DELETED") == "1"), f)
            subprocess.run([mkqmgr, desc, "-o", db, "--page-size", str(page_size)], check=True)
            run_once([binary, *options, db])  # warm the page cache
            samples, cpu, peak, codes = [], [], 0, set()
            for _ in range(runs):
                elapsed, cpu_seconds, rss_kib, code = run_once([binary, *options, db])
                samples.append(elapsed)
                cpu.append(cpu_seconds)
                peak = max(peak, rss_kib)
                codes.add(code)
            size = os.path.getsize(db)
            print(f"| {jobs} | {2 * jobs} | {page_size // 1024} KiB | {size / 1048576:.1f} MiB | {runs} | "
                  f"{statistics.median(samples) * 1000:.1f} ms | {min(samples) * 1000:.1f} ms | "
                  f"{max(samples) * 1000:.1f} ms | {statistics.median(cpu) * 1000:.0f} ms | {peak / 1024:.1f} MiB | "
                  f"{','.join(map(str, sorted(codes)))} |",
                  flush=True)


if __name__ == "__main__":
    main()
