#!/bin/sh
# deploy/agent-in-runc.sh — runs `ringfence node agent` the way deploy/daemonset.yaml runs it
# (uid 65532, no capabilities, noNewPrivileges, read-only root, the ConfigMap mounted at
# /profiles, the kubelet's seccomp/ringfence directory mounted read-write), in a runc container,
# and drives it through ConfigMap updates: a changed key, a new key, a removed key, a bad update,
# a good one, drift repaired by the resync, then SIGTERM.
#
#   deploy/agent-in-runc.sh record OUT.json   record the agent's seccomp profile (eBPF, through
#                                             `ringfence oci-hook`: the runtime's bootstrap is cut)
#   deploy/agent-in-runc.sh verify PROFILE    run the same scenario enforcing PROFILE; exit 0 only
#                                             when the agent converged every time and exited 0
#
# Needs root, runc, python3 and a built ringfence (RF_BIN, default build/cli/ringfence).
set -eu
mode=${1:?usage: $0 record OUT.json | verify PROFILE}
arg=$(realpath -m "${2:?usage: $0 record OUT.json | verify PROFILE}")
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
rf=$(realpath "${RF_BIN:-$top/build/cli/ringfence}")
work=$(mktemp -d "${TMPDIR:-/tmp}/rf-agent-runc.XXXXXX")
id="rf-agent-$$"
trap 'runc delete -f "$id" >/dev/null 2>&1 || :; rm -rf "$work"' EXIT
cd "$work"

# The root filesystem: the ringfence binary and the shared libraries it loads, nothing else.
mkdir -p rootfs/usr/bin rootfs/profiles rootfs/var/lib/kubelet/seccomp/ringfence rootfs/proc \
	rootfs/dev rootfs/tmp
cp "$rf" rootfs/usr/bin/ringfence
ldd "$rf" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
	mkdir -p "rootfs$(dirname "$lib")"
	cp -L "$lib" "rootfs$lib"
done
mkdir -p cm node "$(dirname "$arg")"
chown 65532:65532 node
(cd . && runc spec >/dev/null 2>&1 && mv config.json spec.json)

# seccomp: "marker" (a permissive profile whose seccomp() call marks the bootstrap cut) or a file.
python3 - "$mode" "$arg" "$rf" "$work" <<'PY'
import json, sys
mode, arg, rf, work = sys.argv[1:]
c = json.load(open("spec.json"))
p = c["process"]
p["terminal"] = False
p["args"] = ["/usr/bin/ringfence", "node", "agent", "--source", "/profiles", "--root",
             "/var/lib/kubelet", "--resync", "1", "--json"]
p["user"] = {"uid": 65532, "gid": 65532}
p["noNewPrivileges"] = True
p["capabilities"] = {k: [] for k in ("bounding", "effective", "inheritable", "permitted", "ambient")}
p["env"] = ["PATH=/usr/bin"]
c["root"]["readonly"] = True
c["mounts"] += [
    {"destination": "/profiles", "type": "bind", "source": work + "/cm", "options": ["rbind", "ro"]},
    {"destination": "/var/lib/kubelet/seccomp/ringfence", "type": "bind", "source": work + "/node",
     "options": ["rbind", "rw"]},
]
if mode == "record":
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                             "syscalls": [{"names": ["acct"], "action": "SCMP_ACT_ERRNO"}]}
    c["hooks"] = {"prestart": [{"path": rf, "args": ["ringfence", "oci-hook"]}]}
    c.setdefault("annotations", {})["io.containers.trace-syscall"] = "of:" + arg
else:
    c["linux"]["seccomp"] = json.load(open(arg))
json.dump(c, open("config.json", "w"), indent=1)
PY

cp "$top/tests/data/profiles/valid/oci-bare.json" base.json
variant() { # NAME: base + one ERRNO rule naming NAME
	python3 -c 'import json,sys; p=json.load(open("base.json")); p["syscalls"].append({"names":[sys.argv[1]],"action":"SCMP_ACT_ERRNO"}); json.dump(p,open(sys.argv[1]+".json","w"))' "$1"
}
variant uname; variant sync; variant acct
# A profile of ~300 KB: reading it grows buffers past malloc's mmap threshold (mremap, munmap).
python3 -c 'import json; json.dump(json.load(open("uname.json")), open("big.json", "w"), indent=6000)'
printf '{"defaultAction": "SCMP_ACT_BOGUS"}' >bad.json

gen=0
swap() { # KEY=FILE...: one kubelet AtomicWriter update of the ConfigMap to exactly these keys
	gen=$((gen + 1))
	new="..2026_01_01_00_00_0$gen.000$gen"
	mkdir "cm/$new"
	for kv in "$@"; do cp "${kv#*=}" "cm/$new/${kv%%=*}"; done
	old=$(readlink cm/..data 2>/dev/null || :)
	ln -s "$new" cm/..data_tmp
	mv -T cm/..data_tmp cm/..data
	for kv in "$@"; do [ -L "cm/${kv%%=*}" ] || ln -s "..data/${kv%%=*}" "cm/${kv%%=*}"; done
	for l in cm/*; do [ -e "$l" ] || rm -f "$l"; done
	[ -z "$old" ] || rm -rf "cm/$old"
}
expect() { # WHAT CONDITION...: wait up to 3 s, else fail the run
	what=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			echo "agent-in-runc: FAILED: $what" >&2
			sed 's/^/agent-in-runc: agent stderr: /' agent.err >&2
			exit 1
		fi
		sleep 0.01
	done
	echo "agent-in-runc: ok: $what" >&2
}
has() { grep -q "\"$2\"" "node/$1" 2>/dev/null; }

swap nginx.json=uname.json
runc run -b . "$id" >agent.log 2>agent.err </dev/null &
runc_pid=$!
expect "initial sync" has nginx.json uname
swap nginx.json=sync.json web.json=acct.json
expect "changed and new key" sh -c 'grep -q "\"sync\"" node/nginx.json && grep -q "\"acct\"" node/web.json'
swap nginx.json=sync.json
expect "removed key pruned" sh -c '[ ! -e node/web.json ]'
swap nginx.json=sync.json big.json=big.json
expect "a 300 KB profile" sh -c '[ -e node/big.json ]'
swap nginx.json=bad.json other.json=acct.json
expect "bad update logged" grep -q sync_failed agent.log
swap nginx.json=uname.json other.json=acct.json
expect "recovery" sh -c 'grep -q "\"uname\"" node/nginx.json && [ -e node/other.json ]'
rm node/other.json
expect "drift repaired by resync" sh -c '[ -e node/other.json ]'
runc kill "$id" TERM
status=0
wait "$runc_pid" || status=$?
if [ "$status" -ne 0 ]; then
	echo "agent-in-runc: FAILED: agent exit status $status" >&2
	sed 's/^/agent-in-runc: agent stderr: /' agent.err >&2
	exit 1
fi
if [ "$mode" = record ]; then
	for _ in $(seq 100); do [ -e "$arg" ] && break; sleep 0.1; done
	[ -e "$arg" ] || { echo "agent-in-runc: the hook wrote no profile" >&2; exit 1; }
	echo "agent-in-runc: recorded $arg" >&2
else
	echo "agent-in-runc: the agent ran the whole scenario under $arg and exited 0" >&2
fi
