#!/bin/sh
# t0300-run-vs-runc.sh — for the same seccomp profiles, runc and `ringfence run` allow and deny the
# same probe syscalls, with the same errno, and die of the same signal.
#
# Each case runs the probe (tests/helpers/probe.c) with one list of syscall names twice: the static
# probe as the process of a runc container whose config.json carries the profile as linux.seccomp,
# and the dynamic probe on the host under `ringfence run --seccomp PROFILE --no-new-privs`. The
# answer lines and exit statuses must be identical. The container gets the capabilities this
# script holds (its bounding set), so that host and container answer alike; the unconfined case
# checks that parity without any filter, so an environment difference is not mistaken for a
# seccomp one.
#
# Cases: every tests/data/profiles/crosscheck/*.json (bare OCI linux.seccomp objects), plus the
# one-line run_case calls at the end. Known runc behaviours the profiles have to live with:
#  - runc (1.1) loads the filter in runc init just before execve when noNewPrivileges is true, and
#    still needs close, openat, fstatfs, getdents64 (closing fds via /proc/self/fd), write (the
#    exec fifo) and execve after it; the Go runtime may need futex, rt_sigreturn, nanosleep, ...
#    Without write runc says only "cannot start an already running container".
#  - runc answers ENOSYS, not defaultErrnoRet, for syscalls numbered above the highest one the
#    profile names (libcontainer/seccomp/patchbpf), when the default action denies. ringfence
#    run copies that stub (lib/seccomp/enosys.c); 07-enosys-stub checks it on purpose, the other
#    allow-lists name futex_waitv (449) so the stub never touches their probe names.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
require_prog runc
require_prog python3
[ -x /bin/busybox ] || skip_all "/bin/busybox not found (install busybox-static)"
if [ -z "$RF_PROBE_STATIC" ] || ! [ -x "$RF_PROBE_STATIC" ]; then
	skip_all "no statically linked probe (RF_PROBE_STATIC is empty: static linking unavailable)"
fi
[ -x "$RF_PROBE" ] || framework_failure "probe not built: $RF_PROBE"
[ -x "$RF_BIN" ] || framework_failure "ringfence not built: $RF_BIN"

profiles=$RF_SRC/tests/data/profiles/crosscheck
# The names every case probes. reboot stays last: 05-kill-last kills the probe there. socket:vsock
# is left out: where AF_VSOCK is a module, probing it makes the kernel load the module.
NAMES="getpid getppid gettid getuid getcwd uname sched_yield getrandom getpriority prlimit64
nanosleep prctl seccomp kill tgkill adjtimex memfd_create pidfd_open process_vm_readv
chdir chroot open openat mkdirat mknodat unlinkat mount umount2 pivot_root open_tree fsopen
mount_setattr acct swapon clock_settime sethostname setdomainname setns unshare unshare:newuts
unshare:newuser clone clone:newuser clone:newns clone:newpid clone3 fork ptrace personality
personality:0x0 personality:0x8 socket socket:unix socket:netlink socket:inet6 socket:bogus
ioctl ioctl:tiocsti keyctl request_key bpf perf_event_open syslog io_uring_setup io_uring_enter
userfaultfd modify_ldt iopl ioperm kexec_load init_module delete_module reboot"

mk_tmpdir
# shellcheck disable=SC3045 # dash, bash and busybox sh all have ulimit -c
ulimit -c 0 2>/dev/null || : # 05-kill-last makes the probe dump core otherwise
bundle=$tmpdir/bundle
mkdir -p "$bundle/rootfs/bin" || framework_failure "cannot create the bundle"
if ! { cp /bin/busybox "$bundle/rootfs/bin/busybox" && ln -s busybox "$bundle/rootfs/bin/sh" &&
	cp "$RF_PROBE_STATIC" "$bundle/rootfs/probe"; }; then
	framework_failure "cannot fill the rootfs"
fi
(cd "$bundle" && runc spec && mv config.json spec.json) || framework_failure "runc spec failed"

# config.json for one case: spec.json + process.args + linux.seccomp (PROFILE, or none for "-")
# + capabilities (CAPS: "full" = our bounding set, "default" = runc spec's).
write_config() { # PROFILE CAPS ARG...
	python3 - "$bundle/spec.json" "$@" >"$bundle/config.json" <<'EOF' ||
import ctypes, ctypes.util, json, sys

def bounding_set():
    lib = ctypes.CDLL(ctypes.util.find_library("cap") or "libcap.so.2")
    lib.cap_to_name.restype = ctypes.c_void_p
    lib.cap_free.argtypes = [ctypes.c_void_p]
    with open("/proc/self/status") as f:
        bnd = int([l.split()[1] for l in f if l.startswith("CapBnd:")][0], 16)
    names = []
    for i in range(64):
        if bnd >> i & 1:
            p = lib.cap_to_name(i)
            names.append(ctypes.string_at(p).decode().upper())
            lib.cap_free(p)
    return names

spec, profile, caps, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(spec) as f:
    c = json.load(f)
p = c["process"]
p.update(args=args, terminal=False, noNewPrivileges=True)
p.setdefault("rlimits", []).append({"type": "RLIMIT_CORE", "hard": 0, "soft": 0})
if caps == "full":
    full = bounding_set()
    for k in ("bounding", "effective", "permitted"):
        p["capabilities"][k] = full
c["root"]["readonly"] = True
if profile != "-":
    with open(profile) as f:
        c["linux"]["seccomp"] = json.load(f)
json.dump(c, sys.stdout, indent=2)
EOF
		framework_failure "cannot write config.json"
}

case_no=0

# run_case ID RF_PROFILE RUNC_PROFILE CAPS TODO [RINGFENCE-OPTION...]
#   RF_PROFILE: what `ringfence run --seccomp` gets (file, built-in name or "unconfined").
#   RUNC_PROFILE: a bare OCI seccomp file for linux.seccomp, or "-" for none.
#   CAPS: full | default (runc spec's three; pass matching --cap-drop/--cap-add options then).
#   TODO: empty, or the reason the two are known to differ (reported, not counted as a failure).
run_case() {
	id=$1 rf_profile=$2 runc_profile=$3 caps=$4 todo_reason=$5
	shift 5
	case_no=$((case_no + 1))
	out=$tmpdir/$id
	cid=rf-t0300-$$-$case_no

	# shellcheck disable=SC2086 # one argument per name
	write_config "$runc_profile" "$caps" /probe $NAMES
	runc run -b "$bundle" "$cid" >"$out.runc" 2>"$out.runc.err" </dev/null
	runc_status=$?
	runc delete -f "$cid" >/dev/null 2>&1

	# shellcheck disable=SC2086
	(cd "$tmpdir" && "$RF_BIN" run --seccomp "$rf_profile" --no-new-privs "$@" -- \
		"$RF_PROBE" $NAMES) >"$out.rf" 2>"$out.rf.err" </dev/null
	rf_status=$?

	msg="$id: runc and ringfence run agree"
	if grep -q 'runc run failed\|unable to start container' "$out.runc.err"; then
		fail "$msg (runc could not start the container under this profile: a test" \
			"bug, the profile must allow what runc init needs after loading it)"
		diag <"$out.runc.err"
		return
	fi
	if [ "$rf_status" -ge 125 ] && [ "$rf_status" -le 127 ] && ! [ -s "$out.rf" ]; then
		fail "$msg (ringfence run failed before the probe ran: status $rf_status)"
		diag <"$out.rf.err"
		return
	fi
	if [ "$runc_status" -eq "$rf_status" ] && cmp -s "$out.runc" "$out.rf"; then
		result=0
	else
		result=1
	fi
	if [ -n "$todo_reason" ]; then
		todo "$result" "$msg" "$todo_reason"
	elif [ "$result" -eq 0 ]; then
		pass "$msg"
	else
		fail "$msg"
	fi
	if [ "$result" -ne 0 ]; then
		diag "exit status: runc $runc_status, ringfence run $rf_status"
		diag "--- runc, +++ ringfence run --seccomp $rf_profile:"
		diff -u "$out.runc" "$out.rf" | tail -n +3 | diag
		[ -s "$out.rf.err" ] && diag "ringfence stderr:" && diag <"$out.rf.err"
	fi
}

# Why a crosscheck profile is known to differ (empty: it must not).
known_difference() {
	case $1 in
	__none__) echo "example: the reason a case is known to differ" ;;
	esac
}

run_case unconfined unconfined - full ""
run_case unconfined-default-caps unconfined - default "" \
	--cap-drop ALL --cap-add AUDIT_WRITE,KILL,NET_BIND_SERVICE
for f in "$profiles"/*.json; do
	[ -e "$f" ] || framework_failure "no profiles in $profiles"
	id=$(basename "$f" .json)
	run_case "$id" "$f" "$f" full "$(known_difference "$id")"
done
# runtime/default: Docker's pipeline, where dockerd resolves the moby profile for the
# container's capabilities and runc applies the plain OCI result. The runc twin is what
# `ringfence profile show` resolves for the same capability set.
"$RF_BIN" profile show runtime/default >"$tmpdir/rd-full.json" ||
	framework_failure "profile show runtime/default failed"
"$RF_BIN" profile show --caps AUDIT_WRITE,KILL,NET_BIND_SERVICE runtime/default \
	>"$tmpdir/rd-default.json" || framework_failure "profile show runtime/default failed"
run_case runtime-default-full-caps runtime/default "$tmpdir/rd-full.json" full ""
run_case runtime-default-default-caps runtime/default "$tmpdir/rd-default.json" default "" \
	--cap-drop ALL --cap-add AUDIT_WRITE,KILL,NET_BIND_SERVICE

done_testing
