#!/bin/sh
# bench/record-overhead.sh — what `ringfence record` costs a workload compared with `strace -f`,
# measured in one run, as ratios:
#   1. a syscall loop (dd bs=64: one read + one write per block): untraced, strace -f -o /dev/null,
#      record --backend ptrace, record --backend ptrace --fast, and record --backend ebpf when
#      it loads here (the default backend then); time, best of 3;
#   2. nginx (one process: daemon off, master_process off) serving a small file to wrk on
#      loopback for 5 s per variant: requests/s under each tracer.
# Targets (the record issue, for the ptrace recorder): plain record at least 2x faster than
# strace -f, --fast at least 10x faster, on both workloads. "speed-up vs strace" = strace's time / record's time (or record's req/s
# / strace's req/s).
# Usage: bench/record-overhead.sh [RINGFENCE] [BLOCKS]   (defaults: build/cli/ringfence, 20000)
set -eu
rf=${1:-build/cli/ringfence}
n=${2:-20000}
port=${RF_BENCH_PORT:-18471}
dur=${RF_BENCH_SECONDS:-5}
tmp=$(mktemp -d)
ngpid=
cleanup() {
	[ -s "$tmp/nginx.pid" ] && kill -KILL "$(cat "$tmp/nginx.pid")" 2>/dev/null || :
	[ -n "$ngpid" ] && kill -KILL "$ngpid" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
command -v strace >/dev/null || { echo "record-overhead: strace not found" >&2; exit 1; }

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
verdict() { # SPEEDUP TARGET
	awk -v s="$1" -v t="$2" 'BEGIN { printf "%s", (s >= t ? "met" : "NOT met") }'
}

echo "record-overhead: $(uname -sr), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
dd="dd if=/dev/zero of=/dev/null bs=64 count=$n"
# shellcheck disable=SC2086
base=$(timeit $dd)
# shellcheck disable=SC2086
st=$(timeit strace -f -o /dev/null $dd)
# shellcheck disable=SC2086
rec=$(timeit "$rf" -q record --backend ptrace --observation "$tmp/o.json" -- $dd)
# shellcheck disable=SC2086
fast=$(timeit "$rf" -q record --backend ptrace --fast --observation "$tmp/o.json" -- $dd)
ebpf=
if "$rf" -q record --backend ebpf --observation "$tmp/o.json" -- true >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	ebpf=$(timeit "$rf" -q record --backend ebpf --observation "$tmp/o.json" -- $dd)
fi
echo "syscall loop: dd bs=64 count=$n ($((2 * n)) read+write calls)"
printf '  %-34s %8s ms\n' untraced "$base"
printf '  %-34s %8s ms   x%-7s\n' "strace -f -o /dev/null" "$st" "$(ratio "$st" "$base")"
printf '  %-34s %8s ms   x%-7s  %6sx faster than strace (target 2x: %s)\n' \
	"record --backend ptrace" "$rec" "$(ratio "$rec" "$base")" "$(ratio "$st" "$rec")" \
	"$(verdict "$(ratio "$st" "$rec")" 2)"
printf '  %-34s %8s ms   x%-7s  %6sx faster than strace (target 10x: %s)\n' \
	"record --backend ptrace --fast" "$fast" "$(ratio "$fast" "$base")" "$(ratio "$st" "$fast")" \
	"$(verdict "$(ratio "$st" "$fast")" 10)"
[ -n "$ebpf" ] && printf '  %-34s %8s ms   x%-7s  %6sx faster than strace\n' \
	"record --backend ebpf" "$ebpf" "$(ratio "$ebpf" "$base")" "$(ratio "$st" "$ebpf")"

# ---- nginx + wrk ------------------------------------------------------------------------------
nginx_setup || exit 0
r_base=$(serve env)
r_st=$(serve strace -f -o /dev/null)
r_rec=$(serve "$rf" -q record --backend ptrace --observation "$tmp/n.json")
r_fast=$(serve "$rf" -q record --backend ptrace --fast --observation "$tmp/nf.json")
[ -n "$ebpf" ] && r_ebpf=$(serve "$rf" -q record --backend ebpf --observation "$tmp/ne.json")
echo "nginx (1 process) + wrk -t1 -c4 -d${dur}s on 127.0.0.1:$port, 4 KiB file"
printf '  %-34s %8s req/s x%-7s\n' untraced "$r_base" 1.00
printf '  %-34s %8s req/s x%-7s\n' "strace -f -o /dev/null" "$r_st" "$(ratio "$r_st" "$r_base")"
printf '  %-34s %8s req/s x%-7s  %6sx faster than strace (target 2x: %s)\n' \
	"record --backend ptrace" "$r_rec" "$(ratio "$r_rec" "$r_base")" "$(ratio "$r_rec" "$r_st")" \
	"$(verdict "$(ratio "$r_rec" "$r_st")" 2)"
printf '  %-34s %8s req/s x%-7s  %6sx faster than strace (target 10x: %s)\n' \
	"record --backend ptrace --fast" "$r_fast" "$(ratio "$r_fast" "$r_base")" \
	"$(ratio "$r_fast" "$r_st")" "$(verdict "$(ratio "$r_fast" "$r_st")" 10)"
[ -n "$ebpf" ] && printf '  %-34s %8s req/s x%-7s  %6sx faster than strace\n' \
	"record --backend ebpf" "$r_ebpf" "$(ratio "$r_ebpf" "$r_base")" "$(ratio "$r_ebpf" "$r_st")"
[ -s "$tmp/warnings" ] && cat "$tmp/warnings"
if [ -s "$tmp/n.json" ]; then
	echo "  (record --backend ptrace wrote its observation when nginx quit:" \
		"$(grep -c '"name"' "$tmp/n.json") syscalls)"
else
	echo "  (record did NOT write an observation for nginx)"
fi
