#!/bin/sh
# bench/node-agent.sh — how fast a node follows a ConfigMap, and what an install costs.
#   sh bench/node-agent.sh [RINGFENCE] [SWAPS] [PROFILES]
# 1. `node install` of PROFILES profiles into an empty kubelet root, then again (all unchanged).
# 2. `node agent` watching a ConfigMap-style directory: SWAPS kubelet AtomicWriter updates (each
#    changes one key), timing each from the rename of ..data to the new file on the node.
# Prints milliseconds; the agent's debounce (100 ms by default) is part of the latency by design.
set -eu
rf=$(realpath "${1:-build/cli/ringfence}")
swaps=${2:-30}
profiles=${3:-200}
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rf-bench-node.XXXXXX")
trap 'kill $agent 2>/dev/null || :; rm -rf "$tmp"' EXIT
agent=
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
cd "$tmp"

mkdir set k1 k2
base=$top/tests/data/profiles/valid/oci-bare.json
i=0
while [ $i -lt "$profiles" ]; do
	cp "$base" "set/p$i.json"
	i=$((i + 1))
done
t0=$(now); "$rf" node install --root k1 set >/dev/null; t1=$(now)
"$rf" node install --root k1 set >/dev/null; t2=$(now)
echo "node install of $profiles profiles ($(du -sh set | cut -f1) in all)"
echo "  first install (all created)       $(( (t1 - t0) / 1000000 )) ms"
echo "  again (all unchanged, no writes)  $(( (t2 - t1) / 1000000 )) ms"

mkdir cm
python3 - "$base" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for i in range(200):
    q = dict(p, syscalls=p["syscalls"] + [{"names": ["acct"], "action": "SCMP_ACT_ERRNO", "errnoRet": i + 1}])
    json.dump(q, open("v%d.json" % i, "w"))
PY
mkdir cm/..g0 && cp v0.json cm/..g0/app.json && ln -s ..g0 cm/..data && ln -s ..data/app.json cm/app.json
"$rf" node agent --root k2 --source cm --resync 0 2>agent.err &
agent=$!
until [ -e k2/seccomp/ringfence/app.json ]; do sleep 0.01; done
lat=
g=1
while [ $g -le "$swaps" ]; do
	mkdir "cm/..g$g" && cp "v$g.json" "cm/..g$g/app.json"
	ln -s "..g$g" cm/..data_tmp
	t0=$(now)
	mv -T cm/..data_tmp cm/..data
	rm -rf "cm/..g$((g - 1))"
	# The installed file is the same JSON re-serialised: compare by the errno that identifies it.
	until grep -q "\"errnoRet\": $((g + 1))" k2/seccomp/ringfence/app.json 2>/dev/null; do
		sleep 0.002
	done
	lat="$lat $(( ($(now) - t0) / 1000000 ))"
	g=$((g + 1))
done
kill -TERM $agent; wait $agent; agent=
sorted=$(echo "$lat" | tr ' ' '\n' | grep -v '^$' | sort -n | tr '\n' ' ')
echo "node agent: $swaps ConfigMap ..data swaps, rename -> file on the node"
echo "  min $(echo "$sorted" | awk '{print $1}') ms, median $(echo "$lat" | median) ms, max $(echo "$sorted" | awk '{print $NF}') ms (debounce 100 ms; target: within 1000 ms)"
