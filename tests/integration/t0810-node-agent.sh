#!/bin/sh
# t0810-node-agent.sh — `ringfence node agent` on a directory updated exactly the way the kubelet
# updates a mounted ConfigMap (AtomicWriter: a new timestamped directory, a `..data_tmp` symlink
# renamed over `..data`, key symlinks added/removed, the old directory removed). The agent must
# converge after each swap (the latency is printed; its 1 s target is measured by
# bench/node-agent.sh, not asserted here, where a loaded CI machine would make it flaky), keep
# the node as it was on a bad update and recover on the next good one, repair drift on resync,
# stop cleanly on SIGTERM and fail when the watched directory goes away.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
data=$RF_SRC/tests/data/profiles/valid
cd "$tmpdir" || framework_failure "cd"
root=$tmpdir/kubelet
dir=$root/seccomp/ringfence
src=$tmpdir/cm
mkdir -p "$src" v "$root"

# Profile variants: v/base.json and v/<tag>.json (base + one ERRNO rule naming the tag).
cp "$data/oci-bare.json" v/base.json
variant() {
	python3 -c 'import json,sys; p=json.load(open("v/base.json")); p["syscalls"].append({"names":[sys.argv[1]],"action":"SCMP_ACT_ERRNO"}); json.dump(p,open("v/"+sys.argv[1]+".json","w"))' "$1"
}
variant uname; variant sync; variant acct

# swap TAG KEY=FILE...: one AtomicWriter update of the ConfigMap to exactly these keys.
gen=0
swap() {
	gen=$((gen + 1))
	new="..2026_11_24_00_00_0$gen.00000000$gen"
	mkdir "$src/$new"
	for kv in "$@"; do
		cp "${kv#*=}" "$src/$new/${kv%%=*}"
	done
	old=$(readlink "$src/..data" 2>/dev/null)
	ln -s "$new" "$src/..data_tmp"
	mv -T "$src/..data_tmp" "$src/..data"
	date +%s.%N >swap-at # the moment the update is visible: convergence is timed from here
	for kv in "$@"; do
		[ -L "$src/${kv%%=*}" ] || ln -s "..data/${kv%%=*}" "$src/${kv%%=*}"
	done
	for l in "$src"/*; do
		[ -e "$l" ] || rm -f "$l" # dangling: a key that left the ConfigMap
	done
	[ -n "$old" ] && rm -rf "${src:?}/$old"
	return 0
}

# wait_for CONDITION-COMMAND: polls every 10 ms for up to 10 s; prints the milliseconds from the
# last swap's rename (or from the call, when there was none since) to the condition holding.
wait_for() {
	python3 - "$@" <<'PY'
import os, subprocess, sys, time
t0 = time.time()
if os.path.exists("swap-at"):
    t0 = float(open("swap-at").read()); os.unlink("swap-at")
while time.time() - t0 < 10:
    if subprocess.call(sys.argv[1:], shell=False) == 0:
        print(int((time.time() - t0) * 1000)); sys.exit(0)
    time.sleep(0.01)
print("timeout"); sys.exit(1)
PY
}
same() { cmp -s "$1" "$2"; }
profile_has() { grep -q "\"$2\"" "$dir/$1" 2>/dev/null; }

swap nginx.json=v/uname.json
"$rf" node agent --json --root "$root" --source "$src" --resync 2 >agent.log 2>agent.err &
agent=$!
ms=$(wait_for sh -c "grep -q '\"uname\"' '$dir/nginx.json' 2>/dev/null")
[ "$ms" != timeout ] && pass "the agent installs the ConfigMap's profiles at start (${ms} ms)" ||
	{ fail "the agent installs at start"; diag <agent.err; }

# A swap that changes a key and adds one.
swap nginx.json=v/sync.json web.json=v/acct.json
ms=$(wait_for sh -c "grep -q '\"sync\"' '$dir/nginx.json' && grep -q '\"acct\"' '$dir/web.json'")
if [ "$ms" != timeout ]; then
	pass "a ..data swap (changed + new key) converges (${ms} ms)"
else
	fail "a ..data swap converges (${ms})"
	diag <agent.err
fi
grep -q '"event":"updated".*"localhost_profile":"ringfence/nginx.json"' agent.log &&
	grep -q '"event":"created".*"localhost_profile":"ringfence/web.json"' agent.log &&
	pass "each change is logged as a JSON line" || { fail "each change is logged"; diag <agent.log; }

# A key that leaves the ConfigMap is pruned.
swap nginx.json=v/sync.json
ms=$(wait_for sh -c "[ ! -e '$dir/web.json' ]")
if [ "$ms" != timeout ]; then
	pass "a key removed from the ConfigMap is pruned (${ms} ms)"
else
	fail "a removed key is pruned (${ms})"
fi

# A bad update: logged, node unchanged, agent alive; the next good update converges.
cp "$dir/nginx.json" before.json
printf '{"defaultAction": "SCMP_ACT_BOGUS"}' >v/bad.json
swap nginx.json=v/bad.json other.json=v/acct.json
ms=$(wait_for grep -q '"event":"sync_failed"' agent.log)
[ "$ms" != timeout ] && pass "a bad update is logged as sync_failed (${ms} ms)" ||
	{ fail "a bad update is logged"; diag <agent.log; }
sleep 0.3
same before.json "$dir/nginx.json" && [ ! -e "$dir/other.json" ] &&
	pass "... and the node keeps its profiles (the valid new key is not installed either)" ||
	fail "... the node keeps its profiles"
kill -0 $agent 2>/dev/null && pass "... and the agent keeps running" || fail "... the agent keeps running"
swap nginx.json=v/uname.json other.json=v/acct.json
ms=$(wait_for sh -c "grep -q '\"uname\"' '$dir/nginx.json' && [ -e '$dir/other.json' ]")
[ "$ms" != timeout ] && pass "the next good update converges (${ms} ms)" ||
	fail "the next good update converges (${ms})"

# Drift: someone deletes an installed profile; the periodic resync (2 s here) restores it.
rm -f swap-at "$dir/other.json"
ms=$(wait_for sh -c "[ -e '$dir/other.json' ]")
[ "$ms" != timeout ] && pass "a deleted profile is restored by the resync (${ms} ms)" ||
	fail "a deleted profile is restored by the resync"

# SIGTERM: a clean stop.
kill -TERM $agent
wait $agent
check_eq "$?" 0 "SIGTERM stops the agent with status 0"

# The watched directory going away is unrecoverable: exit 1 with a reason.
mkdir gone
"$rf" node agent --root "$root" --prefix other --source "$tmpdir/gone" >/dev/null 2>gone.err &
agent=$!
sleep 0.5
rmdir gone
python3 -c 'import time,os,sys
for _ in range(300):
    try: os.kill(int(sys.argv[1]), 0)
    except ProcessLookupError: sys.exit(0)
    time.sleep(0.01)
sys.exit(1)' $agent
gone_in_time=$?
wait $agent
check_eq "$?:$gone_in_time:$(grep -c "went away" gone.err)" "1:0:1" "the agent exits 1 when the watched directory goes away"

# An input file the agent may not read is a bad update, not the end of the agent (as nobody).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	mkdir -p nb/kubelet nb/cm && cp v/base.json nb/cm/a.json && cp v/base.json nb/cm/b.json &&
		chmod 000 nb/cm/b.json && chown -R 65534:65534 nb/kubelet && chmod 755 "$tmpdir" nb ||
		framework_failure "nobody setup"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$rf" node agent --root nb/kubelet \
		--source nb/cm --resync 1 >/dev/null 2>nb.err &
	agent=$!
	ms=$(wait_for grep -q 'sync failed:.*b.json.*Permission denied' nb.err)
	sleep 0.3
	kill -0 $agent 2>/dev/null && [ "$ms" != timeout ] &&
		pass "an unreadable input file is logged as a failed sync and the agent keeps running" ||
		{ fail "an unreadable input file is logged and the agent keeps running"; diag <nb.err; }
	chmod 644 nb/cm/b.json
	ms=$(wait_for sh -c "[ -e nb/kubelet/seccomp/ringfence/b.json ]")
	[ "$ms" != timeout ] && pass "... and converges once the file is readable (${ms} ms)" ||
		fail "... and converges once the file is readable"
	kill -TERM $agent
	wait $agent
else
	skip "unreadable input as nobody" "needs root and setpriv"
	skip "unreadable input as nobody" "needs root and setpriv"
fi

"$rf" node agent --root "$root" >/dev/null 2>err
check_eq "$?:$(grep -c 'agent needs --source' err)" "2:1" "agent without --source is a usage error"
"$rf" node agent --root "$root" --source "$tmpdir/nope" >/dev/null 2>err
check_eq "$?:$(grep -c "cannot watch" err)" "1:1" "a missing source directory is a clear error"
done_testing
