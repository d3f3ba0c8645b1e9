#!/bin/sh
# t0610-oci-hook.sh — `ringfence oci-hook` as a runc prestart hook (oci-seccomp-bpf-hook's
# contract): recording a busybox container that runs under a permissive "marker" profile, the
# runtime's bootstrap is cut at the container's own seccomp() call. The profile written, dropped
# into the container's config.json, lets it run to completion under runc; the same profile minus
# the bootstrap-tail syscalls (made by runc init after its filter, before exec) does not. Both
# with noNewPrivileges true and false (runc installs the filter earlier when it is false).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_prog runc
require_prog python3
[ -x /bin/busybox ] || skip_all "/bin/busybox not found (install busybox-static)"
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
"$rf" -q record --backend ebpf --observation probe.obs -- true 2>probe.err ||
	skip_all "the eBPF recorder cannot run here: $(cat probe.err)"
mkdir -p bundle/rootfs/bin && cp /bin/busybox bundle/rootfs/bin/ || framework_failure "rootfs"
for l in sh ls echo cat; do ln -s busybox "bundle/rootfs/bin/$l"; done
(cd bundle && runc spec && mv config.json spec.json) || framework_failure "runc spec"

# config NNP SECCOMP-FILE|marker HOOK(yes|no) OUT
config() {
	python3 - "$@" <<'PY' || framework_failure "config.json"
import json, sys
nnp, seccomp, hook, out, rf = sys.argv[1:6]
c = json.load(open("bundle/spec.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", "echo hello; ls / >/dev/null; cat /proc/self/status >/dev/null"]
c["process"]["noNewPrivileges"] = nnp == "true"
if seccomp == "marker":
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                             "syscalls": [{"names": ["acct"], "action": "SCMP_ACT_ERRNO"}]}
else:
    c["linux"]["seccomp"] = json.load(open(seccomp))
if hook == "yes":
    c["hooks"] = {"prestart": [{"path": rf, "args": ["ringfence", "oci-hook"]}]}
    c.setdefault("annotations", {})["io.containers.trace-syscall"] = "of:" + out
json.dump(c, open("bundle/config.json", "w"), indent=1)
PY
}
n=0
run_container() { # -> stdout in run.out, status
	n=$((n + 1))
	runc run -b bundle "rf-t0610-$$-$n" >run.out 2>run.err </dev/null
	s=$?
	runc delete -f "rf-t0610-$$-$n" >/dev/null 2>&1
	return $s
}

for nnp in true false; do
	out=$tmpdir/out-$nnp.json
	config "$nnp" marker yes "$out" "$rf"
	run_container
	check_eq "$?:$(cat run.out)" "0:hello" "[nnp=$nnp] the container runs normally with the hook"
	for _ in $(seq 50); do [ -e "$out" ] && break; sleep 0.1; done
	[ -e "$out" ] && pass "[nnp=$nnp] the profile is written when the container exits" ||
		{ fail "[nnp=$nnp] the profile is written when the container exits"; cat "$out.error" 2>/dev/null | diag; continue; }
	"$rf" profile lint "$out" >lint.out 2>&1
	check_eq "$?" 0 "[nnp=$nnp] it is a valid plain OCI linux.seccomp object"
	boot=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["recording"]["bootstrap_syscalls"]))' "$out.observation.json")
	[ "$boot" -gt 5 ] && pass "[nnp=$nnp] the runtime's bootstrap is kept apart ($boot syscalls)" ||
		fail "[nnp=$nnp] the runtime's bootstrap is kept apart ($boot)"

	config "$nnp" "$out" no "" "$rf"
	run_container
	check_eq "$?:$(cat run.out)" "0:hello" "[nnp=$nnp] the recorded profile lets the container run to completion"

	# The tail: syscalls first made by runc init after its filter and never by the workload.
	python3 - "$out" "$out.observation.json" >minus.json <<'PY'
import json, sys
prof, obs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tail = {s["name"] for s in obs["syscalls"] if (s["first_comm"] or "").startswith("runc")}
for r in prof["syscalls"]:
    r["names"] = [x for x in r["names"] if x not in tail]
prof["syscalls"] = [r for r in prof["syscalls"] if r["names"]]
print(json.dumps(prof))
PY
	config "$nnp" minus.json no "" "$rf"
	run_container
	s=$?
	[ "$s" -ne 0 ] && ! grep -q hello run.out && pass "[nnp=$nnp] minus the bootstrap tail, the container cannot start (status $s)" ||
		fail "[nnp=$nnp] minus the bootstrap tail, the container cannot start"
done
done_testing
