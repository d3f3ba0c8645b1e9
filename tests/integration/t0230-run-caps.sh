#!/bin/sh
# t0230-run-caps.sh — --cap-drop/--cap-add leave exactly the requested set in all five sets
# (ambient only for a non-root --user), and refuse what ringfence cannot grant.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
mk_tmpdir
rf=$RF_BIN
caps() { "$rf" run "$@" -- sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status' | awk '{printf "%s=%s ", $1, $2}'; }
check_eq "$(caps --cap-drop ALL)" \
	"CapInh:=0000000000000000 CapPrm:=0000000000000000 CapEff:=0000000000000000 CapBnd:=0000000000000000 CapAmb:=0000000000000000 " \
	"--cap-drop ALL empties every set"
# CAP_NET_BIND_SERVICE = 10 -> 0x400, CAP_CHOWN = 0 -> 0x1
check_eq "$(caps --cap-drop ALL --cap-add NET_BIND_SERVICE,chown)" \
	"CapInh:=0000000000000401 CapPrm:=0000000000000401 CapEff:=0000000000000401 CapBnd:=0000000000000401 CapAmb:=0000000000000000 " \
	"--cap-add keeps exactly the named caps for root (no ambient needed)"
if id nobody >/dev/null 2>&1; then
	check_eq "$(caps --cap-drop ALL --cap-add NET_BIND_SERVICE --user nobody)" \
		"CapInh:=0000000000000400 CapPrm:=0000000000000400 CapEff:=0000000000000400 CapBnd:=0000000000000400 CapAmb:=0000000000000400 " \
		"a non-root --user keeps the cap through execve via the ambient set"
	check_eq "$("$rf" run --user nobody -- id -u)" "$(id -u nobody)" "--user switches the uid"
else
	skip "non-root ambient caps" "no user nobody"
	skip "--user" "no user nobody"
fi
"$rf" run --cap-drop ALL --cap-add NOT_A_CAP -- true 2>"$tmpdir/err"
check_eq "$?" 2 "an unknown capability is a usage error (2), as in every command"
grep -q "unknown capability 'NOT_A_CAP'" "$tmpdir/err"
check_eq "$?" 0 "and says which"
"$rf" run --cap-drop NET_RAW -- sh -c 'grep CapBnd /proc/self/status' | grep -q 'CapBnd:	000001ffffffdfff\|CapBnd:	.*'
check_eq "$?" 0 "--cap-drop NET_RAW runs"
bnd=$("$rf" run --cap-drop NET_RAW -- sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')
check_eq "$(( 0x$bnd & 0x2000 ))" 0 "--cap-drop NET_RAW removes bit 13 from the bounding set"
if command -v setpriv >/dev/null; then
	setpriv --bounding-set=-net_raw "$rf" run --cap-add NET_RAW -- true 2>"$tmpdir/err"
	check_eq "$?" 125 "--cap-add of a capability ringfence does not hold refuses to run"
else
	skip "cap-add beyond bounding" "setpriv missing"
fi
done_testing
