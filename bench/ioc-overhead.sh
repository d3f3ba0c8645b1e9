#!/bin/sh
# bench/ioc-overhead.sh — threat lists (issue 13), in one run:
#   1. loading: a generated list of N entries (addresses, CIDRs, domains, hashes in equal parts)
#      through `watch --list-rules --ioc` (load + build, process start-up included), best of 3;
#   2. the connect path: a loop of C TCP connects to 127.0.0.1 unwatched, and under
#      `watch --all --no-default-rules --ioc` with a 1-entry list and with the N-entry list
#      (connects to unlisted addresses are dropped in the kernel by the address filter), and
#      with a rule that reads every connect (no filter: each connect goes to user space);
#      best of 3, the loop's own time.
# Usage: bench/ioc-overhead.sh [RINGFENCE] [N] [C]   (root for part 2; defaults 500000, 20000)
set -u
rf=${1:-build/cli/ringfence}
n=${2:-500000}
c=${3:-20000}
tmp=$(mktemp -d)
wpid=
trap '[ -n "$wpid" ] && kill -INT "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

python3 - "$n" "$tmp/big.txt" <<'PY'
import hashlib, sys
n, out = int(sys.argv[1]), sys.argv[2]
q = n // 4
with open(out, "w") as f:
    f.write("# category: CryptoCurrency\n")
    for i in range(q):                     # 10.x.y.z addresses
        f.write("10.%d.%d.%d\n" % (i >> 16 & 255, i >> 8 & 255, i & 255))
    for i in range(q):                     # /24s in 100.64.0.0/10 and beyond
        f.write("%d.%d.%d.0/24\n" % (100 + (i >> 16), i >> 8 & 255, i & 255))
    for i in range(q):
        f.write("host%d.pool%d.mining.test\n" % (i, i % 97))
    for i in range(n - 3 * q):
        f.write(hashlib.sha256(b"%d" % i).hexdigest() + "\n")
PY
printf '# category: CryptoCurrency\n203.0.113.66\n' >"$tmp/one.txt"
echo "ioc load: $n entries ($(wc -c <"$tmp/big.txt") bytes), best of 3 (process start-up included)"
printf '  %-44s %7s ms\n' "watch --list-rules, no list" "$(timeit "$rf" watch --list-rules)"
printf '  %-44s %7s ms\n' "watch --list-rules --ioc ($n entries, loaded)" "$(timeit "$rf" watch --list-rules --ioc "$tmp/big.txt")"

cat >"$tmp/connect.py" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(128)
addr = l.getsockname()
t = time.perf_counter()
for _ in range(n):
    s = socket.socket(); s.connect(addr); a, _ = l.accept(); a.close(); s.close()
print(int((time.perf_counter() - t) * 1000))
PY
loop_ms() {
	best=
	for _ in 1 2 3; do
		t=$(python3 "$tmp/connect.py" "$c")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}
watched_ms() { # LIST [RULES-ARGS...]
	list=$1
	shift
	"$rf" watch --all --no-default-rules --ioc "$list" "$@" --no-stdout --output "$tmp/f.json" 2>"$tmp/w.err" &
	wpid=$!
	i=0
	until grep -q "watching the whole node" "$tmp/w.err" || [ "$i" -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 1
	kill -0 "$wpid" 2>/dev/null || { echo "SKIP: $(cat "$tmp/w.err")" >&2; echo 0; return; }
	loop_ms
	kill -INT "$wpid"
	wait "$wpid"
	wpid=
	grep '^ringfence: address filter' "$tmp/w.err" | sed 's/^ringfence: /    /' >>"$tmp/filter.txt"
}
# A rule that reads every connect (and matches none): the address filter cannot apply, each
# connect goes to user space as before the filter existed.
cat >"$tmp/every.yaml" <<'YAML'
- rule: Reads every connect
  desc: bench only
  condition: evt.type = connect and not fd.sip = 192.0.2.1 and proc.name = no-such-program
  output: "%proc.name"
  priority: debug
YAML
base=$(loop_ms)
every=$(watched_ms "$tmp/one.txt" --rules "$tmp/every.yaml")
: >"$tmp/filter.txt"
one=$(watched_ms "$tmp/one.txt")
big=$(watched_ms "$tmp/big.txt")
echo "connect path: $c TCP connects to 127.0.0.1 (python loop), best of 3, the loop's own time"
printf '  %-44s %7s ms\n' unwatched "$base"
printf '  %-44s %7s ms  x%s\n' "1 entry + a rule reading every connect" "$every" "$(ratio "$every" "$base")"
printf '  %-44s %7s ms  x%s\n' "watch --all --ioc, 1 entry" "$one" "$(ratio "$one" "$base")"
printf '  %-44s %7s ms  x%s  (x%s of 1 entry)\n' "watch --all --ioc, $n entries" "$big" \
	"$(ratio "$big" "$base")" "$(ratio "$big" "$one")"
echo "in-kernel address filter (1 entry, then $n entries):"
cat "$tmp/filter.txt"
