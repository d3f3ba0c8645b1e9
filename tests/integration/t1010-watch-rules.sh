#!/bin/sh
# t1010-watch-rules.sh — every default rule, one `ringfence watch --format json -- PERFORMER`
# each: the behaviour performed for real (by the selftest's performer, one behaviour per run)
# gives a finding of that rule with the rule's finding type (and, for the container rules, the
# fake container's id); all the benign near misses in one run give no finding at all. The
# findings are read from watch's JSON Lines here, not from the selftest's own report. With the
# ptrace backend, and with eBPF where it loads; detached from make and meson (rf_detached), whose
# descendants some rules exempt.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
chmod 755 "$tmpdir" # nobody runs some behaviours from below it
cd "$tmpdir" || framework_failure "cd"
dir=$tmpdir/st
token=t1010x$$
"$rf" watch --selftest-child layout "$dir" "$token" || framework_failure "layout of $dir"
"$rf" watch --selftest-child list >table.tsv || framework_failure "watch --selftest-child list"
"$rf" --json watch --list-rules >rules.json || framework_failure "watch --list-rules"
n=$(wc -l <table.tsv)
[ "$n" -ge 40 ] || framework_failure "only $n behaviours"

root=
[ "$(id -u)" -eq 0 ] && root=1
cg=-
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$root" ] && [ -n "$cg2" ]; then
	hex=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	cg=$cg2/docker-$hex.scope
	mkdir "$cg" || cg=-
fi
cleanup_host() {
	for f in /etc /usr/local /root /etc/cron.d /var/log; do
		rm -f "$f/ringfence-selftest.$token" "$f/ringfence-selftest.$token.near"
	done
	[ "$cg" = - ] || rmdir "$cg" 2>/dev/null
}
# The test's exit status survives cleanup_host (rf_cleanup exits with the status it finds).
trap 'st=$?; cleanup_host; (exit "$st"); rf_cleanup' EXIT

runnable() { # NEEDS: can this machine satisfy it?
	case $1 in
	none) return 1 ;;
	*root*) [ -n "$root" ] || return 1 ;;
	esac
	case $1 in
	*container*) [ "$cg" != - ] || return 1 ;;
	esac
	case $1 in
	*sh*) [ -x /bin/sh ] || return 1 ;;
	esac
	return 0
}

mask_of() { # VARIANT INDEX...: the performer's selection, "1" at 2*INDEX+VARIANT
	python3 -c 'import sys
n, v = int(sys.argv[1]), int(sys.argv[2])
m = ["0"] * (2 * n)
for i in sys.argv[3:]:
    m[2 * int(i) + v] = "1"
print("".join(m))' "$n" "$@"
}

watch_perform() { # BACKEND MASK OUT
	[ -n "$root" ] && : >"/var/log/ringfence-selftest.$token" # the log the log rule clears
	: >"$3.log"
	rf_detached det.status "$rf" -q watch --format json --backend "$1" -- "$dir/bin/rf-selftest" \
		watch --selftest-child perform "$dir" "$token" 9 "$cg" "$2" 9>>"$3.log" >"$3" \
		2>"$3.err" </dev/null
}

check_rules() { # BACKEND
	b=$1
	hits=
	nears=
	while IFS='	' read -r i rule hit near; do
		if runnable "$hit"; then
			hits="$hits $i"
		else
			skip "$b: $rule (#$i)" "needs $hit"
		fi
		runnable "$near" && nears="$nears $i"
	done <table.tsv
	# All the behaviours in one run, one at a time: a finding belongs to the behaviour whose
	# process (or an ancestor of it) made it while that behaviour ran.
	# shellcheck disable=SC2086 # one argument per index
	watch_perform "$b" "$(mask_of 0 $hits)" "$b.hits.jsonl"
	check_eq "$?" 0 "$b: the run of the behaviours exits 0"
	# shellcheck disable=SC2086
	python3 - "$b" "$b.hits.jsonl" $hits <<'EOF' >"$b.tap" 2>&1 || fail "$b: reading the findings"
import json, os, sys
b, path, hits = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3:]]
types = {r["rule"]: r["type"] for r in json.load(open("rules.json"))}
table = {}
for l in open("table.tsv"):
    i, rule, hit, near = l.rstrip("\n").split("\t")
    table[int(i)] = (rule, hit)
runs = {}
for l in open(path + ".log"):
    w = l.split()
    if len(w) < 5 or w[2] != "0" or w[0] not in ("B", "E"):
        continue
    r = runs.setdefault(int(w[1]), {})
    if w[0] == "B":
        r["pid"], r["t0"] = int(w[3]), int(w[4])
    else:
        r["t1"], r["status"] = int(w[4]), int(w[5])
fs = [json.loads(l) for l in open(path) if l.strip()]
for i in hits:
    rule, needs = table[i]
    r = runs.get(i)
    why = None
    if not r or "t1" not in r or "pid" not in r:
        why = "the performer did not run it"
    elif r["status"] != 0:
        why = "the performer's child ended with wait status %d" % r["status"]
    else:
        mine = []
        for f in fs:
            p = f["process"] or {}
            pids = [p.get("pid")] + [a["pid"] for a in p.get("ancestry") or []]
            if r["t0"] <= int(f["time_ns"]) <= r["t1"] and r["pid"] in pids:
                mine.append(f)
        got = [f for f in mine if f["rule"] == rule]
        if not got and rule == "Kernel module loaded" and b == "ebpf" and not os.path.exists("/proc/modules"):
            print("ok %s: %s (#%d) # SKIP no module support in this kernel: init_module returns ENOSYS "
                  "without running its exit tracepoint" % (b, rule, i))
            continue
        if not got:
            why = "no finding of the rule; its findings: %s" % [f["rule"] for f in mine]
        elif got[0]["finding_type"] != types[rule]:
            why = "finding_type %s, the rule says %s" % (got[0]["finding_type"], types[rule])
        elif "container" in needs and not (got[0]["container"] and
                                           len(got[0]["container"]["id"]) == 64):
            why = "a container rule's finding without the container: %s" % got[0]["container"]
    print("%s %s: %s (#%d)%s" % ("not ok" if why else "ok", b, rule, i,
                                  "\n" + why if why else " -> " + types[rule]))
EOF
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "${line#ok }" ;;
		"not ok "*) fail "${line#not ok }" ;;
		*) diag "$line" ;;
		esac
	done <"$b.tap"
	grep -q . "$b.hits.jsonl.err" && diag <"$b.hits.jsonl.err"
	# Every near miss in one run: not one finding.
	# shellcheck disable=SC2086
	watch_perform "$b" "$(mask_of 1 $nears)" "$b.near.jsonl"
	check_eq "$?" 0 "$b: the near-miss run exits 0"
	if [ -s "$b.near.jsonl" ]; then
		fail "$b: $(echo $nears | wc -w) benign near misses give no finding"
		python3 -c 'import json,sys
for l in open(sys.argv[1]):
    f = json.loads(l); print(f["rule"], "-", f["message"])' "$b.near.jsonl" | diag
	else
		pass "$b: $(echo $nears | wc -w) benign near misses give no finding"
	fi
}

check_rules ptrace
if [ -z "$root" ]; then
	skip "ebpf rules" "needs root"
elif ! "$rf" -q watch --backend ebpf -- true >/dev/null 2>probe.err; then
	skip "ebpf rules" "the eBPF watch program cannot run here: $(cat probe.err)"
else
	check_rules ebpf
	# Regressions of the eBPF source found by the selftest. A process that opens a file and
	# exits at once: the open (bulk ring) is delivered before the exit (critical ring), so the
	# finding still knows the process and its parent.
	rf_detached det.status "$rf" -q watch --format json --rate-limit 1000/60 --backend ebpf -- \
		sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			cat /etc/shadow >/dev/null; done' >short.jsonl 2>short.err </dev/null
	python3 -c 'import json,sys
fs = [json.loads(l) for l in open("short.jsonl") if l.strip()]
bad = [f["process"] for f in fs if not (f["process"]["exe"] and f["process"]["cmdline"] == "cat /etc/shadow" and f["process"]["ancestry"][0]["name"] == "sh")]
print(len(fs), "findings;", len(bad), "without identity:", bad[:2])
sys.exit(0 if len(fs) == 20 and not bad else 1)' >short.out &&
		pass "ebpf: 20 short-lived readers' findings keep their exe, command line and parent" ||
		{ fail "ebpf: a short-lived reader's finding keeps its exe, command line and parent"; diag <short.out; }
	# The same behind a backlog of opens: two threads open a file in a loop, so the bulk ring
	# holds more than a round's share (512) when a cat exits. The exit must not be applied
	# before the cat's open is decoded. (The dot in the path makes the kernel pass every
	# open to user space, see ringfence/rules.h; the bulk count checks that it did.)
	mkdir -p .flood && : >.flood/f
	rf_detached det.status "$rf" watch --stats --format json --rate-limit 1000/60 --backend ebpf -- \
		sh -c '"$0" 2 3 10 /bin/true .flood/f >/dev/null & sleep 0.5
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			cat /etc/shadow >/dev/null; done; wait' "$RF_FLOOD" >backlog.jsonl 2>backlog.err </dev/null
	python3 -c 'import json,re,sys
fs = [json.loads(l) for l in open("backlog.jsonl") if l.strip()]
# The cats reading /etc/shadow. Other findings are only shown: under sanitizers, the flood
# LeakSanitizer attaches ptrace to its threads at exit, which is a finding too (CI24).
other = [(f["rule"], f["process"]["exe"]) for f in fs if (f.get("fields") or {}).get("fd.name") != "/etc/shadow"]
fs = [f for f in fs if (f.get("fields") or {}).get("fd.name") == "/etc/shadow"]
bad = [f["process"] for f in fs if not (f["process"]["exe"] and f["process"]["cmdline"] == "cat /etc/shadow" and f["process"]["ancestry"] and f["process"]["ancestry"][0]["name"] == "sh")]
m = re.search(r"critical, ([0-9]+) bulk", open("backlog.err").read())
bulk = int(m.group(1)) if m else 0
print(len(fs), "findings;", len(bad), "without identity;", bulk, "bulk records:", [(b["pid"], b["exe"]) for b in bad[:3]], "; other findings:", other[:3])
sys.exit(0 if fs and not bad and bulk > 20000 else 1)' >backlog.out &&
		pass "ebpf: behind a backlog of opens, short-lived readers' findings keep their identity" ||
		{ fail "ebpf: behind a backlog of opens, short-lived readers' findings keep their identity"; diag <backlog.out; }
	# Relative paths, ../, a symlink and a symlinked directory on the way: the path the
	# kernel opened, not the one passed.
	ln -s /etc/hostname hn.link
	ln -s /etc etc.link
	rf_detached det.status "$rf" -q watch --backend ebpf --dump-events dump.jsonl -- \
		sh -c "cd /etc && cat ./hostname ../etc//hostname $tmpdir/hn.link $tmpdir/etc.link/hostname" \
		>/dev/null 2>&1 </dev/null
	python3 -c 'import json,sys
ps = [e["path"] for e in (json.loads(l) for l in open("dump.jsonl") if l.strip()) if e.get("kind") == "file" and e.get("comm") == "cat" and "hostname" in e.get("path", "") + e.get("origin", "")]
print(ps)
sys.exit(0 if ps.count("/etc/hostname") == 4 else 1)' >paths.out 2>&1 &&
		pass "ebpf: opens of ./x, ../etc//x, a symlink and x below a symlinked directory report the file the kernel opened" ||
		{ fail "ebpf: opens of ./x, ../etc//x, a symlink and x below a symlinked directory report the file the kernel opened"; diag <paths.out; }
	# The same, as a finding: /etc/shadow read through a symlinked directory.
	rf_detached det.status "$rf" -q watch --format json --backend ebpf -- \
		cat "$tmpdir/etc.link/shadow" >dirlink.jsonl 2>dirlink.err </dev/null
	grep -q '"fd.name":"/etc/shadow"' dirlink.jsonl
	check_eq "$?" 0 "ebpf: /etc/shadow read through a symlinked directory is a finding"
fi
done_testing
