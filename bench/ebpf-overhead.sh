#!/bin/sh
# bench/ebpf-overhead.sh — what the eBPF recorder costs, in one run, as ratios (issue 4):
#   1. a 2M-block dd loop (4M syscalls): untraced, `record --backend ebpf`, `record --backend
#      ptrace --fast` for scale, and a naive bpftrace raw_syscalls counter (if bpftrace exists);
#      best of 3 each;
#   2. nginx (one process) + wrk on loopback: untraced vs `record --backend ebpf`, alternating
#      for ROUNDS rounds and taking medians, because this VM's loopback throughput drifts.
# Usage: bench/ebpf-overhead.sh [RINGFENCE] [BLOCKS] [ROUNDS]   (root; defaults 2000000, 5)
set -u
rf=${1:-build/cli/ringfence}
n=${2:-2000000}
rounds=${3:-5}
tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
trap 'rm -rf "$tmp"' EXIT
now() { date +%s%N; }
best_ms() {
	best=
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t=$(( ($(now) - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"$rf" -q record --backend ebpf --observation "$tmp/p.json" -- true 2>"$tmp/err" || {
	echo "SKIP: the eBPF recorder cannot run here: $(cat "$tmp/err")"
	exit 0
}
dd_cmd="dd if=/dev/zero of=/dev/null bs=64 count=$n"
base=$(best_ms $dd_cmd)
ebpf=$(best_ms "$rf" -q record --backend ebpf --observation "$tmp/e.json" -- $dd_cmd)
echo "dd bs=64 count=$n ($((2 * n)) syscalls), best of 3"
printf '  %-40s %7s ms\n' untraced "$base"
printf '  %-40s %7s ms  x%s (target <= 1.5)\n' "record --backend ebpf" "$ebpf" "$(ratio "$ebpf" "$base")"
# bpftrace resolves tracepoints through tracefs: mount it if nobody did.
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
if command -v bpftrace >/dev/null && [ -d /sys/kernel/tracing/events/raw_syscalls ]; then
	bt=
	for _ in 1 2 3; do
		bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm, args->id] = count(); }' \
			>"$tmp/bt.out" 2>&1 &
		btpid=$!
		i=0
		until grep -q Attaching "$tmp/bt.out" || [ "$i" -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
		t0=$(now)
		$dd_cmd >/dev/null 2>&1
		t=$(( ($(now) - t0) / 1000000 ))
		kill -INT "$btpid" 2>/dev/null
		wait "$btpid" 2>/dev/null
		if [ -z "$bt" ] || [ "$t" -lt "$bt" ]; then bt=$t; fi
	done
	printf '  %-40s %7s ms  x%s\n' "naive bpftrace raw_syscalls counter" "$bt" "$(ratio "$bt" "$base")"
else
	echo "  naive bpftrace counter: SKIP (needs bpftrace and tracefs)"
fi

nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ] || ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
	echo "nginx + wrk: SKIP (needs nginx, wrk and curl)"
	exit 0
fi
mkdir -p "$tmp/www" "$tmp/logs"
head -c 4096 /dev/zero | tr '\0' x >"$tmp/www/index.html"
cat >"$tmp/nginx.conf" <<EOF2
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $tmp/logs/body;
	proxy_temp_path $tmp/logs/proxy;
	fastcgi_temp_path $tmp/logs/fastcgi;
	uwsgi_temp_path $tmp/logs/uwsgi;
	scgi_temp_path $tmp/logs/scgi;
	server { listen 127.0.0.1:$port; root $tmp/www; }
}
EOF2
serve() {
	"$@" "$nginx" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" >/dev/null 2>&1 &
	ngpid=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null || [ "$i" -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	wrk -t1 -c4 -d5s "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1
	awk '/^Requests\/sec:/ { print int($2) }' "$tmp/wrk.out"
	[ -s "$tmp/nginx.pid" ] && kill -QUIT "$(cat "$tmp/nginx.pid")" 2>/dev/null
	i=0
	while kill -0 "$ngpid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$ngpid" 2>/dev/null
	wait "$ngpid" 2>/dev/null
	rm -f "$tmp/nginx.pid"
}
u=
e=
for _ in $(seq "$rounds"); do
	u="$u $(serve env)"
	e="$e $(serve "$rf" -q record --backend ebpf --observation "$tmp/ne.json")"
done
mu=$(echo "$u" | median)
me=$(echo "$e" | median)
echo "nginx (1 process) + wrk -t1 -c4 -d5s, $rounds alternating rounds, median req/s"
printf '  %-40s %7s req/s   (runs:%s)\n' untraced "$mu" "$u"
printf '  %-40s %7s req/s   (runs:%s)  x%s of untraced (target >= 0.97)\n' \
	"record --backend ebpf" "$me" "$e" "$(ratio "$me" "$mu")"
