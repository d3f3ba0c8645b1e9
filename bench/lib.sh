# bench/lib.sh — helpers shared by the benchmark scripts (POSIX sh, sourced).
# The caller sets: tmp (a scratch directory), port, dur (seconds of wrk per variant).

now() { date +%s%N; }

# timeit CMD...: best of 3 wall-clock runs, in milliseconds
timeit() {
	best=
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || true
		t=$(( ($(now) - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# median_ci: the median of the numbers read and an interval that holds the true median with
# at least 90% probability, from order statistics (no assumption on the distribution): the
# k-th smallest and k-th largest value, k the largest with P(Binomial(n, 1/2) < k) <= 5%.
# Prints "median low high"; with fewer than 5 numbers the interval is their range (< 90%).
median_ci() {
	tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END {
		n = NR; k = 1; p = 0.5 ^ n; cdf = p
		for (j = 1; j < n; j++) { # cdf = P(B <= j - 1) while the loop tests k = j + 1
			p = p * (n - j + 1) / j
			if (cdf + p > 0.05) break
			cdf += p
			k = j + 1
		}
		if (n < 5) k = 1
		print v[int((n + 1) / 2)], v[k], v[n + 1 - k] }'
}

# nginx_setup: a private single-process nginx serving a 4 KiB file on 127.0.0.1:$port.
# Returns 1 (and says why) when nginx, wrk or curl is missing.
nginx_setup() {
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	if [ ! -x "$nginx" ] || ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
		echo "nginx + wrk: SKIP (needs nginx, wrk and curl: apt-get install nginx-light wrk curl)"
		return 1
	fi
	mkdir -p "$tmp/www" "$tmp/logs"
	head -c 4096 /dev/zero | tr '\0' x >"$tmp/www/index.html"
	cat >"$tmp/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $tmp/logs/body;
	proxy_temp_path $tmp/logs/proxy;
	fastcgi_temp_path $tmp/logs/fastcgi;
	uwsgi_temp_path $tmp/logs/uwsgi;
	scgi_temp_path $tmp/logs/scgi;
	server { listen 127.0.0.1:$port; root $tmp/www; }
}
NGINX
}

# pin_cpus: nginx on CPU 0 and wrk on CPU 1 from here on (serve's $server_pin, $client_pin),
# where there are two CPUs and taskset. Left to the scheduler, the two sometimes share a CPU:
# on a 2-CPU VM, unpinned 2-second rounds of the same nginx ran at 27k to 45k req/s, pinned at
# 44k to 48k (bench/RESULTS.md, 2026-12-06).
pin_cpus() {
	server_pin=
	client_pin=
	if command -v taskset >/dev/null && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
		server_pin="taskset -c 0"
		client_pin="taskset -c 1"
	fi
}
server_pin=
client_pin=

# serve [TRACER...]: start nginx under the tracer, wait for the port, run wrk, stop nginx
# through its pid file (neither strace nor record ends on a SIGQUIT sent to itself); prints
# requests/s and appends wrk's warnings (non-2xx, socket errors) to $tmp/warnings.
serve() {
	$server_pin "$@" "$nginx" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" >/dev/null 2>&1 &
	ngpid=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null || [ "$i" -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	$client_pin wrk -t1 -c4 -d"${dur}s" "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1 || :
	rps=$(awk '/^Requests\/sec:/ { print int($2) }' "$tmp/wrk.out")
	awk -v who="$*" '/Non-2xx|Socket errors/ { print "  warning: " who ": " $0 }' "$tmp/wrk.out" \
		>>"$tmp/warnings"
	[ -s "$tmp/nginx.pid" ] && kill -QUIT "$(cat "$tmp/nginx.pid")" 2>/dev/null || :
	i=0
	while kill -0 "$ngpid" 2>/dev/null && [ "$(sed 's/^.*) //' "/proc/$ngpid/stat" | cut -c1)" != Z ] &&
		[ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$ngpid" 2>/dev/null || :
	wait "$ngpid" 2>/dev/null || :
	ngpid=
	rm -f "$tmp/nginx.pid"
	echo "${rps:-0}"
}
