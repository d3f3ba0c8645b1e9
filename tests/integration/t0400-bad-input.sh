#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile and broken profiles never crash ringfence, never hang it, and are always refused with
# one clear message. Every file in tests/data/bad-input/ (plus huge documents generated here, to
# keep the repository small) goes through `profile lint`, `profile show` and `run --seccomp`:
#   - no death by signal (exit status < 128) and no sanitizer report;
#   - lint and show exit 1 or 2, run exits 125 (refused before exec);
#   - every stderr line of show and run is "ringfence: ..." with no control bytes (a message
#     echoing attacker text must not carry terminal escapes); lint names the file in an
#     "error:" line, as its findings do;
#   - each command finishes within RF_BAD_INPUT_TIMEOUT seconds (default 20).
. "$RF_SRC/tests/integration/lib.sh"

data=$RF_SRC/tests/data/bad-input
limit=${RF_BAD_INPUT_TIMEOUT:-20}

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
[ -d "$data" ] || framework_failure "no bad-input corpus at $data"
require_prog timeout
mk_tmpdir

# Under an ASan build a leak or bad access must fail the test even if the exit status is fine.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

# Repeats STRING COUNT times, joined by SEP (awk escapes such as \\n apply to both).
repeat() {
	awk -v s="$1" -v n="$2" -v sep="$3" \
		'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? sep : ""), s }'
}

# Documents too big to check in. Each is refused by a named limit (RF_PROFILE_MAX_*) or by
# the parser, and must be refused quickly.
generate() {
	g=$tmpdir/gen
	mkdir "$g" || framework_failure "cannot create $g"
	{
		printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW",'
		printf '"names":['
		repeat '"read"' 200000 ,
		printf ']}]}\n'
	} >"$g/huge-names-200k.json"
	{
		printf '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":['
		repeat '{"names":["read"],"action":"SCMP_ACT_ALLOW"}' 5000 ,
		printf ']}\n'
	} >"$g/huge-rules-5000.json"
	{
		printf '{"defaultAction":"SCMP_ACT_ALLOW","architectures":['
		repeat '"SCMP_ARCH_X86_64"' 100000 ,
		printf ']}\n'
	} >"$g/huge-architectures-100k.json"
	{
		printf 'apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n'
		printf 'kind: SeccompProfile\nmetadata: {name: huge}\nspec:\n'
		printf '  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n'
		printf '    names:\n'
		repeat '    - getpid' 200000 '\n'
		printf '\n'
	} >"$g/huge-names-200k.yaml"
	# Over RF_PROFILE_MAX_BYTES (16 MiB): refused before parsing.
	{
		printf '{"defaultAction":"SCMP_ACT_ALLOW","comment":"'
		head -c 17000000 /dev/zero | tr '\0' x
		printf '"}\n'
	} >"$g/huge-17mib.json"
	repeat '[' 100000 '' >"$g/deep-nesting-array-100k.json"
	repeat '{"a":' 20000 '' >"$g/deep-nesting-object-20k.json"
	repeat '- ' 20000 '' >"$g/deep-nesting-sequence-20k.yaml"
	# One valid document, cut after every 7th byte: every proper prefix of a JSON object is
	# invalid JSON.
	doc='{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]},"args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]}'
	len=${#doc}
	n=1
	while [ "$n" -lt "$len" ]; do
		printf '%s' "$doc" | head -c "$n" >"$g/cut-$n.json"
		n=$((n + 7))
	done
}

# Runs CMD... with a time limit; sets st, out and err (file names) for the checks.
run_limited() {
	out=$tmpdir/out err=$tmpdir/err
	timeout -k 5 "$limit" "$@" >"$out" 2>"$err" </dev/null
	st=$?
}

# Common checks; prints the reason on failure (empty when all hold).
why_bad() {
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		echo "did not finish within ${limit}s"
	elif [ "$st" -ge 128 ]; then
		echo "killed by signal $((st - 128))"
	elif grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
		"$err"; then
		echo "sanitizer report on stderr"
	fi
}

# Every stderr line is "ringfence: ..." and printable (tabs allowed); at least one line.
stderr_ok() {
	[ -s "$err" ] || return 1
	! grep -v -q '^ringfence: ' "$err" || return 1
	! LC_ALL=C grep -q '[^[:print:]	]' "$err"
}

# lint reports a parse failure as "FILE: error: ..." and findings as "FILE:LINE: error: ...".
lint_names_error() {
	awk -v f="$1" 'index($0, f ": error: ") == 1 { ok = 1 }
		index($0, f ":") == 1 && index($0, ": error: ") { ok = 1 }
		END { exit !ok }' "$out" "$err"
}

report() {
	# $1 = test description, $2 = reason (empty: pass)
	if [ -z "$2" ]; then
		pass "$1"
	else
		fail "$1: $2"
		diag "exit status $st; stderr:"
		head -c 600 "$err" | LC_ALL=C tr -c '[:print:]\n\t' '?' | diag
	fi
}

check_file() {
	f=$1
	name=${f#"$RF_SRC"/}
	name=${name#"$tmpdir"/}

	run_limited "$RF_BIN" profile lint "$f"
	why=$(why_bad)
	if [ -z "$why" ]; then
		case $st in
		1 | 2) lint_names_error "$f" || why="no '$f: error:' line" ;;
		*) why="exit status $st, expected 1 or 2" ;;
		esac
	fi
	report "lint refuses $name" "$why"

	run_limited "$RF_BIN" profile show "$f"
	why=$(why_bad)
	if [ -z "$why" ]; then
		case $st in
		1 | 2) stderr_ok || why="stderr is not one-line 'ringfence: ...' messages" ;;
		*) why="exit status $st, expected 1 or 2" ;;
		esac
	fi
	report "show refuses $name" "$why"

	run_limited "$RF_BIN" run --seccomp "$f" -- true
	why=$(why_bad)
	if [ -z "$why" ]; then
		if [ "$st" -ne 125 ]; then
			why="exit status $st, expected 125"
		elif ! stderr_ok; then
			why="stderr is not one-line 'ringfence: ...' messages"
		fi
	fi
	report "run refuses $name" "$why"
}

generate
for f in "$data"/* "$tmpdir"/gen/*; do
	[ -f "$f" ] || continue
	check_file "$f"
done
done_testing
