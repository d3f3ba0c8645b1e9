#!/bin/sh
# t0820-deploy.sh — deploy/: the ConfigMap is generated from deploy/profiles, the manifests fail
# `ringfence audit --level restricted` with exactly the four documented exceptions (and the agent
# container with none), every Localhost profile they reference is in the ConfigMap, and the
# agent's recorded seccomp profile runs the agent through its whole scenario under runc.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
deploy=$RF_SRC/deploy
cd "$tmpdir" || framework_failure "cd"

python3 "$RF_SRC/scripts/deploy-configmap.py" --check 2>err
check_eq "$?" 0 "deploy/configmap.yaml is generated from deploy/profiles (scripts/deploy-configmap.py)"
[ -s err ] && diag <err

"$rf" profile lint "$deploy"/profiles/* >lint.out 2>&1
check_eq "$?" 0 "every profile in deploy/profiles lints clean"

"$rf" audit --json --level restricted "$deploy"/*.yaml >audit.json 2>audit.err
status=$?
check_eq "$status:$(python3 - <<'PY'
import json
a = json.load(open("audit.json"))
got = sorted((v["check"], s.get("container") or "-")
             for w in a["workloads"] for v in w["violations"] for s in v["sites"])
print(got)
PY
)" "1:[('capabilities_restricted', 'install-own-profile'), ('restrictedVolumes', '-'), ('runAsNonRoot', 'install-own-profile'), ('runAsUser', 'install-own-profile')]" \
	"restricted audit: exactly the documented exceptions (hostPath; root+CHOWN in the init container), none for the agent"
[ -s audit.err ] && diag <audit.err

# What the DaemonSet references is what the ConfigMap ships, once installed on a node.
mkdir cm
python3 - "$deploy/configmap.yaml" <<'PY' || framework_failure "configmap"
import sys
# The generated file is one literal block per key; read it back without a YAML library.
key = None
out = {}
for line in open(sys.argv[1]).read().split("\n"):
    if line.startswith('  "') and line.endswith('": |'):
        key = line[3:-4]; out[key] = []
    elif key is not None and (line.startswith("    ") or line == ""):
        out[key].append(line[4:])
for k, v in out.items():
    open("cm/" + k, "w").write("\n".join(v).rstrip("\n") + "\n")
PY
mkdir "$tmpdir/kubelet"
"$rf" node install --root "$tmpdir/kubelet" cm >install.out 2>install.err
check_eq "$?" 0 "the ConfigMap's profiles install on a node"
[ -s install.err ] && diag <install.err
"$rf" node status --root "$tmpdir/kubelet" --check-manifests "$deploy/daemonset.yaml" >status.out 2>&1
check_eq "$?" 0 "every Localhost profile the DaemonSet references is then present (node status --check-manifests)"
grep -q 'ringfence/ringfence-node-agent.json' status.out || { fail "... the agent's profile is among them"; diag <status.out; }

# deploy/watch: the watch DaemonSet's exceptions are exactly the documented ones, its rules
# ConfigMap compiles after the default rules, and its arguments are ones `watch` accepts.
"$rf" audit --json --level restricted "$deploy/watch/daemonset.yaml" >watch-audit.json 2>&1
check_eq "$(python3 - <<'PY'
import json
a = json.load(open("watch-audit.json"))
print(sorted((v["check"], s.get("container") or "-")
             for w in a["workloads"] for v in w["violations"] for s in v["sites"]))
PY
)" "[('capabilities_restricted', 'watch'), ('capabilities_restricted', 'watch'), ('capabilities_restricted', 'watch'), ('capabilities_restricted', 'watch'), ('capabilities_restricted', 'watch'), ('hostNamespaces', '-'), ('runAsNonRoot', 'watch'), ('runAsUser', 'watch')]" \
	"the watch DaemonSet fails restricted only where documented (hostPID, root, 5 added capabilities)"
python3 - "$deploy/watch/rules-configmap.yaml" "$deploy/watch/daemonset.yaml" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
i = text.index("  local.yaml: |\n")
open("local.yaml", "w").write("\n".join(l[4:] for l in text[i:].split("\n")[1:]))
args = None
for line in open(sys.argv[2]):
    if line.strip().startswith("args: [watch"):
        args = [a.strip() for a in line.split("[", 1)[1].rsplit("]", 1)[0].split(",")]
        break
open("watch-args", "w").write("\n".join(args[1:]) + "\n")
PY
"$rf" watch --list-rules --rules local.yaml >watch-rules.out 2>&1
check_eq "$?" 0 "the rules ConfigMap compiles after the default rules"
grep -q 'Read of the seccomp profiles on the node' watch-rules.out
check_eq "$?" 0 "... and its own rule is loaded"
# The DaemonSet's arguments, with --all (root, the whole node) swapped for a short command.
set -- $(sed 's|^/rules/local.yaml$|local.yaml|; /^--all$/d' watch-args)
"$rf" watch --backend ptrace "$@" -- true >watch-run.out 2>&1
check_eq "$?" 0 "the DaemonSet's watch arguments are accepted ($*)"

# ... and the capabilities it adds are enough: the whole-node eBPF watch, root with only them.
caps=$(sed -n 's/^ *add: \[\(.*\)\]$/\1/p' "$deploy/watch/daemonset.yaml" | tr -d ' ' | tr 'A-Z' 'a-z' |
	sed 's/^/+/; s/,/,+/g')
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null ||
	! "$rf" -q watch --backend ebpf -- true 2>/dev/null; then
	skip "the watch DaemonSet's capabilities suffice" "needs root, setpriv and eBPF"
else
	# A private /var/lib (a tmpfs in a mount namespace) for the trigger; only the watcher is
	# confined to the DaemonSet's capabilities.
	unshare -m sh -c '
		mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/kubelet/seccomp || exit 1
		setpriv --bounding-set "-all,$3" --inh-caps -all -- \
			"$1" watch --all --rules "$2" --format json >capwatch.json 2>capwatch.err &
		w=$!
		i=0; until grep -q "watching the whole node" capwatch.err || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done
		echo "{}" >/var/lib/kubelet/seccomp/x.json || exit 1
		# The programs are attached once that line shows; still read until the finding
		# shows (its delivery on a busy machine may take seconds), at most 30 s.
		i=0; until grep -q SecurityProfileRead capwatch.json || [ $i -ge 60 ]; do
			cat /var/lib/kubelet/seccomp/x.json >/dev/null; sleep 0.5; i=$((i+1)); done
		kill -INT $w; wait $w' sh "$rf" local.yaml "$caps"
	grep -q 'SecurityProfileRead' capwatch.json
	check_eq "$?" 0 "the watch DaemonSet's capabilities ($caps) suffice for the whole-node eBPF watch"
	diag <capwatch.err
fi

if [ "$(id -u)" -ne 0 ] || ! command -v runc >/dev/null 2>&1; then
	skip "the agent runs under its recorded profile in runc" "needs root and runc"
elif ldd "$rf" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	# The sanitizer runtimes make their own syscalls (sigaltstack, readlink, ...): the profile
	# is recorded for, and judged against, the release binary (the normal lane runs this).
	skip "the agent runs under its recorded profile in runc" "sanitizer build: the profile is for the release binary"
else
	RF_BIN=$rf sh "$deploy/agent-in-runc.sh" verify "$deploy/profiles/ringfence-node-agent.json" >verify.out 2>&1
	check_eq "$?" 0 "the agent runs its whole scenario (swaps, 300 KB profile, bad update, resync, SIGTERM) under its recorded profile in runc"
	diag <verify.out
	# The profile is needed: without one syscall the agent uses (inotify_add_watch), it fails.
	python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["syscalls"][0]["names"].remove("inotify_add_watch"); json.dump(p,open("minus.json","w"))' \
		"$deploy/profiles/ringfence-node-agent.json"
	RF_BIN=$rf sh "$deploy/agent-in-runc.sh" verify "$tmpdir/minus.json" >minus.out 2>&1
	[ $? -ne 0 ] && pass "... and the same profile minus inotify_add_watch does not (the profile is enforced)" ||
		{ fail "... minus inotify_add_watch, the agent fails"; diag <minus.out; }
fi
done_testing
