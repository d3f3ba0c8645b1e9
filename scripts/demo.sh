#!/bin/sh
# The end-to-end demo behind `make demo`: a program allowed, then syscalls denied, under real
# seccomp filters on this kernel. Usage: scripts/demo.sh PATH-TO-RINGFENCE
set -u
rf=${1:-build/cli/ringfence}
src=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringfence-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
sh_busybox=$(command -v busybox || echo /bin/busybox)

"$rf" --version

step "1. runtime/default (Docker's default semantics): an ordinary program runs" \
	"ringfence run --seccomp runtime/default -- busybox sh -c 'echo hello; uname -s'"
"$rf" run --seccomp runtime/default -- "$sh_busybox" sh -c 'echo hello from a confined shell; uname -s'
echo "exit status: $?"

step "2. the same profile without CAP_SYS_ADMIN denies unshare(CLONE_NEWUSER)" \
	"ringfence run --seccomp runtime/default --cap-drop SYS_ADMIN --no-new-privs -- unshare -U true"
"$rf" run --seccomp runtime/default --cap-drop SYS_ADMIN --no-new-privs -- unshare -U true
echo "exit status: $? (unshare was refused by the filter with EPERM)"

cat >"$tmp/deny-uname.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
  ]
}
JSON
step "3. a custom OCI profile: uname(2) fails with EACCES (errnoRet 13)" \
	"ringfence run --seccomp deny-uname.json -- uname -s"
cat "$tmp/deny-uname.json"
"$rf" run --seccomp "$tmp/deny-uname.json" -- uname -s
echo "exit status: $?"

step "4. complain mode: the same profile lets uname through and reports it" \
	"ringfence run --seccomp deny-uname.json --complain --report report.json -- uname -s"
"$rf" run --seccomp "$tmp/deny-uname.json" --complain --report "$tmp/report.json" -- uname -s
grep -E '"(syscall|action|errno|count|first_exe)"' "$tmp/report.json"

cat >"$tmp/broken.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["read", "wirte"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["kill"], "action": "SCMP_ACT_KILL", "errnoRet": 1 }
  ]
}
JSON
step "5. lint finds mistakes with file:line, and run refuses a broken profile (exit 125)" \
	"ringfence profile lint broken.json; ringfence run --seccomp broken.json -- true"
"$rf" profile lint "$tmp/broken.json"
"$rf" run --seccomp "$tmp/broken.json" -- true
echo "exit status: $? (the command never ran unconfined)"
mkdir -p "$tmp/kubelet"
step "6. ship it to a node: install into the kubelet's seccomp directory, then check a pod" \
	"ringfence node install --root KUBELET deny-uname.json; ringfence node status --check-manifests pod.yaml"
"$rf" node install --root "$tmp/kubelet" "$tmp/deny-uname.json"
cat >"$tmp/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  securityContext:
    seccompProfile: {type: Localhost, localhostProfile: ringfence/deny-uname.json}
  containers:
  - name: app
    image: nginx
    securityContext:
      seccompProfile: {type: Localhost, localhostProfile: ringfence/missing.json}
YAML
"$rf" node status --root "$tmp/kubelet" --check-manifests "$tmp/pod.yaml" >"$tmp/status.out"
status=$?
tail -n 3 "$tmp/status.out"
echo "exit status: $status (the container's profile is not on this node)"
echo
echo "More: ringfence --help, ringfence run --help, ringfence profile --help, man docs/ringfence.1"
: "$src"
