#!/bin/sh
# t1030-watch-live.sh — "ringfence: watching ..." means the source is live: an exec right after
# that line is a finding. The eBPF backend loads, verifies and attaches its programs after
# start-up (about a second here); the line used to come before that, and a script that waited
# for it and then acted went unseen (bench/flood's first marker execs did). Whole node, eBPF,
# three rounds, the exec within 50 ms of the line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
"$rf" -q watch --backend ebpf -- true 2>ebpf.err ||
	skip_all "the eBPF watch cannot run here: $(head -n 1 ebpf.err)"
name=rf-live-$$ # a command name of at most 15 bytes (pid_max is at most 2^22)
ln -s /bin/true "$name" || framework_failure "ln"
cat >live.yaml <<YAML
- rule: live marker
  desc: the marker program of t1030
  condition: evt.type in (execve, execveat) and proc.name = $name
  output: marker %proc.pid
  priority: notice
YAML
for round in 1 2 3; do
	"$rf" watch --all --no-default-rules --rules live.yaml --format json >"w$round.json" \
		2>"w$round.err" &
	w=$!
	i=0
	until grep -q "ringfence: watching the whole node" "w$round.err" || [ "$i" -ge 1200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	"./$name"
	kill -INT "$w"
	wait "$w"
	check_eq "$(grep -c '"rule":"live marker"' "w$round.json")" 1 \
		"round $round: an exec right after the 'watching' line is a finding"
	grep -q "ringfence: watching the whole node" "w$round.err" || diag <"w$round.err"
done
done_testing
