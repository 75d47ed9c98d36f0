#!/usr/bin/env bash
# The installed libraries export exactly the functions the public headers
# declare: nm -D --defined-only of the shared library, and the global symbols
# of the static one, against every bp_name( declared in HEADER-DIR/*.h.
#   bash check_exports.sh libbitsparse.so libbitsparse.a HEADER-DIR
set -u
so=${1:?} archive=${2:?} headers=${3:?}
declared=$(grep -h '^[a-z].*\bbp_[a-z0-9_]*(' "$headers"/*.h | sed -E 's/.*\b(bp_[a-z0-9_]+)\(.*/\1/' | sort -u)
shared=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
static=$(nm -g --defined-only "$archive" | awk 'NF == 3 {print $3}' | sort -u)
status=0
if [ "$declared" != "$shared" ]; then
    echo "libbitsparse.so exports differ from the headers (< headers, > exported):"
    diff <(echo "$declared") <(echo "$shared")
    status=1
fi
if [ "$declared" != "$static" ]; then
    echo "libbitsparse.a globals differ from the headers (< headers, > global):"
    diff <(echo "$declared") <(echo "$static")
    status=1
fi
[ "$status" -eq 0 ] && echo "exports: $(echo "$declared" | wc -l) public functions, nothing else"
exit "$status"
