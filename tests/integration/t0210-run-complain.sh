#!/bin/sh
# t0210-run-complain.sh — complain mode lets would-be denials through and reports them; enforce
# mode with --report denies with the profile's errno and reports each denial.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
[ -x "$RF_PROBE" ] || framework_failure "probe not built: $RF_PROBE"
mk_tmpdir
rf=$RF_BIN
cat >"$tmpdir/p.json" <<'EOF2'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
              {"names": ["uname"], "action": "SCMP_ACT_ERRNO"},
              {"names": ["chroot"], "action": "SCMP_ACT_KILL_PROCESS"}]}
EOF2
# field REPORT SYSCALL KEY: one value of the report's entry for SYSCALL.
field() {
	python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
m=[e for e in d["denials"] if e["syscall"]==sys.argv[2] and not e["pre_exec"]]
print(m[0][sys.argv[3]] if m else "none")' "$@"
}

out=$("$rf" run --seccomp "$tmpdir/p.json" --complain --report "$tmpdir/c.json" -- \
	"$RF_PROBE" getcwd uname uname chroot getpid | tr '\n' ' ')
check_eq "$?" 0 "complain mode: the command exits normally"
check_eq "$out" "getcwd ok uname ok uname ok chroot ENOENT getpid ok " \
	"complain mode: every would-be denial (errno and kill) is let through"
check_eq "$(field "$tmpdir/c.json" getcwd errno)" EACCES "report names getcwd with errno EACCES"
check_eq "$(field "$tmpdir/c.json" uname count)" 2 "report counts both uname calls"
check_eq "$(field "$tmpdir/c.json" chroot action)" SCMP_ACT_KILL_PROCESS \
	"report says chroot would have been killed"
check_eq "$(field "$tmpdir/c.json" getpid action)" none "allowed syscalls are not reported"
check_eq "$(field "$tmpdir/c.json" uname first_exe)" "$(readlink -f "$RF_PROBE")" \
	"report names the first caller's executable"
check_eq "$(field "$tmpdir/c.json" uname arch)" x86_64 "report names the arch"
grep -q '"schema": "ringfence.run-report/v1"' "$tmpdir/c.json"
check_eq "$?" 0 "report carries its schema"

out=$("$rf" run --seccomp "$tmpdir/p.json" --report "$tmpdir/e.json" -- \
	"$RF_PROBE" getcwd uname getpid | tr '\n' ' ')
check_eq "$out" "getcwd EACCES uname EPERM getpid ok " \
	"enforce + report: denials keep the profile's errnos"
check_eq "$(field "$tmpdir/e.json" getcwd count)" 1 "enforce report names getcwd"
check_eq "$(field "$tmpdir/e.json" uname errno)" EPERM "enforce report names uname's EPERM"

"$rf" run --seccomp "$tmpdir/p.json" --report "$tmpdir/k.json" -- "$RF_PROBE" chroot \
	>/dev/null 2>&1
check_eq "$?" 159 "enforce + report: KILL_PROCESS still kills in the kernel"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["exit"]["state"], d["exit"]["signal"])' \
	"$tmpdir/k.json" >"$tmpdir/k.txt"
check_eq "$(cat "$tmpdir/k.txt")" "signaled SYS" "the report records the SIGSYS death"

"$rf" run --seccomp "$tmpdir/p.json" --complain -- sh -c 'exit 3'
check_eq "$?" 3 "complain mode keeps the command's exit status"

# Children and threads are covered: the filter and its listener are inherited.
out=$("$rf" run --seccomp "$tmpdir/p.json" --complain --report "$tmpdir/f.json" -- \
	sh -c '"$0" chroot; "$0" chroot; python3 -c "
import os, threading
def f():
    try: os.chroot(\"/nonexistent-rf\")
    except OSError: pass
t = threading.Thread(target=f); t.start(); t.join()"' "$RF_PROBE" | tr '\n' ' ')
check_eq "$(field "$tmpdir/f.json" chroot count)" 3 "calls from children and threads are counted"

# A profile that denies by default with a big allow-list: ls must work, only the rest reported.
"$rf" profile show runtime/default >"$tmpdir/rd.json"
"$rf" run --seccomp "$tmpdir/rd.json" --complain --report "$tmpdir/rd-report.json" -- ls / >/dev/null
check_eq "$?" 0 "ls runs in complain mode under runtime/default"
check_eq "$(python3 -c 'import json,sys; print(len([e for e in json.load(open(sys.argv[1]))["denials"] if not e["pre_exec"]]))' "$tmpdir/rd-report.json")" 0 \
	"ls makes no call runtime/default would deny"
# A report that could not be written would be lost: refuse before running.
"$rf" run --seccomp "$tmpdir/p.json" --report /nonexistent-dir/r.json -- touch "$tmpdir/ran" 2>/dev/null
check_eq "$?" 125 "an unwritable --report path refuses to run (125)"
[ -e "$tmpdir/ran" ] && fail "the command did not run" || pass "the command did not run"
done_testing
