#!/bin/sh
# t0840-apparmor.sh — `ringfence apparmor` (issue 14). This kernel has no AppArmor, so nothing
# here is enforced: what is proved is what can be without it. Every generated profile compiles
# with apparmor_parser -Q -K (against /usr/share/apparmor-features when present); bane's schema
# works and every injection is refused at file:line:col; IPv6 is in the network rules (the
# compiled policy equals the family-less one); complain output has no deny; the output does not
# depend on the host's /etc/apparmor.d; profiles recorded from nginx and from a Python job list
# exactly the files they touched (globbed by the documented rules, recomputed here by an
# independent implementation) and replay the recording without a denial (`lint --against`),
# while a profile missing one file does not.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
feat=/usr/share/apparmor-features/features
parser=$(command -v apparmor_parser || echo /usr/sbin/apparmor_parser)
[ -x "$parser" ] || parser=

# compiles FILE: 0 when apparmor_parser accepts it (skipped, with a diag, without a parser)
compiles() {
	if [ -z "$parser" ]; then
		diag "apparmor_parser is not installed: $1 not compiled"
		return 0
	fi
	if [ -f "$feat" ]; then
		"$parser" -Q -K -M "$feat" "$1" 2>"$1.parser" >/dev/null
	else
		"$parser" -Q -K "$1" 2>"$1.parser" >/dev/null
	fi || { diag "$(cat "$1.parser")"; return 1; }
}
# compiled FILE: sha256 of the binary policy (-S)
compiled() {
	if [ -f "$feat" ]; then
		"$parser" -Q -K -S -M "$feat" "$1" 2>/dev/null | sha256sum | cut -c1-16
	else
		"$parser" -Q -K -S "$1" 2>/dev/null | sha256sum | cut -c1-16
	fi
}

# ---- from-toml: bane's schema ----
bane=$RF_SRC/tests/data/apparmor/bane-web.toml
"$rf" apparmor from-toml "$bane" -o web-server.apparmor 2>err
check_eq "$?" 0 "from-toml: a bane-style file (every key of bane's schema) is read"
compiles web-server.apparmor && pass "... and its profile compiles with apparmor_parser -Q -K" ||
	fail "... and its profile compiles with apparmor_parser -Q -K"
[ -n "$parser" ] && check_eq "$("$parser" -Q -K -N web-server.apparmor 2>/dev/null)" "web-server" \
	"... and defines profile web-server (bane's Name, no docker- prefix)"
grep -q '^abi <abi/3.0>,$' web-server.apparmor && ! grep -Eq 'include|@\{' web-server.apparmor &&
	pass "... with the abi 3.0 header, no includes and no variables" ||
	fail "... with the abi 3.0 header, no includes and no variables"
grep -q '^  deny /proc/sysrq-trigger rwlkx,$' web-server.apparmor &&
	grep -q '^  signal (receive) peer=runc,$' web-server.apparmor &&
	grep -q '^  ptrace (trace,read,tracedby,readby) peer=web-server,$' web-server.apparmor &&
	grep -q '^  deny mount,$' web-server.apparmor &&
	grep -q '^  deny /sys/devices/virtual/powercap/\*\* rwlkx,$' web-server.apparmor &&
	pass "... on today's container default (proc, sys, powercap, mount, signal and ptrace peers)" ||
	fail "... on today's container default (proc, sys, powercap, mount, signal and ptrace peers)"

"$rf" apparmor from-toml --mode complain "$bane" -o complain.apparmor 2>err
check_eq "$?:$(grep -c deny complain.apparmor)" "0:0" "complain: no 'deny' anywhere (a deny blocks even in complain mode)"
grep -q '^profile web-server flags=(attach_disconnected,complain,mediate_deleted) {$' complain.apparmor &&
	grep -q '^  audit /bin/sh mrwlkix,$' complain.apparmor &&
	pass "... flags=(complain), and what enforce denies is 'audit' (logged, allowed)" ||
	fail "... flags=(complain), and what enforce denies is 'audit' (logged, allowed)"
compiles complain.apparmor && pass "... and it compiles" || fail "... and it compiles"

# ---- IPv6: the network rules equal the family-less ones, which cover inet and inet6 ----
printf 'Name = "v6"\n[Network]\nProtocols = ["tcp", "udp"]\nRaw = true\nPacket = true\n' >v6.toml
"$rf" apparmor from-toml v6.toml -o v6.apparmor 2>err
grep -q '^  network inet6 tcp,$' v6.apparmor && grep -q '^  network inet6 udp,$' v6.apparmor &&
	pass "Protocols: IPv6 rules next to the IPv4 ones (bane wrote 'network inet' only)" ||
	fail "Protocols: IPv6 rules next to the IPv4 ones (bane wrote 'network inet' only)"
if [ -n "$parser" ]; then
	{ echo 'abi <abi/3.0>,'; echo 'profile n {'; grep '^  network' v6.apparmor; echo '}'; } >ours.aa
	printf 'abi <abi/3.0>,\nprofile n {\n  network tcp,\n  network udp,\n}\n' >familyless.aa
	printf 'abi <abi/3.0>,\nprofile n {\n  network inet tcp,\n  network inet udp,\n}\n' >v4only.aa
	a=$(compiled ours.aa) b=$(compiled familyless.aa) c=$(compiled v4only.aa)
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] &&
		pass "... compiled, they equal the family-less 'network tcp/udp' and differ from IPv4 only" ||
		fail "... compiled, they equal the family-less 'network tcp/udp' and differ from IPv4 only ($a $b $c)"
else
	skip "IPv6 compiled equivalence" "apparmor_parser is not installed"
fi

# ---- injections: every value that could add a rule is an error at file:line:col ----
i=0 bad=0
inj() { # EXPECTED-LOCATION TOML
	i=$((i + 1))
	printf '%b' "$2" >inj$i.toml
	"$rf" apparmor from-toml inj$i.toml -o inj$i.apparmor >/dev/null 2>inj$i.err
	rc=$?
	if [ $rc -ne 1 ] || [ -e inj$i.apparmor ] || ! grep -q "^ringfence: inj$i.toml:$1" inj$i.err; then
		bad=$((bad + 1))
		diag "injection $i: rc=$rc $(cat inj$i.err)"
	fi
}
inj 2:27: '[Filesystem]\nWritablePaths = ["/tmp/x w,\\n  capability sys_admin,\\n  /y"]\n'
inj 2:25: '[Filesystem]\nAllowExec = ["/bin/sh ux, /x"]\n'
inj 2:22: '[Filesystem]\nAllowExec = ["/bin/sh\\" ux,"]\n'
inj 2:21: '[Filesystem]\nReadOnlyPaths = ["/a}\\n}\\nprofile x {"]\n'
inj 2:22: '[Filesystem]\nReadOnlyPaths = ["/a # }"]\n'
inj 2:19: '[Filesystem]\nReadOnlyPaths = ["@{HOME}/**"]\n'
inj 1:8: 'Name = "x {\\n  capability,\\n}\\nprofile y"\n'
inj 1:1: 'Imports = ["#include <tunables/global>"]\n'
inj 2:10: '[Capabilities]\nAllow = ["chown,\\n  capability sys_admin"]\n'
inj 2:14: '[Network]\nProtocols = ["tcp,\\n  network,"]\n'
check_eq "$bad" 0 "$i injection attempts refused with file:line:col, no profile written"

# ---- reproducible: nothing of the host's policy tree is read ----
"$rf" apparmor from-toml "$bane" -o again.apparmor 2>/dev/null
cmp -s web-server.apparmor again.apparmor && pass "the same input gives the same bytes" ||
	fail "the same input gives the same bytes"
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m sh -c 'mount -t tmpfs none /etc/apparmor.d' 2>/dev/null; then
	unshare -m sh -c "mount -t tmpfs none /etc/apparmor.d && \"$rf\" apparmor from-toml \"$bane\" -o hidden.apparmor" 2>/dev/null
	cmp -s web-server.apparmor hidden.apparmor &&
		pass "... also with an empty /etc/apparmor.d (bane read tunables/ and abstractions/ from it)" ||
		fail "... also with an empty /etc/apparmor.d (bane read tunables/ and abstractions/ from it)"
else
	skip "empty /etc/apparmor.d" "needs root and mount namespaces"
fi

# ---- expected file rules, recomputed from an observation by the documented rules ----
# (docs/ringfence-apparmor.1, GLOBBING): an independent implementation, so the test does not
# share the C code's mistakes.
expected_rules() { # OBS.json -> "TOKEN PERMS" lines, sorted
	python3 - "$1" <<'PY'
import json, re, sys
o = json.load(open(sys.argv[1]))
rules = {}
def perms(acc):
    p = set()
    if "read" in acc: p.add("r")
    if acc & {"write", "create", "delete", "chmod", "chown", "rename"}: p.add("w")
    elif "append" in acc: p.add("a")
    if "link" in acc: p.add("l")
    if "lock" in acc: p.add("k")
    if "mmap-exec" in acc: p.add("m")
    if "exec" in acc: p |= {"m", "r", "x"}
    return p
def tail(c):
    m = re.search(r"[A-Za-z0-9_]*$", c)
    start = m.start()
    run = c[start:]
    python = start == 0 and re.fullmatch(r"tmp[a-z0-9_]{8}", c)  # tempfile, digit or not
    if len(run) < 6 or not (re.search(r"[0-9A-Z]", run) or python): return None
    if len(run) >= 9 and run.startswith("tmp"): start += 3
    return start
def glob(path, d):
    parts = [x for x in path.split("/") if x]
    out = []
    for i, c in enumerate(parts):
        top = "/" + "/".join(parts[:i])
        if (path.startswith("/proc/") or (path.startswith("/dev/pts/") and i == 2)) and c.isdigit():
            out.append("[0-9]*"); continue
        if top in ("/tmp", "/var/tmp", "/dev/shm") and tail(c) is not None:
            k = tail(c); r = c[k:]
            out.append(c[:k] + ("[0-9]*" if r.isdigit() else "?" * len(r))); continue
        m = re.fullmatch(r"(.+\.so\.[0-9]+)(\.[0-9.]*)", c) if i == len(parts) - 1 else None
        if m and re.fullmatch(r"(\.[0-9]+)+\.?", m.group(2) or ""):
            out.append(m.group(1) + "*"); continue
        out.append(c)
    t = "/" + "/".join(out)
    if d and not t.endswith("/"): t += "/"
    return t
def add(path, p, d=False):
    if not path.startswith("/") or path.startswith("/memfd:"): return
    if path.endswith(" (deleted)"): path = path[:-10]
    rules.setdefault(glob(path, d), set()).update(p)
for e in o["execs"]: add(e, {"m", "r", "x"})
for f in o["files"]: add(f["path"], perms(set(f["access"])), "dir" in f["access"])
order = "mrwalk"
for t in sorted(rules):
    p = rules[t]
    s = "".join(c for c in order if c in p and not (c == "a" and "w" in p))
    print(t, s + ("ix" if "x" in p else ""))
PY
}
file_rules() { # PROFILE -> "TOKEN PERMS" lines of its file rules, sorted
	sed -n 's/^  \(\/[^ ]*\) \([mrwalkix]*\),$/\1 \2/p' "$1" | LC_ALL=C sort
}

# ---- nginx: master, worker, IPv4 and IPv6 listeners, a static file ----
if ! command -v nginx >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
	skip "nginx" "nginx or curl is not installed"
else
	port=$((20000 + $$ % 20000))
	chmod a+rx "$tmpdir" # the worker runs as nobody
	mkdir -p ng/www
	echo hello >ng/www/index.html
	cat >ng/nginx.conf <<NGX
daemon off;
master_process on;
worker_processes 1;
pid $tmpdir/ng/nginx.pid;
error_log stderr warn;
events { worker_connections 16; }
http {
  access_log $tmpdir/ng/access.log;
  client_body_temp_path $tmpdir/ng/body;
  proxy_temp_path $tmpdir/ng/proxy;
  fastcgi_temp_path $tmpdir/ng/fcgi;
  uwsgi_temp_path $tmpdir/ng/uwsgi;
  scgi_temp_path $tmpdir/ng/scgi;
  server { listen 127.0.0.1:$port; listen [::1]:$port; location / { root $tmpdir/ng/www; } }
}
NGX
	"$rf" record --observation ng.json --apparmor-out nginx-web.apparmor -- \
		nginx -p "$tmpdir/ng" -c "$tmpdir/ng/nginx.conf" >ng.out 2>ng.err </dev/null &
	job=$!
	got4= got6= n=0
	while [ $n -lt 50 ] && [ -z "$got6" ]; do
		sleep 0.2
		n=$((n + 1))
		[ -n "$got4" ] || got4=$(curl -s -m 1 "http://127.0.0.1:$port/" 2>/dev/null)
		[ -n "$got4" ] && got6=$(curl -s -m 1 -g "http://[::1]:$port/" 2>/dev/null)
		kill -0 "$job" 2>/dev/null || break
	done
	[ -s ng/nginx.pid ] && kill -TERM "$(cat ng/nginx.pid)" 2>/dev/null
	wait "$job"
	check_eq "$got4:$got6" "hello:hello" "nginx answered on IPv4 and IPv6 while recorded"
	compiles nginx-web.apparmor && pass "nginx: record --apparmor-out writes a profile that compiles" ||
		fail "nginx: record --apparmor-out writes a profile that compiles"
	check_eq "$(file_rules nginx-web.apparmor)" "$(expected_rules ng.json)" \
		"nginx: the file rules are exactly the files it touched, globbed"
	grep -q '^  /usr/sbin/nginx mrix,$' nginx-web.apparmor &&
		grep -Eq '^  /usr/lib/[^ ]*/ld-linux[^ ]* mr,$' nginx-web.apparmor &&
		grep -q "^  /tmp/rf-t0840-apparmor\.??????/ng/www/index.html r,\$" nginx-web.apparmor &&
		pass "nginx: its binary (ix), the ELF interpreter the kernel mapped, the test's temp dir globbed" ||
		fail "nginx: its binary (ix), the ELF interpreter the kernel mapped, the test's temp dir globbed"
	check_eq "$(grep '^  network' nginx-web.apparmor | tr -d ' ,' | tr '\n' ' ')" \
		"networkinetstream networkinet6stream networkunixstream " \
		"nginx: the sockets it made (IPv4, IPv6, the unix socketpair to its worker)"
	"$rf" apparmor lint nginx-web.apparmor --against ng.json >lint.out 2>&1
	check_eq "$?:$(grep -c would-deny lint.out)" "0:0" \
		"nginx: the recording replays against the profile without a denial (same run passes)"
	grep -v '/ng/www/index.html r,' nginx-web.apparmor >missing.apparmor
	"$rf" apparmor lint missing.apparmor --against ng.json >lint.out 2>&1
	check_eq "$?:$(grep -c "index.html: needs r, no rule allows r \[would-deny\]" lint.out)" "1:1" \
		"... and without its index.html rule the replay reports exactly that denial"
	mkdir gen
	"$rf" generate --from ng.json --apparmor gen/nginx-web.apparmor >/dev/null 2>&1
	cmp -s nginx-web.apparmor gen/nginx-web.apparmor &&
		pass "generate --apparmor from the observation gives the same profile" ||
		fail "generate --apparmor from the observation gives the same profile"
fi

# ---- a Python job that reads, writes, makes a temp file, reads /proc/self ----
mkdir work
echo "some input" >work/in.txt
cat >work/job.py <<'PY'
import os, socket, tempfile
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
with open("in.txt") as f:
    data = f.read()
with open("out.txt", "w") as f:
    f.write(data.upper())
fd, tmp = tempfile.mkstemp()
os.write(fd, b"scratch")
os.close(fd)
os.unlink(tmp)
with open("/proc/self/status") as f:
    f.readline()
PY
(cd work && "$rf" record --observation ../py.json --apparmor-out ../py-job.apparmor -- python3 job.py \
	>../py.out 2>../py.err </dev/null)
check_eq "$?:$(cat work/out.txt)" "0:SOME INPUT" "python: the job ran while recorded"
compiles py-job.apparmor && pass "python: its profile compiles" || fail "python: its profile compiles"
check_eq "$(file_rules py-job.apparmor)" "$(expected_rules py.json)" \
	"python: the file rules are exactly the files it touched, globbed"
check_eq "$(file_rules py-job.apparmor | grep "/work/" | sed 's|.*/work/|work/|')" "work/ r
work/in.txt r
work/job.py r
work/out.txt w" "python: its own files: the directory (imports list it), in.txt r, job.py r, out.txt w, nothing else"
grep -q '^  /tmp/tmp???????? rw,$' py-job.apparmor && grep -q '^  /proc/\[0-9\]\*/status r,$' py-job.apparmor &&
	pass "python: mkstemp's name and /proc/<pid> globbed" || fail "python: mkstemp's name and /proc/<pid> globbed"
grep -q '^  network unix seqpacket,$' py-job.apparmor &&
	pass "python: its socketpair is a network rule" || fail "python: its socketpair is a network rule"
"$rf" apparmor lint py-job.apparmor --against py.json >lint.out 2>&1
check_eq "$?:$(grep -c would-deny lint.out)" "0:0" "python: the recording replays without a denial"

# ---- a script run by its #! line, its stdout a file it inherited ----
printf '#!/bin/sh\nexec cat "$1"\n' >work/show.sh
chmod +x work/show.sh
"$rf" record --apparmor-out show.apparmor -- ./work/show.sh work/in.txt >show.out 2>show.err </dev/null
check_eq "$?:$(cat show.out)" "0:some input" "a #! script ran while recorded"
grep -q '^  /tmp/rf-t0840-apparmor\.??????/work/show.sh mrix,$' show.apparmor &&
	grep -q '^  /tmp/rf-t0840-apparmor\.??????/show.out w,$' show.apparmor &&
	grep -q '^  /dev/null r,$' show.apparmor &&
	pass "... its profile executes the script itself (AppArmor checks it, not /bin/sh) and allows the inherited stdout and stdin" ||
	fail "... its profile executes the script itself (AppArmor checks it, not /bin/sh) and allows the inherited stdout and stdin"

# ---- an observation without file events (eBPF) ----
python3 -c '
import json, sys
o = json.load(open("py.json"))
for k in ("files", "network", "signals", "ptrace", "files_overflow"): o.pop(k, None)
o["recording"]["backend"] = "ebpf"
o["capabilities"]["used"] = ["CAP_CHOWN"]
json.dump(o, open("ebpf.json", "w"))'
"$rf" apparmor from-observation ebpf.json -o ebpf.apparmor >/dev/null 2>err
check_eq "$?:$([ -e ebpf.apparmor ] && echo written):$(grep -c 'no file or socket events' err)" "1::1" \
	"an eBPF observation (no file events) is refused, not turned into a deny-everything profile"
"$rf" apparmor from-observation --partial ebpf.json -o ebpf.apparmor >/dev/null 2>err
check_eq "$?:$(grep -c 'warning: .*all files and networking are allowed' err)" "0:1" \
	"... --partial writes it with a warning"
grep -q '^  file,$' ebpf.apparmor && grep -q '^  network,$' ebpf.apparmor &&
	grep -q '^  capability chown,$' ebpf.apparmor && compiles ebpf.apparmor &&
	pass "... allowing files and networking whole, the capabilities it saw exactly; it compiles" ||
	fail "... allowing files and networking whole, the capabilities it saw exactly; it compiles"
"$rf" record --backend ebpf --apparmor-out x.apparmor -- true >/dev/null 2>err
check_eq "$?" 2 "record --backend ebpf --apparmor-out is a usage error (no file events)"

# ---- Kubernetes and node install ----
"$rf" apparmor from-observation py.json -o node/py-job.apparmor --k8s - >k8s.yaml 2>/dev/null ||
	{ mkdir -p node && "$rf" apparmor from-observation py.json -o node/py-job.apparmor --k8s - >k8s.yaml; }
grep -q '^    localhostProfile: py-job$' k8s.yaml &&
	grep -q 'container.apparmor.security.beta.kubernetes.io/CONTAINER: localhost/py-job$' k8s.yaml &&
	pass "--k8s: securityContext.appArmorProfile Localhost py-job and the pre-1.30 annotation" ||
	fail "--k8s: securityContext.appArmorProfile Localhost py-job and the pre-1.30 annotation"
if [ -n "$parser" ]; then
	"$rf" node install --dry-run --root "$tmpdir/kubelet" --sys "$tmpdir/nosys" node >out 2>err
	check_eq "$?:$(awk '{print $1, $4}' out | head -n 1)" "0:skip py-job" \
		"node install takes NAME.apparmor as profile NAME (checked; not loaded: no AppArmor here)"
else
	skip "node install" "apparmor_parser is not installed"
fi

# audit --check-node: a node whose AppArmor has web-server loaded (a sysfs built here, as t0830)
mkdir -p sys/module/apparmor/parameters sys/kernel/security/apparmor
echo Y >sys/module/apparmor/parameters/enabled
echo 'web-server (enforce)' >sys/kernel/security/apparmor/profiles
pod() { # NAME PROFILE
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      appArmorProfile:\n        type: Localhost\n        localhostProfile: %s\n' "$1" "$2"
}
{ pod good web-server; echo ---; pod bad py-job; } >pods.yaml
"$rf" audit --level baseline --check-node --root "$tmpdir/kubelet" --sys "$tmpdir/sys" pods.yaml >audit.out 2>&1
check_eq "$?:$(grep '^node: ' audit.out | sed 's/^node: pods.yaml:\([0-9]*\):[0-9]*: \(.*\)/\1 \2/')" \
	"1:25 Pod bad container c: AppArmor profile 'py-job' is not loaded on this node" \
	"audit --check-node reports the pod whose Localhost AppArmor profile is not loaded, only it"
"$rf" audit --level baseline pods.yaml >/dev/null 2>&1
check_eq "$?" 0 "... and plain audit does not look at the node"

# ---- bad input: the hostile corpus through both readers, and a control byte in a value ----
crashed=0 unclear=0 n=0
for f in "$RF_SRC"/tests/data/bad-input/* tests-none; do
	[ -f "$f" ] || continue
	for sub in from-toml lint; do
		n=$((n + 1))
		timeout 20 "$rf" apparmor $sub "$f" >/dev/null 2>bad.err
		rc=$?
		[ $rc -ge 124 ] && { crashed=$((crashed + 1)); diag "$sub $f: exit $rc"; }
		# every stderr line "ringfence: ..." without control bytes (tab aside)
		if grep -qv '^ringfence: ' bad.err || LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" bad.err; then
			unclear=$((unclear + 1))
			diag "$sub $f: $(head -c 200 bad.err)"
		fi
	done
done
check_eq "$crashed:$unclear" "0:0" "$n runs of hostile files through from-toml and lint: no crash or hang, one clean 'ringfence:' line"
printf 'Name = "a\\u001b[31mred"\n' >esc.toml
"$rf" apparmor from-toml esc.toml >/dev/null 2>bad.err
check_eq "$?:$(LC_ALL=C grep -c "$(printf '\033')" bad.err)" "1:0" "an escape sequence in a value is refused and never printed raw"

# ---- bad input ----
"$rf" apparmor from-toml /nonexistent.toml >/dev/null 2>err
check_eq "$?:$(grep -c '^ringfence: ' err)" "1:1" "a missing file: one 'ringfence:' error, exit 1"
"$rf" apparmor from-toml --mode audit "$bane" >/dev/null 2>err
check_eq "$?" 2 "--mode audit is a usage error"
"$rf" apparmor frob >/dev/null 2>err
check_eq "$?" 2 "an unknown subcommand is a usage error"
"$rf" apparmor lint web-server.apparmor >lint.out 2>&1
check_eq "$?" 0 "lint: a generated profile has no error"
"$rf" apparmor lint complain.apparmor >/dev/null 2>&1
check_eq "$?" 0 "lint: ... nor its complain version"
sed 's/^  audit \/bin\/sh/  deny \/bin\/sh/' complain.apparmor >deny-complain.apparmor
"$rf" apparmor lint deny-complain.apparmor >lint.out 2>&1
check_eq "$?:$(grep -c 'deny-in-complain' lint.out)" "1:1" "lint: a deny rule in a complain profile is an error"
done_testing
