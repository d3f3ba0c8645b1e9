#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `audit` on bad input (issue #16): every input error is counted and reported in every format,
# not only on stderr and in the exit status.
#   - errors: a merge key, `spec: 42`, `securityContext: "privileged"`, `privileged: "true"`
#     count in the text summary, are listed in JSON ("errors", summary.errors) and are SARIF
#     tool execution notifications (the invocation is not successful);
#   - the field path of a bad `privileged` names its securityContext;
#   - a syntax error in a multi-document stream: reading goes on at the next `---` (at most
#     K8S_MAX_RECOVERIES times), --fix leaves the file alone;
#   - memory follows the largest document, not the whole input;
#   - terminal escapes in names, namespaces, file names never reach a text output (the report,
#     --fix, node status, audit --check-node).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_prog python3
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

cat >bad.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: spec42}
spec: 42
---
apiVersion: v1
kind: Pod
metadata: {name: sc}
spec:
  containers:
  - name: a
    image: x
    securityContext: "privileged"
---
apiVersion: v1
kind: Pod
metadata: {name: priv}
spec:
  containers:
  - name: a
    image: x
    securityContext:
      privileged: "true"
---
base: &b {name: a, image: x}
apiVersion: v1
kind: Pod
metadata: {name: merge}
spec:
  containers:
  - <<: *b
---
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: a
    image: x
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
YAML

"$rf" audit bad.yaml >out 2>err
check_eq "$?" 1 "input errors exit 1"
check_eq "$(tail -n 1 out)" \
	"1 workload checked, 0 failed, 0 other objects skipped, 4 errors (4 workloads not checked)" \
	"the text summary counts the errors and the workloads they left unchecked"
check_eq "$(grep -c '^ringfence: bad.yaml:[0-9]*:[0-9]*: ' err)" 4 "each error is one located line on stderr"
grep -q 'bad.yaml:23:20: spec.containers\[0\].securityContext.privileged must be true or false' err
check_eq "$?" 0 "a bad privileged is reported at its securityContext path"
grep -q 'bad.yaml:4:7: spec must be an object' err
check_eq "$?" 0 "a top-level field path has no leading dot"

"$rf" audit --format json bad.yaml >j.json 2>/dev/null
v=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print(len(d["errors"]), s["errors"], s["workloads"], s["checked"],
      sum(1 for w in d["workloads"] if "error" in w))' j.json 2>&1)
check_eq "$v" "4 4 5 1 4" "JSON lists the errors and counts them in the summary"

"$rf" audit --format sarif bad.yaml >s.json 2>/dev/null
v=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
inv = d["runs"][0]["invocations"][0]
n = inv["toolExecutionNotifications"]
loc = n[2]["locations"][0]["physicalLocation"]
print(inv["executionSuccessful"], len(n), n[0]["level"], loc["artifactLocation"]["uri"],
      loc["region"]["startLine"], loc["region"]["startColumn"])' s.json 2>&1)
check_eq "$v" "False 4 error bad.yaml 23 20" \
	"SARIF: every error is a located tool execution notification; the run did not succeed"

"$rf" audit --format sarif "$RF_SRC/tests/data/k8s/ok-deployment.yaml" >ok.json 2>/dev/null
v=$(python3 -c '
import json, sys
inv = json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]
print(inv["executionSuccessful"], len(inv["toolExecutionNotifications"]))' ok.json 2>&1)
check_eq "$v" "True 0" "SARIF: a clean run is successful with no notifications"

# A document that is not a mapping, and a file that is not YAML at all, are errors too.
printf -- '- just\n- a list\n' >list.yaml
printf 'key: [unclosed\n' >syntax.yaml
"$rf" audit --format json list.yaml syntax.yaml >j2.json 2>/dev/null
v=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["errors"]), d["summary"]["errors"])' j2.json 2>&1)
check_eq "$v" "2 2" "documents that cannot be read are errors in JSON too"

# A syntax error in document 2 of 3: reading goes on at the next `---`, with the right lines;
# --fix leaves such a file alone (written back, it would lose what could not be read).
cat >multi.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  containers: [{name: a, image: x}]
---
apiVersion: v1
kind: Pod
metadata: {name: two
spec: [
---
apiVersion: v1
kind: Pod
metadata: {name: three}
spec:
  containers: [{name: a, image: x, securityContext: {privileged: true}}]
YAML
"$rf" audit multi.yaml >out 2>err
check_eq "$?" 1 "a stream with a syntax error exits 1"
grep -q '^multi.yaml:12:1: Pod three: ' out
check_eq "$?" 0 "the document after the syntax error is checked, at its own line"
grep -q '^    multi.yaml:16:54: spec.containers\[0\].securityContext.privileged' out
check_eq "$?" 0 "locations after the recovery are lines of the file"
grep -q '^ringfence: multi.yaml:10:5: syntax error: .*reading goes on at the next document, line 11$' err
check_eq "$?" 0 "the error says where reading went on"
check_eq "$(tail -n 1 out | cut -d';' -f1)" "2 workloads checked, 2 failed, 0 other objects skipped, 1 error" \
	"the summary counts both readable workloads and the error"
cp multi.yaml fixme.yaml
"$rf" audit --fix --write fixme.yaml >out 2>err
st=$?
if [ "$st" -eq 1 ] && cmp -s multi.yaml fixme.yaml && grep -q 'fixme.yaml: not patched' err; then
	pass "--fix --write leaves a file with a syntax error untouched, and says so"
else
	fail "--fix --write leaves a file with a syntax error untouched, and says so"
	diag "exit $st; $(diff multi.yaml fixme.yaml | head -n 5)"
fi
"$rf" audit --fix multi.yaml >out 2>/dev/null
check_eq "$(grep -c 'name' out)" 0 "--fix prints no partial copy of such a file"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: last\n' >tail.yaml
"$rf" audit tail.yaml >out 2>err
grep -q 'syntax error: .*; nothing after it in the file was read$' err
check_eq "$?" 0 "a syntax error with nothing to resume at says the rest was not read"
{
	i=0
	while [ "$i" -lt 101 ]; do
		printf -- '---\nkind: Pod\nmetadata: {name: [\n'
		i=$((i + 1))
	done
	printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: after}\nspec: {containers: [{name: a, image: x}]}\n'
} >many.yaml
"$rf" audit many.yaml >out 2>err
if grep -q 'line 304, was not read (more than 100 syntax errors)' err && ! grep -q 'Pod after' out; then
	pass "after 100 recoveries the rest of a file is not read, and that is said"
else
	fail "after 100 recoveries the rest of a file is not read, and that is said"
	tail -n 2 err | diag
fi

# Memory follows the largest document, not the whole input (60k documents took 577 MB).
if ldd "$rf" 2>/dev/null | grep -q 'libasan'; then
	skip "30000 documents are audited in under 100 MB" "sanitizer build: RSS is not comparable"
elif [ -x /usr/bin/time ]; then
	awk 'BEGIN { for (i = 0; i < 30000; i++)
		printf "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: a, image: x}]}\n", i }' >big.yaml
	/usr/bin/time -f '%M' -o rss.txt "$rf" audit --level baseline big.yaml >out 2>err
	rss=$(tail -n 1 rss.txt)
	if [ "$rss" -lt 100000 ] && grep -q '^30000 workloads checked, 0 failed' out; then
		pass "30000 documents are audited in under 100 MB"
	else
		fail "30000 documents are audited in under 100 MB"
		diag "max RSS ${rss} KB; $(tail -n 1 out)"
	fi
else
	skip "30000 documents are audited in under 100 MB" "no /usr/bin/time"
fi

# Terminal escapes from the input never reach the terminal in any text output.
esc=$(printf '\033')
cat >evil.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: "evil\e[2J\e]0;pwned\a", namespace: "ns\e[31m"}
spec:
  securityContext: {seccompProfile: {type: Localhost, localhostProfile: "p\e[1m.json"}}
  containers: [{name: "c\e[1m", image: x, securityContext: {privileged: "\e[5m"}}]
---
apiVersion: v1
kind: Pod
metadata: {name: "ok\e[2J"}
spec:
  containers: [{name: "c\u009b2J", image: x}]
YAML
mkdir -p "evil$esc[2Jdir"
cp evil.yaml "evil$esc[2Jdir/m$esc[1m.yaml"
no_escapes() {
	if ! LC_ALL=C grep -q "$esc" "$@" && ! grep -q "$(printf '\302\233')" "$@" &&
		grep -q '\\x1b' "$@"; then
		pass "$desc"
	else
		fail "$desc"
		LC_ALL=C grep -h "$esc" "$@" | head -n 3 | cat -v | diag
	fi
}
"$rf" audit evil.yaml "evil$esc[2Jdir" >out 2>err
desc="audit text output and errors escape control bytes (C0 and C1)" no_escapes out err
"$rf" audit --fix evil.yaml "evil$esc[2Jdir" >out 2>err
desc="audit --fix: the file-name comments and the report escape control bytes" no_escapes out err
mkdir -p root/seccomp/ringfence
"$rf" profile show -o "root/seccomp/ringfence/x$esc[2J.json" runtime/default
"$rf" node status --root "$tmpdir/root" --check-manifests evil.yaml >out 2>err
desc="node status text escapes file names and manifest names" no_escapes out err
"$rf" audit --check-node --root "$tmpdir/root" evil.yaml >out 2>err
desc="audit --check-node's lines escape manifest names (text report)" no_escapes out err
"$rf" audit --json --check-node --root "$tmpdir/root" evil.yaml >/dev/null 2>err
desc="audit --check-node's lines escape manifest names (on stderr beside JSON)" no_escapes err
"$rf" --json audit evil.yaml >j3.json 2>/dev/null
v=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(repr(d["workloads"][1]["name"]))' j3.json 2>&1)
check_eq "$v" "'ok\x1b[2J'" "JSON keeps the exact name (its own escaping is safe)"
done_testing
