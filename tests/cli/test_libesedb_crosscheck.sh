#!/usr/bin/env bash
# Independent check of mkqmgr's databases and bitsparse's reading of them:
# libesedb (esedbinfo / esedbexport, Debian 20181229) must see the tables Jobs
# and Files with the same columns, every record Id that bitsparse reports, and
# the same Blob bytes that bitsparse's ESE reader returns.
#
# libesedb 20181229 reads 4-byte long-value ids only, and it builds each node's
# key from the node's first bytes instead of its key (libesedb_page_tree.c,
# libesedb_key_append_data on page_value->data), so it finds a long value only
# when its key lies wholly in the page's tag-0 prefix and the leaf is the first
# or second of the tree. mkqmgr --lv-page-per-value gives that layout for up
# to two values per table; there every blob must match. In the default layout
# every Id must match and each blob libesedb does return must match.
#
# Usage: bash test_libesedb_crosscheck.sh BITSPARSE [SHARED-DIR]
# MKQMGR and ESEDUMP name the tools (set by CTest); exit 77 = skipped.
set -u

BIN=${1:?usage: test_libesedb_crosscheck.sh BITSPARSE [SHARED-DIR]}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
MKQMGR=${MKQMGR:-$BUILD/tests/tools/mkqmgr/mkqmgr}
ESEDUMP=${ESEDUMP:-$BUILD/tests/esedump}
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ! command -v esedbexport >/dev/null || ! command -v esedbinfo >/dev/null; then
    skip "esedbexport/esedbinfo not installed (Debian package libesedb-utils)"
fi
for tool in "$MKQMGR" "$ESEDUMP"; do
    if [ ! -x "$tool" ]; then
        echo "FAIL: $tool not built"
        exit 1
    fi
done
require_tools jq
make_work

# "column TABLE ID NAME TYPE" as esedbinfo lists them (Jobs and Files only)
libesedb_columns() {
    esedbinfo "$1" 2>/dev/null | awk -F'\t' '
        /^Table: / { split($NF, a, " "); table = a[1] }
        /^Index: / { table = "" }
        table != "" && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { print "column " table " " $3 " " $4 " " $5 }' |
        grep -E '^column (Jobs|Files) ' | sort
}

# the same from bitsparse's catalog, type ids named as libesedb names them
bitsparse_columns() {
    "$ESEDUMP" "$1" | awk '$1 == "column" {
        type = $5 == 16 ? "GUID" : $5 == 11 ? "Large binary data" : "type-" $5
        print "column " $2 " " $3 " " $4 " " type }' | sort
}

# "TABLE ID-HEX BLOB-HEX" per record (BLOB-HEX "-" when libesedb gives none)
libesedb_rows() {
    local out=$WORK/export
    rm -rf "$out" "$out.export"
    esedbexport -t "$out" "$1" >"$WORK/export.log" 2>&1 || return 1
    for f in "$out.export"/*; do
        local table
        table=$(basename "$f")
        tail -n +2 "$f" | awk -F'\t' -v t="${table%.*}" '{ print t " " $1 " " ($2 == "" ? "-" : $2) }'
    done | sort
}

bitsparse_rows() {
    "$ESEDUMP" "$1" | awk '$1 == "row" { print $2 " " $3 " " $4 }' | sort
}

# Ids bitsparse prints (GUID text) as the raw bytes libesedb prints
bitsparse_ids() {
    "$BIN" -q -f jsonl "$1" | jq -r '(select(.job_id != "") | "Jobs " + .job_id), (select(.file_id != "") | "Files " + .file_id)' |
        awk '{ g = $2; gsub("-", "", g)
               raw = substr(g,7,2) substr(g,5,2) substr(g,3,2) substr(g,1,2) substr(g,11,2) substr(g,9,2) \
                     substr(g,15,2) substr(g,13,2) substr(g,17,16)
               print $1 " " raw }' | sort -u
}

# crosscheck DB LABEL BLOBS: BLOBS = all (libesedb must return every blob),
# first (at least one per table: the first value of a two-level tree), or any
# (deeper trees: libesedb's garbled branch keys lead nowhere; what it returns
# must still match)
crosscheck() {
    local db=$1 label=$2 blobs=$3
    local theirs=$WORK/theirs ours=$WORK/ours
    if ! esedbinfo "$db" >"$WORK/info.log" 2>&1; then
        fail "$label: esedbinfo cannot open it: $(tail -1 "$WORK/info.log")"
        return
    fi
    local lc bc
    lc=$(libesedb_columns "$db")
    bc=$(bitsparse_columns "$db")
    if [ -n "$lc" ] && [ "$lc" = "$bc" ]; then pass; else fail "$label: columns differ: libesedb [$lc] bitsparse [$bc]"; fi
    if ! libesedb_rows "$db" >"$theirs"; then
        fail "$label: esedbexport failed: $(tail -1 "$WORK/export.log")"
        return
    fi
    bitsparse_rows "$db" >"$ours"
    # the same records (table + Id) in both, and the Ids bitsparse reports
    if [ -s "$ours" ] && diff <(cut -d' ' -f1,2 "$theirs") <(cut -d' ' -f1,2 "$ours") >/dev/null; then pass; else
        fail "$label: record Ids differ"; diff <(cut -d' ' -f1,2 "$theirs") <(cut -d' ' -f1,2 "$ours") | head -5
    fi
    if diff <(cut -d' ' -f1,2 "$ours") <(bitsparse_ids "$db") >/dev/null; then pass; else
        fail "$label: bitsparse's output lists other Ids than its ESE reader"
    fi
    # every blob libesedb returns equals bitsparse's
    local returned wrong
    returned=$(awk '$3 != "-"' "$theirs" | wc -l)
    wrong=$(awk '$3 != "-"' "$theirs" | grep -vxF -f "$ours" | wc -l)
    if [ "$wrong" -eq 0 ]; then pass; else fail "$label: $wrong blobs differ from bitsparse's"; fi
    if [ "$blobs" = all ]; then
        if [ "$returned" -eq "$(wc -l <"$ours")" ]; then pass; else
            fail "$label: libesedb returned $returned of $(wc -l <"$ours") blobs"
        fi
    elif [ "$blobs" = first ]; then
        # at least the first value of each table with records
        local tables
        tables=$(cut -d' ' -f1 "$ours" | sort -u | wc -l)
        if [ "$(awk '$3 != "-" { print $1 }' "$theirs" | sort -u | wc -l)" -eq "$tables" ]; then pass; else
            fail "$label: libesedb returned no blob for some table"
        fi
    fi
    echo "$label: $(wc -l <"$ours") records, $returned blobs from libesedb, identical"
}

# Two jobs with one file each: every blob readable by libesedb.
jq '{machine_guid, jobs: [.jobs[0], .jobs[1]]}' "$SOURCE/testdata/descriptions/typical-win10.json" >"$WORK/two.json"
for size in 4096 8192 16384 32768; do
    state=dirty
    [ "$size" = 32768 ] && state=clean
    if "$MKQMGR" "$WORK/two.json" -o "$WORK/two-$size.db" --lid 4 --lv-page-per-value --page-size "$size" \
        --state "$state"; then
        crosscheck "$WORK/two-$size.db" "2 jobs, $size-byte pages, $state" all
    else
        fail "mkqmgr failed for $size-byte pages"
    fi
done

# The committed fixtures, rebuilt with 4-byte long-value ids, default layout.
for desc in "$SOURCE"/testdata/descriptions/*.json; do
    name=$(basename "$desc" .json)
    if "$MKQMGR" "$desc" -o "$WORK/$name.db" --lid 4; then
        crosscheck "$WORK/$name.db" "$name (LID32)" first
    else
        fail "mkqmgr failed for $name"
    fi
done

# Hundreds of jobs: a Jobs table of several pages under a branch root, a
# three-level long-value tree.
jq '{jobs: [range(300) as $i | .jobs[0] | .id = (("0000000" + ($i | tostring))[-8:] + "-0000-4000-8000-000000000000")
      | .files = []]}' \
    "$SOURCE/testdata/descriptions/typical-win10.json" >"$WORK/many.json"
if "$MKQMGR" "$WORK/many.json" -o "$WORK/many.db" --lid 4 --page-size 4096; then
    crosscheck "$WORK/many.db" "300 jobs, 4096-byte pages" any
else
    fail "mkqmgr failed for 300 jobs"
fi

finish
