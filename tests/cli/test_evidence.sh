#!/usr/bin/env bash
# Evidence is never touched: bitsparse opens its inputs read-only and never
# writes, renames, truncates or re-stamps them, whatever the mode or format;
# -o writes through a temporary file renamed into place and leaves nothing
# behind when it fails; the output may never replace an input.
#
# Usage: bash test_evidence.sh PATH-TO-BITSPARSE SHARED-DIR   (exit 77 = skipped)
#
# Checks that cannot run here (strace not allowed to trace, no way to drop
# root for the read-only-folder case) are reported as "not checked", never as
# passed. Known bugs, if any are marked with known_bug (tests/cli/lib.sh),
# print "KNOWN BUG" and do not fail (docs/hardening.md, "Bugs found and fixed").
set -u

BIN=${1:?usage: test_evidence.sh BITSPARSE SHARED-DIR}
SHARED=${2:?usage: test_evidence.sh BITSPARSE SHARED-DIR}
DATA=$SHARED/testdata

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ ! -d "$DATA/ese" ] || [ ! -d "$DATA/blobs" ]; then
    skip "shared test data not found: $DATA"
fi
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

make_work
chmod 755 "$WORK" # an unprivileged user must reach the copies (read-only folder case)

# ---- the evidence: read-only copies of every real sample ----------------------------

EV=$WORK/evidence
mkdir -p "$EV/Downloader" "$WORK/out"
cp -p "$DATA"/ese/*.qmgr.db "$DATA"/blobs/* "$EV/"
[ -d "$DATA/legacy" ] && cp -p "$DATA"/legacy/* "$EV/"
[ -d "$DATA/evtx" ] && cp -p "$DATA"/evtx/*.evtx "$EV/"
# a detection rule file of the examiner's: an input too
cat >"$EV/rules.yaml" <<'RULES'
version: 1
rules:
  - id: TEST-001
    title: Job has a notify command line
    severity: low
    match:
      field: job_command
      empty: false
RULES
cp -p "$DATA/ese/win10-19045.qmgr.db" "$EV/Downloader/qmgr.db"
[ -f "$DATA/legacy/win10early-empty.qmgr0.dat" ] && cp -p "$DATA/legacy/win10early-empty.qmgr0.dat" "$EV/Downloader/qmgr0.dat"
cp -p "$EV/rules.yaml" "$WORK/rules.yaml.orig"
chmod -R a-w "$EV"
mapfile -t FILES < <(find "$EV" -type f ! -name rules.yaml | sort)
RULES=$EV/rules.yaml
WIN10=$EV/win10-19045.qmgr.db
WIN11=$EV/win11-22000.qmgr.db

# sha256, size, mode, mtime and ctime (ns) of every file and folder of the evidence:
# reading changes none of them (atime aside).
evidence_fingerprint() {
    find "$EV" -print0 | sort -z | while IFS= read -r -d '' f; do
        if [ -f "$f" ]; then
            printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$(stat -c '%n %s %a %y %z' "$f")"
        else
            stat -c '%n %a %y %z' "$f"
        fi
    done
}
BEFORE=$(evidence_fingerprint)
evidence_unchanged() {
    check "evidence unchanged after: $1" test "$(evidence_fingerprint)" = "$BEFORE"
}

# ---- every mode and format ------------------------------------------------------------

input_sets=("$WIN10" "$WIN11" "$EV/win10-19045.job.blob" "$EV/win10-19045.file.blob" "$EV/Downloader" "${FILES[*]}")
for inputs in "${input_sets[@]}"; do
    read -r -a args <<<"$inputs"
    label=$(basename "${args[0]}")
    [ "${#args[@]}" -gt 1 ] && label="all ${#args[@]} files"
    for format in json jsonl csv timeline; do
        run -f "$format" "${args[@]}"
        check "$label -f $format to stdout: exit 0, 1 or 3 (got $status)" status_in 0 1 3
        run -q -o "$WORK/out/result.$format" "${args[@]}"
        check "$label -o result.$format: exit 0, 1 or 3 (got $status)" status_in 0 1 3
        if [ "$status" -ne 3 ]; then
            check "$label -o result.$format: output written" test -s "$WORK/out/result.$format"
        fi
    done
    run -f csv -o "$WORK/out/forced.json" "${args[@]}"
    check "$label -f csv -o forced.json: exit 0, 1 or 3" status_in 0 1 3
    for mode in --carve --scan; do
        run -q "$mode" --rules "$RULES" -o "$WORK/out/mode.json" "${args[@]}"
        check "$label $mode --rules: exit 0, 1 or 3 (got $status)" status_in 0 1 3
    done
    evidence_unchanged "$label, every format and mode"
done
check "no temp files left in the output folder" no_temp_files "$WORK/out"
# the evidence folder as the working directory, relative paths
(cd "$EV" && "$BIN" -q -o "$WORK/out/relative.json" win10-19045.qmgr.db Downloader >/dev/null 2>&1)
evidence_unchanged "relative paths from inside the evidence folder"

# ---- no input is ever opened for writing (strace) --------------------------------------

if ! command -v strace >/dev/null; then
    not_checked "strace is not installed: open flags of the inputs"
elif ! strace -f -qq -o /dev/null true 2>/dev/null; then
    not_checked "strace cannot trace here (ptrace not permitted): open flags of the inputs"
else
    TRACE=$WORK/trace.log
    strace_run() { # strace_run ARGS...: bitsparse under strace, every file-touching call logged
        strace -f -qq -s 4096 -o "$TRACE" \
            -e trace=open,openat,openat2,creat,truncate,ftruncate,rename,renameat,renameat2,unlink,unlinkat,chmod,fchmod,fchmodat,chown,fchown,fchownat,utime,utimes,utimensat,futimesat,link,linkat,symlink,symlinkat,mkdir,mkdirat,rmdir \
            "$BIN" "$@" >/dev/null 2>&1
    }
    # Any call naming a path under the evidence folder that is not a plain
    # read-only open (or that opens with a write flag) is a violation.
    evidence_touches() {
        grep -F "\"$EV" "$TRACE" | grep -vE '^[0-9]+ +open(at)?\((AT_FDCWD, )?"[^"]*", O_RDONLY(\|O_(CLOEXEC|NOCTTY|DIRECTORY|NONBLOCK|LARGEFILE|NOFOLLOW|NOATIME))*\)' |
            grep -vE '^[0-9]+ +open(at)?\(.*O_RDONLY.*\) += -1 ' || true
    }
    for inputs in "${input_sets[@]}"; do
        read -r -a args <<<"$inputs"
        label=$(basename "${args[0]}")
        [ "${#args[@]}" -gt 1 ] && label="all ${#args[@]} files"
        for mode in -fjson -fcsv --carve --scan; do
            strace_run -q "$mode" --rules "$RULES" -o "$WORK/out/traced.out" "${args[@]}"
            bad=$(evidence_touches)
            check "strace $label $mode: inputs only opened O_RDONLY${bad:+ (got: $(head -c 300 <<<"$bad"))}" \
                test -z "$bad"
            check "strace $label $mode: the rule file opened read-only" grep -qF "\"$RULES\", O_RDONLY" "$TRACE"
            # every input was really opened (the trace is not vacuous)
            for f in "${args[@]}"; do
                [ -f "$f" ] || continue
                check "strace $label: $(basename "$f") opened" grep -qF "\"$f\", O_RDONLY" "$TRACE"
            done
        done
    done
    # -o: a hidden temporary file in the destination's folder, renamed into place
    strace_run -q -o "$WORK/out/atomic.json" "$WIN11"
    check "-o creates a hidden temporary file beside the destination" \
        grep -qE "open(at)?\(.*\"$WORK/out/\.atomic\.json\.[A-Za-z0-9]{6}\", O_RDWR\|O_CREAT\|O_EXCL" "$TRACE"
    check "-o renames the temporary file onto the destination" \
        grep -qE "rename(at2?)?\(.*\"$WORK/out/\.atomic\.json\.[A-Za-z0-9]{6}\",.*\"$WORK/out/atomic\.json\"" "$TRACE"
    check "-o never opens the destination itself for writing" \
        test -z "$(grep -E "open(at)?\(.*\"$WORK/out/atomic\.json\", O_(WRONLY|RDWR)" "$TRACE")"
    evidence_unchanged "the strace runs"
fi

# ---- -o failures leave no partial file and no temporary file ---------------------------

# 1. the output folder is read-only (needs an unprivileged user: root writes anywhere)
mkdir "$WORK/locked"
chmod 555 "$WORK/locked"
as_user=()
if [ "$(id -u)" -ne 0 ]; then
    as_user=(env)
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if ((${#as_user[@]})) && "${as_user[@]}" test -r "$WIN10" && "${as_user[@]}" test -x "$BIN"; then
    "${as_user[@]}" "$BIN" -q "$WIN10" -o "$WORK/locked/out.json" >/dev/null 2>"$WORK/stderr"
    status=$?
    check "-o into a read-only folder: exit 3 (got $status)" test "$status" -eq 3
    check "-o into a read-only folder: nothing created" test -z "$(ls -A "$WORK/locked")"
    check "-o into a read-only folder: says why" grep -qi 'permission denied' "$WORK/stderr"
else
    not_checked "-o into a read-only folder (cannot run bitsparse as an unprivileged user here)"
fi

# 2. the disk fills up while writing (a file size limit: writes fail with EFBIG,
#    SIGXFSZ ignored), and an older output is already in place
printf 'previous output\n' >"$WORK/out/full.json"
(
    trap '' XFSZ
    ulimit -f 4 # 4 KiB; the JSON of the four win11 records is larger
    exec "$BIN" -q "$WIN11" -o "$WORK/out/full.json"
) >/dev/null 2>"$WORK/stderr"
status=$?
check "-o on a full disk: exit 3 (got $status)" test "$status" -eq 3
check "-o on a full disk: the previous output is left as it was" \
    test "$(cat "$WORK/out/full.json")" = "previous output"
check "-o on a full disk: no temporary file left" no_temp_files "$WORK/out"
check "-o on a full disk: says why" grep -qi 'too large\|no space' "$WORK/stderr"

# 3. the destination is a folder: refused before the parse (it used to parse,
#    then fail at the rename with exit 3), with or without a trailing slash
mkdir "$WORK/out/a-folder.json"
run -q "$WIN10" -o "$WORK/out/a-folder.json"
check "-o onto a folder: exit 2 (got $status)" test "$status" -eq 2
check "-o onto a folder: says why" grep -q 'refusing to write the output to a folder' "$WORK/stderr"
check "-o onto a folder: the folder is untouched" test -d "$WORK/out/a-folder.json" -a -z "$(ls -A "$WORK/out/a-folder.json")"
check "-o onto a folder: no temporary file left" no_temp_files "$WORK/out"
run -q "$WIN10" -o "$WORK/out/a-folder.json/"
check "-o onto a folder/: exit 2 (got $status)" test "$status" -eq 2
check "-o onto a folder/: nothing created in it" test -z "$(ls -A "$WORK/out/a-folder.json")"
run -q "$WIN10" -o "$WORK/out/new-folder/"
check "-o onto a missing folder/: exit 2 (got $status)" test "$status" -eq 2
check "-o onto a missing folder/: nothing created" test ! -e "$WORK/out/new-folder"

# 4. the output file is not writable: the rename still works on Unix (the folder
#    is), so this succeeds and replaces it atomically; the evidence is elsewhere
printf 'old\n' >"$WORK/out/readonly.json"
chmod 444 "$WORK/out/readonly.json"
run -q "$WIN10" -o "$WORK/out/readonly.json"
check "-o onto a read-only output file: exit 0 or 1 (got $status)" status_in 0 1
check "-o onto a read-only output file: keeps its mode" test "$(stat -c %a "$WORK/out/readonly.json")" = 444
evidence_unchanged "the failed writes"

# ---- the output may never replace an input ---------------------------------------------

refuse() { # refuse DESCRIPTION ARGS...: exit 2, evidence unchanged, no temp file in the evidence
    local what=$1
    shift
    run "$@"
    check "$what: refused with exit 2 (got $status)" test "$status" -eq 2
    check "$what: says why" grep -q 'refusing to write the output over an input' "$WORK/stderr"
}
ln -s "$WIN10" "$WORK/out/link-to-input.json"
ln -s "$EV" "$WORK/out/evidence-link"
refuse "-o equal to the input" "$WIN10" -o "$WIN10"
refuse "-o equal to the input, other spelling" "$WIN10" -o "$EV/../evidence/./win10-19045.qmgr.db"
refuse "-o a symlink to the input" "$WIN10" -o "$WORK/out/link-to-input.json"
refuse "-o through a symlinked folder" "$WIN10" -o "$WORK/out/evidence-link/win10-19045.qmgr.db"
refuse "-o equal to the second of two inputs" "$WIN11" "$WIN10" -o "$WIN10"
refuse "-o an existing file inside an input folder" "$EV/Downloader" -o "$EV/Downloader/qmgr.db"
refuse "-o a blob input, csv" -f csv "$EV/win10-19045.job.blob" -o "$EV/win10-19045.job.blob"
refuse "-o an input, with --scan" --scan "$WIN10" -o "$WIN10"
if [ "$(id -u)" -eq 0 ]; then
    # root ignores the read-only bits: the refusal itself is what protects the evidence
    check "evidence folder has no temp file after the refusals" no_temp_files "$EV"
fi
evidence_unchanged "the refusals"

# The rule file is an input too: writing the output over it loses the examiner's
# rules, however either of them is spelled.
ln -s "$RULES" "$WORK/out/rules-link.yaml"
run -q --rules "$RULES" "$WIN10" -o "$RULES"
check "output-over-rules-file: -o naming the --rules file is refused (exit $status)" \
    test "$status" -eq 2 -a "$(head -c 10 "$RULES")" = "version: 1"
if ! cmp -s "$RULES" "$WORK/rules.yaml.orig"; then # overwritten: restore it for what follows
    rm -f "$RULES"
    cp -p "$WORK/rules.yaml.orig" "$RULES"
    BEFORE=$(evidence_fingerprint)
fi
refuse "-o the --rules file, given through a symlink" -q --rules "$WORK/out/rules-link.yaml" "$WIN10" -o "$RULES"
refuse "-o a symlink to the --rules file" -q --rules "$RULES" "$WIN10" -o "$WORK/out/rules-link.yaml"
refuse "-o the --rules file, other spelling" -q --rules "$EV/../evidence/./rules.yaml" "$WIN10" -o "$RULES"
refuse "-o the second --rules file" -q --rules "$WORK/rules.yaml.orig" --rules "$RULES" "$WIN10" \
    -o "$WORK/out/evidence-link/rules.yaml"
check "the --rules file still a symlink to the rules" test -L "$WORK/out/rules-link.yaml"
evidence_unchanged "-o onto the --rules file"

# A new file inside an input folder, at any depth, changes that folder (a new
# entry, a new mtime): evidence is not written into at all. Refused before
# anything is read, so as any user (root would be able to write there).
into_folder() { # into_folder DESCRIPTION ARGS...: refused, nothing created
    local what=$1 created
    shift
    run -q "$@"
    created=$(find "$EV" -newer "$WORK/rules.yaml.orig" -name '*new*' -print -quit)
    check "$what: refused with exit 2 (got $status)" test "$status" -eq 2
    check "$what: says why" grep -q 'refusing to write the output inside an input folder' "$WORK/stderr"
    check "$what: nothing created${created:+ (got $created)}" test -z "$created"
    # so the next case starts clean (the evidence check still sees the folder's mtime)
    find "$EV" -newer "$WORK/rules.yaml.orig" -name '*new*' -delete
}
into_folder "output-into-input-folder: -o a new file inside an input folder" \
    "$EV/Downloader" -o "$EV/Downloader/new-output.json"
into_folder "-o a new file in a subfolder of an input folder" "$EV" -o "$EV/Downloader/new-output.json"
into_folder "-o a new file in a nested input folder, second input" \
    "$WIN11" "$EV" -o "$EV/Downloader/new-output.json"
into_folder "-o a new file in an input folder, through a symlinked folder" \
    "$EV" -o "$WORK/out/evidence-link/Downloader/new-output.json"
into_folder "-o a new file in an input folder given through a symlink" \
    "$WORK/out/evidence-link" -o "$EV/new-output.json"
into_folder "-o a new file in an input folder, other spelling" \
    "$EV/Downloader" -o "$EV/Downloader/../Downloader/./new-output.json"
into_folder "-o a new file in an input folder, with --scan" --scan "$EV/Downloader" -o "$EV/Downloader/new-output.csv"
check "evidence folder has no temp file after the folder refusals" no_temp_files "$EV/Downloader"
# beside an input folder, or in a folder whose name merely starts with the input's: allowed
mkdir "$WORK/out/in" "$WORK/out/in-other"
run -q "$WORK/out/in" -o "$WORK/out/in-other/result.json"
check "-o in a folder named like an input folder is not refused (exit $status)" test "$status" -ne 2
run -q "$EV/Downloader" -o "$WORK/out/beside.json"
check "-o beside an input folder is written (exit $status)" status_in 0 1
evidence_unchanged "-o into input folders"

# A special file as the destination is written to, never replaced by a regular
# file: as root, "-o /dev/null" used to replace /dev/null. FIFOs and character
# devices are written straight through (no temporary file, no rename); sockets
# and block devices are refused with exit 2.
run -q "$WIN10"
cp "$WORK/stdout" "$WORK/expected.json"
fifo_run() { # fifo_run FIFO ARGS...: bitsparse ARGS -o FIFO, a reader copying to $WORK/from-fifo
    local fifo=$1 reader
    shift
    timeout 20 cat "$fifo" >"$WORK/from-fifo" 2>/dev/null &
    reader=$!
    timeout 20 "$BIN" "$@" -o "$fifo" >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
    wait "$reader"
}
mkfifo "$WORK/out/fifo"
ln -s fifo "$WORK/out/fifo-link"
fifo_run "$WORK/out/fifo" -q "$WIN10"
writes_through=$failed
check "output-replaces-special: -o onto a FIFO leaves the FIFO in place (exit $status)" test -p "$WORK/out/fifo"
check "-o onto a FIFO: exit 0 or 1 (got $status)" status_in 0 1
check "-o onto a FIFO: the output comes out of the FIFO" cmp -s "$WORK/from-fifo" "$WORK/expected.json"
check "-o onto a FIFO: no temporary file left" no_temp_files "$WORK/out"
fifo_run "$WORK/out/fifo-link" -q -f csv "$WIN10"
check "-o onto a symlink to a FIFO: exit 0 or 1 (got $status)" status_in 0 1
check "-o onto a symlink to a FIFO: the link is left in place" test -L "$WORK/out/fifo-link" -a -p "$WORK/out/fifo"
check "-o onto a symlink to a FIFO: the CSV comes out of the FIFO" grep -q '^job_id,file_id,' "$WORK/from-fifo"
check "-o onto a symlink to a FIFO: no temporary file left" no_temp_files "$WORK/out"
# /proc/self/fd/1 cannot be replaced even by root: tried first, and /dev/stdout
# only if it and the FIFO are written through (so a regression cannot replace
# this machine's /dev/stdout)
"$BIN" -q "$WIN10" -o /proc/self/fd/1 2>"$WORK/stderr" | cat >"$WORK/from-stdout"
status=${PIPESTATUS[0]}
check "-o /proc/self/fd/1 into a pipe: exit 0 or 1 (got $status)" status_in 0 1
check "-o /proc/self/fd/1 into a pipe: the output arrives" cmp -s "$WORK/from-stdout" "$WORK/expected.json"
if [ "$failed" -ne "$writes_through" ]; then
    not_checked "-o /dev/stdout, /dev/null, /dev/full (writing through a FIFO does not work)"
else
    dev_stdout=$(stat -c '%F %N' /dev/stdout)
    "$BIN" -q "$WIN10" -o /dev/stdout 2>"$WORK/stderr" | cat >"$WORK/from-stdout"
    status=${PIPESTATUS[0]}
    check "-o /dev/stdout into a pipe: exit 0 or 1 (got $status)" status_in 0 1
    check "-o /dev/stdout into a pipe: the output arrives on standard output" \
        cmp -s "$WORK/from-stdout" "$WORK/expected.json"
    # standard output redirected to a file: the file is replaced, not the link
    printf 'previous\n' >"$WORK/out/redirected.json"
    "$BIN" -q "$WIN10" -o /dev/stdout >"$WORK/out/redirected.json" 2>"$WORK/stderr"
    status=$?
    check "-o /dev/stdout into a file: exit 0 or 1 (got $status)" status_in 0 1
    check "-o /dev/stdout into a file: the output is in the file" cmp -s "$WORK/out/redirected.json" "$WORK/expected.json"
    check "-o /dev/stdout into a file: no temporary file left" no_temp_files "$WORK/out"
    check "-o /dev/stdout: /dev/stdout left as it was" test "$(stat -c '%F %N' /dev/stdout)" = "$dev_stdout"
    run -q "$WIN10" -o /dev/null
    check "-o /dev/null: exit 0 or 1 (got $status)" status_in 0 1
    check "-o /dev/null: still a character device" test -c /dev/null
    check "-o /dev/null: nothing on standard output" test ! -s "$WORK/stdout"
    check "-o /dev/stdout, /dev/null: no temporary file in /dev" no_temp_files /dev
    if [ -c /dev/full ]; then
        run -q "$WIN10" -o /dev/full
        check "-o /dev/full: exit 3 (got $status)" test "$status" -eq 3
        check "-o /dev/full: says why" grep -qi 'no space' "$WORK/stderr"
        check "-o /dev/full: still a character device" test -c /dev/full
    fi
fi
refuse_special() { # refuse_special DESCRIPTION FILE: -o FILE refused with exit 2, FILE left as it was
    local what=$1 file=$2 kind
    kind=$(stat -c %F "$file")
    run -q "$WIN10" -o "$file"
    check "$what: refused with exit 2 (got $status)" test "$status" -eq 2
    check "$what: says why" grep -q 'refusing to write the output to a folder, a socket, a block device or a device' "$WORK/stderr"
    check "$what: left as it was" test "$(stat -c %F "$file")" = "$kind"
    check "$what: no temporary file left" no_temp_files "$(dirname "$file")"
}
if command -v python3 >/dev/null &&
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/out/socket" 2>/dev/null; then
    refuse_special "-o onto a socket" "$WORK/out/socket"
else
    not_checked "-o onto a socket (cannot make one here: no python3)"
fi
# device 0:0 is no device: should the refusal ever fail, opening it fails too
if mknod "$WORK/out/block" b 0 0 2>/dev/null; then
    refuse_special "-o onto a block device" "$WORK/out/block"
    ln -s block "$WORK/out/block-link"
    refuse_special "-o onto a symlink to a block device" "$WORK/out/block-link"
    check "-o onto a symlink to a block device: the link is left in place" test -L "$WORK/out/block-link"
else
    not_checked "-o onto a block device (mknod not permitted here)"
fi
# a character device that is not a terminal or /dev/null may be storage (a raw
# disk on the BSDs, /dev/mem): refused. 0:0 is no device, so even a failed
# refusal could not write anywhere.
if mknod "$WORK/out/char" c 0 0 2>/dev/null; then
    refuse_special "-o onto a character device other than a terminal or /dev/null" "$WORK/out/char"
else
    not_checked "-o onto a character device (mknod not permitted here)"
fi
evidence_unchanged "-o onto special files"

finish
