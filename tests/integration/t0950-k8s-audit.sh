#!/bin/sh
# t0950-k8s-audit.sh — `ringfence k8s-audit` end to end: every default rule's positive audit
# event gives its finding type and the near misses give none, from a log file, stdin, a rotated
# + gzip'd pair and the webhook backend over TLS with a client certificate (certificates made
# here with openssl, EventLists posted with curl); --follow across a rotation; bad lines named
# file:line and skipped; --output, --webhook, --fail-on, --pss-level; usage errors exit 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
d=$RF_SRC/tests/data/k8s-audit
ioc=$d/ioc.txt

# The fixtures as JSON Lines (a log) and as EventLists (webhook bodies).
python3 - "$d/rules" "$tmpdir" <<'PY' || framework_failure "cannot prepare the fixtures"
import glob, json, os, sys
src, out = sys.argv[1:3]
def load(p): return json.load(open(p))
for kind in ("positive", "negative"):
    evs = [load(p) for p in sorted(glob.glob(os.path.join(src, "*.%s.json" % kind)))]
    with open(os.path.join(out, kind + ".log"), "w") as f:
        for e in evs:
            f.write(json.dumps(e, separators=(",", ":")) + "\n")
    with open(os.path.join(out, kind + ".eventlist.json"), "w") as f:
        json.dump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {},
                   "items": evs}, f)
PY

# Every finding type the positives must give at the baseline level with --ioc.
types='Execution:Kubernetes/ExecInPod Execution:Kubernetes/ExecInKubeSystemPod
Discovery:Kubernetes/SuccessfulAnonymousAccess Persistence:Kubernetes/SuccessfulAnonymousAccess
Policy:Kubernetes/AnonymousAccessGranted PrivilegeEscalation:Kubernetes/ClusterAdminBinding
Policy:Kubernetes/AdminAccessToDefaultServiceAccount PrivilegeEscalation:Kubernetes/WildcardRoleCreated
PrivilegeEscalation:Kubernetes/PowerfulRoleCreated PrivilegeEscalation:Kubernetes/PrivilegedContainer
PrivilegeEscalation:Kubernetes/HostNamespaceShared Persistence:Kubernetes/ContainerWithSensitiveMount
PrivilegeEscalation:Kubernetes/DangerousCapabilityAdded Policy:Kubernetes/PodSecurityBaselineViolated
Policy:Kubernetes/NodePortServiceCreated Policy:Kubernetes/ConfigMapWithCredentials
CredentialAccess:Kubernetes/SecretsListed CredentialAccess:Kubernetes/ServiceAccountTokenCreated
DefenseEvasion:Kubernetes/EventsDeleted DefenseEvasion:Kubernetes/AdmissionControlRemoved
UnauthorizedAccess:Kubernetes/MaliciousIPCaller Discovery:Kubernetes/SuspiciousUserAgent
Discovery:Kubernetes/PermissionChecked Discovery:Kubernetes/ForbiddenRequestByServiceAccount'

# Which of $types are missing from the findings (JSON Lines) in $1; also checks every line is a
# ringfence.finding/v1 document.
missing_types() {
	python3 - "$1" "$types" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["schema"] == "ringfence.finding/v1", d
    seen.add(d["finding_type"])
print(" ".join(t for t in sys.argv[2].split() if t not in seen))
PY
}

count_lines() { wc -l <"$1" | tr -d ' '; }

# ---- usage ----
"$rf" k8s-audit --help >"$tmpdir/help.txt"
check_eq "$?" 0 "--help exits 0"
grep -q '^Usage: ringfence k8s-audit' "$tmpdir/help.txt"
check_eq "$?" 0 "--help prints the usage"
"$rf" --help | grep -q '^  k8s-audit '
check_eq "$?" 0 "k8s-audit is a command, no longer a planned one"
for args in "" "--format xml x.log" "--fail-on loud x.log" "--pss-level strict x.log" \
	"--listen 127.0.0.1:0" "--tls-cert c.pem x.log" "--no-default-rules x.log" \
	"--follow --listen 127.0.0.1:0 --insecure-http" "--webhook ftp://x x.log" \
	"--listen 127.0.0.1:0 --insecure-http --tls-cert c.pem"; do
	# shellcheck disable=SC2086
	"$rf" k8s-audit $args >/dev/null 2>"$tmpdir/usage.err"
	check_eq "$?" 2 "usage error exits 2: k8s-audit $args"
done
grep -q "Try 'ringfence k8s-audit --help'" "$tmpdir/usage.err"
check_eq "$?" 0 "usage errors point at --help"

# ---- a log: every positive gives its finding type, the near misses nothing ----
"$rf" k8s-audit --ioc "$ioc" --format json "$tmpdir/positive.log" >"$tmpdir/pos.jsonl" 2>"$tmpdir/pos.err"
check_eq "$?" 0 "a log with findings exits 0 without --fail-on"
check_eq "$(missing_types "$tmpdir/pos.jsonl")" "" "every default rule's finding type is reported for its positive event"
python3 - "$tmpdir/pos.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["process"] is None and d["event"]["kind"] == "k8s-audit", d
    assert d["time"].startswith("2026-12-05T07:"), d["time"]
    assert d["mitre"], d["rule"]
PY
check_eq "$?" 0 "audit findings: no process, the event's own time, ATT&CK ids"
"$rf" k8s-audit --ioc "$ioc" --format json "$tmpdir/negative.log" >"$tmpdir/neg.jsonl" 2>"$tmpdir/neg.err"
check_eq "$?" 0 "the near misses exit 0"
check_eq "$(count_lines "$tmpdir/neg.jsonl")" 1 "the near misses give one finding ..."
grep -q '"finding_type":"Policy:Kubernetes/PodSecurityBaselineViolated".*hostPathVolumes' "$tmpdir/neg.jsonl"
check_eq "$?" 0 "... the harmless hostPath, which baseline still forbids"
"$rf" k8s-audit --pss-level none "$tmpdir/negative.log" >"$tmpdir/neg-none.txt" 2>/dev/null
check_eq "$(count_lines "$tmpdir/neg-none.txt")" 0 "--pss-level none: the near misses give nothing"

"$rf" k8s-audit --fail-on critical "$tmpdir/positive.log" >/dev/null 2>&1
check_eq "$?" 1 "--fail-on critical: a critical finding exits 1"
"$rf" k8s-audit --fail-on warning "$tmpdir/negative.log" >/dev/null 2>&1
check_eq "$?" 0 "--fail-on warning: a notice finding exits 0"
"$rf" k8s-audit --pss-level restricted --format json "$d/rules/pss-restricted.positive.json" \
	>"$tmpdir/restricted.jsonl" 2>"$tmpdir/restricted.err"
check_eq "$?" 1 "a pretty-printed file is not JSON Lines: no event (exit 1)"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
	"$d/rules/pss-restricted.positive.json" |
	"$rf" k8s-audit --pss-level restricted --format json - >"$tmpdir/restricted.jsonl"
check_eq "$?" 0 "stdin ('-') is read"
grep -q '"finding_type":"Policy:Kubernetes/PodSecurityRestrictedViolated".*runAsNonRoot' "$tmpdir/restricted.jsonl"
check_eq "$?" 0 "--pss-level restricted reports restricted violations"

"$rf" k8s-audit --output "$tmpdir/findings.txt" "$tmpdir/positive.log" >"$tmpdir/stdout.txt" 2>&1
check_eq "$(count_lines "$tmpdir/stdout.txt")" 0 "--output: nothing on stdout"
grep -q ' critical Persistence:Kubernetes/SuccessfulAnonymousAccess \[Anonymous write request succeeded\] Anonymous create of /api/v1/namespaces/default/configmaps succeeded' "$tmpdir/findings.txt"
check_eq "$?" 0 "--output: text findings in the file"

# ---- the API server's rotation: gzip'd older file, then the current one ----
"$rf" k8s-audit --stats --format json "$d/logs/audit-2026-12-05T06-59-59.999.log.gz" \
	"$d/logs/audit.log" >"$tmpdir/rot.jsonl" 2>"$tmpdir/rot.err"
check_eq "$?" 0 "a rotated + gzip'd pair is read"
grep -q 'log.gz:1"' "$tmpdir/rot.jsonl" && grep -q 'audit.log:1"' "$tmpdir/rot.jsonl"
check_eq "$?" 0 "findings from both files, with file:line"
grep -q 'warning: .*audit-2026-12-05T06-59-59.999.log.gz:3: not JSON, skipped' "$tmpdir/rot.err"
check_eq "$?" 0 "the cut line inside the gzip'd file is named with file:line"
grep -q 'k8s-audit: 5 events (.*), 1 bad lines or items skipped' "$tmpdir/rot.err"
check_eq "$?" 0 "--stats counts events and skipped lines"

# ---- bad input ----
{
	head -n 1 "$tmpdir/positive.log"
	echo '{"kind":"Event","apiVersion":"audit.k8s.io/v1"'
	echo '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"}}'
	printf '\001\002\377 binary\n'
	sed -n 2p "$tmpdir/positive.log"
} >"$tmpdir/mixed.log"
"$rf" k8s-audit "$tmpdir/mixed.log" >"$tmpdir/mixed.out" 2>"$tmpdir/mixed.err"
check_eq "$?" 0 "bad lines among events: exit 0"
check_eq "$(count_lines "$tmpdir/mixed.out")" 2 "the events around them are evaluated"
grep -q 'mixed.log:2: not JSON, skipped' "$tmpdir/mixed.err" &&
	grep -q 'mixed.log:3: not an audit.k8s.io Event (kind/apiVersion), skipped' "$tmpdir/mixed.err" &&
	grep -q 'mixed.log:4: not JSON, skipped' "$tmpdir/mixed.err"
check_eq "$?" 0 "each bad line is named with file:line and why"
grep -q '3 lines or webhook items skipped' "$tmpdir/mixed.err"
check_eq "$?" 0 "the skipped lines are counted at the end"
printf 'hello\nworld\n' >"$tmpdir/junk.log"
"$rf" k8s-audit "$tmpdir/junk.log" >/dev/null 2>"$tmpdir/junk.err"
check_eq "$?" 1 "an input without any audit event exits 1"
grep -q 'the input held no audit event' "$tmpdir/junk.err"
check_eq "$?" 0 "... and says so"
"$rf" k8s-audit "$tmpdir/nonexistent.log" >/dev/null 2>"$tmpdir/missing.err"
check_eq "$?" 1 "a missing log exits 1"
grep -q "^ringfence: cannot open '.*nonexistent.log': No such file or directory" "$tmpdir/missing.err"
check_eq "$?" 0 "... with one line saying why"
printf -- '- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: ka.verb = create and proc.name = sh\n' >"$tmpdir/mixedrule.yaml"
"$rf" k8s-audit --rules "$tmpdir/mixedrule.yaml" "$tmpdir/positive.log" >/dev/null 2>"$tmpdir/rule.err"
check_eq "$?" 0 "a rule reading ka.* and proc.* loads (it never matches an audit event)"
printf -- '- rule: R\n  desc: d\n  priority: info\n  output: o\n  condition: ka.verbs = create\n' >"$tmpdir/badrule.yaml"
"$rf" k8s-audit --rules "$tmpdir/badrule.yaml" "$tmpdir/positive.log" >/dev/null 2>"$tmpdir/rule.err"
check_eq "$?" 1 "a broken rules file exits 1"
grep -q "badrule.yaml:5:14: unknown field 'ka.verbs'" "$tmpdir/rule.err"
check_eq "$?" 0 "... naming file:line:column"

# ---- --webhook: findings POSTed to a receiver ----
python3 - "$tmpdir" <<'PY' &
import http.server, json, os, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        json.loads(body)
        with open(os.path.join(out, "received.jsonl"), "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(out, "receiver.port"), "w").write(str(s.server_address[1]))
s.serve_forever()
PY
receiver=$!
for _ in $(seq 50); do [ -s "$tmpdir/receiver.port" ] && break; sleep 0.1; done
"$rf" k8s-audit --ioc "$ioc" --webhook "http://127.0.0.1:$(cat "$tmpdir/receiver.port")/findings" \
	--output "$tmpdir/wh-file.txt" "$tmpdir/positive.log" 2>"$tmpdir/wh.err"
check_eq "$?" 0 "--webhook with --output exits 0"
check_eq "$(count_lines "$tmpdir/received.jsonl" 2>/dev/null)" "$(count_lines "$tmpdir/wh-file.txt")" \
	"--webhook delivered every finding before exit"
kill "$receiver" 2>/dev/null
wait "$receiver" 2>/dev/null

# ---- --follow across a rotation ----
: >"$tmpdir/live.log"
"$rf" k8s-audit --follow --format json "$tmpdir/live.log" >"$tmpdir/follow.jsonl" 2>"$tmpdir/follow.err" &
follower=$!
wait_lines() { # file count: up to 10 s
	for _ in $(seq 100); do
		[ "$(count_lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
sleep 0.3
grep -h '"subresource":"exec"' "$tmpdir/positive.log" >>"$tmpdir/live.log"
wait_lines "$tmpdir/follow.jsonl" 1
check_eq "$?" 0 "--follow: an event appended to the log is evaluated"
mv "$tmpdir/live.log" "$tmpdir/live.log.1"
grep -h '"subresource":"token"' "$tmpdir/positive.log" >"$tmpdir/live.log"
wait_lines "$tmpdir/follow.jsonl" 2
check_eq "$?" 0 "--follow: after a rotation the new file is read from its start"
kill -TERM "$follower"
wait "$follower"
check_eq "$?" 0 "--follow ends with 0 on SIGTERM"
grep -q 'ServiceAccountTokenCreated' "$tmpdir/follow.jsonl"
check_eq "$?" 0 "--follow: the finding of the rotated-in file"

# ---- the webhook backend over TLS with client certificates ----
if ! command -v openssl >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
	skip "webhook backend over TLS" "openssl or curl not found"
	done_testing
fi
(
	cd "$tmpdir" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
		-subj /CN=test-ca -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign &&
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
		-out server.pem -extfile server.ext &&
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
		-subj /CN=kube-apiserver &&
	printf 'extendedKeyUsage=clientAuth\n' >client.ext &&
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
		-out client.pem -extfile client.ext
) >"$tmpdir/openssl.log" 2>&1 || framework_failure "openssl could not make the test certificates"

"$rf" k8s-audit --listen 127.0.0.1:0 --tls-cert "$tmpdir/server.pem" --tls-key "$tmpdir/server.key" \
	--client-ca "$tmpdir/ca.pem" --port-file "$tmpdir/port" --ioc "$ioc" --format json \
	--stats >"$tmpdir/web.jsonl" 2>"$tmpdir/web.err" &
server=$!
for _ in $(seq 100); do [ -s "$tmpdir/port" ] && break; sleep 0.1; done
port=$(cat "$tmpdir/port" 2>/dev/null)
[ -n "$port" ] || { kill "$server"; framework_failure "the listener wrote no port"; }
url=https://127.0.0.1:$port/
post() { # curl args...: prints the HTTP status
	curl -sS -o /dev/null -w '%{http_code}' --cacert "$tmpdir/ca.pem" -X POST \
		-H 'Content-Type: application/json' "$@" 2>>"$tmpdir/curl.err"
}
grep -q "webhook backend: listening on 127.0.0.1:0 (HTTPS, port $port, client certificates required)" "$tmpdir/web.err"
check_eq "$?" 0 "the listener says where it listens"
check_eq "$(post --data-binary @"$tmpdir/positive.eventlist.json" "$url")" 403 \
	"a client without a certificate is refused (403)"
check_eq "$(post --cert "$tmpdir/client.pem" --key "$tmpdir/client.key" \
	--data-binary @"$tmpdir/positive.eventlist.json" "$url")" 200 \
	"the API server's EventList is accepted (200) with the client certificate"
check_eq "$(post --cert "$tmpdir/client.pem" --key "$tmpdir/client.key" --data-binary 'not json' "$url")" 400 \
	"a body that is not an EventList is refused (400)"
check_eq "$(post --cert "$tmpdir/client.pem" --key "$tmpdir/client.key" \
	--data-binary '{"kind":"EventList","items":[{"kind":"Pod"},{"kind":"Event"}]}' "$url")" 200 \
	"an EventList with items that are not Events is accepted ..."
check_eq "$(post --cert "$tmpdir/client.pem" --key "$tmpdir/client.key" \
	--data-binary @"$tmpdir/negative.eventlist.json" "$url")" 200 "the near misses are accepted"
check_eq "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$tmpdir/ca.pem" --cert "$tmpdir/client.pem" \
	--key "$tmpdir/client.key" "$url" 2>/dev/null)" 405 "GET is not allowed (405)"
kill -TERM "$server"
wait "$server"
check_eq "$?" 0 "the listener ends with 0 on SIGTERM"
check_eq "$(missing_types "$tmpdir/web.jsonl")" "" "every positive's finding type came through the webhook backend"
check_eq "$(grep -c 'PodSecurityBaselineViolated.*hostPathVolumes' "$tmpdir/web.jsonl")" 2 \
	"... and of the near misses only the harmless hostPath (baseline)"
grep -q 'webhook batch item 0: not an audit.k8s.io Event' "$tmpdir/web.err"
check_eq "$?" 0 "... items that are not Events are named by their place in the batch"
grep -q 'webhook: 3 batches accepted, 3 refused' "$tmpdir/web.err"
check_eq "$?" 0 "--stats counts accepted and refused batches"

done_testing
