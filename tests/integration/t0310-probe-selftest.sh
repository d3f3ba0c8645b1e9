#!/bin/sh
# t0310-probe-selftest.sh — the probe, run unconfined, answers every name it supports, the same way
# twice, and (as root) never with EPERM, so a seccomp denial is always visible in t0300's diff.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_PROBE" ] || framework_failure "probe not built: $RF_PROBE"
mk_tmpdir

# "personality:N" takes a value; probe it with PER_LINUX32, the value moby allows.
"$RF_PROBE" --list >"$tmpdir/list0" || framework_failure "probe --list failed"
sed 's/^personality:N /personality:0x8 /; s/^personality:N$/personality:0x8/' "$tmpdir/list0" \
	>"$tmpdir/list"
names=$(sed 's/ .*//' "$tmpdir/list")
[ -n "$names" ] || framework_failure "probe --list printed nothing"
[ "$(id -u)" -eq 0 ] && root=1 || root=

# shellcheck disable=SC2086 # one argument per name
"$RF_PROBE" $names >"$tmpdir/run1"
check_eq "$?" 0 "probe exits 0 on supported names"
# shellcheck disable=SC2086
"$RF_PROBE" $names >"$tmpdir/run2"
if cmp -s "$tmpdir/run1" "$tmpdir/run2"; then
	pass "two unconfined runs give the same answers"
else
	fail "two unconfined runs give the same answers"
	diff "$tmpdir/run1" "$tmpdir/run2" | diag
fi
diag "unconfined baseline:"
diag <"$tmpdir/run1"

check_eq "$(wc -l <"$tmpdir/run1" | tr -d ' ')" "$(wc -l <"$tmpdir/list" | tr -d ' ')" \
	"one answer line per name"

# Each name answers with ok or an errno name; EPERM would look like a seccomp denial. Without root
# the names tagged "priv" legitimately answer EPERM, so only the others are held to that.
bad=
paste -d ' ' "$tmpdir/list" "$tmpdir/run1" >"$tmpdir/joined"
while read -r name rest; do
	result=${rest##* }
	case " $rest " in
	*" $name "*) ;;
	*) result=missing ;;
	esac
	case $result in
	ok | E[A-Z]*) ;;
	*)
		bad="$bad $name=$result"
		continue
		;;
	esac
	if [ "$result" = EPERM ] && { [ -n "$root" ] || ! echo " $rest " | grep -q ' priv '; }; then
		bad="$bad $name=EPERM"
	fi
done <"$tmpdir/joined"
check_eq "${bad# }" "" "every name answers ok or a non-EPERM errno"

for name in no_such_syscall personality:zz; do
	out=$("$RF_PROBE" getpid "$name")
	status=$?
	check_eq "$status:$out" "2:getpid ok
$name unsupported" "$name is reported unsupported and the probe exits 2"
done

out=$("$RF_PROBE" getpid 2>&1 >/dev/null)
check_eq "$out" "" "the probe writes nothing to stderr"

if [ -n "$RF_PROBE_STATIC" ] && [ -x "$RF_PROBE_STATIC" ]; then
	# shellcheck disable=SC2086
	"$RF_PROBE_STATIC" $names >"$tmpdir/static"
	if cmp -s "$tmpdir/run1" "$tmpdir/static"; then
		pass "static and dynamic probes give the same answers"
	else
		fail "static and dynamic probes give the same answers"
		diff "$tmpdir/run1" "$tmpdir/static" | diag
	fi
else
	skip "static and dynamic probes give the same answers" "no static probe"
fi

done_testing
