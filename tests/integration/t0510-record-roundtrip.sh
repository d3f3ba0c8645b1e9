#!/bin/sh
# t0510-record-roundtrip.sh — record a program, then run it again under the recorded profile:
# same output, same exit status. A second run that makes one syscall the recording never saw
# gets EPERM for exactly that call and still does its job. Profiles regenerated offline from the
# observation are the same bytes; merged recordings (generate --from A --from B, profile merge)
# allow what either saw, and --min-support keeps only what both saw.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
[ -x "$RF_BIN" ] || framework_failure "ringfence not built: $RF_BIN"
: "${RF_REC_EXTRA:=$(rf_first_file "$RF_BUILD/tests/rec-extra" "$RF_BUILD/tests/helpers/rec-extra")}"
[ -x "$RF_REC_EXTRA" ] || framework_failure "rec-extra not built: $RF_REC_EXTRA"
mk_tmpdir
rf=$RF_BIN
extra=$RF_REC_EXTRA
job_line="job: wrote 4096 bytes, sum 522240"

# --- rec-extra: the job, then the job plus one getcwd the recording never saw -------------------
mkdir "$tmpdir/x"
out=$("$rf" -q record -o "$tmpdir/extra.json" --observation "$tmpdir/extra-obs.json" -- \
	"$extra" "$tmpdir/x")
check_eq "$?:$out" "0:$job_line" "record: rec-extra did its job, status 0"
names=$(python3 -c 'import json, sys
print(" ".join(sorted(s["name"] for s in json.load(open(sys.argv[1]))["syscalls"])))' \
	"$tmpdir/extra-obs.json")
case " $names " in
*" getcwd "*) fail "the recording of the plain job has no getcwd"; diag "$names" ;;
*) pass "the recording of the plain job has no getcwd" ;;
esac
out=$("$rf" run --seccomp "$tmpdir/extra.json" -- "$extra" "$tmpdir/x")
check_eq "$?:$out" "0:$job_line" "run under the recorded profile: same output and status"
out=$("$rf" run --seccomp "$tmpdir/extra.json" -- "$extra" "$tmpdir/x" --extra)
st=$?
check_eq "$(printf '%s' "$out" | head -n 1)" "extra getcwd: EPERM" \
	"the one syscall the recording never saw fails with EPERM"
diag "rec-extra --extra under the profile printed: $(printf '%s' "$out" | head -n 1)"
check_eq "$st:$(printf '%s' "$out" | tail -n 1)" "0:$job_line" \
	"... and the main job still works (status 0)"
out=$("$rf" run --seccomp unconfined -- "$extra" "$tmpdir/x" --extra | head -n 1)
check_eq "$out" "extra getcwd: ok" "unconfined, the extra getcwd succeeds (the EPERM is the profile's)"

# The same with the ptrace backend forced (the default picks ebpf where it loads).
"$rf" -q record --backend ptrace -o "$tmpdir/extra-pt.json" -- "$extra" "$tmpdir/x" >/dev/null
out=$("$rf" run --seccomp "$tmpdir/extra-pt.json" -- "$extra" "$tmpdir/x" --extra)
check_eq "$?:$(printf '%s' "$out" | tr '\n' '|')" "0:extra getcwd: EPERM|$job_line" \
	"recorded with --backend ptrace: the extra getcwd gets EPERM, the job works"

# --default-errno at record time carries into the profile.
"$rf" -q record --default-errno ENOSYS -o "$tmpdir/enosys.json" -- "$extra" "$tmpdir/x" >/dev/null
out=$("$rf" run --seccomp "$tmpdir/enosys.json" -- "$extra" "$tmpdir/x" --extra | head -n 1)
check_eq "$out" "extra getcwd: ENOSYS" "record --default-errno ENOSYS: the unseen call gets ENOSYS"

# --- offline regeneration and merging ----------------------------------------------------------
"$rf" generate --from "$tmpdir/extra-obs.json" --seccomp "$tmpdir/regen.json"
if cmp -s "$tmpdir/regen.json" "$tmpdir/extra.json"; then
	pass "generate --from the observation writes the same profile as record -o"
else
	fail "generate --from the observation writes the same profile as record -o"
	diff "$tmpdir/extra.json" "$tmpdir/regen.json" | head -n 20 | diag
fi
"$rf" -q record --observation "$tmpdir/extra2-obs.json" -o "$tmpdir/extra2.json" -- \
	"$extra" "$tmpdir/x" --extra >/dev/null
"$rf" generate --from "$tmpdir/extra-obs.json" --from "$tmpdir/extra2-obs.json" \
	--seccomp "$tmpdir/union.json"
out=$("$rf" run --seccomp "$tmpdir/union.json" -- "$extra" "$tmpdir/x" --extra | head -n 1)
check_eq "$out" "extra getcwd: ok" "generate from both recordings allows what either saw"
"$rf" generate --min-support 2 --from "$tmpdir/extra-obs.json" --from "$tmpdir/extra2-obs.json" \
	--seccomp "$tmpdir/both.json"
out=$("$rf" run --seccomp "$tmpdir/both.json" -- "$extra" "$tmpdir/x" --extra)
check_eq "$(printf '%s' "$out" | tr '\n' '|')" "extra getcwd: EPERM|$job_line" \
	"--min-support 2 keeps only what both saw: getcwd denied, the job works"
if "$rf" profile --help 2>&1 | grep -q 'profile merge'; then
	"$rf" profile merge -o "$tmpdir/merged.json" "$tmpdir/extra.json" "$tmpdir/extra2.json"
	out=$("$rf" run --seccomp "$tmpdir/merged.json" -- "$extra" "$tmpdir/x" --extra | head -n 1)
	check_eq "$out" "extra getcwd: ok" "profile merge of the two recorded profiles allows getcwd"
else
	skip "profile merge of the two recorded profiles allows getcwd" "no 'profile merge' yet"
fi

# --- real programs: record, then run under the profile; output and status must match ----------
# roundtrip LABEL ["RECORD-FLAGS"] CMD...: each run starts in the same fresh directory. Without
# flags record picks its backend (ebpf when it loads, else ptrace); some runs force ptrace.
fresh() { rm -rf "$tmpdir/w" && mkdir "$tmpdir/w" || framework_failure "cannot reset $tmpdir/w"; }
roundtrip() {
	label=$1
	shift
	flags=
	case $1 in
	--*) # record flags, as one word: "--fast", "--backend ptrace"
		flags=$1
		shift
		;;
	esac
	fresh
	(cd "$tmpdir/w" && "$rf" -q record $flags -o "$tmpdir/p.json" -- "$@") \
		</dev/null >"$tmpdir/out1" 2>"$tmpdir/err1"
	st1=$?
	fresh
	(cd "$tmpdir/w" && "$rf" run --seccomp "$tmpdir/p.json" -- "$@") \
		</dev/null >"$tmpdir/out2" 2>"$tmpdir/err2"
	st2=$?
	if [ "$st1" = "$st2" ] && cmp -s "$tmpdir/out1" "$tmpdir/out2" && [ -s "$tmpdir/out1" ]; then
		pass "$label${flags:+ ($flags)}: same output and status ($st1) under the recorded profile"
	else
		fail "$label${flags:+ ($flags)}: same output and status under the recorded profile"
		diag "status recorded $st1, under the profile $st2; output diff:"
		diff "$tmpdir/out1" "$tmpdir/out2" | head -n 10 | diag
		diag "stderr under the profile:"
		head -n 10 "$tmpdir/err2" | diag
	fi
}

roundtrip "ls -l of a fixed tree" ls -ln "$RF_SRC/tests/helpers"
roundtrip "sort | uniq -c pipeline" sh -c "sort '$RF_SRC/tests/integration/lib.sh' | uniq -c | sort -rn | head -n 5"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
roundtrip "python3 threads + subprocess" "$py" -I -c '
import subprocess, threading
out = []
ts = [threading.Thread(target=lambda i=i: out.append(sum(range(i * 10000)))) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(out), subprocess.run(["echo", "child"]).returncode)'
if command -v sqlite3 >/dev/null 2>&1; then
	roundtrip "sqlite3 creates a database" sqlite3 t.db \
		'create table t(a integer primary key, b text); insert into t(b) values ("x"),("y");
		 select a, b from t order by a;'
else
	skip "sqlite3 creates a database" "sqlite3 not found"
fi
if command -v git >/dev/null 2>&1; then
	roundtrip "git init && git commit" env HOME="$tmpdir" GIT_CONFIG_NOSYSTEM=1 \
		GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
		sh -c 'git init -q r && cd r && echo hi >f && git add f &&
		git -c user.name=t -c user.email=t@example.org commit -q -m one && git log --format=%H'
else
	skip "git init && git commit" "git not found"
fi
roundtrip "tar czf | tar tzf" sh -c "tar czf - -C '$RF_SRC' tests/helpers | tar tzf - | sort"
if command -v busybox >/dev/null 2>&1; then
	roundtrip "busybox sh pipeline" busybox sh -c 'busybox seq 1 3000 | busybox sort -rn | busybox head -n 3'
else
	skip "busybox sh pipeline" "busybox not found"
fi
roundtrip "exit status 3 passes through" sh -c 'echo before; exit 3'
roundtrip "rec-extra job" "--backend ptrace" "$extra" "$tmpdir"
roundtrip "python3 threads + subprocess" "--backend ptrace" "$py" -I -c '
import subprocess, threading
ts = [threading.Thread(target=print, args=(i,)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print(subprocess.run(["echo", "child"]).returncode)'
roundtrip "tar czf | tar tzf" "--backend ptrace" sh -c "tar czf - -C '$RF_SRC' tests/helpers | tar tzf - | sort"
roundtrip "rec-extra job" "--backend ptrace --fast" "$extra" "$tmpdir"
roundtrip "sort | uniq -c pipeline" "--backend ptrace --fast" sh -c "sort '$RF_SRC/tests/integration/lib.sh' | uniq -c | sort -rn | head -n 5"
roundtrip "python3 threads + subprocess" --args "$py" -I -c '
import subprocess, threading
ts = [threading.Thread(target=print, args=(i,)) for i in range(1)]
for t in ts: t.start()
for t in ts: t.join()
print(subprocess.run(["echo", "child"]).returncode)'

done_testing
