#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every numeric option (issue #16): a value that is not a plain decimal number in range is a
# usage error (exit 2), never wrapped into another number. `run --user 4294967296` used to run
# as root (the cast made it uid 0) and `4294967295` is (uid_t)-1, "unchanged" to setresuid;
# `record --pid 4294967297` was pid 1. Bad capability lists are usage errors too (run exited
# 125 for --cap-add FOO and accepted --cap-add '', profile show exited 2).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

# expect_usage DESCRIPTION CMD...: exit 2 with a one-line "ringfence <cmd>: ..." complaint.
expect_usage() {
	desc=$1
	shift
	timeout 10 "$@" >out 2>err </dev/null
	st=$?
	if [ "$st" -eq 2 ] && grep -q '^ringfence [a-z-]*: ' err; then
		pass "$desc"
	else
		fail "$desc"
		diag "exit $st; stdout: $(head -c 200 out)"
		diag "stderr: $(head -c 300 err)"
	fi
}

# --user: root runs the checks for real (the command prints its uid); anyone else still gets
# the usage errors, which come before any privilege is needed.
for u in 4294967296 4294967295 4294967296:4294967296 99999999999 18446744073709551616 \
	0:4294967295 65534:4294967296 -1 +0 ' 0' 0x10 '' : 65534: :0 1e3; do
	expect_usage "run --user '$u' is a usage error" "$rf" run --user "$u" -- id -u
done
if [ "$(id -u)" -eq 0 ]; then
	check_eq "$("$rf" run --user 65534 -- id -u 2>&1)" 65534 "run --user 65534 runs as 65534"
	check_eq "$("$rf" run --user 65534:65534 -- id -g 2>&1)" 65534 "run --user 65534:65534 sets the group"
	check_eq "$("$rf" run --user nobody -- id -un 2>&1)" nobody "run --user takes a name"
	check_eq "$("$rf" run --user 4294967294 -- id -u 2>&1)" 4294967294 "the largest uid, 4294967294, is accepted"
else
	skip "run --user switches users" "needs root"
fi

# --pid: every value wraps to a pid above PID_MAX_LIMIT (4194304) if it wraps at all, so a
# binary that gets this wrong fails without attaching to anything (4294967297 was pid 1).
for p in 4299161601 18446744073713745921 0 -1 +4194305 ' 4194305' 4194305x; do
	expect_usage "record --pid '$p' is a usage error" \
		"$rf" record --backend ptrace --pid "$p" -o p.json
done

"$rf" -q record --backend ptrace --observation obs.json -- true >/dev/null 2>&1 ||
	framework_failure "cannot record 'true'"
for v in -1 4294967296 4294967297 0 +1 ' 1' 1.5; do
	expect_usage "generate --min-support '$v' is a usage error" \
		"$rf" generate --from obs.json --min-support "$v"
done
"$rf" generate --from obs.json --min-support 1 >/dev/null 2>err
check_eq "$?" 0 "generate --min-support 1 is fine"
for v in 0 4096 -1 +1 ' 1' 1e2 99999999999999999999; do
	expect_usage "generate --default-errno '$v' is a usage error" \
		"$rf" generate --from obs.json --default-errno "$v"
done

mkdir src
for v in 86401 -1 +5 ' 5' 4294967356 5s; do
	expect_usage "node agent --resync '$v' is a usage error" \
		"$rf" node agent --source src --root "$tmpdir/root" --resync "$v"
done
for v in 0 10001 -1 +5 4294967396; do
	expect_usage "node agent --debounce-ms '$v' is a usage error" \
		"$rf" node agent --source src --root "$tmpdir/root" --debounce-ms "$v"
done

for v in 5.10abc 5. .5 5..1 -1 '' 5.10.3.4 ' 5.10' 99999999999999999999.1; do
	expect_usage "profile show --kernel '$v' is a usage error" \
		"$rf" profile show --kernel "$v" runtime/default
done
for v in 6 5.10 5.10.3; do
	"$rf" profile show --kernel "$v" runtime/default >/dev/null 2>&1
	check_eq "$?" 0 "profile show --kernel $v is fine"
done

# Capability lists are option values too: the same exit status (2) in every command.
for v in FOO '' ',' ' ' 'CAP_' 'CHOWN,FOO'; do
	expect_usage "run --cap-add '$v' is a usage error" "$rf" run --cap-add "$v" -- true
	expect_usage "run --cap-drop '$v' is a usage error" "$rf" run --cap-drop "$v" -- true
	expect_usage "profile show --caps '$v' is a usage error" \
		"$rf" profile show --caps "$v" runtime/default
done
expect_usage "profile diff --caps BOGUS is a usage error" \
	"$rf" profile diff --caps BOGUS runtime/default runtime/default
"$rf" run --cap-drop ALL --cap-add 'CHOWN, SETUID' -- true
check_eq "$?" 0 "a list with spaces after the commas is fine"
done_testing
