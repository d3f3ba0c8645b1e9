#!/bin/sh
# t0800-node-install.sh — `ringfence node install|status` against a temporary kubelet root:
# conversion to plain OCI JSON, idempotent re-install, update, prune, refusal to touch files
# ringfence did not write (or that were changed since), a bad profile leaving the node exactly as
# it was, atomic replacement seen by a concurrent reader, AppArmor validation, readiness and
# manifest checks, and runc running a busybox container with the installed file as its profile.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
data=$RF_SRC/tests/data/profiles/valid
cd "$tmpdir" || framework_failure "cd"
root=$tmpdir/kubelet
dir=$root/seccomp/ringfence
mkdir src "$root"
cp "$data/oci-bare.json" src/nginx.json
cp "$data/spo-profile.yaml" src/web.yaml
cp "$data/docker-node.json" src/moby.json
echo "not a profile" >src/README.txt
spo_name=$(sed -n 's/^  name: *//p' src/web.yaml | head -n 1)

# A digest of everything under the kubelet root, hidden files included: "the node".
snapshot() {
	(cd "$root" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 sha256sum) 2>/dev/null
}

# ---- first install ----
"$rf" node install --root "$root" src >out 2>err
check_eq "$?" 0 "install of a directory succeeds"
ok=1
for n in nginx "$spo_name" moby; do
	grep -q "^created *localhostProfile: ringfence/$n.json" out || ok=0
done
[ $ok = 1 ] && pass "prints created + the localhostProfile of each profile (SPO named by metadata.name)" ||
	{ fail "prints created + the localhostProfile of each profile"; diag <out; diag <err; }
grep -q 'README.txt: skipped' err && pass "a non-profile file in the directory is skipped, and said" ||
	{ fail "non-profile file skipped and said"; diag <err; }
grep -q 'converted from spo to plain OCI' err && grep -q 'converted from docker\|Docker conditions resolved' err &&
	pass "conversions are said on stderr" || { fail "conversions are said"; diag <err; }
python3 - "$dir" "$spo_name" <<'PY' >py.out 2>&1
import json, sys, os
d, spo = sys.argv[1:]
for n in ["nginx", spo, "moby"]:
    p = json.load(open(os.path.join(d, n + ".json")))
    assert "defaultAction" in p and "syscalls" in p, n
    for k in ("archMap", "kind", "apiVersion", "spec", "comment"):
        assert k not in p, (n, k)
    assert all("includes" not in s and "excludes" not in s for s in p["syscalls"]), n
print("ok")
PY
check_eq "$(cat py.out)" ok "every installed file is a plain OCI linux.seccomp object"
check_eq "$(stat -c %a "$dir/nginx.json")" 644 "installed files are mode 0644"
[ -f "$dir/.ringfence-state.json" ] && pass "the ownership state file is written" ||
	fail "the ownership state file is written"
ls -A "$dir" | grep -q 'rf-tmp' && fail "no temporary files are left" || pass "no temporary files are left"

# ---- idempotent ----
before=$(stat -c '%i %Y' "$dir/nginx.json"); snap=$(snapshot)
sleep 1.1
"$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep -c '^unchanged' out)" "0:3" "re-install reports every profile unchanged"
check_eq "$(stat -c '%i %Y' "$dir/nginx.json")" "$before" "re-install does not rewrite (same inode and mtime)"
check_eq "$(snapshot)" "$snap" "re-install leaves the node byte-identical"

# ---- update ----
python3 -c 'import json,sys; p=json.load(open("src/nginx.json")); p["syscalls"][0]["names"].append("uname"); json.dump(p,open("src/nginx.json","w"))'
"$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep '^updated' out | awk '{print $3}')" "0:ringfence/nginx.json" "a changed profile is updated"
grep -q '"uname"' "$dir/nginx.json" && pass "the update is on disk" || fail "the update is on disk"

# ---- dry run ----
cp "$data/oci-bare.json" src/extra.json
snap=$(snapshot)
"$rf" node install --dry-run --root "$root" src >out 2>err
status=$?
check_eq "$status:$(grep -c '^create .*extra.json' out)" "0:1" "--dry-run reports the creation it would make ('create')"
check_eq "$(snapshot)" "$snap" "... and writes nothing"
rm src/extra.json

# ---- foreign files ----
echo '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$dir/foreign.json"
cp "$data/oci-bare.json" src/foreign.json
snap=$(snapshot)
"$rf" node install --root "$root" src >out 2>err
check_eq "$?" 1 "a target file ringfence did not write refuses the install"
grep -q "foreign.json' exists and was not written by ringfence" err && pass "... and says so" ||
	{ fail "... and says so"; diag <err; }
check_eq "$(snapshot)" "$snap" "... and nothing on the node changed"
rm src/foreign.json
"$rf" node install --prune --root "$root" src >out 2>err
check_eq "$?:$(cat "$dir/foreign.json")" '0:{"defaultAction":"SCMP_ACT_ALLOW"}' "--prune never removes a foreign file"

# ---- prune ----
rm src/moby.json
"$rf" node install --root "$root" src >out 2>err
[ -f "$dir/moby.json" ] && pass "without --prune, a profile that left the set stays" ||
	fail "without --prune, a profile that left the set stays"
"$rf" node install --prune --root "$root" src >out 2>err
check_eq "$?:$(grep '^pruned' out | awk '{print $3}')" "0:ringfence/moby.json" "--prune removes it and says so"
[ ! -e "$dir/moby.json" ] && pass "... the file is gone" || fail "... the file is gone"
grep -q moby "$dir/.ringfence-state.json" && fail "... and forgotten by the state" ||
	pass "... and forgotten by the state"

# ---- a file changed by someone else ----
printf ' ' >>"$dir/nginx.json"
snap=$(snapshot)
"$rf" node install --root "$root" src >out 2>err
check_eq "$?" 1 "an owned file changed by someone else is not overwritten"
grep -q 'changed by someone else' err && pass "... and says so" || { fail "... and says so"; diag <err; }
check_eq "$(snapshot)" "$snap" "... node unchanged"
mv "$dir/foreign.json" "$root/seccomp/foreign.json"
"$rf" node status --json --root "$root" >st.json 2>err
check_eq "$(python3 -c 'import json; s=json.load(open("st.json")); print(sorted((p["localhost_profile"], p["owner"]) for p in s["profiles"]))')" \
	"[('foreign.json', 'foreign'), ('ringfence/nginx.json', 'ringfence-modified'), ('ringfence/$spo_name.json', 'ringfence')]" \
	"status tells ringfence, modified and foreign files apart"
"$rf" node install --prune --root "$root" "$data/oci-bare.json" >out 2>err
check_eq "$?:$(ls "$dir" | sort | tr '\n' ' ')" "0:nginx.json oci-bare.json " \
	"--prune leaves a modified file in place (and prunes what it owns)"
grep -q 'nginx.json: changed by someone else.*not pruned' err && pass "... and says why" ||
	{ fail "... and says why"; diag <err; }
rm -f "$dir/nginx.json"

# ---- a bad profile anywhere in the set ----
"$rf" node install --root "$root" src >/dev/null 2>&1 || framework_failure "reinstall"
snap=$(snapshot)
printf '{"defaultAction": "SCMP_ACT_NOPE", "syscalls": []}' >src/zz-bad.json
cp "$data/oci-bare.json" src/aa-new.json
"$rf" node install --prune --root "$root" src >out 2>err
check_eq "$?" 1 "an invalid profile fails the whole install"
grep -q 'zz-bad.json' err && pass "... naming the file" || { fail "... naming the file"; diag <err; }
check_eq "$(snapshot)" "$snap" "... and the node is exactly as it was (the valid new one is not written either)"
rm src/zz-bad.json src/aa-new.json
mkdir dup && cp "$data/oci-bare.json" dup/a.json && cp "$data/oci-bare.json" dup/a.yaml
"$rf" node install --root "$root" dup >out 2>err
check_eq "$?:$(grep -c "two profiles are named 'a'" err)" "1:1" "two profiles with one name are refused"
check_eq "$(snapshot)" "$snap" "... node unchanged"

# ---- atomic replacement under a concurrent reader ----
mkdir va vb
cp "$data/oci-bare.json" va/swap.json
python3 -c 'import json; p=json.load(open("va/swap.json")); p["syscalls"].append({"names":["uname"],"action":"SCMP_ACT_ERRNO"}); json.dump(p,open("vb/swap.json","w"))'
"$rf" node install --root "$root" vb >/dev/null 2>&1 && cp "$dir/swap.json" expect-b &&
	"$rf" node install --root "$root" va >/dev/null 2>&1 && cp "$dir/swap.json" expect-a ||
	framework_failure "swap setup"
python3 - "$dir/swap.json" expect-a expect-b <<'PY' >reader.out 2>&1 &
import sys, time
path, a, b = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
reads = seen_a = seen_b = 0
end = time.time() + 60
while time.time() < end:
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        print("missing"); sys.exit(1)
    reads += 1
    if data == a: seen_a += 1
    elif data == b: seen_b += 1
    else:
        print("partial", len(data)); sys.exit(1)
    try:
        open("stop-reader").close(); break
    except FileNotFoundError:
        pass
print("ok", reads, seen_a, seen_b)
PY
reader=$!
i=0
while [ $i -lt 100 ]; do
	"$rf" node install --root "$root" vb >/dev/null 2>&1 || break
	"$rf" node install --root "$root" va >/dev/null 2>&1 || break
	i=$((i + 1))
done
touch stop-reader
wait $reader
set -- $(cat reader.out)
if [ "$1" = ok ] && [ "$i" = 100 ] && [ "$3" -gt 0 ] && [ "$4" -gt 0 ]; then
	pass "a concurrent reader saw only whole files over 200 replacements ($2 reads: $3 old, $4 new)"
else
	fail "a concurrent reader saw only whole files (installs: $i)"
	diag <reader.out
fi

# ---- AppArmor ----
if command -v apparmor_parser >/dev/null 2>&1 || [ -x /usr/sbin/apparmor_parser ] || [ -x /sbin/apparmor_parser ]; then
	mkdir aa
	printf 'abi <abi/3.0>,\nprofile rf-test-web flags=(attach_disconnected) {\n  file,\n  deny /etc/shadow r,\n}\n' >aa/web.apparmor
	"$rf" node install --root "$root" aa >out 2>err
	status=$?
	if [ -d /sys/module/apparmor ]; then
		check_eq "$status:$(awk '{print $1, $4}' out)" "0:loaded rf-test-web" "AppArmor profile loaded"
	else
		check_eq "$status:$(awk '{print $1, $4}' out)" "0:skipped rf-test-web" \
			"AppArmor profile checked and named, skipped on a kernel without AppArmor"
		grep -q 'AppArmor profiles not loaded: .*apparmor' err && pass "... and says why on stderr" ||
			{ fail "... and says why on stderr"; diag <err; }
	fi
	printf 'profile broken {\n  bogus rule here\n}\n' >aa/zz.apparmor
	snap=$(snapshot)
	"$rf" node install --root "$root" aa src >out 2>err
	check_eq "$?:$(grep -c 'zz.apparmor: not a valid AppArmor profile' err)" "1:1" \
		"an invalid AppArmor profile fails the install (apparmor_parser -Q -K)"
	check_eq "$(snapshot)" "$snap" "... node unchanged"
else
	skip "AppArmor validation" "apparmor_parser not installed"
	skip "AppArmor validation" "apparmor_parser not installed"
	skip "AppArmor validation" "apparmor_parser not installed"
	skip "AppArmor validation" "apparmor_parser not installed"
fi

# ---- status and readiness ----
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\n' >"$root/config.yaml"
"$rf" node status --json --root "$root" >st.json 2>err
check_eq "$?:$(python3 -c 'import json; s=json.load(open("st.json")); k=s["kubelet"]; print(s["schema"], k["seccomp_default"], s["apparmor"]["enabled"] == __import__("os").path.isdir("/sys/module/apparmor"))')" \
	"0:ringfence.node-status/v1 True True" "status reads seccompDefault from <root>/config.yaml and AppArmor availability"
sha=$(sha256sum "$dir/nginx.json" | cut -d' ' -f1)
check_eq "$(python3 -c 'import json; s=json.load(open("st.json")); print([p["sha256"] for p in s["profiles"] if p["localhost_profile"]=="ringfence/nginx.json"][0])')" \
	"$sha" "status reports the sha256 of the file on disk"
cat >pods.yaml <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      securityContext:
        seccompProfile: {type: Localhost, localhostProfile: ringfence/nginx.json}
      containers:
      - name: app
        image: nginx
        securityContext:
          seccompProfile: {type: Localhost, localhostProfile: ringfence/missing.json}
      - name: side
        image: busybox
        securityContext:
          seccompProfile: {type: Localhost, localhostProfile: ../etc/passwd}
          appArmorProfile: {type: Localhost, localhostProfile: rf-test-web}
EOF
"$rf" node status --json --root "$root" --check-manifests pods.yaml >st.json 2>err
check_eq "$?" 1 "--check-manifests exits 1 when a referenced profile is not usable"
check_eq "$(python3 -c 'import json; s=json.load(open("st.json")); print(" ".join("%s:%s:%s" % (r.get("container","-"), r["profile"], r["present"]) for r in s["references"]))')" \
	"-:ringfence/nginx.json:True app:ringfence/missing.json:False side:../etc/passwd:False side:rf-test-web:$([ -d /sys/module/apparmor ] && echo True || echo False)" \
	"... present, missing, escaping and AppArmor references are told apart"
grep -q "3 referenced profiles are not usable" err || [ -d /sys/module/apparmor ] && pass "... and counted on stderr" ||
	{ fail "... and counted on stderr"; diag <err; }
# A running kubelet's --seccomp-default flag wins over its config file (a shell script named
# kubelet stands in: its comm is "kubelet", its cmdline carries the flags).
mkdir fake && printf '#!/bin/sh\nsleep 30\n' >fake/kubelet && chmod +x fake/kubelet
fake/kubelet --config "$root/config.yaml" --seccomp-default=false &
kpid=$!
i=0
until [ "$(cat /proc/$kpid/comm 2>/dev/null)" = kubelet ] || [ $i -ge 500 ]; do sleep 0.01; i=$((i + 1)); done
"$rf" node status --json --root "$root" >stk.json 2>err
kill $kpid 2>/dev/null; wait $kpid 2>/dev/null
check_eq "$(python3 -c 'import json; k=json.load(open("stk.json"))["kubelet"]; print(k["pid"], k["seccomp_default"], k["config"])')" \
	"$kpid False $root/config.yaml" "a running kubelet's --seccomp-default=false overrides seccompDefault: true in its --config"
"$rf" node status --root "$root" >st.txt 2>err
grep -q 'kubelet seccomp default (RuntimeDefault for every pod): yes (seccompDefault in' st.txt &&
	pass "text status says the kubelet default and where it came from" ||
	{ fail "text status says the kubelet default"; diag <st.txt; }

# ---- what is in the way is never followed, read or overwritten ----
snap=$(snapshot)
mkfifo "$dir/fifo.json"
cp "$data/oci-bare.json" src/fifo.json
timeout 10 "$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep -c "fifo.json' is not a regular file" err)" "1:1" \
	"a FIFO at a target path is refused at once (not opened for reading, no hang)"
rm "$dir/fifo.json"
ln -s /etc/passwd "$dir/fifo.json"
"$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep -c "fifo.json' is not a regular file" err):$(readlink "$dir/fifo.json")" \
	"1:1:/etc/passwd" "a symlink at a target path is refused and left as it is"
rm "$dir/fifo.json" src/fifo.json
check_eq "$(snapshot)" "$snap" "... node unchanged"
mv "$dir" "$root/seccomp/real" && ln -s real "$dir"
"$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep -c 'must be a directory, not a symlink' err)" "1:1" \
	"a symlink in place of the prefix directory is refused (writes would land elsewhere)"
rm "$dir" && mv "$root/seccomp/real" "$dir"
touch "$dir/.nginx.json.rf-tmp-999-0"
"$rf" node install --root "$root" src >out 2>err
[ ! -e "$dir/.nginx.json.rf-tmp-999-0" ] && pass "a temporary file left by a killed install is removed" ||
	fail "a temporary file left by a killed install is removed"
"$rf" node install --root "$tmpdir/kubelt" src >out 2>err
check_eq "$?:$(grep -c "kubelet root '$tmpdir/kubelt' is not a directory" err):$([ -e "$tmpdir/kubelt" ] && echo created || echo absent)" \
	"1:1:absent" "a mistyped --root is an error and creates nothing"

# ---- bad input ----
"$rf" node install --root "$root" --prefix ../escape src >out 2>err
check_eq "$?:$(grep -c "prefix '../escape' must be one path component" err)" "1:1" "a prefix that escapes is refused"
"$rf" node install --root "$root" does-not-exist >out 2>err
check_eq "$?:$(grep -c "cannot read 'does-not-exist'" err)" "1:1" "a missing input is a clear error"
"$rf" node install >out 2>err
check_eq "$?" 2 "install without profiles is a usage error"
"$rf" node frobnicate >out 2>err
check_eq "$?:$(grep -c "unknown subcommand 'frobnicate'" err)" "2:1" "an unknown subcommand is a usage error"
"$rf" node status --prune >out 2>err
check_eq "$?" 2 "install-only flags are refused by status"
printf '{"schema": "something-else", "files": {}}' >"$dir/.ringfence-state.json"
"$rf" node install --root "$root" src >out 2>err
check_eq "$?:$(grep -c 'is not a ringfence node state file' err)" "1:1" "a corrupt state file is refused, not guessed around"
rm "$dir/.ringfence-state.json"

# ---- runc runs a container with the installed file as its profile ----
if [ "$(id -u)" -ne 0 ] || ! command -v runc >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
	skip "runc accepts the installed profile" "needs root, runc and /bin/busybox"
	skip "runc enforces the installed profile" "needs root, runc and /bin/busybox"
else
	rm -rf "$root"
	mkdir rt "$root"
	"$rf" profile show --format oci runtime/default >rt/rtdefault.json 2>err || framework_failure "runtime/default"
	python3 -c 'import json; p=json.load(open("rt/rtdefault.json")); [s.__setitem__("names", [n for n in s["names"] if n != "uname"]) for s in p["syscalls"]]; p["syscalls"] = [s for s in p["syscalls"] if s["names"]]; json.dump(p,open("rt/no-uname.json","w"))'
	"$rf" node install --root "$root" rt >out 2>err || { diag <err; framework_failure "install rt"; }
	mkdir -p bundle/rootfs/bin && cp /bin/busybox bundle/rootfs/bin/ && ln -s busybox bundle/rootfs/bin/sh &&
		(cd bundle && runc spec && mv config.json spec.json) || framework_failure "bundle"
	runc_with() { # PROFILE-FILE CMD
		python3 - "$1" "$2" <<'PY' || framework_failure "config.json"
import json, sys
c = json.load(open("bundle/spec.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/busybox", "sh", "-c", sys.argv[2]]
c["linux"]["seccomp"] = json.load(open(sys.argv[1]))
json.dump(c, open("bundle/config.json", "w"))
PY
		runc run -b bundle "rf-t0800-$$" </dev/null 2>runc.err
		s=$?
		runc delete -f "rf-t0800-$$" >/dev/null 2>&1
		return $s
	}
	out=$(runc_with "$dir/rtdefault.json" 'busybox echo hello; busybox uname -s')
	check_eq "$?:$out" "0:hello
Linux" "runc runs a busybox container with the installed runtime/default as its linux.seccomp"
	[ -s runc.err ] && diag <runc.err
	# busybox prints an empty line when uname() fails.
	out=$(runc_with "$dir/no-uname.json" 'busybox echo hello; busybox uname -s')
	check_eq "$out" "hello" "runc enforces the installed file (the uname() it denies fails in the container)"
fi
done_testing
