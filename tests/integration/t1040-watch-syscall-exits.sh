#!/bin/sh
# t1040-watch-syscall-exits.sh — the eBPF watch meets syscalls at the exit tracepoint of each
# syscall the rules need (syscalls:sys_exit_<name>), so a call no rule names runs no program;
# where tracefs is not mounted, at the raw sys_exit (every call runs the program), and the
# findings are the same. Measured with the kernel's BPF statistics: 100,000 getppid() calls
# under each, counted in the program's runs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
"$rf" -q watch --backend ebpf -- true 2>ebpf.err ||
	skip_all "the eBPF watch cannot run here: $(head -n 1 ebpf.err)"
[ -d /sys/kernel/tracing/events/syscalls ] ||
	skip_all "no syscalls events in tracefs at /sys/kernel/tracing (not mounted, or no CONFIG_FTRACE_SYSCALLS)"
have_stats=
if command -v bpftool >/dev/null && [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	have_stats=1
	old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
	trap 'echo "$old_stats" >/proc/sys/kernel/bpf_stats_enabled; rf_cleanup' EXIT
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
fi

# The workload: 100,000 getppid() (no rule names it), a read of /etc/shadow (a finding), and the
# program runs so far (while the watch is still attached).
cat >work.sh <<'EOF'
python3 -c 'import os
for _ in range(100000):
    os.getppid()'
cat /etc/shadow >/dev/null
if [ -n "$1" ]; then bpftool -j prog show >"$1"; fi
EOF
runs() { # runs FILE PROGRAM: the program's runs in bpftool's JSON
	python3 -c 'import json, sys
print(sum(p.get("run_cnt", 0) for p in json.load(open(sys.argv[1])) if p.get("name") == sys.argv[2]))' "$1" "$2"
}

# watch_once TAG [unshare -m sh -c 'umount ...; exec "$0" "$@"']: the watch's stats and findings
watch_once() {
	tag=$1
	shift
	rf_detached "$tag.status" "$@" "$rf" watch --stats --format json --backend ebpf -- \
		sh work.sh "${have_stats:+$tmpdir/$tag.progs}" >"$tag.json" 2>"$tag.err" </dev/null
}

watch_once percall
grep -q "ringfence: syscalls: the exit tracepoints of the [0-9]* calls the rules need" percall.err
check_eq "$?" 0 "with tracefs: the exit tracepoints of the calls the rules need" || diag <percall.err
grep -q '"fd.name":"/etc/shadow"' percall.json
check_eq "$?" 0 "with tracefs: the read of /etc/shadow is a finding"

# No tracefs: a mount namespace of its own without it (and without debugfs, its other home).
watch_once raw unshare -m sh -c \
	'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; exec "$0" "$@"'
grep -q "ringfence: syscalls: the raw exit tracepoint, run on every syscall of the node: no syscall events in tracefs" raw.err
check_eq "$?" 0 "without tracefs: the raw exit tracepoint, and why" || diag <raw.err
grep -q '"fd.name":"/etc/shadow"' raw.json
check_eq "$?" 0 "without tracefs: the read of /etc/shadow is a finding all the same"

if [ -z "$have_stats" ]; then
	skip "program runs per getppid()" "needs bpftool and kernel.bpf_stats_enabled"
else
	one=$(runs percall.progs w_sys_exit_one)
	raw=$(runs raw.progs w_sys_exit)
	echo "# program runs: per-call tracepoints $one, raw exit $raw (100000 getppid calls)"
	[ "$one" -gt 0 ] && [ "$one" -lt 20000 ]
	check_eq "$?" 0 "per call: 100000 getppid() calls run no program ($one runs in all)"
	[ "$raw" -ge 100000 ]
	check_eq "$?" 0 "raw exit: every call runs the program ($raw runs)"
fi
done_testing
