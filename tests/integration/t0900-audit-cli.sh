#!/bin/sh
# t0900-audit-cli.sh — `ringfence audit` on real manifests: exit codes (0 clean, 1 violations or
# unreadable documents, 2 usage), file:line:column and kubectl-style reasons in text, valid JSON
# and SARIF 2.1.0, stdin, directories, namespace labels, --fix to stdout and --fix --write.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
d=$RF_SRC/tests/data/k8s

json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

"$rf" audit "$d/ok-deployment.yaml" >"$tmpdir/ok.txt"
check_eq "$?" 0 "a restricted-clean Deployment exits 0"
grep -q 'ok-deployment.yaml:2:1: Deployment shop/web: restricted:latest: ok' "$tmpdir/ok.txt"
check_eq "$?" 0 "text names file:line:column, kind, namespace/name and the policy"

"$rf" audit "$d/mixed.yaml" >"$tmpdir/mixed.txt"
check_eq "$?" 1 "violations exit 1"
grep -q 'CronJob batch/nightly: baseline:v1.30' "$tmpdir/mixed.txt"
check_eq "$?" 0 "namespace labels choose level and version"
grep -q 'host namespaces (hostNetwork=true)' "$tmpdir/mixed.txt"
check_eq "$?" 0 "reason and detail read like the kubectl warning"
grep -q 'mixed.yaml:24:13: spec.jobTemplate.spec.template.spec.hostNetwork' "$tmpdir/mixed.txt"
check_eq "$?" 0 "the field path and its file:line:column"
grep -q 'privileged (container "shell" must not set securityContext.privileged=true)' "$tmpdir/mixed.txt"
check_eq "$?" 0 "ephemeral containers are checked"
grep -q '2 workloads checked, 2 failed, 1 other object skipped' "$tmpdir/mixed.txt"
check_eq "$?" 0 "other kinds are counted and skipped"
"$rf" audit --level restricted "$d/mixed.yaml" | grep -q 'CronJob batch/nightly: restricted:v1.30'
check_eq "$?" 0 "--level overrides the label's level and keeps its version"
"$rf" audit "$d/other-api-groups.yaml" >"$tmpdir/groups.txt"
check_eq "$?" 0 "a DaemonSet of apps.kruise.io and a Job of batch.volcano.sh are not workloads"
grep -q '1 workload checked, 0 failed, 2 other objects skipped' "$tmpdir/groups.txt"
check_eq "$?" 0 "... they are counted as skipped, as Pod Security Admission ignores them"

"$rf" audit --format json "$d/mixed.yaml" >"$tmpdir/m.json"
json_ok "$tmpdir/m.json" && pass "--format json is valid JSON" || fail "--format json is valid JSON"
grep -q '"schema":"ringfence.audit/v1"' "$tmpdir/m.json"
check_eq "$?" 0 "JSON carries its schema"
"$rf" audit --format sarif "$d/mixed.yaml" >"$tmpdir/m.sarif"
v=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["version"], len(d["runs"][0]["results"]))' "$tmpdir/m.sarif")
check_eq "$v" "2.1.0 2" "--format sarif is SARIF 2.1.0 with one result per site"
"$rf" audit --format json "$d/mixed.yaml" >"$tmpdir/m2.json"
cmp -s "$tmpdir/m.json" "$tmpdir/m2.json" && pass "output is deterministic" || fail "output is deterministic"

"$rf" audit - <"$d/ok-deployment.yaml" >/dev/null
check_eq "$?" 0 "reads stdin"
"$rf" audit "$d/dir" >"$tmpdir/dir.txt"
check_eq "$?" 1 "reads a directory"
grep -c 'workloads checked' "$tmpdir/dir.txt" >/dev/null
n=$(grep -c ': Deployment \|: CronJob \|: Pod ' "$tmpdir/dir.txt")
check_eq "$n" 3 "directories are read recursively, only *.yaml/*.yml/*.json"

"$rf" audit "$d/bad-types.yaml" >"$tmpdir/bad.out" 2>"$tmpdir/bad.err"
check_eq "$?" 1 "a document with a wrong type exits 1"
grep -q '^ringfence: .*bad-types.yaml:6:1[23]: spec.hostPID must be true or false' "$tmpdir/bad.err"
check_eq "$?" 0 "the error names file:line:column and the field"
grep -q 'Pod fine: restricted:latest' "$tmpdir/bad.out"
check_eq "$?" 0 "the other documents of the file are still checked"

"$rf" audit --level bogus "$d/ok-deployment.yaml" 2>/dev/null
check_eq "$?" 2 "a bad --level is a usage error"
"$rf" audit --version 1.30 "$d/ok-deployment.yaml" 2>/dev/null
check_eq "$?" 2 "a bad --version is a usage error"
"$rf" audit 2>/dev/null
check_eq "$?" 2 "no input is a usage error"
"$rf" audit --version v1.99 "$d/ok-deployment.yaml" | grep -q 'restricted:v1.37'
check_eq "$?" 0 "a version newer than the newest known is clamped"

cp "$d/mixed.yaml" "$tmpdir/fixme.yaml"
"$rf" audit --level restricted --fix "$tmpdir/fixme.yaml" >"$tmpdir/fixed.yaml" 2>"$tmpdir/fix.err"
check_eq "$?" 1 "--fix exits 1 when something needs a person"
grep -q 'manual: it grants access to the host' "$tmpdir/fix.err"
check_eq "$?" 0 "--fix says what cannot be fixed and why"
cat >"$tmpdir/fixable.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
YAML
"$rf" audit --fix "$tmpdir/fixable.yaml" >"$tmpdir/out.yaml" 2>/dev/null
check_eq "$?" 0 "--fix of a fixable workload exits 0"
"$rf" audit "$tmpdir/out.yaml" >/dev/null
check_eq "$?" 0 "the --fix output passes a re-audit"
grep -q 'keep this comment' "$tmpdir/out.yaml"
check_eq "$?" 0 "--fix keeps comments"
"$rf" audit --fix --write "$tmpdir/fixable.yaml" 2>/dev/null
"$rf" audit "$tmpdir/fixable.yaml" >/dev/null
check_eq "$?" 0 "--fix --write patches the file in place"
done_testing
