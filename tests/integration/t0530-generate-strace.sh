#!/bin/sh
# t0530-generate-strace.sh — a fresh `strace -f` log of a real program, imported with
# `generate --from-strace`, gives the same profile as recording the same program with
# `ringfence record`; observations merge; --min-support filters.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog strace
require_prog python3
mk_tmpdir
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
mkdir -p d && echo hello >d/f

same_profile() { # NAME CMD...
	name=$1
	shift
	strace -f -qq -o "$name.log" "$@" >/dev/null 2>&1
	"$rf" -q record --observation "$name.obs" -o "$name.rec.json" -- "$@" >/dev/null 2>&1
	"$rf" generate --from-strace "$name.log" --seccomp "$name.st.json" 2>"$name.err"
	if "$rf" profile diff "$name.rec.json" "$name.st.json" >"$name.diff"; then
		pass "$name: strace import and ptrace recording give the same profile"
	else
		fail "$name: strace import and ptrace recording give the same profile"
		diag <"$name.diff"
		diag <"$name.err"
	fi
}
same_profile ls ls -la d
same_profile cat-pipe sh -c 'cat d/f | tr a-z A-Z'
same_profile python-threads python3 -c 'import threading; t = threading.Thread(target=print, args=("t",)); t.start(); t.join()'

# -ff: every per-pid file together is one recording.
strace -ff -qq -o ff sh -c 'ls d; cat d/f' >/dev/null 2>&1
"$rf" generate --from-strace ff.* --seccomp ff.json
check_eq "$?" 0 "-ff per-pid files import as one recording"
"$rf" -q record -o ff.rec.json -- sh -c 'ls d; cat d/f' >/dev/null 2>&1
"$rf" profile diff ff.rec.json ff.json >ff.diff
check_eq "$?" 0 "-ff import equals the recording"

# Unknown names: file:line error, or skipped with --ignore-unknown.
printf 'getpid() = 1\nfrobnicate(1) = 0\nexit_group(0) = ?\n' >unknown.log
"$rf" generate --from-strace unknown.log >/dev/null 2>err
check_eq "$?" 1 "an unknown syscall name stops the import"
grep -q "unknown.log:2: syscall 'frobnicate' is unknown" err
check_eq "$?" 0 "with file:line"
"$rf" generate --from-strace --ignore-unknown unknown.log >out.json 2>/dev/null
check_eq "$?" 0 "--ignore-unknown skips it"
grep -q '"getpid"' out.json && pass "--ignore-unknown keeps the rest" || fail "--ignore-unknown keeps the rest"

# Observations merge: support counts, --min-support.
"$rf" -q record --observation a.obs -- sh -c 'uname >/dev/null' >/dev/null 2>&1
"$rf" -q record --observation b.obs -- sh -c 'true' >/dev/null 2>&1
"$rf" generate --from a.obs b.obs --observation ab.obs --seccomp ab.json
check_eq "$?" 0 "generate --from merges observations"
check_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["observations"])' ab.obs)" 2 \
	"the merged observation counts two recordings"
"$rf" generate --from a.obs b.obs --min-support 2 --seccomp ab2.json
grep -q '"uname"' ab.json && ! grep -q '"uname"' ab2.json
check_eq "$?" 0 "--min-support 2 drops what only one run did"
"$rf" profile merge a.rec.json 2>/dev/null >/dev/null
"$rf" generate --from a.obs --seccomp a.json && "$rf" generate --from b.obs --seccomp b.json &&
	"$rf" profile merge a.json b.json >m.json
"$rf" profile diff ab.json m.json >/dev/null
check_eq "$?" 0 "merging profiles equals the profile of merged observations"
done_testing
