#!/bin/sh
# t1040-watch-syscall-exits.sh — the eBPF watch meets syscalls at the exit tracepoint of each
# syscall the rules need (syscalls:sys_exit_<name>), so a call no rule names runs no program;
# where tracefs is not mounted, the same through a private mount of it; where that cannot be
# mounted either, at the raw sys_exit (every call runs the program), and the findings are the
# same. Measured with the kernel's BPF statistics: 100,000 getppid() calls
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

# The workload: 100,000 getppid() (no rule names it), a read of /etc/shadow (a finding).
cat >work.sh <<'EOF'
python3 -c 'import os
for _ in range(100000):
    os.getppid()'
cat /etc/shadow >/dev/null
# The program runs are read from outside (the watched command may lack the privilege), while
# the watch is still attached.
if [ -n "$1" ]; then
	: >"$1.ready"
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
fi
EOF
runs() { # runs FILE PROGRAM: the runs of the newest program of that name (this watch's, not
	# another watch's on the node) in bpftool's JSON
	python3 -c 'import json, sys
ps = [p for p in json.load(open(sys.argv[1])) if p.get("name") == sys.argv[2]]
print(max(ps, key=lambda p: p["id"]).get("run_cnt", 0) if ps else 0)' "$1" "$2"
}

# watch_once TAG [unshare -m sh -c 'umount ...; exec "$0" "$@"']: the watch's stats and findings
watch_once() {
	tag=$1
	shift
	if [ -n "$have_stats" ]; then
		(
			i=0
			while [ ! -e "$tmpdir/$tag.progs.ready" ] && [ "$i" -lt 1200 ]; do
				sleep 0.05
				i=$((i + 1))
			done
			bpftool -j prog show >"$tmpdir/$tag.progs.tmp"
			mv "$tmpdir/$tag.progs.tmp" "$tmpdir/$tag.progs"
		) &
	fi
	rf_detached "$tag.status" "$@" "$rf" watch --stats --format json --backend ebpf -- \
		sh work.sh "${have_stats:+$tmpdir/$tag.progs}" >"$tag.json" 2>"$tag.err" </dev/null
}

watch_once percall
grep -q "ringfence: syscalls: the exit tracepoints of the [0-9]* calls the rules need" percall.err
check_eq "$?" 0 "with tracefs: the exit tracepoints of the calls the rules need" || diag <percall.err
grep -q '"fd.name":"/etc/shadow"' percall.json
check_eq "$?" 0 "with tracefs: the read of /etc/shadow is a finding"

# Not mounted here (a container's mount namespace, usually): the ids come from a private mount
# in a child of the watch, and nothing stays mounted.
watch_once private unshare -m sh -c \
	'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
	"$0" "$@"; s=$?; grep -c " tracefs " /proc/self/mounts >mounts.left; exit $s'
grep -q "ringfence: syscalls: the exit tracepoints of the [0-9]* calls the rules need" private.err
check_eq "$?" 0 "tracefs not mounted: the exit tracepoints all the same, from a private mount" ||
	diag <private.err
check_eq "$(cat mounts.left 2>/dev/null)" 0 "tracefs not mounted: nothing is left mounted"

# Not mounted, and no CAP_SYS_ADMIN to mount it: the raw exit, which sees every call.
if command -v setpriv >/dev/null; then
	watch_once raw unshare -m sh -c \
		'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
		exec setpriv --bounding-set -sys_admin --inh-caps -sys_admin "$0" "$@"'
	grep -q "ringfence: syscalls: the raw exit tracepoint, run on every syscall of the node: no syscall events in tracefs" raw.err
	check_eq "$?" 0 "no tracefs and no CAP_SYS_ADMIN: the raw exit tracepoint, and why" || diag <raw.err
	grep -q '"fd.name":"/etc/shadow"' raw.json
	check_eq "$?" 0 "no tracefs and no CAP_SYS_ADMIN: the read of /etc/shadow is a finding all the same"
else
	skip "the raw exit" "no setpriv to drop CAP_SYS_ADMIN"
fi

if [ -z "$have_stats" ]; then
	skip "program runs per getppid()" "needs bpftool and kernel.bpf_stats_enabled"
else
	one=$(runs percall.progs w_sys_exit_one)
	raw=$( [ -s raw.progs ] && runs raw.progs w_sys_exit || echo 0)
	echo "# program runs: per-call tracepoints $one, raw exit $raw (100000 getppid calls)"
	[ "$one" -gt 0 ] && [ "$one" -lt 50000 ] # other processes' opens count too
	check_eq "$?" 0 "per call: 100000 getppid() calls run no program ($one runs in all)"
	[ "$raw" -ge 100000 ]
	check_eq "$?" 0 "raw exit: every call runs the program ($raw runs)"
fi
done_testing
