#!/bin/sh
# Installs the Debian 12 packages ringfence needs to build, test and demo, when any is missing.
# As root it uses apt-get; otherwise it lists what is missing and fails.
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev clang clang-format libclang-rt-14-dev llvm
libseccomp-dev libcap-dev libfyaml-dev libcriterion-dev nettle-dev libcurl4-openssl-dev libcjson-dev zlib1g-dev
libmicrohttpd-dev libgnutls28-dev apparmor
seccomp runc busybox-static python3 sqlite3 strace
bpftool libbpf-dev gcc-multilib libc6-dev-i386 git curl iputils-ping nginx redis-server"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian's nginx package may start its own server on :80 when installed; the tests run private
# nginx instances (one on :80), so stop the packaged one if the install just started it. The same
# for redis-server (t1020 runs its own on a free port).
case " $missing " in
*" nginx "*)
	if [ -s /run/nginx.pid ]; then
		kill "$(cat /run/nginx.pid)" 2>/dev/null || :
	fi
	;;
esac
case " $missing " in
*" redis-server "*)
	if [ -s /run/redis/redis-server.pid ]; then
		kill "$(cat /run/redis/redis-server.pid)" 2>/dev/null || :
	fi
	;;
esac
