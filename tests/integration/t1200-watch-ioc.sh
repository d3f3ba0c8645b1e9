#!/bin/sh
# t1200-watch-ioc.sh — `watch --ioc`, performed for real in a network namespace of the test's
# own (loopback only): a connection to a listed address; a DNS answer for a listed domain
# (from a tiny DNS server on 127.0.0.1:53) followed by a connection to the answered address,
# reported with the domain and the answer; a listed executable's SHA-256; near misses (an
# unlisted neighbour address, an unlisted domain, an unlisted binary) stay quiet; both backends
# (each learns from the DNS answers the workload receives); SIGHUP reloads the lists of a
# running node watch.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_prog python3
require_prog unshare
require_prog ip
mk_tmpdir
rf=$RF_BIN
client=$RF_SRC/tests/data/ioc/dns-client.py
cd "$tmpdir" || framework_failure "cd"
unshare -n true 2>/dev/null || skip_all "cannot create a network namespace"
cp /bin/true listed-true
cp /bin/false unlisted-false
cat >list.txt <<LIST
# category: CryptoCurrency
127.0.0.9
pool.mining.test
# category: Backdoor
$(sha256sum listed-true | cut -d' ' -f1)
LIST

printf '# category: CryptoCurrency\n*.zone.mining.test\n' >zone.txt

# burst BACKEND TAG [connected]: 100 answers for the listed zone, each followed at once by a
# connect to its address (and 100 for an unlisted one): all 100 listed ones match.
burst() {
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		"$rf" watch --backend "$1" --no-default-rules --ioc zone.txt --format json -- \
		python3 "$RF_SRC/tests/data/ioc/dns-burst.py" 100 ${3:-} >"$2-burst.json" 2>"$2-burst.err"
	check_eq "$?:$(sed -n 's/.* \([0-9]*\) rule matches.*/\1/p' "$2-burst.err")" 0:100 \
		"$1: 100 connects right after their DNS answers${3:+ (a connected resolver socket)}: 100 matches"
}

types() { # FILE -> the finding types, sorted
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("{"): print(json.loads(l)["finding_type"])' "$1" | sort
}

# watch_in_netns BACKEND OUT NAME CONNECTS...: the client asks NAME (answered 127.0.0.10), connects
watch_in_netns() {
	backend=$1 out=$2 name=$3
	shift 3
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		"$rf" watch --backend "$backend" --ioc list.txt --format json -- \
		sh -c 'python3 "$0" "$@" && ./listed-true && ./unlisted-false; exit 0' \
		"$client" "$name" 127.0.0.10 "$@" >"$out" 2>"$out.err"
}

if "$rf" -q watch --backend ebpf -- true 2>ebpf.err; then
	watch_in_netns ebpf e.json pool.mining.test 127.0.0.10 127.0.0.9 127.0.0.8
	check_eq "$?" 0 "ebpf: watch exits 0"
	check_eq "$(types e.json | tr '\n' ' ')" \
		"CryptoCurrency:Runtime/BitcoinTool.B CryptoCurrency:Runtime/BitcoinTool.B!DNS Execution:Runtime/MaliciousFileExecuted " \
		"ebpf: the listed address, the listed domain through its DNS answer, the listed binary; nothing else"
	grep -q 'of pool.mining.test, listed as pool.mining.test (CryptoCurrency, list.txt:3); DNS answer: pool.mining.test A 127.0.0.10 (from 127.0.0.1:53)' e.json
	check_eq "$?" 0 "ebpf: the !DNS finding names the domain, the entry and the answer it came from"
	grep -q '"ioc.dns.answer"' e.json
	check_eq "$?" 0 "ebpf: the answer is among the finding's fields"
	grep -q 'listed-true executed, SHA-256 [0-9a-f]\{64\} listed as Backdoor' e.json
	check_eq "$?" 0 "ebpf: the hash finding shows the hash and its category"
	grep -q 'connected to 127.0.0.8:' e.json
	check_eq "$?" 1 "ebpf: the unlisted neighbour 127.0.0.8 stays quiet"

	watch_in_netns ebpf n.json www.shop.test 127.0.0.10
	check_eq "$(types n.json | tr '\n' ' ')" "Execution:Runtime/MaliciousFileExecuted " \
		"ebpf: the same address answered for an unlisted domain is no finding"
	# The address filter: connections to addresses no rule reads stay in the kernel (the DNS
	# query at least: no answer is unread before it; 127.0.0.8 too when the watcher has read
	# the answer by then).
	dropped=$(sed -n 's/^ringfence: address filter: \([0-9]*\) outbound.*/\1/p' e.json.err)
	[ "${dropped:-0}" -ge 1 ] && pass "ebpf: unlisted destinations dropped in the kernel ($dropped)" ||
		{ fail "ebpf: unlisted destinations dropped in the kernel"; diag <e.json.err; }

	# Each answer is followed at once by a connect to it, before the watcher can have read
	# the answer: all 100 to the listed zone are matched (the program filters nothing while
	# an answer is unread; without that, 25-38 of 100 were, measured), and the 100 addresses
	# learnt for it are in the filter's trie at the end.
	burst ebpf e
	burst ebpf e connected
	grep -q '^ringfence: address filter: [0-9]* outbound .*(100 prefixes, 0 refills)$' e-burst.err
	check_eq "$?" 0 "ebpf: the 100 addresses learnt for the listed zone entered the filter"
else
	skip "the eBPF watch program cannot run here: $(cat ebpf.err)"
fi

watch_in_netns ptrace p.json pool.mining.test 127.0.0.10 127.0.0.9 127.0.0.8
check_eq "$?" 0 "ptrace: watch exits 0"
check_eq "$(types p.json | tr '\n' ' ')" \
	"CryptoCurrency:Runtime/BitcoinTool.B CryptoCurrency:Runtime/BitcoinTool.B!DNS Execution:Runtime/MaliciousFileExecuted " \
	"ptrace: the listed address, the listed domain through its DNS answer, the listed binary"
grep -q 'DNS answer: pool.mining.test A 127.0.0.10 (from 127.0.0.1:53)' p.json
check_eq "$?" 0 "ptrace: the !DNS finding cites the answer the traced process received"
watch_in_netns ptrace pn.json www.shop.test 127.0.0.10
check_eq "$(types pn.json | tr '\n' ' ')" "Execution:Runtime/MaliciousFileExecuted " \
	"ptrace: the same address answered for an unlisted domain is no finding"
burst ptrace p
burst ptrace p connected

# A bad list is refused with its file:line, before anything runs.
printf '# category: Tor\n203.0.113.5\nnot-an-indicator!\n' >bad.txt
"$rf" watch --backend ptrace --ioc bad.txt -- true >/dev/null 2>bad.err
check_eq "$?" 125 "a list with a bad line is refused (125)"
grep -q 'bad.txt:3' bad.err
check_eq "$?" 0 "... naming file:line ($(head -n 1 bad.err))"

# SIGHUP reloads the lists of a running node watch: 127.0.0.11 is listed only after the reload.
if [ -f e.json ]; then
	printf '# category: CryptoCurrency\n127.0.0.9\n' >live.txt
	unshare -n sh -c '
		ip link set lo up
		"$1" watch --all --no-default-rules --ioc live.txt --format json >hup.json 2>hup.err &
		w=$!
		i=0; until grep -q "watching the whole node" hup.err 2>/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done
		sleep 1
		python3 "$2" x.test 127.0.0.1 127.0.0.11
		printf "# category: CryptoCurrency\n127.0.0.11\n" >live.txt
		kill -HUP $w
		i=0; until grep -q "threat lists reloaded" hup.err || [ $i -ge 100 ]; do sleep 0.1; python3 -c "" ; i=$((i+1)); done
		python3 "$2" x.test 127.0.0.1 127.0.0.11
		sleep 1
		kill -INT $w; wait $w' sh "$rf" "$client"
	check_eq "$(grep -c '127.0.0.11' hup.json)" 1 "after SIGHUP the reloaded list matches (and not before)"
	grep -q "0 reloads" hup.err
	check_eq "$?" 1 "... and the reload is counted ($(grep -o '[0-9]* reloads ([0-9]* failed)' hup.err))"
fi
done_testing
