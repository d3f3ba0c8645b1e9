#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's "30-second tour", run as written (issue #16: its nginx line did not work). The
# commands are extracted from README.md, so a changed or new example is run too: a command
# this script does not know fails the test until it says how to run it. Each runs in a
# temporary directory holding the files the tour names (my-profile.json, config.json, ./app,
# k8s/, profiles/ ...). Where a command touches the machine it runs in namespaces, still as
# written: the node commands in a mount namespace whose /var/lib is private (the kubelet
# directory is /var/lib/kubelet), nginx in a network and mount namespace (port 80, /run,
# /var/log/nginx). The eBPF --cgroup line uses the cgroup it names, created for the test.
# kubectl needs a cluster and is skipped with that reason.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$RF_BIN" ] || framework_failure "ringfence binary not found at '$RF_BIN'"
require_root
require_prog timeout
mk_tmpdir
work=$tmpdir/work
mkdir "$work" || framework_failure "cannot create $work"
cd "$work" || framework_failure "cannot enter $work"

tour=$(awk '/^## A 30-second tour/ { f = 1 } f && /^```sh/ { g = 1; next } g && /^```/ { exit }
	g && NF' "$RF_SRC/README.md")
[ -n "$tour" ] || framework_failure "no tour block in README.md"

# ---- the files the tour names ----
rf=$RF_BIN
cat >app <<'SH'
#!/bin/sh
# A small workload: reads, lists, writes.
cat /etc/hostname >/dev/null
ls / >/dev/null
echo "app ok${1:+ ($1)}"
SH
chmod +x app
"$rf" profile show -o my-profile.json runtime/default || framework_failure "fixture my-profile.json"
printf '{"ociVersion":"1.0.2","process":{"args":["sh"]},"linux":{"seccomp":%s}}\n' \
	"$(cat my-profile.json)" >config.json
"$rf" profile show --caps CHOWN -o old.json runtime/default
"$rf" profile show --caps CHOWN,SYS_ADMIN -o new.json runtime/default
"$rf" -q record --backend ptrace -o a.json --observation run1.obs.json -- ./app >/dev/null
"$rf" -q record --backend ptrace -o b.json --observation run2.obs.json -- ./app x >/dev/null
cp a.json p.json
cp "$RF_SRC/tests/data/apparmor/bane-web.toml" web.toml || framework_failure "fixture web.toml"
# Two SeccompProfiles in one file, as the Security Profiles Operator ships its examples.
for name in web db; do
	printf -- '---\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n'
	printf 'metadata: {name: %s}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n' "$name"
	printf '  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read, write, exit_group]\n'
done >seccompprofiles.yaml
mkdir k8s profiles
cp a.json profiles/web.json
cat >k8s/web.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: Localhost, localhostProfile: ringfence/web.json}
      containers:
      - name: app
        image: nginx
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
YAML

# ---- how each command runs, and what it must exit with ----

# plain CMD: in $work, `ringfence` being the binary under test.
run_plain() {
	(
		ringfence() { "$RF_BIN" "$@"; }
		eval "$1"
	) >out 2>err
}

# The node commands write /var/lib/kubelet: a private /var/lib keeps the machine out of it.
run_kubelet_ns() {
	RF_CMD=$1 unshare --mount sh -c '
		mount --make-rprivate / && mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/kubelet || exit 99
		ringfence() { "$RF_BIN" "$@"; }
		eval "$RF_CMD"' >out 2>err
}

# nginx as root binds port 80 and writes /run/nginx.pid, /var/log/nginx, /var/lib/nginx:
# all private here. The command must start it; a request must get an answer.
run_nginx_ns() {
	RF_CMD=$1 unshare --net --mount sh -c '
		mount --make-rprivate / &&
		for d in /run /var/log/nginx /var/lib/nginx; do mount -t tmpfs tmpfs "$d" || exit 99; done
		ip link set lo up || exit 99
		ringfence() { "$RF_BIN" "$@"; }
		eval "$RF_CMD"
		st=$?
		for i in 1 2 3 4 5 6 7 8 9 10; do [ -s /run/nginx.pid ] && break; sleep 0.2; done
		code=$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1/ 2>/dev/null)
		[ -s /run/nginx.pid ] && kill "$(cat /run/nginx.pid)"
		cat /var/log/nginx/error.log >&2 2>/dev/null
		[ "$st" -eq 0 ] && [ "$code" = 200 ]' >out 2>err
}

# record --cgroup PATH records until Ctrl-C: a workload runs in PATH meanwhile.
run_cgroup() {
	cg=$(printf '%s\n' "$1" | sed -n 's/.*--cgroup \([^ ]*\).*/\1/p')
	created=
	[ -d "$cg" ] || { mkdir "$cg" && created=1; } || return 99
	eval "exec \"\$RF_BIN\"${1#ringfence}" >out 2>err &
	rec=$!
	sleep 2
	sh -c "echo \$\$ >'$cg/cgroup.procs' && exec ./app cgroup" >/dev/null 2>&1
	sleep 0.5
	kill -INT "$rec"
	wait "$rec"
	st=$?
	[ -n "$created" ] && rmdir "$cg" 2>/dev/null
	return "$st"
}

# case CMD: sets how (plain, kubelet, nginx, cgroup, skip) and want (exit statuses allowed).
classify() {
	how=plain want=0 why=
	case $1 in
	'ringfence profile show runtime/default') ;;
	'ringfence profile show --caps CHOWN,SETUID runtime/default') ;;
	'ringfence profile lint my-profile.json') ;;
	'ringfence profile lint seccompprofiles.yaml') ;;
	'ringfence profile show seccompprofiles.yaml#web') ;;
	'ringfence profile convert --to spo -o p.yaml config.json') ;;
	'ringfence profile diff old.json new.json') want=1 ;; # "1: the profiles differ"
	'ringfence record -o app.json --observation app.obs.json -- ./app --selftest') ;;
	'ringfence record --args -o app.json -- ./app') ;;
	'ringfence generate --from run1.obs.json run2.obs.json --seccomp app.json') ;;
	'ringfence audit --level restricted k8s/') ;;
	'strace -f -o app.log ./app; ringfence generate --from-strace app.log')
		command -v strace >/dev/null || { how=skip why="strace is not installed"; } ;;
	'ringfence record --backend ebpf --cgroup '*)
		how=cgroup
		if ! "$RF_BIN" -V | grep -q 'ebpf=yes'; then
			how=skip why="the eBPF recorder cannot load here ($("$RF_BIN" -V | grep '^ebpf:'))"
		elif [ "$(stat -fc %T "$(dirname "$(printf '%s\n' "$1" |
			sed -n 's/.*--cgroup \([^ ]*\).*/\1/p')")" 2>/dev/null)" != cgroup2fs ]; then
			how=skip why="the cgroup the README names is not under a cgroup v2 mount here"
		fi ;;
	'ringfence profile merge a.json b.json -o both.json') ;;
	'ringfence run --seccomp runtime/default --cap-drop ALL --cap-add '*' -- nginx')
		how=nginx
		command -v nginx >/dev/null && command -v curl >/dev/null && command -v unshare >/dev/null ||
			{ how=skip why="nginx, curl or unshare is not installed"; } ;;
	'ringfence run --seccomp p.json --complain --report r.json -- ./app') ;;
	'ringfence run --seccomp p.json --report r.json -- ./app') ;;
	'ringfence apparmor from-toml web.toml -o web.apparmor') ;;
	'ringfence record --apparmor-out app.apparmor --observation app.obs.json -- ./app') ;;
	'ringfence apparmor from-observation --mode complain app.obs.json -o app.apparmor --k8s -') ;;
	'ringfence apparmor lint app.apparmor --against app.obs.json') ;;
	'ringfence node install --prune profiles/' | 'ringfence node status --check-manifests k8s/' | \
		'ringfence audit --check-node k8s/')
		how=kubelet
		command -v unshare >/dev/null || { how=skip why="unshare is not installed"; } ;;
	'kubectl '*) how=skip why="needs a Kubernetes cluster (kubectl); deploy/ is checked by t0820" ;;
	*) how=unknown ;;
	esac
}

node_cmds=$(printf '%s\n' "$tour" | sed 's/[[:space:]]\{1,\}# .*$//' | grep '^ringfence node ')

printf '%s\n' "$tour" | sed 's/[[:space:]]\{1,\}# .*$//; s/[[:space:]]*$//' >commands
while IFS= read -r cmd; do
	classify "$cmd"
	case $how in
	unknown)
		fail "README: $cmd"
		diag "this command is not known to the tour test: say how to run it"
		continue ;;
	skip)
		skip "README: $cmd" "$why"
		continue ;;
	plain) run_plain "$cmd" ;;
	kubelet) # the other node commands first (status needs the profiles installed)
		run_kubelet_ns "$(printf '%s\n' "$node_cmds" | grep -v -x -F "$cmd" |
			sed 's/$/ >\/dev\/null 2>\&1/'; printf '%s\n' "$cmd")" ;;
	nginx) run_nginx_ns "$cmd" ;;
	cgroup) run_cgroup "$cmd" ;;
	esac
	st=$?
	if [ "$st" -eq "$want" ] && ! grep -q '^ringfence: error\|ERROR: AddressSanitizer' err; then
		pass "README: $cmd"
	else
		fail "README: $cmd"
		diag "exit $st (want $want)"
		head -c 600 err | diag
	fi
done <commands
done_testing
