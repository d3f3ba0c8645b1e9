#!/bin/sh
# bench/watch-overhead.sh — what `ringfence watch --all` costs the node, in one run (issue 12):
#   1. a dd syscall loop: unwatched; under the tracepoint floor (watch with one rule on a call
#      nobody makes: its exit tracepoint is attached, which puts every task on the syscall slow
#      path); under watch with the default rules at the raw sys_exit (no tracefs and no
#      CAP_SYS_ADMIN: every syscall runs the program, as before the per-call tracepoints); under watch
#      with the default rules. Best of 3 each; dd's own elapsed time.
#   2. nginx (one process, on CPU 0) + wrk (on CPU 1) on loopback: unwatched vs the tracepoint
#      floor vs `watch --all` with the default rules, ROUNDS rounds of each watched variant, each
#      between two unwatched rounds; medians of the rates and of each watched round's ratio
#      against its two unwatched neighbours, with a 90% interval for the latter (target >= 0.95x).
#   3. a flood: 8 threads opening a file in a loop while 200 marker execs happen; the critical
#      ring (exec, setuid, module, ptrace, mount, connect) must lose nothing: every marker exec
#      must be a finding, whatever the bulk ring (opens) drops.
# Usage: bench/watch-overhead.sh [RINGFENCE] [BLOCKS] [ROUNDS] [FLOOD]   (root)
set -u
rf=${1:-build/cli/ringfence}
n=${2:-2000000}
rounds=${3:-20}
flood=${4:-$(dirname "$rf")/../bench/flood}
tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
wpid=
trap '[ -n "$wpid" ] && kill -INT "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
dur=3
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$tmp/floor.yaml" <<'YAML'
- rule: floor
  desc: a call nobody makes here, so its exit tracepoint is attached and never fires
  condition: evt.type = pivot_root
  output: never
  priority: debug
YAML
cat >"$tmp/marker.yaml" <<'YAML'
- rule: flood marker
  desc: the marker program of bench/flood
  condition: evt.type in (execve, execveat) and proc.name = rf-flood-marker
  output: marker %proc.pid
  priority: notice
YAML

# no_tracefs CMD...: CMD in a mount namespace of its own without tracefs, and without
# CAP_SYS_ADMIN to mount it privately, where the watch falls back to the raw sys_exit (run in
# the background: it becomes CMD)
no_tracefs() {
	exec unshare -m sh -c 'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
		exec setpriv --bounding-set -sys_admin --inh-caps -sys_admin "$0" "$@"' "$@"
}
wrap=

# watch_start ARGS...: watch --all in the background until watch_stop; waits until it is live
watch_start() {
	: >"$tmp/w.err"
	$wrap "$rf" watch --all --no-stdout --output "$tmp/findings.json" --stats "$@" 2>"$tmp/w.err" &
	wpid=$!
	i=0
	until grep -q "watching the whole node" "$tmp/w.err" || [ "$i" -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1 # the programs are attached once the line shows; let start-up settle
	kill -0 "$wpid" 2>/dev/null || { echo "SKIP: watch --all cannot run here: $(cat "$tmp/w.err")"; exit 0; }
}
watch_stop() {
	kill -INT "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	wpid=
}

# bpf_time: the run time (ns) and the runs of the watch programs so far (kernel.bpf_stats_enabled)
bpf_time() {
	bpftool -j prog show 2>/dev/null | python3 -c 'import json, sys
t = n = 0
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("w_"):
        t += p.get("run_time_ns", 0)
        n += p.get("run_cnt", 0)
print(t, n)'
}
# program_time: one more round of the floor and of the default rules with the kernel's BPF
# statistics on: the programs' own time per request, which the machine's drift between rounds
# (above) does not blur. The statistics add their own clock reads (tens of ns a run).
program_time() {
	command -v bpftool >/dev/null && command -v python3 >/dev/null &&
		[ -w /proc/sys/kernel/bpf_stats_enabled ] || return 0
	old=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	echo "  the programs' own time per request (bpf_stats, one more round each):"
	for v in floor default raw; do
		if [ "$v" = floor ]; then
			watch_start --no-default-rules --rules "$tmp/floor.yaml"
		elif [ "$v" = default ]; then
			watch_start
		else # the default rules at the raw sys_exit
			command -v unshare >/dev/null && command -v setpriv >/dev/null || continue
			wrap=no_tracefs
			watch_start
			wrap=
		fi
		b=$(bpf_time)
		serve >/dev/null
		a=$(bpf_time)
		watch_stop
		reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
		echo "$b $a ${reqs:-0}" | awk -v v="$v" '$5 > 0 {
			printf "    %-8s %5.0f ns per request, %.1f program runs per request\n", v,
				($3 - $1) / $5, ($4 - $2) / $5 }'
	done
	echo "$old" >/proc/sys/kernel/bpf_stats_enabled
}

dd_cmd="dd if=/dev/zero of=/dev/null bs=64 count=$n"
dd_ms() {
	best=
	for _ in 1 2 3; do
		$dd_cmd 2>"$tmp/dd.err" >/dev/null
		t=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print int($(i - 1) * 1000) }' "$tmp/dd.err")
		if [ -n "$t" ] && { [ -z "$best" ] || [ "$t" -lt "$best" ]; }; then best=$t; fi
	done
	echo "${best:-0}"
}
base=$(dd_ms)
watch_start --no-default-rules --rules "$tmp/floor.yaml"
floor=$(dd_ms)
watch_stop
watch_start
full=$(dd_ms)
watch_stop
raw=
if command -v unshare >/dev/null && command -v setpriv >/dev/null; then
	wrap=no_tracefs
	watch_start
	raw=$(dd_ms)
	watch_stop
	grep -q "the raw exit tracepoint" "$tmp/w.err" || raw= # it did not fall back
	wrap=
fi
echo "dd bs=64 count=$n ($((2 * n)) syscalls), best of 3, dd's own elapsed time"
printf '  %-48s %7s ms\n' unwatched "$base"
printf '  %-48s %7s ms  x%s\n' "tracepoint floor (one unused call's exit attached)" "$floor" "$(ratio "$floor" "$base")"
printf '  %-48s %7s ms  x%s  (x%s of the floor)\n' "watch --all, default rules" "$full" \
	"$(ratio "$full" "$base")" "$(ratio "$full" "$floor")"
[ -n "$raw" ] && printf '  %-48s %7s ms  x%s  (x%s of the floor)\n' \
	"default rules at the raw sys_exit (no tracefs)" "$raw" "$(ratio "$raw" "$base")" \
	"$(ratio "$raw" "$floor")"

if nginx_setup; then
	pin_cpus
	# Chained rounds, u F u W u F u W u ...: each watched round (F: the floor, W: the default
	# rules) against the mean of the unwatched rounds on either side of it, so that a drift of
	# the machine's speed across the three cancels out.
	u=
	f=
	w=
	rf_=
	rw_=
	prev=$(serve)
	u="$prev"
	for _ in $(seq "$rounds"); do
		watch_start --no-default-rules --rules "$tmp/floor.yaml"
		fi_=$(serve)
		watch_stop
		mid=$(serve)
		watch_start
		wi=$(serve)
		watch_stop
		grep -h "findings reported" "$tmp/w.err" | sed 's/^/    /' >>"$tmp/nginx-stats"
		next=$(serve)
		f="$f $fi_"
		w="$w $wi"
		u="$u $mid $next"
		rf_="$rf_ $(ratio "$fi_" "$(((prev + mid) / 2))")"
		rw_="$rw_ $(ratio "$wi" "$(((mid + next) / 2))")"
		prev=$next
	done
	mu=$(echo "$u" | median)
	mf=$(echo "$f" | median)
	mw=$(echo "$w" | median)
	echo "nginx (1 process) + wrk -t1 -c4 -d${dur}s, $rounds rounds of each watched variant, each" \
		"between two unwatched rounds${server_pin:+; nginx on CPU 0, wrk on CPU 1}"
	printf '  %-48s %7s req/s  (median of %s rounds)\n' unwatched "$mu" "$((2 * rounds + 1))"
	printf '  %-48s %7s req/s  x%s\n' "tracepoint floor (one unused call's exit attached)" \
		"$mf" "$(ratio "$mf" "$mu")"
	printf '  %-48s %7s req/s  x%s\n' "watch --all, default rules" "$mw" "$(ratio "$mw" "$mu")"
	echo "  each watched round / the mean of the unwatched rounds before and after it: median," \
		"and an interval holding the true median with >= 90% probability:"
	echo "$rf_" | median_ci | awk '{ printf "    %-46s x%s  [x%s, x%s]\n", "floor", $1, $2, $3 }'
	echo "$rw_" | median_ci | awk '{ printf "    %-46s x%s  [x%s, x%s]  (target >= 0.95)\n",
		"watch --all, default rules", $1, $2, $3 }'
	echo "    per round, floor:        $rf_"
	echo "    per round, default rules:$rw_"
	echo "  watch's own counters per round:"
	cat "$tmp/nginx-stats"
	[ -s "$tmp/warnings" ] && cat "$tmp/warnings"
	program_time
fi

if [ -x "$flood" ]; then
	ln -s /bin/true "$tmp/rf-flood-marker"
	: >"$tmp/target"
	watch_start --rules "$tmp/marker.yaml" --rate-limit 1000000/1
	out=$("$flood" 8 10 200 "$tmp/rf-flood-marker" "$tmp/target")
	sleep 1
	watch_stop
	seen=$(grep -c '"rule":"flood marker"' "$tmp/findings.json" 2>/dev/null || echo 0)
	echo "flood: 8 threads open()+close() for 10 s, 200 marker execs spread over it"
	echo "  flood made: $(echo "$out" | awk '{ print $1 " opens, " $2 " execs" }')"
	echo "  marker findings: $seen of 200 (target: all)"
	grep -h "ringfence: watch:" "$tmp/w.err" | sed 's/^/  /'
else
	echo "flood: SKIP (build bench/flood)"
fi
