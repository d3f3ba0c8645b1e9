#!/bin/sh
# t0200-run-enforce.sh — `ringfence run` on the real kernel: an allow-list denies exactly the
# syscalls left out, with the configured errno; KILL_PROCESS kills; LOG lets through; exit
# statuses follow DESIGN.md (command's own, 125/126/127, death by the same signal).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$RF_PROBE" ] || framework_failure "probe not built: $RF_PROBE"
mk_tmpdir
rf=$RF_BIN
ulimit -c 0 2>/dev/null || :

# What the dynamic probe and its loader need, plus the probe names the test allows.
base='"read","write","close","exit_group","exit","execve","brk","mmap","munmap","mprotect",
"openat","newfstatat","fstat","pread64","arch_prctl","set_tid_address","set_robust_list",
"rseq","prlimit64","getrandom","access","futex","rt_sigaction","rt_sigprocmask"'
NAMES="getpid getcwd uname chroot sched_yield gettid getppid"
profile() { # DEFAULT-ACTION DEFAULT-ERRNO-JSON EXTRA-RULES-JSON
	cat <<EOF2
{"defaultAction": "$1" $2, "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [ {"names": [$base, "getpid", "gettid", "getppid", "sched_yield"],
                "action": "SCMP_ACT_ALLOW"} $3 ]}
EOF2
}
probe() { "$rf" run --seccomp "$1" -- "$RF_PROBE" $NAMES | tr '\n' ' '; }

profile SCMP_ACT_ERRNO "" "" >"$tmpdir/eperm.json"
check_eq "$(probe "$tmpdir/eperm.json")" \
	"getpid ok getcwd EPERM uname EPERM chroot EPERM sched_yield ok gettid ok getppid ok " \
	"allow-list: exactly the names left out fail with EPERM"

profile SCMP_ACT_ERRNO ', "defaultErrnoRet": 38' "" >"$tmpdir/enosys.json"
check_eq "$(probe "$tmpdir/enosys.json")" \
	"getpid ok getcwd ENOSYS uname ENOSYS chroot ENOSYS sched_yield ok gettid ok getppid ok " \
	"defaultErrnoRet 38: the names left out fail with ENOSYS"

profile SCMP_ACT_ERRNO "" ', {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
 {"names": ["uname"], "action": "SCMP_ACT_LOG"}' >"$tmpdir/mixed.json"
check_eq "$(probe "$tmpdir/mixed.json")" \
	"getpid ok getcwd EACCES uname ok chroot EPERM sched_yield ok gettid ok getppid ok " \
	"custom errnoRet 13 gives EACCES; SCMP_ACT_LOG lets uname through"

profile SCMP_ACT_ERRNO "" ', {"names": ["chroot"], "action": "SCMP_ACT_KILL_PROCESS"}' \
	>"$tmpdir/kill.json"
out=$("$rf" run --seccomp "$tmpdir/kill.json" -- "$RF_PROBE" getpid chroot getpid 2>/dev/null)
status=$?
check_eq "$status" 159 "SCMP_ACT_KILL_PROCESS kills with SIGSYS (128+31)"
check_eq "$(printf "%s" "$out" | tr "\\n" " ")" "getpid ok chroot " "the probe died inside chroot"

cat >"$tmpdir/allow-all-but.json" <<'EOF2'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF2
"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- sh -c 'exit 7'
check_eq "$?" 7 "the command's own exit status comes back"
"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- sh -c 'kill -TERM $$'
check_eq "$?" 143 "a command killed by SIGTERM makes ringfence die of SIGTERM"
"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- /nonexistent/cmd 2>/dev/null
check_eq "$?" 127 "a missing command exits 127"
"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- "$tmpdir/allow-all-but.json" 2>/dev/null
check_eq "$?" 126 "a non-executable command exits 126"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["nosuchcall"], "action": "SCMP_ACT_KILL"}]}' \
	>"$tmpdir/unknown.json"
"$rf" run --seccomp "$tmpdir/unknown.json" -- touch "$tmpdir/ran" 2>"$tmpdir/err"
check_eq "$?" 125 "an unknown syscall in a deny rule refuses to run (125)"
[ -e "$tmpdir/ran" ] && fail "the command never ran unconfined" || pass "the command never ran unconfined"
grep -q 'syscall "nosuchcall" is unknown for SCMP_ARCH_X86_64' "$tmpdir/err"
check_eq "$?" 0 "the refusal names the syscall and the arch"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_NOTIFY"}]}' \
	>"$tmpdir/notify.json"
"$rf" run --seccomp "$tmpdir/notify.json" -- true 2>/dev/null
check_eq "$?" 125 "SCMP_ACT_NOTIFY without an agent refuses to run (125)"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' >"$tmpdir/trunc.json"
"$rf" run --seccomp "$tmpdir/trunc.json" -- true 2>/dev/null
check_eq "$?" 125 "an unparsable profile refuses to run (125)"

# runc's ENOSYS stub: above the profile's highest syscall, ENOSYS instead of the default.
check_eq "$("$rf" run --seccomp "$tmpdir/eperm.json" -- "$RF_PROBE" clone3 | tr '\n' ' ')" \
	"clone3 ENOSYS " "a syscall newer than the profile's newest gets ENOSYS (runc's stub)"

# Unprivileged callers get no_new_privs set for them, and are told.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	chmod a+rx "$tmpdir" "$(dirname "$RF_BIN")" 2>/dev/null
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- \
		sh -c 'grep NoNewPrivs /proc/self/status' >"$tmpdir/nnp" 2>"$tmpdir/nnp.err"
	check_eq "$(cat "$tmpdir/nnp")" "NoNewPrivs:	1" "without CAP_SYS_ADMIN, no_new_privs is set"
	grep -q 'note: setting no_new_privs' "$tmpdir/nnp.err"
	check_eq "$?" 0 "and ringfence explains why"
else
	skip "unprivileged run" "needs user nobody and setpriv"
	skip "unprivileged note" "needs user nobody and setpriv"
fi
"$rf" run --seccomp "$tmpdir/allow-all-but.json" -- sh -c 'grep NoNewPrivs /proc/self/status' \
	>"$tmpdir/nnp0"
check_eq "$(cat "$tmpdir/nnp0")" "NoNewPrivs:	0" "root without --no-new-privs keeps no_new_privs off (runc order)"
done_testing
