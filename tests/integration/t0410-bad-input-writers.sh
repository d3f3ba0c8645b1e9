#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every writer (issue #16, "writers replace device nodes, FIFOs and symlinks"): what is at the
# output path decides how it is written (lib/core/fileio.h, docs/ARCHITECTURE.md §5):
#   - a character device is written through and stays a device (a copy of /dev/null made with
#     mknod: replacing the real one breaks the machine);
#   - a copy of /dev/full makes the command fail with ENOSPC, never exit 0;
#   - /proc/self/fd/N writes to that descriptor;
#   - a FIFO is written through to its reader and stays a FIFO;
#   - a symlink stays a link; the file it names gets the content and keeps its mode;
#   - a directory is refused.
# Device nodes are only ever copies under $tmpdir: an old binary must not meet the real ones.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_root
require_prog timeout
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cannot enter $tmpdir"

"$rf" -q record --backend ptrace --observation obs.json -- true >/dev/null 2>rec.err ||
	framework_failure "cannot record 'true': $(cat rec.err)"

# One function per writer: $1 is the output path. stdout and stderr are the caller's.
w_convert() { "$rf" profile convert --to oci -o "$1" runtime/default; }
w_show() { "$rf" profile show -o "$1" runtime/default; }
w_merge() { "$rf" profile merge -o "$1" runtime/default runtime/default; }
w_gen_seccomp() { "$rf" generate --from obs.json --seccomp "$1"; }
w_gen_obs() { "$rf" generate --from obs.json --observation "$1" >/dev/null; }
w_gen_caps() { "$rf" -q generate --from obs.json --caps "$1"; }
w_rec_o() { "$rf" -q record --backend ptrace -o "$1" -- true; }
w_rec_obs() { "$rf" -q record --backend ptrace --observation "$1" -- true; }
w_rec_caps() { "$rf" -q record --backend ptrace --caps-out "$1" -- true; }
w_run_report() { "$rf" -q run --seccomp runtime/default --report "$1" -- true; }
writers="w_convert w_show w_merge w_gen_seccomp w_gen_obs w_gen_caps w_rec_o w_rec_obs w_rec_caps w_run_report"

for w in $writers; do
	rm -f null full
	mknod -m 666 null c 1 3 && mknod -m 666 full c 1 7 ||
		framework_failure "mknod failed"

	$w null >out 2>err
	st=$?
	if [ "$st" -eq 0 ] && [ -c null ]; then
		pass "$w: a character device is written through and stays one"
	else
		fail "$w: a character device is written through and stays one"
		diag "exit $st; $(ls -l null); $(cat err)"
	fi

	$w full >out 2>err
	st=$?
	if [ "$st" -ne 0 ] && [ -c full ] && grep -q 'No space left on device' err; then
		pass "$w: a full device is an error (ENOSPC), not exit 0"
	else
		fail "$w: a full device is an error (ENOSPC), not exit 0"
		diag "exit $st; $(ls -l full); $(cat err)"
	fi

	rm -f fd3
	$w /proc/self/fd/3 3>fd3 >out 2>err
	st=$?
	if [ "$st" -eq 0 ] && [ -s fd3 ]; then
		pass "$w: /proc/self/fd/3 writes to descriptor 3"
	else
		fail "$w: /proc/self/fd/3 writes to descriptor 3"
		diag "exit $st; $(wc -c <fd3) bytes; $(cat err)"
	fi

	rm -f fifo got
	mkfifo fifo || framework_failure "mkfifo failed"
	timeout 20 cat fifo >got &
	reader=$!
	$w fifo >out 2>err
	st=$?
	# A writer that renamed over the FIFO leaves the reader waiting for a writer forever.
	[ -p fifo ] || kill "$reader" 2>/dev/null
	wait "$reader"
	if [ "$st" -eq 0 ] && [ -p fifo ] && [ -s got ]; then
		pass "$w: a FIFO is written through to its reader and stays a FIFO"
	else
		fail "$w: a FIFO is written through to its reader and stays a FIFO"
		diag "exit $st; $(ls -l fifo); $(wc -c <got) bytes read; $(cat err)"
	fi

	rm -rf real link.json
	mkdir real && echo old >real/target.json && chmod 600 real/target.json
	chown 65534:65534 real/target.json
	ln -s real/target.json link.json
	$w link.json >out 2>err
	st=$?
	perm=$(stat -c '%a %u' real/target.json)
	if [ "$st" -eq 0 ] && [ -L link.json ] && ! grep -qx old real/target.json &&
		[ "$perm" = "600 65534" ]; then
		pass "$w: a symlink stays a link; its target is written and keeps mode and owner"
	else
		fail "$w: a symlink stays a link; its target is written and keeps mode and owner"
		diag "exit $st; $(ls -l link.json real/target.json); $(cat err)"
	fi

	rm -rf dir && mkdir dir
	$w dir >out 2>err
	st=$?
	if [ "$st" -ne 0 ] && [ -d dir ] && grep -q '^ringfence: .*directory' err; then
		pass "$w: a directory is refused"
	else
		fail "$w: a directory is refused"
		diag "exit $st; $(cat err)"
	fi
done

# A dangling link creates the file it names, next to that file, and stays a link.
rm -rf real dangling.json && mkdir real && ln -s real/new.json dangling.json
w_show dangling.json >out 2>err
if [ -L dangling.json ] && [ -s real/new.json ]; then
	pass "a dangling symlink creates its target and stays a link"
else
	fail "a dangling symlink creates its target and stays a link"
	diag "$(ls -l dangling.json real); $(cat err)"
fi

# stdout: a write error is reported once and fails the command.
rm -f full && mknod -m 666 full c 1 7
"$rf" profile show runtime/default >full 2>err
st=$?
n=$(grep -c 'standard output' err)
if [ "$st" -ne 0 ] && [ "$n" -eq 1 ] && grep -q 'No space left on device' err; then
	pass "a full stdout fails the command, reported once"
else
	fail "a full stdout fails the command, reported once"
	diag "exit $st; $(cat err)"
fi
"$rf" node status --root "$tmpdir" >full 2>err
n=$(grep -c 'standard output\|stdout' err)
check_eq "$n" 1 "node status: a full stdout is reported once"

# audit --fix --write: a symlinked manifest's target is patched, mode and owner kept.
rm -rf m && mkdir m
cat >m/real.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
YAML
chmod 600 m/real.yaml && chown 65534:65534 m/real.yaml && ln -s real.yaml m/link.yaml
"$rf" audit --fix --write m/link.yaml >out 2>err
st=$?
if [ "$st" -eq 0 ] && [ -L m/link.yaml ] && grep -q 'RuntimeDefault' m/real.yaml &&
	[ "$(stat -c '%a %u %g' m/real.yaml)" = "600 65534 65534" ]; then
	pass "audit --fix --write patches a symlink's target and keeps its mode and owner"
else
	fail "audit --fix --write patches a symlink's target and keeps its mode and owner"
	diag "exit $st; $(ls -l m); $(cat err)"
fi
cp m/real.yaml m/plain.yaml && chmod 640 m/plain.yaml && chown 65534:65534 m/plain.yaml
sed -i 's/RuntimeDefault/Unconfined/' m/plain.yaml
"$rf" audit --fix --write m/plain.yaml >out 2>err
check_eq "$(stat -c '%a %u %g' m/plain.yaml) $(grep -c RuntimeDefault m/plain.yaml)" \
	"640 65534 65534 1" "audit --fix --write keeps a regular file's mode and owner"
done_testing
