#!/bin/sh
# t0540-record-pid.sh — `ringfence record --pid` attaches to every thread of a running process
# and its future children, stops on SIGINT (Ctrl-C) or when the process exits, detaches cleanly
# (the process goes on untouched) and writes what it saw.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
names() { python3 -c 'import json,sys; print(" ".join(sorted(set(s["name"] for s in json.load(open(sys.argv[1]))["syscalls"]))))' "$1"; }

# A workload with two threads that keeps making a recognisable syscall, and forks a child later.
cat >work.py <<'PY'
import os, sys, threading, time
open("ready", "w").close()
def spin():
    for _ in range(400):
        os.getppid()
        time.sleep(0.01)
t = threading.Thread(target=spin); t.start()
time.sleep(1.0)
if os.fork() == 0:
    os.uname(); os._exit(0)
os.wait()
t.join()
sys.exit(7)
PY
python3 work.py &
pid=$!
while [ ! -e ready ]; do sleep 0.05; done
"$rf" -q record --pid "$pid" --observation exit.obs 2>err
status=$?
wait "$pid"
wstatus=$?
check_eq "$status" 0 "record --pid ends when the process exits"
check_eq "$wstatus" 7 "the process's own exit status is untouched"
n=$(names exit.obs)
case " $n " in *" getppid "*) pass "the spinning thread was recorded" ;; *) fail "the spinning thread was recorded: $n" ;; esac
case " $n " in *" uname "*) pass "a child forked after attaching was followed" ;; *) fail "a child forked after attaching was followed: $n" ;; esac

# Ctrl-C: stop recording, detach, write; the process keeps running and finishes normally.
rm -f ready
python3 work.py &
pid=$!
while [ ! -e ready ]; do sleep 0.05; done
"$rf" -q record --pid "$pid" --observation int.obs 2>err &
rec=$!
sleep 0.5
kill -INT "$rec"
wait "$rec"
check_eq "$?" 0 "record --pid stops on SIGINT"
[ -s int.obs ] && pass "and writes the observation" || fail "and writes the observation"
kill -0 "$pid" 2>/dev/null && pass "the process survives the detach" || fail "the process survives the detach"
wait "$pid"
check_eq "$?" 7 "and finishes with its own status"
grep -q '"getppid"' int.obs
check_eq "$?" 0 "what happened while attached is recorded"

# SIGTERM sent to the recorder itself (a service manager stopping it) reaches the command.
for b in ptrace ebpf; do
	[ "$b" = ebpf ] && ! "$rf" -q record --backend ebpf --observation p.obs -- true 2>/dev/null &&
		{ skip "SIGTERM forwarding [ebpf]" "the eBPF recorder cannot run here"; continue; }
	"$rf" -q record --backend "$b" --observation term.obs -- sleep 30 &
	rec=$!
	sleep 0.5
	kill -TERM "$rec"
	wait "$rec"
	check_eq "$?" 143 "[$b] SIGTERM to record reaches the command, which dies of it"
done

"$rf" record --pid 12abc --observation x.obs 2>err
check_eq "$?" 2 "a pid that is not a number is a usage error"
"$rf" record --pid 4194000 --observation x.obs 2>err
check_eq "$?" 125 "a pid that does not exist fails (125)"
done_testing
