#!/usr/bin/env bash
# Disk images through The Sleuth Kit (issue 19 part 2). One NTFS volume built
# here (mkntfs, files put in through an ntfs-3g mount) holds a queue at the
# default path, the Bits-Client log at its default path and a queue named
# old-qmgr.db elsewhere, deleted before unmounting. That volume alone, in an
# MBR and in a GPT disk (sfdisk), as E01 (ewfacquire), split raw (.001 …),
# VMDK, VHD and VHDX (qemu-img) gives the records of reading the files
# directly, with provenance: image, partition (TSK address, byte offset),
# path in the volume, MFT entry, sha256; the deleted queue's records carved.
# A non-image input keeps today's behaviour.
# Usage: bash test_images.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
set -u

BIN=${1:?usage: test_images.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_images.sh BITSPARSE SHARED-DIR}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIX=$SRC/testdata
EVTX=$SHARED/testdata/evtx/win10-desktopimgdownldr.evtx

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_data "$EVTX" "$FIX/typical-win10.qmgr.db" "$FIX/malicious.qmgr.db"
require_tools jq mkntfs ntfs-3g sfdisk
[ "$(id -u)" -eq 0 ] || skip "building the NTFS volume needs an ntfs-3g (FUSE) mount, as root"
[ -e /dev/fuse ] || skip "no /dev/fuse for the ntfs-3g mount"
make_work

VOL=$WORK/vol.img
truncate -s 32M "$VOL"
mkntfs -F -q "$VOL" >/dev/null 2>&1 || skip "mkntfs failed"
mkdir "$WORK/mnt"
ntfs-3g "$VOL" "$WORK/mnt" 2>/dev/null || skip "ntfs-3g cannot mount here"
trap 'umount "$WORK/mnt" 2>/dev/null; rm -rf "$WORK"' EXIT  # never leave the mount behind
DL=ProgramData/Microsoft/Network/Downloader
LOG="Windows/System32/winevt/Logs/Microsoft-Windows-Bits-Client%4Operational.evtx"
mkdir -p "$WORK/mnt/$DL" "$WORK/mnt/Windows/System32/winevt/Logs" "$WORK/mnt/Users/x"
cp "$FIX/typical-win10.qmgr.db" "$WORK/mnt/$DL/qmgr.db"
cp "$EVTX" "$WORK/mnt/$LOG"
printf 'other' >"$WORK/mnt/Users/x/notes.txt"
# an allocated file of another program holding a queue: --carve does not search it
cp "$FIX/sigma-queue.qmgr.db" "$WORK/mnt/Users/x/backup.bin"
cp "$FIX/malicious.qmgr.db" "$WORK/mnt/Users/x/old-qmgr.db"
sync
rm "$WORK/mnt/Users/x/old-qmgr.db"  # deleted: its MFT entry still names it
umount "$WORK/mnt"

SHA_QUEUE=$(sha256sum <"$FIX/typical-win10.qmgr.db" | cut -d' ' -f1)
SHA_OLD=$(sha256sum <"$FIX/malicious.qmgr.db" | cut -d' ' -f1)
direct() { "$BIN" -q -f jsonl "$@" | jq -r '"\(.job_id) \(.file_id)"' | sort; }
ids() { jq -r "select($1) | \"\\(.job_id) \\(.file_id)\"" "$2" | sort; }

# check_image NAME IMAGE PARTITION OFFSET: the known answers for one container
check_image() {
    local name=$1 image=$2 partition=$3 offset=$4
    run -f jsonl "$image"
    expect_status 0 "$name"
    local out=$WORK/$name.jsonl
    cp "$WORK/stdout" "$out"
    check "$name: the queue's records, as read directly" test "$(ids ".source.volume_path == \"/$DL/qmgr.db\"" "$out")" = "$(direct "$FIX/typical-win10.qmgr.db")"
    check "$name: the deleted queue's records, as read directly" test "$(ids ".source.volume_path == \"/Users/x/old-qmgr.db\"" "$out")" = "$(direct "$FIX/malicious.qmgr.db")"
    check "$name: the event log's job" test "$(ids ".source.volume_path == \"/$LOG\"" "$out" | cut -d' ' -f1)" = "$(direct "$EVTX" | cut -d' ' -f1)"
    check "$name: queue provenance" slurp_ok "map(select(.source.volume_path == \"/$DL/qmgr.db\")) | length == 4 and all(
        .source.image == \"$image\" and .source.partition == $partition and .source.partition_offset == $offset
        and .source.mft_entry > 0 and .source.found == \"allocated\" and .source.sha256 == \"$SHA_QUEUE\"
        and .source.path == \"$image:p$partition:/$DL/qmgr.db\" and .source.root == \"$image:p$partition\"
        and .source.format == \"ese\" and .carved == false)" "$out"
    check "$name: the deleted queue's records are carved, with how" slurp_ok "map(select(.source.volume_path == \"/Users/x/old-qmgr.db\"))
        | length == 4 and all(.carved == true and .source.found == \"deleted\" and .source.sha256 == \"$SHA_OLD\"
        and (.recovered_from | startswith(\"deleted file\")))" "$out"
    check "$name: nothing else read" slurp_ok 'length == 9' "$out"
}

check_image volume "$VOL" 0 0
run -f jsonl "$VOL"
check "MFT entries: queue, log and deleted queue differ" slurp_ok '[.[].source.mft_entry] | unique | length == 3' "$WORK/stdout"

DISK=$WORK/mbr.raw
truncate -s 40M "$DISK"
printf 'label: dos\nstart=2048, size=65536, type=7\n' | sfdisk -q "$DISK" >/dev/null 2>&1
dd if="$VOL" of="$DISK" bs=512 seek=2048 conv=notrunc status=none
check_image mbr "$DISK" 2 1048576
GPT=$WORK/gpt.raw
truncate -s 40M "$GPT"
printf 'label: gpt\nstart=2048, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' | sfdisk -q "$GPT" >/dev/null 2>&1
dd if="$VOL" of="$GPT" bs=512 seek=2048 conv=notrunc status=none
check_image gpt "$GPT" 4 1048576

split -d -a 3 --numeric-suffixes=1 -b 15M "$DISK" "$WORK/split."
check_image split "$WORK/split.001" 2 1048576

if command -v ewfacquire >/dev/null; then
    if "$BIN" --version >/dev/null 2>&1 && ewfacquire -u -t "$WORK/disk" -q "$DISK" >/dev/null 2>&1; then
        run -f jsonl "$WORK/disk.E01"
        if grep -q "not read by sanitizer builds" "$WORK/stderr"; then
            not_checked "E01: this is a sanitizer build (see src/input/tsk_loader.h)"
        else
            check_image e01 "$WORK/disk.E01" 2 1048576
        fi
    else
        fail "ewfacquire could not write the E01"
    fi
else
    not_checked "E01: ewfacquire (ewf-tools) is not installed"
fi
if command -v qemu-img >/dev/null; then
    for format in vmdk vpc vhdx; do
        qemu-img convert -f raw -O "$format" "$DISK" "$WORK/disk.$format"
        check_image "$format" "$WORK/disk.$format" 2 1048576
    done
else
    not_checked "VMDK, VHD, VHDX: qemu-img (qemu-utils) is not installed"
fi

# --carve: the files through TSK, the volume's unallocated clusters and all outside the
# volume through the scanner; queue bytes written into unallocated clusters of the MBR
# disk's volume come back with partition, cluster and image offset
CARVE=$WORK/carve.raw
cp "$DISK" "$CARVE"
if command -v blkstat >/dev/null && blkstat -o 2048 "$CARVE" 7168 | grep -q "Not Allocated"; then
    dd if="$FIX/deleted-jobs.qmgr.db" of="$CARVE" bs=1M seek=29 conv=notrunc status=none
    run --carve -f jsonl "$CARVE"
    expect_status 1 "--carve on an image (carved jobs warn of files not found)"
    cp "$WORK/stdout" "$WORK/carve.jsonl"
    start=$((29 * 1048576)); end=$((start + $(stat -c %s "$FIX/deleted-jobs.qmgr.db")))
    for job in $("$BIN" -q -f jsonl "$FIX/deleted-jobs.qmgr.db" | jq -r .job_id | sort -u); do
        # the volume starts at byte 1048576 and has 4096-byte clusters: byte 29 MiB is cluster 7168
        check "--carve: job $job found in unallocated clusters, with partition, cluster and image offset" slurp_ok "any(
            .job_id == \"$job\" and .carved and .recovered_from == \"raw-marker\"
            and .source.path == \"$CARVE:p2:unallocated\" and .source.found == \"unallocated\"
            and .source.image == \"$CARVE\" and .source.partition == 2 and .source.partition_offset == 1048576
            and .source.root == \"$CARVE:p2\" and .source.offset >= $start and .source.offset < $end
            and .source.cluster == ((.source.offset - 1048576) / 4096 | floor) and .source.cluster >= 7168)" "$WORK/carve.jsonl"
    done
    check "--carve: the queue in an allocated non-BITS file is not reported" slurp_ok "all(.job_id as \$j
        | (\"$("$BIN" -q -f jsonl "$FIX/sigma-queue.qmgr.db" | jq -r .job_id | sort -u | paste -sd'|' -)\"
        | split(\"|\")) | index(\$j) | not)" "$WORK/carve.jsonl"
    check "--carve: the files' records stay as without it" test "$(ids '.source.volume_path != ""' "$WORK/carve.jsonl")" = "$(ids true "$WORK/mbr.jsonl")"
else
    not_checked "--carve on an image: cluster 7168 of the test volume is not unallocated (blkstat)"
fi

# --carve: the slack of a BITS file (regression_image_file_slack): a legacy-named queue
# file whose size is not a cluster multiple, a job blob written into its last cluster
# after its end, straight into the volume image; found there with --carve only
BLOB=$SHARED/testdata/blobs/win10-19045.job.blob
if [ -f "$BLOB" ]; then
    SVOL=$WORK/slack.img
    truncate -s 16M "$SVOL"
    mkntfs -F -q "$SVOL" >/dev/null 2>&1 || fail "mkntfs failed (slack volume)"
    ntfs-3g "$SVOL" "$WORK/mnt" 2>/dev/null || fail "ntfs-3g cannot mount the slack volume"
    mkdir -p "$WORK/mnt/$DL"
    { head -c 4300 /dev/zero | tr '\0' 'x'; printf 'SLACK-TAIL-MARKER'; } >"$WORK/mnt/$DL/qmgr0.dat"
    umount "$WORK/mnt"
    marker=$(grep -obUa 'SLACK-TAIL-MARKER' "$SVOL" | head -n1 | cut -d: -f1)
    if [ -n "$marker" ]; then
        tail_end=$((marker + 17))  # the file's end: 4317 bytes, 221 of its second cluster
        dd if="$BLOB" of="$SVOL" bs=1 seek=$((tail_end + 100)) conv=notrunc status=none
        job=$("$BIN" -q -f jsonl --scan "$BLOB" | jq -r .job_id | head -n1)
        run --carve -f jsonl "$SVOL"
        cp "$WORK/stdout" "$WORK/slack.jsonl"
        check "--carve: job $job in a file's slack, with partition, cluster and image offset" slurp_ok "any(
            .job_id == \"$job\" and .carved and .source.found == \"slack\"
            and .source.path == \"$SVOL:p0:/$DL/qmgr0.dat (slack)\" and .source.partition == 0
            and .source.partition_offset == 0 and .source.offset == $((tail_end + 100))
            and .source.cluster == $(((tail_end - 1) / 4096)) and .source.volume_path == \"/$DL/qmgr0.dat\")" "$WORK/slack.jsonl"
        run -f jsonl "$SVOL"
        check "without --carve: nothing from the slack" slurp_ok "all(.job_id != \"$job\")" "$WORK/stdout"
    else
        fail "the slack file's tail marker is not in the volume image"
    fi
else
    not_checked "file slack: $BLOB is missing"
fi

# the run summary counts an image's records under the image (regression: they were counted nowhere)
run --summary -f jsonl "$DISK"
check "--summary: the image's records under it" grep -q "summary: $DISK: 9 records (5 live, 4 carved)" "$WORK/stderr"

# not an image: as before
printf 'just some text\n' >"$WORK/notes.txt"
run "$WORK/notes.txt"
expect_status 3 "a text file"
check "a text file: as before" grep -q "not a BITS queue" "$WORK/stderr"
# an NTFS volume without BITS sources: exit 3, saying what was looked for
truncate -s 16M "$WORK/empty.img"
mkntfs -F -q "$WORK/empty.img" >/dev/null 2>&1
run "$WORK/empty.img"
expect_status 3 "NTFS volume without BITS files"
check "empty volume: the message" grep -q "no BITS source on its 1 NTFS volume" "$WORK/stderr"

finish
