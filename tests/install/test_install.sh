#!/usr/bin/env bash
# An installed bitsparse used as a library and a tool, from the install tree
# alone (no source or build folder on any search path):
#   bash tests/install/test_install.sh PREFIX SHARED-DIR
# PREFIX is where `cmake --install` put it (DESTDIR included, e.g.
# build-release/stage/usr). Checks: the files are there; only the public bp_*
# functions are exported (check_exports.sh); the example program, built with
# pkg-config (shared and --static) and with find_package (both imported
# targets), prints the shared win10 queue's job; bin/bitsparse runs; the man
# pages render. Exit 77 (skipped) without the shared data.
set -u
PREFIX=$(cd "${1:?usage: test_install.sh PREFIX SHARED-DIR}" && pwd)
SHARED=${2:?usage: test_install.sh PREFIX SHARED-DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WIN10=$SHARED/testdata/ese/win10-19045.qmgr.db
# shellcheck source=../cli/lib.sh
. "$HERE/../cli/lib.sh"
require_data "$WIN10"
require_tools pkg-config cc cmake nm
make_work

libdir=$(dirname "$(find "$PREFIX" -name 'libbitsparse.so' -print -quit)")
check "shared library installed" test -f "$libdir/libbitsparse.so"
check "soname link libbitsparse.so.0.2" test -L "$libdir/libbitsparse.so.0.2"
check "static library installed" test -f "$libdir/libbitsparse.a"
check "headers installed" test -f "$PREFIX/include/bitsparse/bitsparse.h" -a -f "$PREFIX/include/bitsparse/detect.h"
check "pkg-config file installed" test -f "$libdir/pkgconfig/bitsparse.pc"
check "CMake package installed" test -f "$libdir/cmake/bitsparse/bitsparse-config.cmake"
check "bitsparse(1) installed" test -f "$PREFIX/share/man/man1/bitsparse.1"
check "libbitsparse(3) installed" test -f "$PREFIX/share/man/man3/libbitsparse.3"
check "bash completion installed" test -f "$PREFIX/share/bash-completion/completions/bitsparse"
check "bitsparse(1) renders" sh -c 'man -l "$1" 2>/dev/null | grep -q "EXIT STATUS" || groff -man -Tutf8 "$1" 2>/dev/null | grep -q "EXIT STATUS"' _ "$PREFIX/share/man/man1/bitsparse.1"
check "bash completion offers --fail-on" bash -c '. "$1"; COMP_WORDS=(bitsparse --fail); COMP_CWORD=1; _bitsparse; [ "${COMPREPLY[*]}" = "--fail-on" ]' _ "$PREFIX/share/bash-completion/completions/bitsparse"
check "exports: only the public bp_* API" bash "$HERE/check_exports.sh" "$libdir/libbitsparse.so" "$libdir/libbitsparse.a" "$PREFIX/include/bitsparse"

# what every build of the example must print for the win10 sample (EXPECTED.md)
expect_example() { # expect_example NAME OUTPUT-FILE
    check "$1: job, name, state, created, url, one detection" \
        grep -qxF 'job 266504ac-d974-446c-96ad-2be13a5665b0 "Chrome Component Updater" BG_JOB_STATE_TRANSFERRED created 2022-12-21T02:18:03.1204654Z url http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/i73exzs4s3qvwnxxzwp6zdbtbe_372/lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3 detections 1' "$2"
    check "$1: database state" grep -qxF "database $WIN10: dirty shutdown" "$2"
    check "$1: version" grep -qx "bitsparse [0-9.]*" "$2"
}

export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
if cc -o "$WORK/example_pc" "$HERE/example.c" $(pkg-config --cflags --libs bitsparse) 2>"$WORK/stderr"; then
    pass
    LD_LIBRARY_PATH=$libdir "$WORK/example_pc" "$WIN10" >"$WORK/pc.txt"
    check "pkg-config build runs (status 0)" test $? -eq 0
    expect_example "pkg-config, shared" "$WORK/pc.txt"
    check "pkg-config build needs libbitsparse.so.0.2" \
        sh -c 'readelf -d "$1" | grep -q "NEEDED.*libbitsparse.so.0.2"' _ "$WORK/example_pc"
else
    fail "pkg-config build of the example"
fi
# shellcheck disable=SC2046
if cc -static-libgcc -o "$WORK/example_pc_static" "$HERE/example.c" "$libdir/libbitsparse.a" \
    $(pkg-config --cflags --libs-only-other --static bitsparse) $(pkg-config --static --libs bitsparse | sed 's/-lbitsparse//') 2>"$WORK/stderr"; then
    pass
    "$WORK/example_pc_static" "$WIN10" >"$WORK/pc_static.txt"
    expect_example "pkg-config --static" "$WORK/pc_static.txt"
    check "static build does not need libbitsparse.so" \
        sh -c '! readelf -d "$1" | grep -q "NEEDED.*libbitsparse"' _ "$WORK/example_pc_static"
else
    fail "pkg-config --static build of the example"
fi

if cmake -S "$HERE" -B "$WORK/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
        >"$WORK/stderr" 2>&1 && cmake --build "$WORK/cmake-build" >>"$WORK/stderr" 2>&1; then
    pass
    "$WORK/cmake-build/example_shared" "$WIN10" >"$WORK/cmake_shared.txt"
    expect_example "find_package, bitsparse::bitsparse" "$WORK/cmake_shared.txt"
    "$WORK/cmake-build/example_static" "$WIN10" >"$WORK/cmake_static.txt"
    expect_example "find_package, bitsparse::bitsparse_static" "$WORK/cmake_static.txt"
else
    fail "find_package build of the example"
fi

"$PREFIX/bin/bitsparse" --summary "$WIN10" >"$WORK/tool.json" 2>"$WORK/stderr"
check "installed bitsparse reads the win10 queue" \
    jq_ok '.[0].job_id == "266504ac-d974-446c-96ad-2be13a5665b0"' "$WORK/tool.json"
check "installed bitsparse --summary" grep -q "ESE database: dirty shutdown" "$WORK/stderr"
finish
