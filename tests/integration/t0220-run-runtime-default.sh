#!/bin/sh
# t0220-run-runtime-default.sh — the built-in runtime/default lets ordinary programs (busybox,
# python3, sqlite3) run normally, and once CAP_SYS_ADMIN is dropped denies
# unshare(CLONE_NEWUSER), mount, keyctl-class calls and namespace clone flags.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$RF_PROBE" ] || framework_failure "probe not built: $RF_PROBE"
mk_tmpdir
rf=$RF_BIN
rd() { "$rf" run --seccomp runtime/default "$@"; }
nosys() { "$rf" run --seccomp runtime/default --no-new-privs --cap-drop SYS_ADMIN "$@"; }

if [ -x /bin/busybox ]; then
	out=$(rd -- /bin/busybox sh -c 'echo a b c | /bin/busybox wc -w; /bin/busybox ls / >/dev/null && echo ls-ok')
	check_eq "$(echo $out)" "3 ls-ok" "busybox sh pipelines run under runtime/default"
else
	skip "busybox under runtime/default" "/bin/busybox not installed (busybox-static)"
fi
if command -v python3 >/dev/null; then
	out=$(nosys -- python3 -c '
import subprocess, threading, json
r = []
t = threading.Thread(target=lambda: r.append(sum(range(10))))
t.start(); t.join()
print(r[0], subprocess.run(["echo", "child"], capture_output=True, text=True).stdout.strip(), json.dumps({"a": 1}))')
	check_eq "$out" '45 child {"a": 1}' "python3 with threads and a subprocess runs normally"
else
	skip "python3 under runtime/default" "python3 not installed"
fi
if command -v sqlite3 >/dev/null; then
	out=$(nosys -- sqlite3 "$tmpdir/t.db" 'create table t(x); insert into t values (41),(1); select sum(x) from t;')
	check_eq "$out" 42 "sqlite3 creates and queries a database"
else
	skip "sqlite3 under runtime/default" "sqlite3 not installed"
fi

# Without CAP_SYS_ADMIN: namespaces, mounts, keyrings and friends are refused.
check_eq "$(nosys -- "$RF_PROBE" unshare:newuser clone:newuser mount keyctl clone3 | tr '\n' ' ')" \
	"unshare:newuser EPERM clone:newuser EPERM mount EPERM keyctl EPERM clone3 ENOSYS " \
	"without CAP_SYS_ADMIN: unshare/clone(CLONE_NEWUSER), mount, keyctl EPERM; clone3 ENOSYS"
check_eq "$(nosys -- "$RF_PROBE" bpf | tr '\n' ' ')" "bpf EINVAL " "bpf stays allowed while CAP_BPF is held"
check_eq "$(nosys --cap-drop SYS_ADMIN,BPF -- "$RF_PROBE" bpf | tr '\n' ' ')" "bpf EPERM " \
	"bpf is denied once CAP_BPF is dropped too"
nosys -- unshare -U true 2>/dev/null
check_eq "$?" 1 "unshare -U fails under runtime/default without CAP_SYS_ADMIN"
# With it (root, full caps): the CAP_SYS_ADMIN block opens them again; keyctl stays denied.
check_eq "$(rd -- "$RF_PROBE" unshare:newuser mount keyctl clone3 | tr '\n' ' ')" \
	"unshare:newuser ok mount ENOENT keyctl EPERM clone3 EINVAL " \
	"with CAP_SYS_ADMIN: unshare and mount allowed, clone3 reaches the kernel, keyctl denied"
check_eq "$(nosys -- "$RF_PROBE" personality:0x8 personality:0xffffffff socket socket:bogus | tr '\n' ' ')" \
	"personality:0x8 ok personality:0xffffffff ok socket ok socket:bogus EPERM " \
	"personality and socket are allowed only for the listed arguments"
done_testing
