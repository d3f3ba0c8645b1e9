#!/bin/sh
# t0520-record-signals.sh — recording never changes the traced program's behaviour (DESIGN.md
# §5): exit status and stdio pass through; Ctrl-C (SIGINT to the process group) reaches the
# workload and the recording is still written; a workload killed by a signal makes record exit
# 128+N and still write; SIGSTOP stops the workload (group-stop, not resumed behind its back) and
# SIGCONT continues it; 64 threads and processes exiting in random order are all followed to
# their exit. Every check runs for each backend that works here (ptrace; ebpf when it loads).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
[ -x "$RF_BIN" ] || framework_failure "ringfence not built: $RF_BIN"
: "${RF_REC_FORK:=$(rf_first_file "$RF_BUILD/tests/rec-fork" "$RF_BUILD/tests/helpers/rec-fork")}"
: "${RF_REC_SIG:=$(rf_first_file "$RF_BUILD/tests/rec-sig" "$RF_BUILD/tests/helpers/rec-sig")}"
[ -x "$RF_REC_FORK" ] || framework_failure "rec-fork not built: $RF_REC_FORK"
[ -x "$RF_REC_SIG" ] || framework_failure "rec-sig not built: $RF_REC_SIG"
mk_tmpdir
rf=$RF_BIN
ulimit -c 0 2>/dev/null || :

# obs FILE EXPR: a Python expression over the observation d (and n(name) = count of a syscall).
obs() {
	python3 -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "replace"))
def n(name): return sum(s["count"] for s in d["syscalls"] if s["name"] == name)
r = eval(sys.argv[2])
print(" ".join(map(str, r)) if isinstance(r, tuple) else r)' "$1" "$2" 2>&1
}
# state PID: the one-letter state from /proc/PID/stat ("" once it is gone).
state() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1; }
# wait_file FILE: up to 10 s for a background workload to write FILE.
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}
# reap PID SECONDS: wait for a background job, killing it after SECONDS; its status in $st.
reap() {
	i=0
	while [ "$(state "$1")" != Z ] && [ -n "$(state "$1")" ] && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	case $(state "$1") in
	Z | "") ;;
	*)
		diag "pid $1 still running after $2 s: killed"
		kill -KILL "$1" 2>/dev/null
		;;
	esac
	wait "$1"
	st=$?
}

# For the Ctrl-C test: a non-interactive sh starts background jobs with SIGINT ignored; this
# wrapper restores the default and makes record the leader of a new session and process group,
# as a shell with job control does for a foreground job.
group_leader='import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])'

rec() { "$rf" -q record --backend "$be" "$@"; }
bcheck() { check_eq "$1" "$2" "[$be] $3"; }

suite() {
	# --- exit status and stdio ----------------------------------------------------------------------
	rm -f "$tmpdir/e3.json"
	rec --observation "$tmpdir/e3.json" -- sh -c 'exit 3'
	bcheck "$?" 3 "exit status 3 passes through"
	bcheck "$(obs "$tmpdir/e3.json" 'd["recording"]["exit_status"]')" 768 \
		"... and the observation has its wait status (3 << 8)"
	out=$(echo data | rec --observation "$tmpdir/cat.json" -- cat)
	bcheck "$?:$out" "0:data" "stdin passes through: echo data | record -- cat prints data"
	out=$(rec --observation "$tmpdir/err.json" -- sh -c 'echo out; echo err >&2' 2>"$tmpdir/stderr")
	bcheck "$out|$(cat "$tmpdir/stderr")" "out|err" "stdout and stderr stay apart"

	# --- killed by a signal -------------------------------------------------------------------------
	rm -f "$tmpdir/kill.json"
	rec --observation "$tmpdir/kill.json" -- sh -c 'kill -KILL $$'
	bcheck "$?" 137 "a workload killed by SIGKILL: record exits 137"
	bcheck "$(obs "$tmpdir/kill.json" 'd["recording"]["exit_status"], n("kill") >= 1')" "9 True" \
		"... and still writes the observation (wait status 9, kill recorded)"
	rm -f "$tmpdir/term.json"
	rec --observation "$tmpdir/term.json" -- sh -c 'kill -TERM $$'
	bcheck "$?" 143 "a workload killed by SIGTERM: record exits 143"
	bcheck "$(obs "$tmpdir/term.json" 'd["recording"]["exit_status"]')" 15 "... observation written (wait status 15)"

	# --- Ctrl-C: SIGINT to the whole process group, as a terminal sends it ---------------------------
	rm -f "$tmpdir/ready" "$tmpdir/int.json"
	python3 -c "$group_leader" "$rf" -q record --backend "$be" --observation "$tmpdir/int.json" -- \
		"$RF_REC_SIG" "$tmpdir/ready" 20 >"$tmpdir/int.out" 2>"$tmpdir/int.err" &
	rfpid=$!
	if wait_file "$tmpdir/ready"; then
		sleep 0.2
		kill -INT "-$rfpid"
		reap "$rfpid" 15
	else
		reap "$rfpid" 1
		diag "rec-sig never became ready"
	fi
	bcheck "$st" 42 "Ctrl-C reaches the workload, which exits 42; record exits 42"
	bcheck "$(cat "$tmpdir/int.out")" "rec-sig: SIGINT" "... the workload handled SIGINT itself"
	bcheck "$(obs "$tmpdir/int.json" 'd["recording"]["exit_status"], n("rt_sigaction") >= 1, n("pause") >= 1')" \
		"10752 True True" "... and the observation is written (wait status 42 << 8, pause recorded)"
	[ -s "$tmpdir/int.err" ] && diag <"$tmpdir/int.err"

	# --- SIGSTOP / SIGCONT -----------------------------------------------------------------------------
	# The workload stops itself; SIGCONT from outside must continue it.
	rm -f "$tmpdir/pid"
	rm -f "$tmpdir/stop1.json"
	rec --observation "$tmpdir/stop1.json" -- \
		sh -c 'echo $$ >"$1"; kill -STOP $$; echo resumed' sh "$tmpdir/pid" >"$tmpdir/stop1.out" &
	rfpid=$!
	s=
	if wait_file "$tmpdir/pid"; then
		wpid=$(cat "$tmpdir/pid")
		i=0
		while s=$(state "$wpid") && [ "$s" != T ] && [ "$s" != t ] && [ "$i" -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		sleep 0.3
		s=$(state "$wpid")
		kill -CONT "$wpid"
	fi
	case $s in
	T | t) s=stopped ;; # T untraced (ebpf), t group-stop under ptrace (PTRACE_LISTEN)
	esac
	bcheck "$s" stopped "kill -STOP \$\$: the workload stays stopped (state T or t)"
	reap "$rfpid" 10
	bcheck "$st:$(cat "$tmpdir/stop1.out")" "0:resumed" "SIGCONT from outside: it continues and finishes"
	bcheck "$(obs "$tmpdir/stop1.json" 'd["recording"]["exit_status"]')" 0 "... observation written"

	# Stopped from outside while it works: no progress while stopped, all of it after SIGCONT.
	rm -f "$tmpdir/pid"
	rm -f "$tmpdir/stop2.json"
	rec --observation "$tmpdir/stop2.json" -- sh -c 'echo $$ >"$1"; i=0
		while [ $i -lt 20 ]; do i=$((i + 1)); echo $i; sleep 0.05; done' sh "$tmpdir/pid" \
		>"$tmpdir/ticks" &
	rfpid=$!
	n1=x n2=y
	if wait_file "$tmpdir/pid"; then
		wpid=$(cat "$tmpdir/pid")
		sleep 0.2
		kill -STOP "$wpid"
		sleep 0.3
		n1=$(wc -l <"$tmpdir/ticks")
		sleep 0.7
		n2=$(wc -l <"$tmpdir/ticks")
		kill -CONT "$wpid"
	fi
	bcheck "$n2" "$n1" "kill -STOP from outside: no progress while stopped ($n1 of 20 ticks)"
	reap "$rfpid" 15
	bcheck "$st:$(wc -l <"$tmpdir/ticks")" "0:20" "SIGCONT: it continues and finishes all 20 ticks"

	# --- 64 threads and processes that exit in random order ----------------------------------------
	# rec-fork -t T -p P: T threads end in exit, P processes and the main one in exit_group.
	fork_case() { # T P
		rec --observation "$tmpdir/fork.json" -- "$RF_REC_FORK" -t "$1" -p "$2" \
			>"$tmpdir/fork.out" 2>"$tmpdir/fork.err"
		st=$?
		bcheck "$st:$(cat "$tmpdir/fork.out")" "0:rec-fork: $1 threads, $2 processes, all reaped" \
			"rec-fork -t $1 -p $2 runs to its end under record"
		[ "$st" = 0 ] || diag <"$tmpdir/fork.err"
		bcheck "$(obs "$tmpdir/fork.json" 'n("exit"), n("exit_group")')" "$1 $(($2 + 1))" \
			"... every thread's exit and every process's exit_group recorded ($1 + $(($2 + 1)))"
		rm -f "$tmpdir/fork.json"
	}
	fork_case 32 32
	fork_case 0 64
	fork_case 64 0

	# Same, with --fast (ptrace only; exit and exit_group are not among the unstopped calls).
	[ "$be" = ptrace ] || return 0
	rm -f "$tmpdir/fast.json"
	rec --fast --observation "$tmpdir/fast.json" -- "$RF_REC_FORK" -t 32 -p 32 >/dev/null 2>&1
	bcheck "$?:$(obs "$tmpdir/fast.json" 'n("exit") + n("exit_group"), d["recording"]["fast"]')" \
		"0:65 True" "--fast: rec-fork -t 32 -p 32, 65 exit/exit_group calls recorded"
}

# Every backend that works here: ptrace always; ebpf when it loads (root, BTF, tracepoints).
for be in ptrace ebpf; do
	if [ "$be" = ebpf ] && ! "$rf" -q record --backend ebpf --observation "$tmpdir/probe-ebpf.json" \
		-- true >/dev/null 2>"$tmpdir/ebpf.err"; then
		diag "ebpf backend not tested: $(head -n 1 "$tmpdir/ebpf.err")"
		continue
	fi
	suite
done

done_testing
