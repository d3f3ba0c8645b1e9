# lib.sh — TAP helpers sourced by every integration test (POSIX sh).
#
#   . "$(dirname "$0")/lib.sh"
#   require_root; require_prog runc; mk_tmpdir
#   check_eq "$(cmd)" "expected" "cmd prints expected"
#   done_testing
#
# Exit statuses: 0 all passed (or skipped as a whole: skip_all prints a TAP "1..0 # SKIP" plan,
# which Meson's TAP protocol counts as a skip), 1 some test failed, 99 the harness broke.
#
# The build passes RF_BIN, RF_PROBE, RF_PROBE_STATIC, RF_SRC and RF_BUILD. Run by hand, they
# default to the source tree around this file and its build/ directory.

rf_count=0
rf_failed=0
rf_planned=
tmpdir=

: "${RF_SRC:=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)}"
: "${RF_BUILD:=$RF_SRC/build}"

# First existing file among the arguments; prints the last one when none exists.
rf_first_file() {
	for rf_f in "$@"; do
		[ -e "$rf_f" ] && break
	done
	printf '%s\n' "$rf_f"
}

if [ -z "${RF_BIN+set}" ]; then
	RF_BIN=$(rf_first_file "$RF_BUILD/cli/ringfence" "$RF_BUILD/ringfence")
fi
if [ -z "${RF_PROBE+set}" ]; then
	RF_PROBE=$(rf_first_file "$RF_BUILD/tests/helpers/probe" "$RF_BUILD/tests/probe" \
		"$RF_BUILD/probe")
fi
if [ -z "${RF_PROBE_STATIC+set}" ]; then
	RF_PROBE_STATIC=$(rf_first_file "$RF_BUILD/tests/helpers/probe-static" \
		"$RF_BUILD/tests/probe-static" "$RF_BUILD/probe-static")
	[ -e "$RF_PROBE_STATIC" ] || RF_PROBE_STATIC=
fi
export RF_SRC RF_BUILD RF_BIN RF_PROBE RF_PROBE_STATIC

# Print each line of the arguments (or of stdin with no arguments) as a TAP comment.
diag() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*"
	else
		cat
	fi | sed 's/^/# /'
}

plan() {
	rf_planned=$1
	echo "1..$1"
}

pass() {
	rf_count=$((rf_count + 1))
	echo "ok $rf_count - $*"
}

fail() {
	rf_count=$((rf_count + 1))
	rf_failed=$((rf_failed + 1))
	echo "not ok $rf_count - $*"
}

# A test that is expected to fail for a known reason: reported, never counted as a failure.
# todo COND-STATUS MSG REASON: COND-STATUS 0 means it passed after all.
todo() {
	rf_count=$((rf_count + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $rf_count - $2 # TODO $3"
	else
		echo "not ok $rf_count - $2 # TODO $3"
	fi
}

skip() {
	rf_count=$((rf_count + 1))
	echo "ok $rf_count - $1 # SKIP $2"
}

check_eq() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "expected: $2"
		diag "actual:   $1"
	fi
}

# The TAP plan carries the skip (Meson's TAP protocol reads it; exit 77 would be an error there).
skip_all() {
	echo "1..0 # SKIP $*"
	echo "SKIP: $*" >&2
	exit 0
}

framework_failure() {
	echo "Bail out! $*"
	echo "framework failure: $*" >&2
	exit 99
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

require_prog() {
	command -v "$1" >/dev/null 2>&1 || skip_all "$1 not found"
}

# rf_detached STATUS CMD...: runs CMD with init as its grandparent, not this script: a test run
# by `make check` has make and meson among its ancestors, and rules exempt the descendants of
# build tools (drift, writes below /usr, setuid bits). Waits (up to 10 minutes); CMD's exit
# status is written to the file STATUS and returned. Redirections of the call apply to CMD.
rf_detached() {
	rf_det_st=$1
	shift
	[ ! -d "$rf_det_st" ] || framework_failure "rf_detached: $rf_det_st is a directory"
	rm -f "$rf_det_st"
	( (
		sleep 0.2 # the outer subshell is gone: the inner one's parent is init
		"$@"
		echo $? >"$rf_det_st.tmp"
		mv "$rf_det_st.tmp" "$rf_det_st"
	) & )
	rf_det_n=0
	while [ ! -e "$rf_det_st" ] && [ "$rf_det_n" -lt 6000 ]; do
		sleep 0.1
		rf_det_n=$((rf_det_n + 1))
	done
	[ -f "$rf_det_st" ] || return 124
	rf_det_rc=$(cat "$rf_det_st")
	case $rf_det_rc in
	'' | *[!0-9]*) return 99 ;;
	esac
	return "$rf_det_rc"
}

# Make $tmpdir, removed when the script exits (kept if RF_KEEP_TMP is set, for debugging).
mk_tmpdir() {
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/rf-$(basename "$0" .sh).XXXXXX") ||
		framework_failure "cannot create a temporary directory"
	trap 'rf_cleanup' EXIT
	trap 'exit 99' HUP INT TERM
}

rf_cleanup() {
	rf_status=$?
	if [ -n "$tmpdir" ] && [ -d "$tmpdir" ]; then
		if [ -n "${RF_KEEP_TMP:-}" ]; then
			echo "kept $tmpdir" >&2
		else
			rm -rf "$tmpdir"
		fi
	fi
	exit $rf_status
}

# The commands a test runs mostly write their stderr to files under $tmpdir, where the sanitizer
# gate cannot see it: under an ASan/UBSan build, any report in those files fails the test too.
rf_sanitizer_reports() {
	[ -n "$tmpdir" ] && [ -d "$tmpdir" ] || return 1
	grep -rlIE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
		"$tmpdir" 2>/dev/null | head -n 5
}

done_testing() {
	rf_reports=$(rf_sanitizer_reports)
	if [ -n "$rf_reports" ]; then
		fail "no sanitizer report in the stderr the test captured"
		printf '%s\n' "$rf_reports" | while read -r f; do
			diag "$f:"
			grep -E -A8 'ERROR: |runtime error:' "$f" | head -n 20 | diag
		done
	fi
	if [ -z "$rf_planned" ]; then
		echo "1..$rf_count"
	elif [ "$rf_planned" -ne "$rf_count" ]; then
		diag "planned $rf_planned tests but ran $rf_count"
		exit 1
	fi
	[ "$rf_failed" -eq 0 ] || exit 1
	exit 0
}
