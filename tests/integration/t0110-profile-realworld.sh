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

done_testing
