#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Profiles that parse but would make `run` misbehave (issue #16, items 4 and 5):
#   - execve allowed only under an argument condition: the up-front check used to simulate
#     execve with zero arguments, passed, and the command died of SIGSEGV after the filter
#     denied execve, write and exit_group (exit 139, no message). Now: 125 and the reason;
#     conditions that do not match the real call do not get in the way;
#   - one syscall both allowed and killed/denied: lint calls it an error, run ran it with
#     ALLOW winning. Now run refuses (125) with lint's message.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

# refused DESC PROFILE PATTERN [RUN-OPTIONS...]: run exits 125 with a "ringfence: " line
# matching PATTERN.
refused() {
	desc=$1 prof=$2 pat=$3
	shift 3
	timeout 20 "$rf" run "$@" --seccomp "$prof" -- true >out 2>err
	st=$?
	if [ "$st" -eq 125 ] && grep -q "^ringfence: .*$pat" err; then
		pass "$desc"
	else
		fail "$desc"
		diag "exit $st; stderr: $(head -c 300 err)"
	fi
}

cat >exec-cond.json <<'JSON'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["execve"],"action":"SCMP_ACT_ALLOW",
 "args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]}]}
JSON
refused "execve allowed only with argv == NULL: refused, not SIGSEGV" exec-cond.json \
	"does not allow 'execve'"
refused "... also with --no-new-privs (filter loaded last)" exec-cond.json \
	"does not allow 'execve'" --no-new-privs
refused "... also with a listener (--report)" exec-cond.json "does not allow 'execve'" \
	--report report.json

# Denied only when argv is NULL: the real call is allowed, the command runs.
cat >exec-deny-null.json <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO",
 "args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]}]}
JSON
timeout 20 "$rf" run --seccomp exec-deny-null.json -- true >out 2>err
check_eq "$?" 0 "a condition the real execve does not match does not refuse the run"

# Denied whenever argv is not NULL, i.e. always.
cat >exec-deny-nonnull.json <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_KILL_PROCESS",
 "args":[{"index":1,"value":0,"op":"SCMP_CMP_NE"}]}]}
JSON
refused "execve killed whenever argv is set: refused" exec-deny-nonnull.json "does not allow 'execve'"

# The own calls of the filter-first order (no --no-new-privs, capabilities changed): a
# conditional allow of capset under default ERRNO cannot be trusted either.
if [ "$(id -u)" -eq 0 ]; then
	cat >capset-cond.json <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["capset"],"action":"SCMP_ACT_ERRNO",
 "args":[{"index":0,"value":0,"op":"SCMP_CMP_NE"}]}]}
JSON
	refused "capset denied for a non-NULL header: refused up front" capset-cond.json \
		"does not allow 'capset'" --cap-drop NET_RAW
else
	skip "capset denied for a non-NULL header: refused up front" "needs root"
fi

for act in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_ERRNO SCMP_ACT_TRAP; do
	cat >conflict.json <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["getpid"],"action":"SCMP_ACT_ALLOW"},
 {"names":["getpid","getppid"],"action":"$act"}]}
JSON
	"$rf" profile lint conflict.json >/dev/null 2>&1
	check_eq "$?" 1 "lint: ALLOW and $act for one syscall is an error"
	refused "run: ALLOW and $act for one syscall is refused as lint says" conflict.json \
		"conflicting actions"
done
done_testing
