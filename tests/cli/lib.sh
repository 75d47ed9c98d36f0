# shellcheck shell=bash
# Helpers shared by the CLI test scripts (tests/cli/test_*.sh). Source it from
# the script's own folder, after setting BIN:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Not a test itself: CTest runs test_*.sh only.
#
# Conventions: a script that cannot run (shared data or a tool missing) exits
# 77, which CTest reports as skipped; each check counts as passed or failed,
# "FAIL: ..." is printed for failures, and `finish` prints the counts and
# gives the script's exit status.

passed=0
failed=0
known=0     # known bugs still present (known_bug)
unchecked=0 # checks that could not run here (not_checked)

# skip REASON: give up with exit 77 (skipped)
skip() {
    echo "SKIPPED: $*"
    exit 77
}
# require_data PATH...: skip unless every PATH exists
require_data() {
    local p
    for p in "$@"; do [ -e "$p" ] || skip "shared test data not found: $p"; done
}
# require_tools TOOL...: skip unless every TOOL is on PATH
require_tools() {
    local t
    for t in "$@"; do command -v "$t" >/dev/null || skip "$t is not installed"; done
}

# make_work: WORK, a scratch folder removed on exit (made writable first, as
# some tests lock parts of it)
make_work() {
    WORK=$(mktemp -d)
    trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
}

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
    if [ -s "$WORK/stderr" ]; then sed 's/^/  stderr: /' "$WORK/stderr" | head -5; fi
}
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1
    shift
    if "$@"; then pass; else fail "$what"; fi
}
# known_bug ID DESCRIPTION COMMAND...: COMMAND tests the correct behaviour. A
# bug still present prints "KNOWN BUG" and does not fail; once fixed the line
# fails until it becomes a plain check (docs/hardening.md, "Bugs found and fixed").
known_bug() {
    local id=$1 what=$2
    shift 2
    if "$@"; then
        failed=$((failed + 1))
        echo "FAIL: known bug $id is fixed ($what): turn its known_bug line into check"
    else
        known=$((known + 1))
        echo "KNOWN BUG $id (reported, not fixed): $what"
    fi
}
not_checked() { # not_checked DESCRIPTION: cannot run here; never counted as passed
    unchecked=$((unchecked + 1))
    echo "NOT CHECKED: $*"
}
# finish: print the counts; its status (the script's last command) is 0 only without failures
finish() {
    local summary="$passed passed, $failed failed"
    ((known)) && summary+=" ($known known bugs)"
    ((unchecked)) && summary+=" ($unchecked not checked)"
    echo "$summary"
    [ "$failed" -eq 0 ]
}

# run BITSPARSE-ARGS...: bitsparse with stdout/stderr to $WORK/stdout and
# $WORK/stderr, exit status in $status
run() {
    "$BIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
}
expect_status() { # expect_status WANT DESCRIPTION
    if [ "$status" -eq "$1" ]; then pass; else fail "$2: exit $status, want $1"; fi
}
status_in() { # status_in LIST...: $status is one of LIST
    local s
    for s in "$@"; do [ "$status" -eq "$s" ] && return 0; done
    return 1
}

# jq_ok FILTER FILE: the filter holds (jq -e); jq's output hidden so check's messages are not
jq_ok() { jq -e "$1" "$2" >/dev/null 2>&1; }
# slurp_ok FILTER FILE: the same over the whole file read as one array (JSON Lines)
slurp_ok() { jq -e -s "$1" "$2" >/dev/null 2>&1; }
lines() { wc -l <"$1" | tr -d ' '; }

# fingerprint FILE...: sha256 and mtime (nanoseconds) of each file, to show inputs unchanged
fingerprint() {
    local f
    for f in "$@"; do
        printf '%s %s\n' "$(sha256sum <"$f")" "$(stat -c %y "$f")"
    done
}
no_temp_files() { # no_temp_files FOLDER: no ".NAME.XXXXXX" leftovers of the atomic writer
    [ -z "$(find "$1" -maxdepth 1 -name '.*.??????' -print -quit)" ]
}
