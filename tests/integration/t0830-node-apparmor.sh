#!/bin/sh
# t0830-node-apparmor.sh — `node install` with AppArmor profiles on a node that has AppArmor.
# This kernel has no AppArmor, so the test builds the part of one ringfence talks to: a sysfs
# tree (--sys) with module/apparmor/parameters/enabled = Y and kernel/security/apparmor/
# {profiles,.remove}, and an apparmor_parser first in PATH that checks with the real parser when
# there is one and "loads" by appending to the profiles file. What is tested is ringfence's
# decisions: load, no reload when unchanged, reload when changed, never replace a loaded profile
# it did not load (the runtime's docker-default), unload what it loaded with --prune.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
root=$tmpdir/kubelet
sys=$tmpdir/sys
fs=$sys/kernel/security/apparmor
mkdir -p "$root" "$sys/module/apparmor/parameters" "$fs" bin aa
echo Y >"$sys/module/apparmor/parameters/enabled"
printf 'docker-default (enforce)\n' >"$fs/profiles"
: >"$fs/.remove"
real=$(command -v apparmor_parser || echo /usr/sbin/apparmor_parser)
cat >bin/apparmor_parser <<EOF
#!/bin/sh
# -Q -K -N FILE: names (checked by the real parser when installed); -r FILE: "load".
echo "\$*" >>$tmpdir/parser.log
case "\$1" in
-Q) [ -x "$real" ] && exec "$real" "\$@"
    sed -n 's/^profile \\([^ {]*\\).*/\\1/p' "\$4" ;;
-r) sed -n 's/^profile \\([^ {]*\\).*/\\1 (enforce)/p' "\$2" >>"$fs/profiles" ;;
*) exit 2 ;;
esac
EOF
chmod +x bin/apparmor_parser
PATH=$tmpdir/bin:$PATH
export PATH
loads() { grep -c '^-r' parser.log 2>/dev/null || echo 0; }
printf 'profile rf-test-web flags=(attach_disconnected) {\n  file,\n}\n' >aa/web.apparmor

"$rf" node install --sys "$sys" --root "$root" aa >out 2>err
check_eq "$?:$(awk '{print $1, $4}' out):$(loads)" "0:loaded rf-test-web:1" "a new AppArmor profile is loaded (apparmor_parser -r)"
grep -q '^rf-test-web (enforce)$' "$fs/profiles" && pass "... and the kernel lists it" || fail "... and the kernel lists it"
"$rf" node install --sys "$sys" --root "$root" aa >out 2>err
check_eq "$?:$(awk '{print $1, $4}' out):$(loads)" "0:unchanged rf-test-web:1" "an unchanged, loaded profile is not reloaded"
printf 'profile rf-test-web flags=(attach_disconnected) {\n  file,\n  deny /etc/shadow r,\n}\n' >aa/web.apparmor
"$rf" node install --sys "$sys" --root "$root" aa >out 2>err
check_eq "$?:$(awk '{print $1, $4}' out):$(loads)" "0:loaded rf-test-web:2" "a changed profile is reloaded"

printf 'profile docker-default {\n  file,\n}\n' >aa/zz-runtime.apparmor
cp "$RF_SRC/tests/data/profiles/valid/oci-bare.json" aa/new.json
before=$(cat "$fs/profiles"; find "$root" -type f | sort | xargs cat)
"$rf" node install --sys "$sys" --root "$root" aa >out 2>err
check_eq "$?:$(grep -c "AppArmor profile 'docker-default' .* is loaded and was not loaded by ringfence" err):$(loads)" \
	"1:1:2" "a loaded profile ringfence did not load (the runtime's) is never replaced"
check_eq "$(cat "$fs/profiles"; find "$root" -type f | sort | xargs cat)" "$before" "... and nothing was installed"
rm aa/zz-runtime.apparmor aa/new.json

rm aa/web.apparmor
cp "$RF_SRC/tests/data/profiles/valid/oci-bare.json" aa/only-seccomp.json
"$rf" node install --sys "$sys" --root "$root" --prune aa >out 2>err
check_eq "$?:$(grep '^pruned' out | awk '{print $4}'):$(cat "$fs/.remove")" "0:rf-test-web:rf-test-web" \
	"--prune unloads the AppArmor profile ringfence loaded (kernel .remove)"
grep -q docker-default "$fs/.remove" && fail "... and never one it did not load" || pass "... and never one it did not load"

"$rf" node status --json --sys "$sys" --root "$root" >st.json 2>err
check_eq "$(python3 -c 'import json; a=json.load(open("st.json"))["apparmor"]; print(a["enabled"], "docker-default" in a["profiles"])')" \
	"True True" "node status --sys reads the host's AppArmor state"
done_testing
