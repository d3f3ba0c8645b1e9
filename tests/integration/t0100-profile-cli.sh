#!/bin/sh
# t0100-profile-cli.sh — `ringfence profile show|lint|convert|diff` on real files: formats
# round-trip, output is deterministic, lint points at file:line, exit codes follow DESIGN.md.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
rf=$RF_BIN
valid=$RF_SRC/tests/data/profiles/cli

json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

"$rf" profile show runtime/default >"$tmpdir/rd1.json"
check_eq "$?" 0 "show runtime/default succeeds"
json_ok "$tmpdir/rd1.json" && pass "show runtime/default prints valid JSON" ||
	fail "show runtime/default prints valid JSON"
"$rf" profile show runtime/default >"$tmpdir/rd2.json"
cmp -s "$tmpdir/rd1.json" "$tmpdir/rd2.json" && pass "show is byte-for-byte deterministic" ||
	fail "show is byte-for-byte deterministic"
names_sorted=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
print(all(r["names"]==sorted(r["names"]) for r in d["syscalls"]))' "$tmpdir/rd1.json")
check_eq "$names_sorted" True "names are sorted within every rule"
grep -q '"archMap"' "$tmpdir/rd1.json" && fail "resolved show has no archMap" ||
	pass "resolved show has no archMap"
"$rf" profile show --format docker runtime/default | grep -q '"archMap"'
check_eq "$?" 0 "show --format docker keeps archMap and conditions"

# Resolution follows the capability set: CAP_SYS_ADMIN unlocks mount.
with=$("$rf" profile show --caps ALL runtime/default | grep -c '"mount"')
without=$("$rf" profile show --caps CHOWN runtime/default | grep -c '"mount"')
check_eq "$with/$without" "1/0" "show --caps decides the CAP_SYS_ADMIN block"
a64=$("$rf" profile show --arch aarch64 runtime/default | grep -c 'SCMP_ARCH_AARCH64\|"set_tls"')
check_eq "$a64" 2 "show --arch aarch64 resolves aarch64's archMap and arm-only names"

# Round trips through every format, judged by a semantic diff.
for fmt in oci docker spo; do
	"$rf" profile convert --to $fmt -o "$tmpdir/rt.$fmt" "$valid/full-oci.json" &&
		"$rf" profile diff "$valid/full-oci.json" "$tmpdir/rt.$fmt" >"$tmpdir/d.$fmt"
	check_eq "$?" 0 "OCI -> $fmt -> diff shows no change"
done
"$rf" profile convert --to oci "$valid/config.json" >"$tmpdir/cfg.json"
check_eq "$?" 0 "convert reads linux.seccomp out of a whole config.json"
grep -q '"ociVersion"' "$tmpdir/cfg.json" && fail "convert writes only the seccomp object" ||
	pass "convert writes only the seccomp object"
head -1 "$tmpdir/rt.spo" | grep -q '^apiVersion: security-profiles-operator.x-k8s.io/v1beta1$'
check_eq "$?" 0 "SPO output carries the served apiVersion"
ls -A "$tmpdir" | grep -q 'rf-tmp' && fail "-o leaves no temporary files" ||
	pass "-o leaves no temporary files"

# lint
"$rf" profile lint "$valid/full-oci.json" >"$tmpdir/lint.out" 2>&1
check_eq "$?" 0 "lint of a good profile exits 0"
"$rf" profile lint "$valid/bad.json" >"$tmpdir/lint.out" 2>/dev/null
check_eq "$?" 1 "lint of a bad profile exits 1"
grep -q "bad.json:5: warning: syscall \"wirte\" is unknown for SCMP_ARCH_X86_64" "$tmpdir/lint.out"
check_eq "$?" 0 "lint names the unknown syscall with file:line and arch (a warning: runtimes skip it)"
grep -q 'bad.json:6: error: errnoRet is set but the action is SCMP_ACT_ALLOW' "$tmpdir/lint.out"
check_eq "$?" 0 "lint reports errnoRet on a non-ERRNO action with its line"
grep -q 'same-index-conditions' "$tmpdir/lint.out"
check_eq "$?" 0 "lint warns about same-index conditions runtimes OR together"
"$rf" --json profile lint "$valid/bad.json" >"$tmpdir/lint.json"
json_ok "$tmpdir/lint.json" && grep -q '"schema":"ringfence.lint/v1"' "$tmpdir/lint.json"
check_eq "$?" 0 "lint --json is one JSON document with a schema"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [\n' >"$tmpdir/trunc.json"
"$rf" profile lint "$tmpdir/trunc.json" 2>/dev/null | grep -q 'trunc.json:[0-9]*:.*syntax error'
check_eq "$?" 0 "a truncated document is a syntax error with a line"

# diff
"$rf" profile diff "$valid/diff-old.json" "$valid/diff-new.json" >"$tmpdir/diff.out"
check_eq "$?" 1 "diff exits 1 when the profiles differ"
grep -q '^SCMP_ARCH_X86_64 + uname  SCMP_ACT_ALLOW$' "$tmpdir/diff.out"
check_eq "$?" 0 "diff shows an added syscall"
grep -q '^SCMP_ARCH_X86_64 - chroot  SCMP_ACT_ALLOW$' "$tmpdir/diff.out"
check_eq "$?" 0 "diff shows a removed syscall"
grep -q '^SCMP_ARCH_X86_64 ~ getcwd  SCMP_ACT_ERRNO(13) -> SCMP_ACT_ERRNO(38)$' "$tmpdir/diff.out"
check_eq "$?" 0 "diff shows a changed errno"
grep -q '^SCMP_ARCH_X86_64 ~ personality  SCMP_ACT_ALLOW if arg0 EQ 0x0 -> SCMP_ACT_ALLOW if arg0 EQ 0x8$' "$tmpdir/diff.out"
check_eq "$?" 0 "diff shows changed argument conditions"
grep -q '^defaultAction: SCMP_ACT_ERRNO(1) -> SCMP_ACT_ERRNO(38)$' "$tmpdir/diff.out"
check_eq "$?" 0 "diff shows a default action change"
"$rf" profile diff runtime/default "$tmpdir/rd1.json" >/dev/null
check_eq "$?" 0 "runtime/default and its resolved OCI form compare equal"

# usage
"$rf" profile frobnicate >/dev/null 2>"$tmpdir/err"
check_eq "$?" 2 "unknown subcommand exits 2"
grep -q "Try 'ringfence profile --help'" "$tmpdir/err"
check_eq "$?" 0 "usage errors point at --help"
"$rf" profile --help | grep -q '^Usage: ringfence profile show'
check_eq "$?" 0 "profile --help prints usage on stdout"
"$rf" frobnicate 2>"$tmpdir/err"
check_eq "$?" 2 "an unknown command exits 2"
"$rf" profile show /nonexistent.json 2>"$tmpdir/err" >/dev/null
check_eq "$?" 1 "show of a missing file fails"
grep -q "^ringfence: cannot open '/nonexistent.json': No such file or directory$" "$tmpdir/err"
check_eq "$?" 0 "the error is one line, ringfence: what: why"
# A SeccompProfile's name and a syscall name are data from the file: lint and diff print them
# escaped (JSON escapes its own way).
esc=$(printf '\033')
{
	printf -- '---\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\n'
	printf 'kind: SeccompProfile\nmetadata: {name: "w\\e[2Jb"}\nspec:\n'
	printf '  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n'
	printf '    names: [read, "re\\e[31mad", read]\n'
	printf -- '---\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\n'
	printf 'kind: SeccompProfile\nmetadata: {name: db}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n'
} >"$tmpdir/esc.yaml"
"$rf" profile lint "$tmpdir/esc.yaml" >"$tmpdir/out" 2>"$tmpdir/err"
"$rf" profile diff "$tmpdir/esc.yaml#db" "$tmpdir/esc.yaml#w$esc[2Jb" >>"$tmpdir/out" 2>>"$tmpdir/err"
if ! LC_ALL=C grep -q "$esc" "$tmpdir/out" "$tmpdir/err" &&
	grep -qF "SeccompProfile 'w\\x1b[2Jb'" "$tmpdir/out" &&
	grep -q '#w\\x1b\[2Jb: 0 error' "$tmpdir/err" &&
	grep -q ' + re\\x1b\[31mad  ' "$tmpdir/out"; then
	pass "lint and diff escape names from the file"
else
	fail "lint and diff escape names from the file"
	cat -v "$tmpdir/out" "$tmpdir/err" | diag
fi
# -V: the eBPF line tells what this build has (the build registers RF_EBPF_BUILT), and
# --json -V is a document, not text.
"$rf" -V >"$tmpdir/v.txt"
check_eq "$?" 0 "-V succeeds"
want=not-built
[ "${RF_EBPF_BUILT:-}" = 1 ] && want='yes\|no'
grep -q "ebpf=\($want\)\$" "$tmpdir/v.txt" && pass "-V says ebpf=$want" ||
	{ fail "-V says ebpf=$want"; diag <"$tmpdir/v.txt"; }
"$rf" --json -V | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"]=="ringfence.version/v1" and "ebpf" in d["features"]' 2>/dev/null
check_eq "$?" 0 "--json -V prints a JSON document"

done_testing
