#!/bin/sh
# t1000-watch-selftest.sh — `ringfence watch --selftest` performs every default rule's behaviour
# for real and watches it: with the ptrace backend everywhere, with the eBPF backend where it
# loads (root, BTF). It must exit 0 (nothing missed, no near miss fired, no stray finding), cover
# every default rule, leave nothing behind (throwaway dir, host files, the fake container
# cgroup), and, run as nobody, skip the container behaviours saying why. It runs detached from
# make and meson (rf_detached): rules exempt build tools' descendants.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"

leftovers() {
	ls -d /tmp/ringfence-selftest.* /etc/ringfence-selftest.* /usr/local/ringfence-selftest.* \
		/root/ringfence-selftest.* /var/log/ringfence-selftest.* \
		/etc/cron.d/ringfence-selftest.* 2>/dev/null
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$cg2" ] && ls -d "$cg2"/docker-*.scope 2>/dev/null
}
leftovers >before.lst

# check_report NAME JSON: every behaviour detected or skipped (with a reason), every near miss
# quiet or skipped, every default rule covered by a detected behaviour unless skipped.
check_report() {
	python3 - "$1" "$2" <<'EOF' >"$1.check" 2>&1
import json, sys
name, path = sys.argv[1], sys.argv[2]
rep = json.load(open(path))
rules = {r["rule"] for r in json.load(open("rules.json"))}
bad = []
assert rep["schema"] == "ringfence.selftest/v1", rep["schema"]
for r in rep["results"]:
    if r["status"] not in ("detected", "skipped"):
        bad.append("%s: %s (%s)" % (r["rule"], r["status"], r["reason"]))
    if r["status"] == "skipped" and not r["reason"]:
        bad.append("%s: skipped without a reason" % r["rule"])
    if r["status"] == "detected" and r["latency_us"] is None:
        bad.append("%s: detected without a latency" % r["rule"])
    n = r["near_miss"]
    if n and n["status"] not in ("quiet", "skipped"):
        bad.append("%s: near miss %s: %s" % (r["rule"], n["status"], n["fired"] or n["reason"]))
covered = {r["rule"] for r in rep["results"]}
if covered != rules:
    bad.append("rules without a behaviour: %s" % sorted(rules - covered))
if rep["unexpected"]:
    bad.append("unexpected findings: %s" % rep["unexpected"])
if not rep["ok"]:
    bad.append("ok is false")
for b in bad:
    print(b)
s = rep["summary"]
print("summary: %d behaviours, %d detected, %d skipped, near misses %d quiet, %d fired" %
      (s["behaviours"], s["detected"], s["skipped"], s["near_quiet"], s["near_fired"]))
sys.exit(1 if bad else 0)
EOF
}

"$rf" --json watch --list-rules >rules.json || framework_failure "watch --list-rules failed"

run_selftest() { # BACKEND
	rf_detached det.status "$rf" -q --json watch --selftest --backend "$1" >"$1.json" 2>"$1.err" </dev/null
	check_eq "$?" 0 "watch --selftest --backend $1 exits 0"
	if check_report "$1" "$1.json"; then
		pass "$1: every behaviour detected or skipped with a reason, every near miss quiet"
	else
		fail "$1: every behaviour detected or skipped with a reason, every near miss quiet"
	fi
	diag <"$1.check"
	diag <"$1.err"
	# The text report, for the log.
	rf_detached det.status "$rf" -q watch --selftest --backend "$1" >"$1.txt" 2>&1 </dev/null
	check_eq "$?" 0 "the text report of $1 exits 0 too"
	grep -v '^      ' "$1.txt" | diag
}

run_selftest ptrace
if [ "$(id -u)" -ne 0 ]; then
	skip "ebpf selftest" "needs root"
elif ! "$rf" -q watch --backend ebpf -- true >/dev/null 2>probe.err; then
	skip "ebpf selftest" "the eBPF watch program cannot run here: $(cat probe.err)"
else
	run_selftest ebpf
	python3 -c 'import json,sys
r = json.load(open("ebpf.json"))
# A call the kernel does not implement (init_module without module support) has no exit
# tracepoint to see the attempt by: the one skip allowed, with that reason.
sk = [(x["rule"], x.get("reason")) for x in r["results"] if x["status"] == "skipped" and
      not (x.get("reason") or "").startswith("this kernel does not implement ")]
print(sk)
sys.exit(0 if r["backend"] == "ebpf" and not sk else 1)' >skipped.ebpf &&
		pass "as root with eBPF nothing is skipped but a call the kernel lacks" ||
		{ fail "as root with eBPF nothing is skipped but a call the kernel lacks"; diag <skipped.ebpf; }
fi

# Unprivileged: the ptrace backend still runs; what needs root is skipped with the reason.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$rf" 2>/dev/null; then
	rf_detached det.status setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$rf" -q --json watch --selftest --backend ptrace >nobody.json 2>nobody.err </dev/null
	check_eq "$?" 0 "as nobody, the ptrace selftest exits 0 (skips allowed)"
	python3 -c 'import json,sys
r = json.load(open("nobody.json"))
ct = [x for x in r["results"] if x["rule"] == "Terminal shell in container"][0]
sys.exit(0 if ct["status"] == "skipped" and ct["reason"] == "needs root for a container cgroup" else 1)' &&
		pass "as nobody, container behaviours are skipped: needs root for a container cgroup" ||
		{ fail "as nobody, container behaviours are skipped: needs root for a container cgroup"; diag <nobody.err; }
else
	skip "unprivileged selftest" "needs root and setpriv to become nobody"
fi

# What is new since the start. Other tests run selftests of their own meanwhile (t1010, this
# test in the other lane): their throwaway files come and go, so a new entry counts as left
# behind only if it is still there two minutes later.
new_leftovers() {
	leftovers | sort >after.lst
	sort before.lst | comm -13 - after.lst >new.lst
	[ -s new.lst ]
}
i=0
while new_leftovers && [ "$i" -lt 120 ]; do
	sleep 1
	i=$((i + 1))
done
if [ ! -s new.lst ]; then
	pass "no throwaway dir, host file or container cgroup is left behind"
else
	fail "no throwaway dir, host file or container cgroup is left behind"
	diag <new.lst
fi
done_testing
