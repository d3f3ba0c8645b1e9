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

# A workload with two threads that keeps making a recognisable syscall until the file "stop"
# appears (30 s at most), and forks a child once the file "go" appears.
cat >work.py <<'PY'
import os, sys, threading, time
open("ready", "w").close()
def spin():
    for _ in range(3000):
        os.getppid()
        time.sleep(0.01)
        if os.path.exists("stop"):
            break
t = threading.Thread(target=spin); t.start()
for _ in range(3000):
    if os.path.exists("go"):
        break
    time.sleep(0.01)
if os.fork() == 0:
    os.uname(); os._exit(0)
os.wait()
t.join()
sys.exit(7)
PY
# recording REC PID: wait (60 s at most) until the recorder REC records PID: it holds BPF links
# (eBPF, which `auto` picks as root) or traces PID (ptrace). Fixed sleeps were too short under
# ASan on a loaded machine.
recording() {
	i=0
	until ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'bpf[-_]link' ||
		[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$2/status" 2>/dev/null)" = "$1" ]; do
		i=$((i + 1))
		[ "$i" -ge 600 ] && { diag "recorder $1 not recording after 60 s"; return 1; }
		sleep 0.1
	done
	sleep 0.3 # the first getppid calls under the recorder
}
python3 work.py &
pid=$!
while [ ! -e ready ]; do sleep 0.05; done
"$rf" -q record --pid "$pid" --observation exit.obs 2>err &
rec=$!
recording "$rec" "$pid"
: >go
sleep 0.3
: >stop
wait "$rec"
status=$?
wait "$pid"
wstatus=$?
check_eq "$status" 0 "record --pid ends when the process exits"
check_eq "$wstatus" 7 "the process's own exit status is untouched"
n=$(names exit.obs)
case " $n " in *" getppid "*) pass "the spinning thread was recorded" ;; *) fail "the spinning thread was recorded: $n" ;; esac
case " $n " in *" uname "*) pass "a child forked after attaching was followed" ;; *) fail "a child forked after attaching was followed: $n" ;; esac

# Ctrl-C: stop recording, detach, write; the process keeps running and finishes normally.
rm -f ready go stop
python3 work.py &
pid=$!
while [ ! -e ready ]; do sleep 0.05; done
"$rf" -q record --pid "$pid" --observation int.obs 2>err &
rec=$!
recording "$rec" "$pid"
kill -INT "$rec"
wait "$rec"
check_eq "$?" 0 "record --pid stops on SIGINT"
[ -s int.obs ] && pass "and writes the observation" || fail "and writes the observation"
kill -0 "$pid" 2>/dev/null && pass "the process survives the detach" || fail "the process survives the detach"
: >go
: >stop
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
	i=0 # the command runs once it is recorded
	until pgrep -P "$rec" -x sleep >/dev/null || [ "$i" -ge 600 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	kill -TERM "$rec"
	wait "$rec"
	check_eq "$?" 143 "[$b] SIGTERM to record reaches the command, which dies of it"
done

"$rf" record --pid 12abc --observation x.obs 2>err
check_eq "$?" 2 "a pid that is not a number is a usage error"
"$rf" record --pid 4194000 --observation x.obs 2>err
check_eq "$?" 125 "a pid that does not exist fails (125)"
done_testing
