#!/bin/sh
# bench/run-overhead.sh — what `ringfence run` costs a workload, measured in one run, as ratios.
#   1. a syscall loop (dd bs=64: one read + one write per block) unconfined, under
#      runtime/default (enforce), and under runtime/default --complain (allowed calls never leave
#      the kernel, so complain mode should cost what enforce costs);
#   2. the price of one reported call: a loop of getppid() that the profile denies, enforced in
#      the kernel vs routed through the listener (--report / --complain).
# Usage: bench/run-overhead.sh [RINGFENCE] [BLOCKS]   (defaults: build/cli/ringfence, 2000000)
set -eu
rf=${1:-build/cli/ringfence}
n=${2:-2000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

base=$(timeit dd if=/dev/zero of=/dev/null bs=64 count="$n")
enf=$(timeit "$rf" run --seccomp runtime/default -- dd if=/dev/zero of=/dev/null bs=64 count="$n")
cmp=$(timeit "$rf" run --seccomp runtime/default --complain -- dd if=/dev/zero of=/dev/null bs=64 count="$n")
echo "syscall loop: dd bs=64 count=$n ($((2 * n)) read+write calls)"
printf '  %-42s %8s ms\n' unconfined "$base"
printf '  %-42s %8s ms   x%s\n' "run --seccomp runtime/default" "$enf" "$(ratio "$enf" "$base")"
printf '  %-42s %8s ms   x%s\n' "run --seccomp runtime/default --complain" "$cmp" "$(ratio "$cmp" "$base")"

cat >"$tmp/deny-getppid.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
JSON
m=20000
loop="import os
for _ in range($m):
    try: os.getppid()
    except OSError: pass"
pbase=$(timeit python3 -c "$loop")
penf=$(timeit "$rf" run --seccomp "$tmp/deny-getppid.json" -- python3 -c "$loop")
prep=$(timeit "$rf" run --seccomp "$tmp/deny-getppid.json" --report "$tmp/r.json" -- python3 -c "$loop")
pcmp=$(timeit "$rf" run --seccomp "$tmp/deny-getppid.json" --complain -- python3 -c "$loop")
echo "reported calls: python3 loop of $m getppid() the profile denies"
printf '  %-42s %8s ms\n' "unconfined (allowed)" "$pbase"
printf '  %-42s %8s ms   x%s\n' "enforce, denied in the kernel" "$penf" "$(ratio "$penf" "$pbase")"
printf '  %-42s %8s ms   x%s   (%s us per reported call)\n' "enforce --report (listener)" "$prep" \
	"$(ratio "$prep" "$pbase")" "$(awk -v a="$prep" -v b="$penf" -v m="$m" 'BEGIN { printf "%.1f", (a - b) * 1000 / m }')"
printf '  %-42s %8s ms   x%s\n' "--complain (listener)" "$pcmp" "$(ratio "$pcmp" "$pbase")"
