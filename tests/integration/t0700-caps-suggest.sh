#!/bin/sh
# t0700-caps-suggest.sh — capability suggestions, for real, as root: record with eBPF
# (--caps-out), check the securityContext, then prove it by enforcement: the workload works under
# --cap-drop ALL --cap-add <suggested> and fails with any one suggested capability removed.
# The ptrace backend's inferred answer is compared for the same workloads (differences: diag).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
mk_tmpdir
cd "$tmpdir" || framework_failure "cd $tmpdir"
rf=$RF_BIN
if ! "$rf" -q record --backend ebpf --observation probe.obs -- true 2>probe.err; then
	skip_all "the eBPF recorder cannot run here: $(cat probe.err)"
fi
added() { # FILE: the add list, comma-separated, sorted
	sed -n '/^    add:/,$p' "$1" | sed -n 's/^    - //p' | sort | paste -sd, -
}
without() { # LIST CAP: LIST minus CAP
	printf '%s\n' "$1" | tr , '\n' | grep -vx "$2" | paste -sd, -
}
compare_ptrace() { # NAME: ptrace-inferred vs eBPF add lists, differences as diag
	e=$(added "$1.e.yaml") p=$(added "$1.p.yaml")
	if [ "$e" = "$p" ]; then
		pass "$1: ptrace inference agrees with eBPF ($e)"
	else
		pass "$1: ptrace inference differs from eBPF (documented)"
		diag "eBPF: [$e] ptrace: [$p]"
		grep '^# .*(not added)\|possible' "$1.p.yaml" | diag
	fi
}

# chown nobody FILE: CHOWN
touch f
"$rf" -q record --backend ebpf --caps-out chown.e.yaml --observation chown.obs -- chown nobody f 2>/dev/null
check_eq "$(added chown.e.yaml)" "CHOWN" "chown: eBPF suggests CHOWN"
grep -q '^  allowPrivilegeEscalation: false' chown.e.yaml && pass "chown: no privilege escalation" ||
	fail "chown: no privilege escalation"
grep -q 'SYS_ADMIN (not added)' chown.e.yaml && pass "chown: the noaudit SYS_ADMIN check is noise" ||
	pass "chown: no SYS_ADMIN check seen"
chown root f
"$rf" -q run --cap-drop ALL --cap-add CHOWN -- chown nobody f 2>/dev/null
check_eq "$?" 0 "chown: works with --cap-add CHOWN"
chown root f
"$rf" -q run --cap-drop ALL -- chown nobody f 2>/dev/null
check_eq "$?" 1 "chown: fails without CHOWN"
"$rf" -q record --backend ptrace --caps-out chown.p.yaml -- chown nobody f >/dev/null 2>&1
compare_ptrace chown
"$rf" -q generate --from chown.obs --caps chown.g.yaml >/dev/null
check_eq "$(added chown.g.yaml)" "CHOWN" "generate --caps from the observation agrees"

# ls: nothing
"$rf" -q record --backend ebpf --caps-out ls.e.yaml -- ls / >/dev/null 2>&1
check_eq "$(added ls.e.yaml)" "" "ls: no capability"
grep -q 'runAsNonRoot' ls.e.yaml && pass "ls: runAsNonRoot note" || fail "ls: runAsNonRoot note"
"$rf" -q run --cap-drop ALL -- ls / >/dev/null
check_eq "$?" 0 "ls: works with every capability dropped"
"$rf" -q record --backend ptrace --caps-out ls.p.yaml -- ls / >/dev/null 2>&1
compare_ptrace ls

# ping: raw socket (NET_RAW) unless ICMP datagram sockets are open to root's group
if command -v ping >/dev/null; then
	"$rf" -q record --backend ebpf --caps-out ping.e.yaml -- ping -c1 127.0.0.1 >/dev/null 2>&1
	caps=$(added ping.e.yaml)
	diag "ping suggests [$caps]; ping_group_range: $(cat /proc/sys/net/ipv4/ping_group_range)"
	"$rf" -q run --cap-drop ALL --cap-add "$caps" -- ping -c1 127.0.0.1 >/dev/null 2>&1
	check_eq "$?" 0 "ping: works with [$caps]"
	for c in $(printf '%s' "$caps" | tr , ' '); do
		"$rf" -q run --cap-drop ALL --cap-add "$(without "$caps" "$c")" -- \
			ping -c1 127.0.0.1 >/dev/null 2>&1
		[ $? -ne 0 ] && pass "ping: fails without $c" || fail "ping: fails without $c"
	done
	"$rf" -q record --backend ptrace --caps-out ping.p.yaml -- ping -c1 127.0.0.1 >/dev/null 2>&1
	compare_ptrace ping
else
	skip "ping" "iputils-ping is not installed"
fi

# nginx on :80, workers as nobody: NET_BIND_SERVICE, SETUID, SETGID, and CHOWN (it chowns its
# temp directories to the worker user)
ng_conf() {
	mkdir -p "$tmpdir/ng"
	cat >"$tmpdir/ng/nginx.conf" <<NGX
daemon off;
master_process on;
worker_processes 1;
user nobody $(id -gn nobody);
pid $tmpdir/ng/nginx.pid;
error_log stderr warn;
events { worker_connections 16; }
http {
  access_log off;
  client_body_temp_path $tmpdir/ng/body;
  proxy_temp_path $tmpdir/ng/proxy;
  fastcgi_temp_path $tmpdir/ng/fcgi;
  uwsgi_temp_path $tmpdir/ng/uwsgi;
  scgi_temp_path $tmpdir/ng/scgi;
  server { listen 80; location / { return 200 "ok\n"; } }
}
NGX
}
ng_try() { # RF-ARGS...: 0 when nginx answered on :80
	rm -rf "$tmpdir/ng/body" "$tmpdir/ng/nginx.pid"
	"$rf" -q "$@" -- nginx -p "$tmpdir/ng" -c "$tmpdir/ng/nginx.conf" >/dev/null 2>&1 &
	job=$!
	i=0 ok=1
	while [ $i -lt 20 ]; do
		sleep 0.2
		i=$((i + 1))
		curl -s -m 1 http://127.0.0.1:80/ 2>/dev/null | grep -q ok && { ok=0; break; }
		kill -0 "$job" 2>/dev/null || break
	done
	# record/run do not forward SIGTERM here: stop nginx's master by its pid file
	[ -s "$tmpdir/ng/nginx.pid" ] && kill -TERM "$(cat "$tmpdir/ng/nginx.pid")" 2>/dev/null
	sleep 0.3
	kill -0 "$job" 2>/dev/null && kill -KILL "$job" 2>/dev/null
	wait "$job" 2>/dev/null
	# nginx daemonizes: whatever is left of this config (a master whose workers could not
	# start, a pid file written late) must not outlive the try and hold port 80.
	pkill -KILL -f "$tmpdir/ng/nginx.conf" 2>/dev/null
	i=0
	while pgrep -f "$tmpdir/ng/nginx.conf" >/dev/null 2>&1 && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	return $ok
}
if ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
	skip "nginx" "nginx or curl is not installed"
elif curl -s -m 1 http://127.0.0.1:80/ >/dev/null 2>&1; then
	skip "nginx" "port 80 is already in use"
else
	ng_conf
	ng_try record --backend ebpf --caps-out nginx.e.yaml
	caps=$(added nginx.e.yaml)
	check_eq "$caps" "CHOWN,NET_BIND_SERVICE,SETGID,SETUID" "nginx: eBPF suggests what it checks"
	ng_try run --cap-drop ALL --cap-add "$caps"
	check_eq "$?" 0 "nginx: serves with --cap-add $caps"
	for c in $(printf '%s' "$caps" | tr , ' '); do
		ng_try run --cap-drop ALL --cap-add "$(without "$caps" "$c")"
		[ $? -ne 0 ] && pass "nginx: fails without $c" || fail "nginx: fails without $c"
	done
	ng_try record --backend ptrace --caps-out nginx.p.yaml
	compare_ptrace nginx
fi
done_testing
