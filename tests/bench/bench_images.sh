#!/usr/bin/env bash
# Disk-image benchmark (docs/performance.md, "Disk images"): builds a 2.5 GiB
# raw NTFS volume (mkntfs, filled through an ntfs-3g mount: 20 000 small files
# in 200 folders, 512 MiB of written-then-deleted data in unallocated
# clusters, a queue and the Bits-Client log at their default paths), then in
# the same run times discovery — `bitsparse IMAGE` (walk of the names and MFT
# entries, then the wanted files read) — against `fls -r IMAGE` of TSK's own
# tools, and reports `blkls IMAGE | grep -c -a -F <job marker>` (what an
# unallocated-cluster carve costs with TSK's tools) against `bitsparse --carve IMAGE`
# (the same clusters through the scanner), with bitsparse's peak RSS.
# Run once: the disk and CPU are shared.
#
# Usage: tests/bench/bench_images.sh BITSPARSE [WORK-DIR]   (needs root for the mount)
# Exit status: 0 when the records were found and peak RSS <= 64 MiB; 1 otherwise;
# 77 when a tool is missing or the mount is not possible.
set -u
BIN=${1:?usage: bench_images.sh BITSPARSE [WORK-DIR]}
WORK=${2:-${TMPDIR:-/tmp}/bitsparse-bench-images}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in mkntfs ntfs-3g fls blkls /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root for the ntfs-3g mount"; exit 77; }
mkdir -p "$WORK"
IMG=$WORK/volume-2560M.img
if [ ! -s "$IMG" ]; then
    truncate -s 2560M "$IMG"
    mkntfs -F -q -f "$IMG" >/dev/null 2>&1
    mkdir -p "$WORK/mnt"
    ntfs-3g "$IMG" "$WORK/mnt" || { echo "SKIPPED: ntfs-3g cannot mount"; exit 77; }
    DL=$WORK/mnt/ProgramData/Microsoft/Network/Downloader
    mkdir -p "$DL" "$WORK/mnt/Windows/System32/winevt/Logs"
    cp "$SRC/testdata/typical-win10.qmgr.db" "$DL/qmgr.db"
    for d in $(seq 1 200); do
        mkdir -p "$WORK/mnt/Users/u/f$d"
        for f in $(seq 1 100); do printf 'file %s %s\n' "$d" "$f" >"$WORK/mnt/Users/u/f$d/n$f.txt"; done
    done
    head -c 536870912 /dev/urandom >"$WORK/mnt/big.bin"
    sync
    rm "$WORK/mnt/big.bin"
    umount "$WORK/mnt"
fi
ls -l "$IMG"
seconds() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
read -r fls_time _ < <(seconds fls -r "$IMG")
read -r bp_time bp_kib < <(seconds "$BIN" -q -f jsonl "$IMG")
records=$("$BIN" -q -f jsonl "$IMG" | wc -l)
# --carve: the queue read as above, then the unallocated clusters through the scanner
read -r carve_time carve_kib < <(seconds "$BIN" -q --carve -f jsonl "$IMG")
blkls_start=$(date +%s.%N)
# the marker of ESE-era job blobs (bits/markers.c) as grep would look for it
hits=$(blkls "$IMG" | LC_ALL=C grep -c -a -F 'qmgr' || true)
blkls_time=$(echo "$(date +%s.%N) - $blkls_start" | bc)
echo "fls -r: ${fls_time}s"
echo "bitsparse discovery + read: ${bp_time}s, peak RSS $((bp_kib / 1024)) MiB, $records records"
echo "bitsparse --carve (unallocated clusters scanned): ${carve_time}s, peak RSS $((carve_kib / 1024)) MiB"
echo "blkls | grep -c: ${blkls_time}s ($hits lines)"
[ "$records" -eq 4 ] && [ "$bp_kib" -le 65536 ] && [ "$carve_kib" -le 65536 ]
