#!/bin/sh
# t1220-watch-deny.sh — `watch --kill` with rules whose action is deny: under ptrace the call is
# refused before it runs (skipped, failing with EPERM), so the operation never happens: a
# secret is not read (also through a symlink), a file is not removed, a listener never sees the
# connection. The finding says "denied". A near miss runs; --dry-run and a missing --kill
# refuse nothing; a suppression entry removes the refusal with the finding; eBPF (which cannot
# refuse a call from a tracepoint) alerts and says why.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
echo "the secret" >secret
echo "kept" >keep
echo "public" >public
ln -s "$tmpdir/secret" link
# A listener on 127.0.0.1: once the file "done" appears, it says whether anybody connected.
python3 -c 'import socket, sys, select, os, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for _ in range(1200):
    if os.path.exists(sys.argv[3]): break
    time.sleep(0.05)
r, _, _ = select.select([s], [], [], 0)
open(sys.argv[2], "w").write("connected" if r else "nobody")' port listened done &
lpid=$!
i=0
while [ ! -s port ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat port) || framework_failure "the listener did not start"
cat >deny.yaml <<RULES
- rule: secret opened
  desc: the test's secret
  condition: evt.type in (open, openat, openat2) and fd.name = $tmpdir/secret
  output: secret opened by %proc.name
  priority: critical
  action: deny
- rule: keep removed
  desc: the test's kept file
  condition: evt.type in (unlink, unlinkat) and fs.path.name = $tmpdir/keep
  output: keep removed by %proc.name
  priority: critical
  action: deny
- rule: forbidden port
  desc: a connection to the test's listener
  condition: evt.type = connect and fd.sip = 127.0.0.1 and fd.sport = $port
  output: connect to the forbidden port by %proc.name
  priority: critical
  action: deny
RULES

# perform TAG [WATCH OPTION...]: read the secret, through the link, and a near miss; remove
# keep; connect to the listener. Each outcome on its own line of TAG.out.
perform() {
	tag=$1
	shift
	"$rf" watch --backend ptrace --no-default-rules --rules deny.yaml --format json "$@" -- \
		python3 -c 'import socket, sys, os
def attempt(name, f):
    try:
        r = f(); print(name, "ok", r)
    except OSError as e:
        print(name, "errno", e.errno)
attempt("secret", lambda: open(sys.argv[1]).read().strip())
attempt("link", lambda: open(sys.argv[2]).read().strip())
attempt("public", lambda: open(sys.argv[3]).read().strip())
attempt("unlink", lambda: os.unlink(sys.argv[4]))
def conn():
    s = socket.socket(); s.connect(("127.0.0.1", int(sys.argv[5]))); s.close()
attempt("connect", conn)' "$tmpdir/secret" "$tmpdir/link" "$tmpdir/public" "$tmpdir/keep" \
		"$port" >"$tag.out" 2>"$tag.err"
}
results() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("{"):
        d = json.loads(l); print(d["rule"], "|", d.get("action_taken", {}).get("result", "-"), "|", d.get("action_taken", {}).get("when", "-"))' "$1"; }
line() { grep "^$1 " "$2.out"; }

perform k --kill
check_eq "$?" 0 "--kill: the workload ran to its end (denied calls fail, nothing is killed)"
check_eq "$(line secret k)" "secret errno 1" "the secret's open failed with EPERM"
check_eq "$(line link k)" "link errno 1" "an open through a symlink to the secret failed with EPERM"
check_eq "$(line public k)" "public ok public" "a near miss (another file in the same directory) was read"
check_eq "$(line unlink k)" "unlink errno 1" "the unlink failed with EPERM"
[ -e keep ]
check_eq "$?" 0 "the file is still there: the unlink never ran"
check_eq "$(line connect k)" "connect errno 1" "the connect failed with EPERM"
touch done
wait "$lpid"
check_eq "$(cat listened)" nobody "the listener never saw a connection: the connect never ran"
check_eq "$(results k.out | sort)" "$(printf '%s\n' \
	"forbidden port | denied: the call failed with EPERM and never ran | before the operation" \
	"keep removed | denied: the call failed with EPERM and never ran | before the operation" \
	"secret opened | denied: the call failed with EPERM and never ran | before the operation" \
	"secret opened | denied: the call failed with EPERM and never ran | before the operation")" \
	"one finding per refused call, each saying denied, before the operation"
grep -q "4 calls denied before they ran" k.err
check_eq "$?" 0 "the exit summary counts the refused calls"
grep -q "deny before the call (rules with action: deny): used" k.err
check_eq "$?" 0 "the enforcement report says deny is used"

perform d --dry-run
check_eq "$(line secret d)" "secret ok the secret" "--dry-run: the secret is read"
check_eq "$(line unlink d)" "unlink ok None" "--dry-run: the unlink runs"
check_eq "$(results d.out | grep -c 'dry-run: would have denied the call')" 4 \
	"--dry-run: each finding says the call would have been denied"
echo "kept" >keep

perform n
check_eq "$(line secret n)" "secret ok the secret" "without --kill: the secret is read"
check_eq "$(results n.out | grep -c 'none: --kill not given')" 4 \
	"without --kill: each finding says why nothing was refused"
echo "kept" >keep

# A suppression entry for a rule removes its refusal along with its finding.
cat >supp.yaml <<SUPP
suppressions:
  - rule: "secret opened"
    proc_name: "python3*"
    reason: the test's own reader is trusted
SUPP
perform s --kill --suppress supp.yaml
check_eq "$(line secret s)" "secret ok the secret" "a suppressed deny rule refuses nothing"
check_eq "$(line unlink s)" "unlink errno 1" "the other deny rules still refuse"
echo "kept" >keep

# Attached (--pid: syscall stops instead of the seccomp filter's), the same refusal.
python3 -c 'import os, sys, time
for _ in range(1200):
    if os.path.exists(sys.argv[2]): break
    time.sleep(0.05)
try:
    os.unlink(sys.argv[1]); print("unlink ok")
except OSError as e:
    print("unlink errno", e.errno)' "$tmpdir/keep" "$tmpdir/go" >a.out &
apid=$!
"$rf" watch --backend ptrace --no-default-rules --rules deny.yaml --format json --kill \
	--pid "$apid" >a.json 2>a.err &
wpid=$!
i=0
while ! grep -q "watching" a.err 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
touch go
wait "$apid"
wait "$wpid"
check_eq "$(cat a.out)" "unlink errno 1" "--pid: the attached process's unlink failed with EPERM"
check_eq "$(results a.json)" "keep removed | denied: the call failed with EPERM and never ran | before the operation" \
	"--pid: the finding says denied"
[ -e keep ]
check_eq "$?" 0 "--pid: the file is still there"

if [ "$(id -u)" -eq 0 ] && "$rf" -q watch --backend ebpf -- true 2>ebpf.err; then
	"$rf" watch --backend ebpf --no-default-rules --rules deny.yaml --format json --kill -- \
		cat "$tmpdir/secret" >e.out 2>e.err
	check_eq "$(grep -c '^the secret$' e.out)" 1 "ebpf: the secret is read (a tracepoint cannot refuse)"
	results e.out | grep -q "secret opened | none: deny needs a decision before the call"
	check_eq "$?" 0 "ebpf: the finding says why nothing was refused"
	grep -q "deny before the call (rules with action: deny): not with the eBPF backend" e.err
	check_eq "$?" 0 "ebpf: the enforcement report says deny rules alert"
else
	skip "the eBPF watch program cannot run here"
fi
done_testing
