#!/bin/sh
# t1100-watch-baseline.sh — learned baselines on a real nginx, with each backend: `watch --learn
# 10s` while curl fetches pages writes a baseline (nginx's workload: its executable, its port);
# monitoring the same traffic with `--baseline` gives no finding; the same nginx with a library
# preloaded that starts a shell from inside the server gives NewBinaryExecuted,
# UnexpectedChildProcess and NewLibraryLoaded findings (with `--mode protect` the process is
# killed at the first one); the learnt baselines merge and become profiles (`generate --from-baseline`).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog curl
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || skip_all "nginx not installed (apt-get install nginx-light)"
: "${RF_SPAWN_SHELL:=$RF_BUILD/tests/spawn-shell.so}"
[ -f "$RF_SPAWN_SHELL" ] || skip_all "the spawn-shell helper is not built ($RF_SPAWN_SHELL)"
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"

# A free port on 127.0.0.1 (the kernel picks it; nginx binds it a moment later).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) ||
	port=$((20000 + $$ % 20000))
mkdir -p www logs
echo hello >www/index.html
echo about >www/about.html
cat >nginx.conf <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $tmpdir/nginx.pid;
error_log $tmpdir/logs/error.log;
events { worker_connections 64; }
http {
	access_log $tmpdir/logs/access.log;
	client_body_temp_path $tmpdir/logs/body;
	proxy_temp_path $tmpdir/logs/proxy;
	fastcgi_temp_path $tmpdir/logs/fastcgi;
	uwsgi_temp_path $tmpdir/logs/uwsgi;
	scgi_temp_path $tmpdir/logs/scgi;
	server { listen 127.0.0.1:$port; root $tmpdir/www; }
}
NGINX
ngx() { echo "$nginx" -p "$tmpdir" -c "$tmpdir/nginx.conf" -e "$tmpdir/logs/error.log"; }

# wait_up: until nginx answers (a loaded machine may take long under ptrace); 0 when it does.
wait_up() {
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 600 ] && return 1
		sleep 0.1
	done
}

# traffic: the pages a client fetches, the same each time.
traffic() {
	for _ in 1 2 3; do
		curl -s -o /dev/null "http://127.0.0.1:$port/" || :
		curl -s -o /dev/null "http://127.0.0.1:$port/about.html" || :
		curl -s -o /dev/null "http://127.0.0.1:$port/missing" || :
	done
}

# wait_gone PID: until the watcher exits (it ends with nginx); its status in $rc.
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
	wait "$1"
	rc=$?
}

stop_nginx() {
	[ -s nginx.pid ] && kill -QUIT "$(cat nginx.pid)" 2>/dev/null
	return 0
}

# findings FILE: the rule names of the findings in a JSON Lines file.
findings() {
	[ -f "$1" ] || return 0
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f.get("record") == "finding":
        print(f["rule"], f.get("action", ""), sep="\t")' "$1"
}

# run_one BACKEND: learn, monitor, attack; the baseline is $BACKEND.json.
run_one() {
	b=$1
	rm -f nginx.pid pwned "$b".*.jsonl
	"$rf" watch --backend "$b" --learn 10s --baseline "$b.json" --no-stdout \
		--output "$b.learn.jsonl" -- $(ngx) >"$b.learn.out" 2>"$b.learn.err" &
	w=$!
	if wait_up; then
		traffic
	else
		fail "$b: nginx answers while learning"
	fi
	wait_gone "$w"
	check_eq "$rc" 0 "$b: watch --learn 10s ends nginx and exits 0"
	if [ ! -s "$b.json" ]; then
		fail "$b: the baseline is written"
		diag <"$b.learn.err"
		return
	fi
	got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
w = [x for x in d["workloads"] if x["key"] == "exe:" + sys.argv[2]]
print(d["schema"], len(w), w and any(e["path"].endswith("/nginx") for e in w[0]["executables"]["items"]),
      w and int(sys.argv[3]) in w[0]["listen"]["items"], w and w[0]["executables"]["saturated"])' \
		"$b.json" "$(readlink -f "$nginx")" "$port")
	check_eq "$got" "ringfence.baseline/v1 1 True True False" \
		"$b: nginx's workload learnt its executable and its port"
	grep -q "ringfence: baseline: " "$b.learn.err" && pass "$b: learning prints its summary" ||
		fail "$b: learning prints its summary"

	# The same traffic against the baseline: nothing.
	rm -f nginx.pid
	"$rf" watch --backend "$b" --baseline "$b.json" --no-stdout --output "$b.mon.jsonl" \
		-- $(ngx) >"$b.mon.out" 2>"$b.mon.err" &
	w=$!
	wait_up && traffic
	stop_nginx
	wait_gone "$w"
	check_eq "$rc" 0 "$b: monitoring exits 0"
	check_eq "$(findings "$b.mon.jsonl" | cut -f1 | sort -u | tr '\n' ';')" "" \
		"$b: the learnt traffic gives no finding"
	grep -q "rules" "$b.mon.err" || diag <"$b.mon.err"

	# A shell from inside the server (a preloaded library starts it), monitored: every
	# deviation is a finding, nothing is stopped.
	rm -f nginx.pid pwned
	"$rf" watch --backend "$b" --baseline "$b.json" --no-stdout \
		--output "$b.att.jsonl" -- env LD_PRELOAD="$RF_SPAWN_SHELL" \
		RF_SPAWN_SHELL_OUT="$tmpdir/pwned" $(ngx) >"$b.att.out" 2>"$b.att.err" &
	w=$!
	wait_up && traffic
	stop_nginx
	wait_gone "$w"
	check_eq "$(cat pwned 2>/dev/null)" pwned "$b: monitor: the injected shell ran"
	got=$(findings "$b.att.jsonl" | cut -f1 | sort -u)
	for rule in "Executable not in the workload baseline" \
		"Child process not in the workload baseline" \
		"Library not in the workload baseline"; do
		if printf '%s\n' "$got" | grep -qx "$rule"; then
			pass "$b: monitor: '$rule' fires"
		else
			fail "$b: monitor: '$rule' fires"
			printf '%s\n' "$got" | diag
		fi
	done

	# The same in protect mode: the first deviation (the library, mapped before main) asks for
	# kill, and the process is killed through its pidfd. ptrace holds the process at that
	# event, so the shell never runs; eBPF kills it within a millisecond, after the event,
	# which the forked shell may outrun (its exec is then a deviation of its own).
	rm -f nginx.pid pwned
	"$rf" watch --backend "$b" --baseline "$b.json" --mode protect --no-stdout \
		--output "$b.prot.jsonl" -- env LD_PRELOAD="$RF_SPAWN_SHELL" \
		RF_SPAWN_SHELL_OUT="$tmpdir/pwned" $(ngx) >"$b.prot.out" 2>"$b.prot.err" &
	w=$!
	i=0
	while kill -0 "$w" 2>/dev/null && [ "$i" -lt 100 ] &&
		! curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
		i=$((i + 1))
		sleep 0.1
	done
	curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null &&
		fail "$b: protect: nginx did not come up" || pass "$b: protect: nginx did not come up"
	stop_nginx
	wait_gone "$w"
	if [ "$b" = ptrace ]; then
		check_eq "$(cat pwned 2>/dev/null)" "" "$b: protect: the injected shell did not run"
	fi
	got=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f.get("record") == "finding" and f["rule"] == "Library not in the workload baseline":
        print(f.get("action"), (f.get("action_taken") or {}).get("result"))
        break' "$b.prot.jsonl" 2>/dev/null)
	check_eq "$got" "kill killed" "$b: protect: the library finding's process is killed"
	[ "$got" = "kill killed" ] || diag <"$b.prot.err"
}

backends=ptrace
if [ "$(id -u)" -ne 0 ]; then
	skip "ebpf" "needs root"
elif [ "${RF_EBPF_BUILT:-1}" = 0 ]; then
	skip "ebpf" "built without eBPF"
elif ! "$rf" -q watch --backend ebpf -- true 2>ebpf.err; then
	skip "ebpf" "the eBPF watch program cannot run here: $(head -n 1 ebpf.err)"
else
	backends="ebpf ptrace"
fi
for b in $backends; do
	run_one "$b"
done

# Learning ends in profiles, and replicas merge.
if [ -s ptrace.json ]; then
	"$rf" -q generate --from-baseline ptrace.json --seccomp ptrace.seccomp.json 2>gen.err
	check_eq "$?" 0 "generate --from-baseline (ptrace) writes a seccomp profile"
	grep -q '"accept4"\|"accept"' ptrace.seccomp.json && pass "the profile allows nginx's accept" ||
		fail "the profile allows nginx's accept"
fi
if [ -s ebpf.json ]; then
	"$rf" -q generate --from-baseline ebpf.json --seccomp ebpf.seccomp.json 2>gen.err
	check_eq "$?" 1 "generate --from-baseline (ebpf) refuses a seccomp profile without syscalls"
	grep -q "learn with --backend ptrace" gen.err && pass "... and says why" || fail "... and says why"
	"$rf" -q generate --from-baseline ebpf.json --caps ebpf.caps.yaml --apparmor web.apparmor 2>gen.err
	check_eq "$?" 0 "generate --from-baseline (ebpf) writes capabilities and AppArmor"
	grep -q "^profile web " web.apparmor && pass "the AppArmor profile is named web" ||
		fail "the AppArmor profile is named web"
	"$rf" -q baseline merge ebpf.json ptrace.json -o merged.json 2>merge.err
	check_eq "$?" 0 "the two baselines merge"
	check_eq "$("$rf" baseline show merged.json | grep -c '^exe:.*nginx: ')" 1 \
		"merged: one nginx workload"
	"$rf" baseline show merged.json | grep -q "syscalls (unrecorded)" &&
		pass "merged: syscalls seen by one backend only stay unrecorded" ||
		fail "merged: syscalls seen by one backend only stay unrecorded"
fi
done_testing
