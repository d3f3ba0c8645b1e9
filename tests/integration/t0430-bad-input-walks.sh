#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Directory walks and input files (issue #16): a symlink loop never makes a walk explode or a
# file show up twice, and an input that is not a regular file never blocks.
#   - audit DIR: directory symlinks below DIR are not followed, file symlinks are, and a file
#     reached by several names (or named twice) is read and reported once;
#   - node status: the kubelet directory is followed as the kubelet does, but a directory that
#     is its own ancestor is not entered again;
#   - a FIFO nobody writes to is an error at once for every reader (lint, show, audit,
#     generate --from and --from-strace, node install); one with a writer is read.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

# run_limited SECONDS CMD...: sets st; stdout in out, stderr in err.
run_limited() {
	lim=$1
	shift
	timeout -k 2 "$lim" "$@" >out 2>err </dev/null
	st=$?
}

mkdir -p t/sub outside
cat >t/pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: p1
spec:
  containers:
  - name: a
    image: x
YAML
cp t/pod.yaml outside/other.yaml
sed 's/name: p1/name: p2/' t/pod.yaml >t/sub/p2.yaml
ln -s . t/x
ln -s . t/y
ln -s .. t/sub/up
ln -s ../outside t/out
ln -s pod.yaml t/alias.yaml

run_limited 20 "$rf" audit t
check_eq "$st" 1 "audit of a tree with three symlink loops finishes (exit 1: violations)"
check_eq "$(grep -c 'Pod p1:' out)" 1 "the pod behind the loops and the file symlink is reported once"
check_eq "$(grep -c 'Pod p2:' out)" 1 "a real subdirectory is still read"
check_eq "$(grep -c 'other.yaml' out)" 0 "a symlink to a directory outside the tree is not followed"
grep -q '^2 workloads checked' out
check_eq "$?" 0 "the summary counts each workload once"

run_limited 20 "$rf" audit t t/pod.yaml t/x/pod.yaml
check_eq "$(grep -c 'Pod p1:' out)" 1 "a file named again on the command line is reported once"

run_limited 20 "$rf" --json audit t
n=$(grep -o '"name":"p1"' out | wc -l)
check_eq "$n" 1 "JSON lists the workload once"

# node status: the loops and the same file under one name each.
mkdir -p root/seccomp/ringfence
"$rf" profile show -o root/seccomp/ringfence/a.json runtime/default 2>err ||
	framework_failure "cannot write a profile: $(cat err)"
ln -s . root/seccomp/ringfence/x
ln -s . root/seccomp/ringfence/y
ln -s . root/seccomp/z
ln -s ringfence root/seccomp/alias
run_limited 20 "$rf" node status --root "$tmpdir/root"
check_eq "$st" 0 "node status of a directory with symlink loops finishes"
check_eq "$(grep -c 'a.json' out)" 2 "each usable name of the profile is listed once (ringfence/, alias/)"

# FIFOs: nobody writes, so every reader must fail at once instead of waiting forever.
mkfifo fifo fifo.json fifo.log fifo.yaml || framework_failure "mkfifo failed"
fifo_refused() {
	desc=$1
	shift
	run_limited 10 "$@"
	# lint reports it as a finding on stdout, the others as "ringfence: ..." on stderr.
	if [ "$st" -ne 0 ] && [ "$st" -ne 124 ] && [ "$st" -lt 128 ] &&
		grep -q "^ringfence: .*FIFO\|^fifo.json: error: .*FIFO" err out; then
		pass "$desc"
	else
		fail "$desc"
		diag "exit $st; $(head -c 300 err)"
	fi
}
fifo_refused "profile lint FIFO fails at once" "$rf" profile lint fifo.json
fifo_refused "profile show FIFO fails at once" "$rf" profile show fifo.json
fifo_refused "audit FIFO fails at once" "$rf" audit fifo.yaml
fifo_refused "generate --from-strace FIFO fails at once" "$rf" generate --from-strace fifo.log
fifo_refused "generate --from FIFO fails at once" "$rf" generate --from fifo.json
fifo_refused "run --seccomp FIFO fails at once" "$rf" run --seccomp fifo.json -- true
fifo_refused "node install FIFO fails at once" "$rf" node install --root "$tmpdir/root" fifo.json

# A FIFO with a writer is read like a pipe.
"$rf" profile show runtime/default >rd.json
(cat rd.json >fifo.json) &
run_limited 10 "$rf" profile lint fifo.json
wait
check_eq "$st" 0 "a FIFO with a writer is read"
(cat t/pod.yaml >fifo.yaml) &
run_limited 10 "$rf" audit fifo.yaml
wait
check_eq "$(grep -c 'Pod p1:' out)" 1 "audit reads a FIFO with a writer"

run_limited 10 "$rf" profile lint t
if [ "$st" -eq 1 ] && grep -q 'directory' out err; then
	pass "a directory given as a profile is refused with a reason"
else
	fail "a directory given as a profile is refused with a reason"
	diag "exit $st; $(cat out err | head -c 300)"
fi
done_testing
