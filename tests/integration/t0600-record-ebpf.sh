#!/bin/sh
# t0600-record-ebpf.sh — the eBPF recorder, for real, as root: the same syscall set as the ptrace
# recorder and as strace on the same programs (32-bit included), --cgroup records only that
# cgroup (a noisy neighbour outside does not leak in), --pid follows a running tree, and
# `--backend auto` says which backend it chose.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
if ! "$rf" -q record --backend ebpf --observation probe.obs -- true 2>probe.err; then
	skip_all "the eBPF recorder cannot run here: $(cat probe.err)"
fi
names() { # OBS -> "arch:name" lines, sorted
	python3 -c 'import json,sys
for s in sorted(set((s["arch"], s["name"]) for s in json.load(open(sys.argv[1]))["syscalls"])): print("%s:%s" % s)' "$1"
}

same_set() { # NAME CMD...: ebpf == ptrace on one run each of a deterministic program
	name=$1
	shift
	"$rf" -q record --backend ebpf --observation "$name.e.obs" -- "$@" >/dev/null 2>&1
	"$rf" -q record --backend ptrace --observation "$name.p.obs" -- "$@" >/dev/null 2>&1
	names "$name.e.obs" >"$name.e"
	names "$name.p.obs" >"$name.p"
	if cmp -s "$name.e" "$name.p"; then
		pass "$name: ebpf and ptrace record the same (arch, syscall) set"
	else
		fail "$name: ebpf and ptrace record the same (arch, syscall) set"
		diff "$name.p" "$name.e" | diag
	fi
}
mkdir -p d && echo data >d/f
same_set ls ls -la d
same_set sh-pipeline sh -c 'cat d/f | tr a-z A-Z | wc -c'
if command -v sqlite3 >/dev/null; then
	same_set sqlite3 sqlite3 db.sqlite 'create table if not exists t(x); insert into t values(1); select count(*) from t;'
else
	skip "sqlite3" "sqlite3 not installed"
fi
same_set tar tar czf a.tgz d
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("%%d\\n",(int)getpid());return 0;}\n' >m32.c
if ! gcc -m32 -static -o m32 m32.c 2>/dev/null; then
	skip "32-bit program" "gcc -m32 cannot link here (install gcc-multilib)"
	skip "32-bit arch" "gcc -m32 cannot link here"
elif ./m32 >/dev/null 2>&1; [ $? -eq 126 ]; then
	skip "32-bit program" "this kernel cannot run 32-bit programs (no IA32 emulation: exec fails)"
	skip "32-bit arch" "this kernel cannot run 32-bit programs"
else
	same_set m32 ./m32
	grep -q '^x86:getpid$' m32.e && pass "a 32-bit program is recorded under x86, decided in the kernel" ||
		fail "a 32-bit program is recorded under x86, decided in the kernel"
fi

# Ground truth: strace on the same program.
if command -v strace >/dev/null; then
	strace -f -qq -o ls.st ls -la d >/dev/null
	grep -oE '^([0-9]+ +)?[a-z_0-9]+\(' ls.st | sed -E 's/^[0-9]+ +//; s/\($//; s/^/x86_64:/' | sort -u >ls.s
	cmp -s ls.s ls.e && pass "ls: ebpf set == strace set" || { fail "ls: ebpf set == strace set"; diff ls.s ls.e | diag; }
else
	skip "strace ground truth" "strace missing"
fi

# Counts add up: first sightings plus the per-CPU counters.
"$rf" -q record --backend ebpf --observation dd.obs -- dd if=/dev/zero of=/dev/null bs=64 count=5000 2>/dev/null
reads=$(python3 -c 'import json,sys; print([s["count"] for s in json.load(open(sys.argv[1]))["syscalls"] if s["name"]=="read"][0])' dd.obs)
[ "$reads" -ge 5000 ] && pass "every read of a 5000-block dd is counted ($reads)" || fail "every read counted: $reads"

# attached PID: wait (up to 60 s) until the recorder PID holds a BPF link, i.e. its tracepoints
# are attached and it records. A fixed sleep was too short under ASan on a loaded machine.
attached() {
	i=0
	until ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'bpf[-_]link'; do
		i=$((i + 1))
		[ "$i" -ge 600 ] && return 1
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
}

# --cgroup: only that cgroup.
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$cg2" ] && mkdir "$cg2/rf-t0600-$$" 2>/dev/null; then
	cg=$cg2/rf-t0600-$$
	# Distinctive calls: getresgid inside, sched_getaffinity outside.
	# (It says when its loop runs: a loaded machine can start python slower than the
	# recorder attaches.)
	python3 -c 'import os,sys,time
for i in range(300):
    os.getresgid()
    if i == 1: open(sys.argv[1], "w").close()
    time.sleep(0.01)' "$tmpdir/inside.ready" &
	inside=$!
	echo "$inside" >"$cg/cgroup.procs"
	python3 -c 'import os,time
for _ in range(300): os.sched_getaffinity(0); time.sleep(0.01)' &
	outside=$!
	"$rf" -q record --cgroup "$cg" --observation cg.obs &
	rec=$!
	attached "$rec" || diag "the recorder did not attach within 60 s"
	i=0; while [ ! -e "$tmpdir/inside.ready" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.5
	kill -INT "$rec"
	wait "$rec"
	check_eq "$?" 0 "record --cgroup stops on SIGINT and writes"
	kill "$inside" "$outside" 2>/dev/null
	wait "$inside" "$outside" 2>/dev/null
	rmdir "$cg" 2>/dev/null
	names cg.obs >cg
	grep -q ':getresgid$' cg && pass "--cgroup records the task inside" || fail "--cgroup records the task inside"
	grep -q ':sched_getaffinity$' cg && fail "the noisy neighbour outside does not leak in" ||
		pass "the noisy neighbour outside does not leak in"
else
	skip "--cgroup inside" "no writable cgroup v2 hierarchy"
	skip "--cgroup outside" "no writable cgroup v2 hierarchy"
fi

# --pid with ebpf follows children forked later. (Once, on a CI machine, the recorder found
# the waiting workload gone: it says how the workload ended, and tries once more, so a second
# occurrence tells what killed it.)
follow_later() {
	rm -f ready go pid.obs
	python3 -c 'import os,time
open("ready","w").close()
while not os.path.exists("go"): time.sleep(0.02)
if os.fork() == 0:
    os.uname(); os._exit(0)
os.wait()' &
	pid=$!
	while [ ! -e ready ]; do sleep 0.02; done
	"$rf" -q record --backend ebpf --pid "$pid" --observation pid.obs 2>pid.err &
	rec=$!
	attached "$rec" || diag "the recorder did not attach within 60 s"
	: >go
	wait "$rec"
	st=$?
	wait "$pid"
	wst=$?
	[ "$st" -eq 0 ] && return 0
	diag "record --pid exited $st ($(cat pid.err)); the workload exited $wst"
	return 1
}
follow_later || follow_later
names pid.obs | grep -q ':uname$' && pass "--pid follows a child forked later" || fail "--pid follows a child forked later"

# A command's whole tree is recorded: a daemon it leaves behind, until the daemon exits (as the
# ptrace backend does), not just until the command itself exits.
"$rf" -q record --backend ebpf --observation daemon.obs -- \
	python3 -c 'import os,time
if os.fork() == 0:
    os.setsid(); time.sleep(0.5); os.getresgid(); os._exit(0)'
names daemon.obs | grep -q ':getresgid$' && pass "-- CMD records a daemon it leaves behind until the daemon exits" ||
	fail "-- CMD records a daemon it leaves behind until the daemon exits"

"$rf" record --observation auto.obs -- true 2>auto.err
grep -q '^ringfence: recording with ebpf$' auto.err && pass "--backend auto picks ebpf and says so" ||
	{ fail "--backend auto picks ebpf and says so"; diag <auto.err; }
"$rf" record --backend ptrace --cgroup /sys --observation x.obs 2>/dev/null
check_eq "$?" 2 "--cgroup with the ptrace backend is a usage error"
done_testing
