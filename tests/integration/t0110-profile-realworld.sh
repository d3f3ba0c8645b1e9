#!/bin/sh
# t0110-profile-realworld.sh — profiles of the shapes other projects ship (issue #17), written
# here, not copied: podman's containers/common keys (defaultErrno, errno), syscall names newer
# than this libseccomp, Security Profiles Operator multi-document files, diff across arches,
# and the stated size limits.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
rw=$RF_SRC/tests/data/profiles/realworld

# containers/common: defaultErrno and per-rule errno are read, and kept where the format has them.
"$rf" profile lint "$rw/podman-shape.json" >"$tmpdir/lint.out" 2>&1
check_eq "$?" 0 "podman's seccomp.json shape (defaultErrno, errno) lints without errors"
"$rf" profile convert --to docker "$rw/podman-shape.json" >"$tmpdir/podman.docker.json"
check_eq "$?" 0 "convert --to docker reads it"
python3 - "$tmpdir/podman.docker.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["defaultErrnoRet"] == 38 and d["defaultErrno"] == "ENOSYS", d
r = [s for s in d["syscalls"] if "kexec_load" in s["names"]][0]
assert r["errnoRet"] == 1 and r["errno"] == "EPERM", r
PY
check_eq "$?" 0 "docker output keeps defaultErrno and errno next to the numbers"
"$rf" profile diff "$rw/podman-shape.json" "$tmpdir/podman.docker.json" >/dev/null
check_eq "$?" 0 "the docker output compares equal to its source"
"$rf" profile show --caps CHOWN "$rw/podman-shape.json" >"$tmpdir/podman.oci.json"
python3 - "$tmpdir/podman.oci.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["defaultErrnoRet"] == 38 and "defaultErrno" not in d, d
r = [s for s in d["syscalls"] if "chroot" in s["names"]][0]
assert r["errnoRet"] == 1 and "errno" not in r, r
PY
check_eq "$?" 0 "OCI output carries the numbers only (runtime-spec has no errno names)"
printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "defaultErrnoRet": 1,\n "defaultErrno": "ENOSYS"}\n' \
	>"$tmpdir/disagree.json"
"$rf" profile lint "$tmpdir/disagree.json" >"$tmpdir/lint.out" 2>&1
check_eq "$?" 1 "an errno name that disagrees with its number is refused"
grep -q "disagree.json:3: error: defaultErrno 'ENOSYS' disagrees" "$tmpdir/lint.out"
check_eq "$?" 0 "... at its file:line"

# Syscall names newer than this libseccomp (moby's current default, our runtime/default):
# warnings where runtimes skip them, and the exit status does not fail on them.
for f in "$rw/moby-newer-syscalls.json" "$RF_SRC/data/runtime-default.json"; do
	"$rf" profile lint "$f" >"$tmpdir/lint.out" 2>&1
	check_eq "$?" 0 "lint $(basename "$f"): names newer than this libseccomp are not errors"
	"$rf" profile lint --strict "$f" >/dev/null 2>&1
	check_eq "$?" 0 "lint --strict $(basename "$f"): ... nor strict failures (they are about this machine)"
done
grep -c 'warning: syscall "[a-z_]*" is unknown for SCMP_ARCH_X86_64 .*stays at the default action \[unknown-syscall\]' \
	"$tmpdir/lint.out" | grep -qx 12
check_eq "$?" 0 "runtime/default's 12 names newer than libseccomp 2.5.4 are warnings"
"$rf" --json profile lint "$rw/moby-newer-syscalls.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["files"][0]
u = [f for f in d["findings"] if f["code"] == "unknown-syscall"]
assert d["errors"] == 0 and u and all(f["host"] and f["severity"] == "warning" for f in u), d
' 2>/dev/null
check_eq "$?" 0 "--json marks them as host findings"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [\n{"names": ["mseal"], "action": "SCMP_ACT_KILL"}]}\n' \
	>"$tmpdir/deny-unknown.json"
"$rf" profile lint "$tmpdir/deny-unknown.json" >/dev/null 2>&1
check_eq "$?" 1 "an unknown name in a deny rule stays an error (run refuses it)"

# One rule for unknown names on every path: show, convert, merge and diff keep them; only the
# filter compiler (run) skips them, as runc does.
"$rf" profile show runtime/default | grep -q '"mseal"'
check_eq "$?" 0 "show runtime/default keeps names this libseccomp does not know"
"$rf" profile convert --to docker runtime/default | grep -q '"mseal"'
check_eq "$?" 0 "convert --to docker keeps them too"
"$rf" profile show "$rw/moby-newer-syscalls.json" | grep -q '"listmount"'
check_eq "$?" 0 "show of a file keeps them, as for the built-in"
"$rf" profile show runtime/default | "$rf" profile lint --strict - >"$tmpdir/strict.out" 2>&1
check_eq "$?" 0 "show runtime/default passes its own lint --strict (issue #16)"
grep -q 'duplicate-rule' "$tmpdir/strict.out" && fail "... with no duplicate-rule warning" ||
	pass "... with no duplicate-rule warning"
"$rf" profile show --caps ALL runtime/default | "$rf" profile lint --strict - >/dev/null 2>&1
check_eq "$?" 0 "... also resolved with every capability"
"$rf" run --seccomp runtime/default -- true 2>"$tmpdir/run.err"
check_eq "$?" 0 "run --seccomp runtime/default runs"
grep -q "^ringfence: note: runtime/default: 12 syscall name(s) unknown to libseccomp .* skipped" \
	"$tmpdir/run.err"
check_eq "$?" 0 "run says once which names it skipped"
sed 's/"mseal",//' "$rw/moby-newer-syscalls.json" >"$tmpdir/no-mseal.json"
"$rf" profile diff "$rw/moby-newer-syscalls.json" "$tmpdir/no-mseal.json" >"$tmpdir/diff.out"
check_eq "$?" 1 "diff sees a name this libseccomp does not know"
grep -q '^SCMP_ARCH_X86_64 - mseal  SCMP_ACT_ALLOW (a name libseccomp [0-9.]* does not know)$' "$tmpdir/diff.out"
check_eq "$?" 0 "... and reports it by name"

# diff --arch: the target's arch, not the host's.
printf '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": null, "syscalls": [\n' \
	>"$tmpdir/noarch.json"
printf '{"names": ["close", "exit_group", "getxattrat", "listmount", "mseal", "read", "setxattrat", "statmount", "write"], "action": "SCMP_ACT_ALLOW"}]}\n' \
	>>"$tmpdir/noarch.json"
"$rf" profile diff --caps CHOWN --arch riscv64 "$rw/moby-newer-syscalls.json" "$tmpdir/noarch.json" \
	>"$tmpdir/diff.out"
check_eq "$?" 0 "diff --arch riscv64: a profile without architectures compares on riscv64"
"$rf" profile diff --arch x86 "$rw/moby-newer-syscalls.json" "$tmpdir/no-mseal.json" >"$tmpdir/diff.out"
check_eq "$(cut -d' ' -f1 "$tmpdir/diff.out" | sort -u)" SCMP_ARCH_X86 "diff --arch x86 labels its lines SCMP_ARCH_X86"

# Security Profiles Operator files of several SeccompProfiles: each is a profile, FILE#NAME.
multi=$rw/spo-multi.yaml
"$rf" profile lint "$multi" >"$tmpdir/lint.out" 2>"$tmpdir/lint.err"
check_eq "$?" 0 "lint reads every SeccompProfile of a multi-document file"
check_eq "$(cut -d: -f1 "$tmpdir/lint.err" | tr '\n' ' ')" \
	"$multi#deny-by-default $multi#log-everything $multi#allow-with-dup " \
	"lint names each document FILE#NAME"
grep -q "^$multi:38: warning: SeccompProfile 'allow-with-dup': 'reboot' is listed twice" "$tmpdir/lint.out"
check_eq "$?" 0 "a finding names its document and points at the file's line"
"$rf" profile lint "$multi#log-everything" 2>&1 >/dev/null | grep -qx "$multi#log-everything: 0 error(s), 0 warning(s)"
check_eq "$?" 0 "lint FILE#NAME checks one document"
"$rf" profile show "$multi" >/dev/null 2>"$tmpdir/err"
check_eq "$?" 1 "show of a multi-document file without a name fails"
grep -q "holds 3 SeccompProfiles (deny-by-default, log-everything, allow-with-dup): name one as $multi#NAME" "$tmpdir/err"
check_eq "$?" 0 "... saying how to name one"
"$rf" profile show "$multi#log-everything" | grep -q '"defaultAction": "SCMP_ACT_LOG"'
check_eq "$?" 0 "show FILE#NAME shows that profile"
"$rf" profile convert --to spo "$multi#allow-with-dup" | grep -q '^  namespace: "apps"$'
check_eq "$?" 0 "convert FILE#NAME keeps its metadata"
"$rf" profile diff "$multi#deny-by-default" "$multi#log-everything" | head -1 |
	grep -qx 'defaultAction: SCMP_ACT_ERRNO -> SCMP_ACT_LOG'
check_eq "$?" 0 "diff compares two documents of one file"
"$rf" profile show "$multi#nope" >/dev/null 2>"$tmpdir/err"
check_eq "$?" 1 "an unknown document name fails"
grep -q "no SeccompProfile named 'nope' here (it holds: deny-by-default, log-everything, allow-with-dup)" "$tmpdir/err"
check_eq "$?" 0 "... listing the names"
sed 's/  defaultAction: SCMP_ACT_LOG/  defaultAction: SCMP_ACT_BOGUS/' "$multi" >"$tmpdir/bad-doc.yaml"
"$rf" profile lint "$tmpdir/bad-doc.yaml" >"$tmpdir/lint.out" 2>&1
grep -q "^$tmpdir/bad-doc.yaml:25: error: SeccompProfile 'log-everything': defaultAction: unknown action" "$tmpdir/lint.out"
check_eq "$?" 0 "an error in one document names it, with the line in the file"

# Limits are stated, and a file over them is refused before it costs memory (issue #16).
python3 -c '
import json
r = [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]} for i in range(100000)]
print(json.dumps({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": r}))' >"$tmpdir/100k-rules.json"
"$rf" profile lint "$tmpdir/100k-rules.json" >"$tmpdir/lint.out" 2>&1
check_eq "$?" 1 "a profile of 100000 rules is refused"
grep -q "too many syscall rules in one profile: the limit is 4096" "$tmpdir/lint.out"
check_eq "$?" 0 "... with the limit in the message"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$tmpdir/rss" "$rf" profile lint "$tmpdir/100k-rules.json" >/dev/null 2>&1
	rss=$(tail -1 "$tmpdir/rss")
	size=$(($(wc -c <"$tmpdir/100k-rules.json") / 1024))
	# The input is read whole; the limits pass adds a few kilobytes (not the 970 MB a tree took).
	# ASan's shadow memory and quarantine add about 20 MB here (measured 50 MB against 47).
	slack=16384
	ldd "$rf" 2>/dev/null | grep -q libasan && slack=65536
	[ "$rss" -lt $((size * 3 + slack)) ] && pass "... using ${rss} KiB for ${size} KiB of input" ||
		fail "... using ${rss} KiB for ${size} KiB of input"
else
	skip "memory of a refused 100000-rule profile" "/usr/bin/time not installed"
fi
"$rf" profile --help | grep -q '^Limits per file: 16 MiB; 131072 values'
check_eq "$?" 0 "profile --help states the limits"

done_testing
