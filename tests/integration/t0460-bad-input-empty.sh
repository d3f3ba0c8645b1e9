#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Empty inputs and the small things around them (issue #16, low items):
#   - an empty strace log (or anything that observed nothing) gives a profile lint accepts
#     (no `"names": []` rule) and a warning that it denies everything;
#   - generate --observation FILE still prints the profile on stdout, as help and man say;
#   - node install --prune of an empty set (and the agent with an empty source) removes
#     nothing unless --allow-empty, and says so;
#   - paths shown for DIR/ are DIR/x, not DIR//x; --dry-run says what it would do.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

: >empty.log
"$rf" generate --from-strace empty.log >e.json 2>err
check_eq "$?" 0 "generate --from-strace of an empty log writes a profile"
grep -q '"names": \[\]' e.json
check_eq "$?" 1 "... without an empty names list"
"$rf" profile lint e.json >/dev/null 2>&1
check_eq "$?" 0 "... that lint accepts"
grep -q '^ringfence: warning: no syscall was observed' err
check_eq "$?" 0 "... and a warning says it denies everything"
"$rf" generate --from-strace empty.log --observation empty.obs >/dev/null 2>&1
"$rf" generate --from empty.obs --seccomp e2.json 2>/dev/null && "$rf" profile lint e2.json >/dev/null 2>&1
check_eq "$?" 0 "an empty observation gives a profile lint accepts too"

"$rf" -q record --backend ptrace --observation obs.json -- true >/dev/null 2>&1 ||
	framework_failure "cannot record 'true'"
"$rf" generate --from obs.json --observation merged.json >out.json 2>err
if [ "$?" -eq 0 ] && grep -q '"defaultAction"' out.json && [ -s merged.json ]; then
	pass "generate --observation FILE prints the profile on stdout too"
else
	fail "generate --observation FILE prints the profile on stdout too"
	diag "$(head -c 200 out.json) $(cat err)"
fi
"$rf" generate --from obs.json --observation - >out.json 2>err
grep -q '"schema": "ringfence.observation/v1"' out.json && ! grep -q '"defaultAction"' out.json
check_eq "$?" 0 "with --observation -, stdout has the observation only"
"$rf" generate --from obs.json --observation - --seccomp - >/dev/null 2>err
check_eq "$?" 2 "two outputs on stdout are a usage error"

# node install --prune with an empty set.
mkdir -p root src empty
"$rf" profile show -o src/web.json runtime/default
"$rf" node install --root root src/ >out 2>err ||
	framework_failure "cannot install a profile: $(cat err)"
grep -q 'ringfence/web.json' out
check_eq "$?" 0 "install prints the localhostProfile"
"$rf" node install --prune --root root empty >out 2>err
st=$?
if [ "$st" -eq 1 ] && [ -f root/seccomp/ringfence/web.json ] &&
	grep -q "^ringfence: 'empty' has no profile: refusing to prune" err; then
	pass "--prune of an empty directory removes nothing and says why"
else
	fail "--prune of an empty directory removes nothing and says why"
	diag "exit $st; $(cat err)"
fi
echo 'not a profile' >empty/README.md
"$rf" node install --prune --root root empty >out 2>err
check_eq "$?:$(ls root/seccomp/ringfence)" "1:web.json" "a directory with no profile among other files counts as empty"
rm empty/README.md
"$rf" node install --prune --dry-run --allow-empty --root root empty >out 2>err
check_eq "$?:$(awk '{print $1}' out | head -n 1)" "0:prune" "--dry-run says what it would do ('prune', not 'pruned')"
grep -q 'note: the set is empty: every profile ringfence installed is pruned' err
check_eq "$?" 0 "--allow-empty is logged"
"$rf" node install --prune --allow-empty --root root empty >out 2>err
check_eq "$?:$(ls root/seccomp/ringfence)" "0:" "--allow-empty removes every profile ringfence installed"
"$rf" node install --allow-empty --root root src >/dev/null 2>&1
check_eq "$?" 0 "--allow-empty without --prune is harmless"
"$rf" node status --allow-empty --root root >/dev/null 2>&1
check_eq "$?" 2 "--allow-empty is not a status option"

# The agent: an empty source is a failed sync that changes nothing.
"$rf" node install --root root src >/dev/null 2>&1
timeout -s INT 3 "$rf" node agent --source empty --root root --resync 0 >out 2>err
if [ -f root/seccomp/ringfence/web.json ] && grep -q 'sync failed: .*refusing to prune' err; then
	pass "the agent with an empty source keeps the node's profiles and logs why"
else
	fail "the agent with an empty source keeps the node's profiles and logs why"
	diag "$(ls root/seccomp/ringfence) $(cat err)"
fi

# Paths of files found in DIR/.
mkdir spo && "$rf" profile show --format spo -o spo/p.yaml runtime/default
"$rf" node install --dry-run --root root/ spo/ >out 2>err
if grep -q 'spo/p.yaml' err && ! grep -q '//' out err; then
	pass "paths under DIR/ and ROOT/ are shown without '//'"
else
	fail "paths under DIR/ and ROOT/ are shown without '//'"
	diag "$(cat out err)"
fi
"$rf" node status --root root/ >out 2>err
check_eq "$(head -n 1 out)" "seccomp directory: root/seccomp" "node status names ROOT/seccomp without '//'"
done_testing
